-- Hardening of the web app's sign-in: a per-user session key (rotated on
-- sign-out, password and role change, so old cookies stop working), failed
-- sign-ins and the locks they cause (kept here so that a restart does not
-- forget them and several server processes share them), and a security log.

ALTER TABLE users ADD COLUMN session_key TEXT NOT NULL DEFAULT '';
-- Existing users get a key now: cookies issued before this migration carry
-- none and end, so everyone signs in once more.
UPDATE users SET session_key = lower(hex(randomblob(24)));

-- One row per failed sign-in within the throttling window (older rows are
-- pruned). ``at`` is Unix time in seconds.
CREATE TABLE login_failures (
    id      INTEGER PRIMARY KEY,
    at      REAL NOT NULL,
    name    TEXT NOT NULL,      -- the account name as typed (existing or not)
    address TEXT NOT NULL       -- the client address
);
CREATE INDEX login_failures_name ON login_failures(name, at);
CREATE INDEX login_failures_address ON login_failures(address, at);
CREATE INDEX login_failures_at ON login_failures(at);

-- A lock on an account name or a client address until ``until`` (Unix time).
CREATE TABLE login_locks (
    kind       TEXT NOT NULL CHECK (kind IN ('account', 'address')),
    key        TEXT NOT NULL,
    until      REAL NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);

-- Security events: lockouts, unlocks, users added, removed, given a role or
-- a new password. ``actor`` is who did it (an admin's name, 'cli', or '' for
-- the app itself), ``subject`` the account or address it concerns.
CREATE TABLE security_log (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    actor   TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    detail  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX security_log_at ON security_log(at);
