"""Full-text index of event notes: an update that leaves the notes as they
were no longer re-indexes them.

Merging rewrites an incident whenever a report joins it (its sources,
evidence and counts change) and the upsert sets every column, so the
``AFTER UPDATE OF notes`` trigger of migration 0002 fired on each rewrite:
FTS5 took the old notes out and put the same words back. In 1,000 articles
that was about 1,900 of the 2,000 rewrites (some 3,800 index writes of
about 15,000; benchmarks/README.md). Only the WHEN clause is new; when this
SQLite has no FTS5 (no ``events_fts``) there is nothing to change.
"""

from __future__ import annotations

import sqlite3

STATEMENTS: tuple[str, ...] = (
    "DROP TRIGGER IF EXISTS events_fts_update",
    """CREATE TRIGGER events_fts_update AFTER UPDATE OF notes ON events
       WHEN old.notes IS NOT new.notes BEGIN
           INSERT INTO events_fts(events_fts, rowid, notes)
           VALUES ('delete', old.search_rowid, old.notes);
           INSERT INTO events_fts(rowid, notes) VALUES (new.search_rowid, new.notes);
       END""",
)


def apply(conn: sqlite3.Connection) -> None:
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events_fts'").fetchone() is None:
        return
    for statement in STATEMENTS:
        conn.execute(statement)
