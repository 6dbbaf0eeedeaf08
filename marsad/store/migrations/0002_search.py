"""Full-text search over event notes and documents' cleaned text (FTS5).

External-content FTS5 tables keyed by the tables' ``search_rowid`` and kept
in step by triggers. When this SQLite has no FTS5 the migration creates
nothing and the store falls back to substring search.
"""

from __future__ import annotations

import sqlite3

STATEMENTS: tuple[str, ...] = (
    # unicode61 folds case; remove_diacritics 2 lets "Idlib" match "Idlíb".
    """CREATE VIRTUAL TABLE events_fts USING fts5(
           notes, content='events', content_rowid='search_rowid',
           tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN
           INSERT INTO events_fts(rowid, notes) VALUES (new.search_rowid, new.notes);
       END""",
    """CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
           INSERT INTO events_fts(events_fts, rowid, notes)
           VALUES ('delete', old.search_rowid, old.notes);
       END""",
    """CREATE TRIGGER events_fts_update AFTER UPDATE OF notes ON events BEGIN
           INSERT INTO events_fts(events_fts, rowid, notes)
           VALUES ('delete', old.search_rowid, old.notes);
           INSERT INTO events_fts(rowid, notes) VALUES (new.search_rowid, new.notes);
       END""",
    """CREATE VIRTUAL TABLE documents_fts USING fts5(
           text, content='documents', content_rowid='search_rowid',
           tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
           INSERT INTO documents_fts(rowid, text) VALUES (new.search_rowid, new.text);
       END""",
    """CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
           INSERT INTO documents_fts(documents_fts, rowid, text)
           VALUES ('delete', old.search_rowid, old.text);
       END""",
    """CREATE TRIGGER documents_fts_update AFTER UPDATE OF text ON documents BEGIN
           INSERT INTO documents_fts(documents_fts, rowid, text)
           VALUES ('delete', old.search_rowid, old.text);
           INSERT INTO documents_fts(rowid, text) VALUES (new.search_rowid, new.text);
       END""",
    "INSERT INTO events_fts(events_fts) VALUES ('rebuild')",
    "INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')",
)


def fts5_available(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.marsad_fts5_probe USING fts5(x)")
    except sqlite3.OperationalError:
        return False
    conn.execute("DROP TABLE temp.marsad_fts5_probe")
    return True


def apply(conn: sqlite3.Connection) -> None:
    if not fts5_available(conn):
        return
    for statement in STATEMENTS:
        conn.execute(statement)
