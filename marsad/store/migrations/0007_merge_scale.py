"""Merging that does not slow down as the store grows.

- The fields ``marsad.merge.similarity.compare`` reads become columns of
  ``extractions`` (filled from the stored JSON), and one index holds them all
  after the candidate search key (country, sub-event type, first day): the
  candidates of a new extraction are found and compared from the index alone,
  without reading or decoding the stored events. It replaces
  ``extractions_block`` (country, first day), a prefix of the old search.
- ``merge_blocks`` remembers the connected component of the link graph
  (``marsad.merge.cluster.cluster_components``) each extraction was last
  recomputed in, named by its smallest member id: a new extraction that links
  to one member brings in the whole component at once instead of walking its
  links again. Extractions without a row (those stored before this
  migration) are walked link by link as before, and get a row when they are.
"""

from __future__ import annotations

import sqlite3

_NEW_COLUMNS = (
    ("time_precision", "INTEGER"),
    ("geo_precision", "INTEGER"),
    ("admin1", "TEXT"),
    ("location", "TEXT"),
    ("actor1", "TEXT"),
    ("actor2", "TEXT"),
    ("inter1", "INTEGER"),
)

STATEMENTS: tuple[str, ...] = (
    *(f"ALTER TABLE extractions ADD COLUMN {name} {kind}" for name, kind in _NEW_COLUMNS),
    "UPDATE extractions SET time_precision = json_extract(event, '$.time_precision'),"
    " geo_precision = json_extract(event, '$.geo_precision'), admin1 = json_extract(event, '$.admin1'),"
    " location = json_extract(event, '$.location'), actor1 = json_extract(event, '$.actor1'),"
    " actor2 = json_extract(event, '$.actor2'), inter1 = json_extract(event, '$.inter1')",
    "DROP INDEX IF EXISTS extractions_block",
    "CREATE INDEX extractions_candidates ON extractions(country, sub_event_type, date_lo, date_hi,"
    " extraction_id, doc_id, event_date, time_precision, geo_precision, latitude, longitude,"
    " admin1, location, actor1, actor2, inter1)",
    """CREATE TABLE merge_blocks (
        extraction_id TEXT PRIMARY KEY,
        block_id      TEXT NOT NULL           -- smallest extraction id of its component
    )""",
    "CREATE INDEX merge_blocks_block ON merge_blocks(block_id)",
)


def apply(conn: sqlite3.Connection) -> None:
    for statement in STATEMENTS:
        conn.execute(statement)
