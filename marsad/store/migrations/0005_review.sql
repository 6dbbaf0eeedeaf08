-- Review in the web app: users and roles, reviewed values of events, and an
-- audit log of every change an editor makes.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    password_hash TEXT NOT NULL,                      -- argon2id, never the password
    created_at    TEXT NOT NULL
);

-- One row per reviewed event. ``overrides`` is a JSON object field -> the
-- value an editor gave it; the same values are written into ``events`` so
-- filters and exports see them, and a recompute of merged events re-applies
-- them (and moves the row when an incident id changes).
CREATE TABLE event_reviews (
    event_id   TEXT PRIMARY KEY,
    status     TEXT NOT NULL DEFAULT 'unreviewed'
               CHECK (status IN ('unreviewed', 'verified', 'rejected')),
    overrides  TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT,
    updated_by TEXT
);
CREATE INDEX event_reviews_status ON event_reviews(status);

-- Every change: who, when, what, the value before and after (JSON values).
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL,
    user     TEXT NOT NULL,
    at       TEXT NOT NULL,
    action   TEXT NOT NULL,           -- edit | status | merge | split
    field    TEXT NOT NULL DEFAULT '',
    before   TEXT,
    after    TEXT
);
CREATE INDEX audit_log_event ON audit_log(event_id, id);

-- Settings of the web app kept with the data (the session signing key).
CREATE TABLE app_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
