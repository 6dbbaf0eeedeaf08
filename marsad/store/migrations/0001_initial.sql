-- marsad store, first schema: runs, documents, events and their evidence.
-- Frozen once released: change the schema with a new numbered migration.

CREATE TABLE runs (
    id                 INTEGER PRIMARY KEY,
    started_at         TEXT NOT NULL,
    finished_at        TEXT,
    status             TEXT NOT NULL DEFAULT 'running',
    args               TEXT NOT NULL DEFAULT '{}',   -- JSON
    documents_seen     INTEGER NOT NULL DEFAULT 0,
    documents_stored   INTEGER NOT NULL DEFAULT 0,
    documents_skipped  INTEGER NOT NULL DEFAULT 0,
    documents_rejected INTEGER NOT NULL DEFAULT 0,
    events             INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE documents (
    id             TEXT PRIMARY KEY,
    -- stable integer key for the full-text index (rowids of a table without
    -- an INTEGER PRIMARY KEY may change on VACUUM)
    search_rowid   INTEGER NOT NULL UNIQUE,
    content_hash   TEXT NOT NULL DEFAULT '',
    kind           TEXT NOT NULL DEFAULT 'text',
    origin         TEXT NOT NULL DEFAULT '',
    url            TEXT NOT NULL DEFAULT '',
    title          TEXT NOT NULL DEFAULT '',
    site_name      TEXT NOT NULL DEFAULT '',
    source         TEXT NOT NULL DEFAULT '',
    published      TEXT,                              -- ISO date or NULL
    published_from TEXT NOT NULL DEFAULT '',
    raw            TEXT NOT NULL DEFAULT '',
    text           TEXT NOT NULL DEFAULT '',          -- cleaned text; evidence offsets index it
    removed        TEXT NOT NULL DEFAULT '[]',        -- JSON list of what the cleaner dropped
    ingested_at    TEXT NOT NULL,
    run_id         INTEGER REFERENCES runs(id) ON DELETE SET NULL
);
CREATE INDEX documents_content_hash ON documents(content_hash);
CREATE INDEX documents_run ON documents(run_id);

CREATE TABLE events (
    event_id           TEXT PRIMARY KEY,
    search_rowid       INTEGER NOT NULL UNIQUE,
    event_date         TEXT NOT NULL DEFAULT '',
    year               INTEGER,
    time_precision     INTEGER NOT NULL,
    disorder_type      TEXT NOT NULL DEFAULT '',
    event_type         TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    sub_event_type     TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    actor1             TEXT NOT NULL DEFAULT '',
    assoc_actor_1      TEXT NOT NULL DEFAULT '',
    inter1             INTEGER,
    actor2             TEXT NOT NULL DEFAULT '',
    assoc_actor_2      TEXT NOT NULL DEFAULT '',
    inter2             INTEGER,
    interaction        INTEGER,
    civilian_targeting TEXT NOT NULL DEFAULT '',
    iso                INTEGER,
    region             TEXT NOT NULL DEFAULT '',
    country            TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    admin1             TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    admin2             TEXT NOT NULL DEFAULT '',
    admin3             TEXT NOT NULL DEFAULT '',
    location           TEXT NOT NULL DEFAULT '',
    latitude           REAL,
    longitude          REAL,
    geo_precision      INTEGER,
    source             TEXT NOT NULL DEFAULT '',
    source_scale       TEXT NOT NULL DEFAULT '',
    notes              TEXT NOT NULL DEFAULT '',
    fatalities         INTEGER NOT NULL DEFAULT 0,
    injuries           INTEGER,
    arrests            INTEGER,
    confidence         REAL NOT NULL DEFAULT 0,
    warnings           TEXT NOT NULL DEFAULT '[]',    -- JSON list
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX events_date ON events(event_date);
CREATE INDEX events_type ON events(event_type, sub_event_type);
CREATE INDEX events_sub_type ON events(sub_event_type);
CREATE INDEX events_country ON events(country, admin1);
CREATE INDEX events_admin1 ON events(admin1);

CREATE TABLE event_documents (
    event_id TEXT NOT NULL REFERENCES events(event_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    doc_id   TEXT NOT NULL,
    PRIMARY KEY (event_id, position)
);
CREATE INDEX event_documents_doc ON event_documents(doc_id);

CREATE TABLE evidence (
    event_id   TEXT NOT NULL REFERENCES events(event_id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    doc_id     TEXT NOT NULL DEFAULT '',
    field      TEXT NOT NULL,
    "start"    INTEGER NOT NULL,
    "end"      INTEGER NOT NULL,
    text       TEXT NOT NULL,
    confidence REAL NOT NULL,
    PRIMARY KEY (event_id, position)
);
CREATE INDEX evidence_doc ON evidence(doc_id);

CREATE TABLE problems (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER REFERENCES runs(id) ON DELETE CASCADE,
    origin      TEXT NOT NULL,
    reason      TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX problems_run ON problems(run_id);
