"""Helpers shared by the scale-out tests (workers, Dask, load): a corpus
built from the reports in tests/data, and a comparable snapshot of a store.

Not a test module (no ``test_`` prefix); imported by test_workers.py,
test_dask.py and test_load_crash.py.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

REPORTS = Path(__file__).parent / "data" / "reports"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def report_records(count: int, prefix: str = "r") -> list[dict]:
    """``count`` JSONL records: the test reports (text and the feed's HTML),
    each dated differently and with a varied closing line, so every record
    is its own document with its own events."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(REPORTS.glob("*.txt"))]
    feed = [json.loads(line) for line in (REPORTS / "feed.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    records = []
    for i in range(count):
        published = f"2022-{i % 12 + 1:02d}-{i % 27 + 1:02d}"
        if i % 5 == 4:
            base = feed[i % len(feed)]
            record = {k: v for k, v in base.items() if k != "id"}
            key = "html" if "html" in record else "text"
            record[key] = record[key].replace("</body>", f"<p>Update {i}.</p></body>") if key == "html" \
                else f"{record[key]}\nUpdate {i}."
        else:
            record = {"text": f"{texts[i % len(texts)]}\nReported on {i % 28 + 1} {MONTHS[i % 12]} 2022 "
                              f"(dispatch {i})."}
        records.append({"id": f"{prefix}-{i:05d}", "published": published, **record})
    return records


def write_jsonl(path: Path, records: list[dict], bad_line_at: int | None = None) -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    if bad_line_at is not None:
        lines.insert(bad_line_at, "{not json")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def marsad(*args: str | Path, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real command line in a new process."""
    return subprocess.run([sys.executable, "-m", "marsad", *map(str, args)], env=env, capture_output=True,
                          text=True, timeout=timeout)


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """What a store holds, without what differs between equal runs (run ids,
    timestamps, search row ids): documents in insertion order, events by id,
    their evidence and document links."""
    conn = sqlite3.connect(db)
    try:
        doc_cols = ("id, content_hash, kind, origin, url, title, site_name, source, published, "
                    "published_from, raw, text, removed")
        event_cols = [r[1] for r in conn.execute("PRAGMA table_info(events)")
                      if r[1] not in ("created_at", "updated_at", "search_rowid")]
        return {
            "documents": conn.execute(f"SELECT {doc_cols} FROM documents ORDER BY search_rowid").fetchall(),
            "events": conn.execute(f"SELECT {', '.join(event_cols)} FROM events ORDER BY event_id").fetchall(),
            "evidence": conn.execute('SELECT event_id, position, doc_id, field, "start", "end", text, confidence'
                                     " FROM evidence ORDER BY event_id, position").fetchall(),
            "event_documents": conn.execute("SELECT event_id, position, doc_id FROM event_documents"
                                            " ORDER BY event_id, position").fetchall(),
        }
    finally:
        conn.close()


def merge_snapshot(db: Path) -> dict[str, list[tuple]]:
    """The merging tables of a store without timestamps: extractions,
    incident membership, components and the merge log with its members."""
    conn = sqlite3.connect(db)
    try:
        return {
            "extractions": conn.execute(
                "SELECT extraction_id, doc_id, event_date, date_lo, date_hi, country, sub_event_type, latitude,"
                " longitude, published, event FROM extractions ORDER BY rowid").fetchall(),
            "event_members": conn.execute("SELECT extraction_id, event_id FROM event_members"
                                          " ORDER BY extraction_id").fetchall(),
            "merge_blocks": conn.execute("SELECT extraction_id, block_id FROM merge_blocks"
                                         " ORDER BY extraction_id").fetchall(),
            "merge_log": conn.execute("SELECT id, event_id, action, user, members, reasons FROM merge_log"
                                      " ORDER BY id").fetchall(),
            "merge_log_members": conn.execute("SELECT log_id, extraction_id FROM merge_log_members"
                                              " ORDER BY log_id, extraction_id").fetchall(),
        }
    finally:
        conn.close()


def subprocess_env(home: Path) -> dict:
    """The environment for a ``marsad`` subprocess: this MARSAD_HOME, no MARSAD_DB."""
    out = dict(os.environ)
    out["MARSAD_HOME"] = str(home)
    out.pop("MARSAD_DB", None)
    return out


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def problem_reasons(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT origin, reason FROM problems ORDER BY id").fetchall()
    finally:
        conn.close()
