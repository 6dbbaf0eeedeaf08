"""Merging reports of one incident: keep every document's own events.

``extractions`` holds each document's extracted event (the full event as
JSON, plus the columns used to find merge candidates: country, the span of
days the date may stand for, sub-event type, coordinates). ``events`` now
holds incidents, each the merge of one or more extractions
(``event_members``). ``merge_log`` says why members were merged and by
whom; ``merge_constraints`` holds a user's "same" (must) / "not the same"
(cannot) decisions about pairs of extractions.

Existing events become extractions of their first document and singleton
incidents under their own id: nothing is lost and nothing is renamed.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

STATEMENTS: tuple[str, ...] = (
    """CREATE TABLE extractions (
        extraction_id  TEXT PRIMARY KEY,      -- the event id the extractor gave it
        doc_id         TEXT NOT NULL,
        event_date     TEXT NOT NULL DEFAULT '',
        date_lo        TEXT,                  -- first and last day the date may stand for
        date_hi        TEXT,
        country        TEXT NOT NULL DEFAULT '',
        sub_event_type TEXT NOT NULL DEFAULT '',
        latitude       REAL,
        longitude      REAL,
        published      TEXT NOT NULL DEFAULT '',  -- the document's publication date
        event          TEXT NOT NULL,         -- JSON of the document's event, evidence included
        created_at     TEXT NOT NULL
    )""",
    "CREATE INDEX extractions_block ON extractions(country, date_lo)",
    "CREATE INDEX extractions_doc ON extractions(doc_id)",
    """CREATE TABLE event_members (
        extraction_id TEXT PRIMARY KEY REFERENCES extractions(extraction_id) ON DELETE CASCADE,
        event_id      TEXT NOT NULL
    )""",
    "CREATE INDEX event_members_event ON event_members(event_id)",
    """CREATE TABLE merge_log (
        id       INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL,               -- the incident's id when it was recorded
        at       TEXT NOT NULL,
        action   TEXT NOT NULL CHECK (action IN ('auto-merge', 'manual-merge', 'split')),
        user     TEXT NOT NULL DEFAULT '',
        members  TEXT NOT NULL DEFAULT '[]',  -- JSON list of extraction ids
        reasons  TEXT NOT NULL DEFAULT '[]'   -- JSON list of sentences
    )""",
    "CREATE INDEX merge_log_event ON merge_log(event_id)",
    """CREATE TABLE merge_log_members (
        log_id        INTEGER NOT NULL REFERENCES merge_log(id) ON DELETE CASCADE,
        extraction_id TEXT NOT NULL,
        PRIMARY KEY (log_id, extraction_id)
    )""",
    "CREATE INDEX merge_log_members_extraction ON merge_log_members(extraction_id)",
    """CREATE TABLE merge_constraints (
        kind       TEXT NOT NULL CHECK (kind IN ('must', 'cannot')),
        a          TEXT NOT NULL,             -- extraction ids, a < b
        b          TEXT NOT NULL,
        user       TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        PRIMARY KEY (a, b)
    )""",
    "CREATE INDEX merge_constraints_b ON merge_constraints(b)",
)

# Same as marsad.merge.similarity.DATE_HALF_WIDTH_DAYS when this migration was
# written; a migration never changes, so it keeps its own copy.
_HALF_WIDTH = {1: 0, 2: 3, 3: 15}
_SKIP = {"search_rowid", "year", "created_at", "updated_at"}


def _span(event_date: str, precision: int) -> tuple[str | None, str | None]:
    try:
        day = date.fromisoformat(event_date)
    except (TypeError, ValueError):
        return None, None
    half = timedelta(days=_HALF_WIDTH.get(precision, 15))
    return (day - half).isoformat(), (day + half).isoformat()


def apply(conn: sqlite3.Connection) -> None:
    for statement in STATEMENTS:
        conn.execute(statement)
    cursor = conn.execute("SELECT * FROM events ORDER BY event_id")
    names = [d[0] for d in cursor.description]
    for row in cursor.fetchall():
        event = {k: v for k, v in zip(names, row) if k not in _SKIP}
        event_id = event["event_id"]
        event["warnings"] = json.loads(event.get("warnings") or "[]")
        event["document_ids"] = [r[0] for r in conn.execute(
            "SELECT doc_id FROM event_documents WHERE event_id = ? ORDER BY position", (event_id,))]
        event["evidence"] = [
            dict(zip(("field", "start", "end", "text", "doc_id", "confidence"), r))
            for r in conn.execute(
                'SELECT field, "start", "end", text, doc_id, confidence FROM evidence'
                " WHERE event_id = ? ORDER BY position", (event_id,))
        ]
        doc_id = event["document_ids"][0] if event["document_ids"] else ""
        published = conn.execute("SELECT published FROM documents WHERE id = ?", (doc_id,)).fetchone()
        lo, hi = _span(event["event_date"], event["time_precision"])
        conn.execute(
            "INSERT INTO extractions (extraction_id, doc_id, event_date, date_lo, date_hi, country,"
            " sub_event_type, latitude, longitude, published, event, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (event_id, doc_id, event["event_date"], lo, hi, event["country"], event["sub_event_type"],
             event["latitude"], event["longitude"], (published[0] or "") if published else "",
             json.dumps(event, ensure_ascii=False, sort_keys=True), row[names.index("created_at")]),
        )
        conn.execute("INSERT INTO event_members (extraction_id, event_id) VALUES (?, ?)", (event_id, event_id))
