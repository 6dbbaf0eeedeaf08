"""Crash consistency (issue 8.3): an `extract` killed with SIGKILL at random
points and then re-run leaves the same store as one clean run, and readers
during an ingest only ever see whole batches.

One JSONL file of generated reports is extracted three ways:

- clean: one run into its own database, while a reader thread polls it;
- crashed: runs killed with SIGKILL at seeded random moments (at least one
  after some batches were committed), then one run to completion.

The two final stores must hold the same documents, events, evidence and
event-document links (run bookkeeping -- runs, problems, ingestion times,
search row ids -- is ignored), pass ``PRAGMA integrity_check`` and
``foreign_key_check``, and hold no event twice.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from functools import lru_cache
from pathlib import Path

import pytest

from marsad.run.batches import Lookahead, save_batches
from marsad.store import Store
from marsad.store.sqlite import EVENT_COLUMNS

DOCUMENTS = 1000
KILLS = 4
SEED = 20261124
# The first run is killed at a random moment during start-up or its first
# batch; each later one once it has committed one more batch, after a
# random extra delay that lands the kill inside the next batch (a batch of
# 200 takes about a second).
FIRST_KILL_S = (0.2, 1.5)
MID_BATCH_S = (0.0, 0.6)
RUN_TIMEOUT_S = 300

PLACES = ["Kansafra", "Ariha", "Saraqib", "Maarat al-Numan", "Jisr al-Shughur", "Daraa", "Tafas", "Homs",
          "Gusau", "Kaduna", "Maiduguri", "Mosul", "Kirkuk", "Kandahar", "Kunduz"]
TEMPLATES = [
    "On {day} May 2021, gunmen killed {n} civilians in the village of {place}, activists said.",
    "Security forces arrested {n} young men in {place} on {day} May 2021, a local monitor reported.",
    "Shelling by government forces on {place} on {day} May 2021 wounded {n} people, medics said.",
    "Hundreds of people protested peacefully in {place} on {day} May 2021 against rising bread prices.",
    "An IED exploded near a checkpoint in {place} on {day} May 2021, killing {n} soldiers.",
]


def _write_reports(path: Path) -> None:
    rng = random.Random(SEED)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(DOCUMENTS):
            sentences = [rng.choice(TEMPLATES).format(day=rng.randint(1, 28), n=rng.randint(2, 40),
                                                      place=rng.choice(PLACES)) for _ in range(rng.randint(1, 3))]
            fh.write(json.dumps({"id": f"crash-{i:05d}", "text": f"Report {i}. " + " ".join(sentences),
                                 "published": "2021-05-30"}) + "\n")


def _command(reports: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "marsad", "extract", str(reports), "--db", str(db), "--format", "none"]


def _env(marsad_home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["MARSAD_HOME"] = str(marsad_home)
    env.pop("MARSAD_DB", None)
    return env


def _count(db: Path, table: str) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # fixed table names only
    except sqlite3.OperationalError:  # not created yet
        return 0
    finally:
        conn.close()


def _content(db: Path) -> dict[str, list[tuple]]:
    """Everything but run bookkeeping, in a comparable form."""
    conn = sqlite3.connect(db)
    try:
        event_columns = ", ".join(EVENT_COLUMNS) + ", warnings"
        return {
            "documents": conn.execute(
                "SELECT id, content_hash, kind, origin, url, title, site_name, source, published,"
                " published_from, raw, text, removed FROM documents ORDER BY id").fetchall(),
            "events": conn.execute(f"SELECT {event_columns} FROM events ORDER BY event_id").fetchall(),
            "event_documents": conn.execute(
                "SELECT event_id, position, doc_id FROM event_documents ORDER BY event_id, position").fetchall(),
            "evidence": conn.execute(
                'SELECT event_id, position, doc_id, field, "start", "end", text, confidence FROM evidence'
                " ORDER BY event_id, position").fetchall(),
        }
    finally:
        conn.close()


def _checks(db: Path) -> tuple[str, list, int]:
    conn = sqlite3.connect(db)
    try:
        return (conn.execute("PRAGMA integrity_check").fetchone()[0],
                conn.execute("PRAGMA foreign_key_check").fetchall(),
                conn.execute("SELECT count(*) - count(DISTINCT event_id) FROM events").fetchone()[0])
    finally:
        conn.close()


def _wait_for(db: Path, documents: int, proc: subprocess.Popen) -> None:
    """Until db holds this many documents (or the run ended or timed out)."""
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while proc.poll() is None and time.monotonic() < deadline and _count(db, "documents") < documents:
        time.sleep(0.02)


@lru_cache(maxsize=None)
def _commit_points(total: int) -> frozenset[int]:
    """Documents stored after each commit of a run over ``total`` new, valid
    documents: where ``marsad extract`` ends its batches (marsad.run.batches)."""
    items = Lookahead(range(total))
    done, points = 0, set()
    for batch in save_batches(((i, i) for i in items), items.ends_within):
        done += len(batch)
        points.add(done)
    return frozenset(points)


class _Reader(threading.Thread):
    """Polls a store while it is written; records anything inconsistent."""

    def __init__(self, db: Path, total: int) -> None:
        super().__init__(daemon=True)
        self.db, self.total = db, total
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.snapshots: list[int] = []
        self.events_seen = 0

    def run(self) -> None:
        while not self.db.exists() and not self.stop.is_set():
            time.sleep(0.05)
        while not self.stop.is_set():
            try:
                self._snapshot()
                self._through_the_store()
            except sqlite3.OperationalError as err:  # schema not created yet, or busy
                if "no such table" not in str(err) and "locked" not in str(err):
                    self.errors.append(f"sqlite: {err}")
            time.sleep(0.05)

    def _snapshot(self) -> None:
        conn = sqlite3.connect(self.db, timeout=30, isolation_level=None)
        try:
            conn.execute("BEGIN")  # one read snapshot for all the checks
            docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
            orphans = conn.execute(
                "SELECT count(*) FROM event_documents ed LEFT JOIN documents d ON d.id = ed.doc_id"
                " WHERE d.id IS NULL").fetchone()[0]
            unlinked = conn.execute(
                "SELECT count(*) FROM events e WHERE NOT EXISTS"
                " (SELECT 1 FROM event_documents ed WHERE ed.event_id = e.event_id)").fetchone()[0]
            conn.execute("COMMIT")
        finally:
            conn.close()
        # every document is valid and new, so a commit adds exactly one batch
        if docs and docs not in _commit_points(self.total):
            self.errors.append(f"half a batch visible: {docs} documents")
        if orphans or unlinked:
            self.errors.append(f"{orphans} links to missing documents, {unlinked} events without a document")
        self.snapshots.append(docs)

    def _through_the_store(self) -> None:
        with Store.open(self.db, create=False) as store:
            events = store.events(limit=None)
            for event in events:
                if not event.document_ids or not event.evidence:
                    self.errors.append(f"event {event.event_id} without documents or evidence")
                elif any(store.get_document(d) is None for d in event.document_ids):
                    self.errors.append(f"event {event.event_id} names a document not stored")
            self.events_seen = max(self.events_seen, len(events))


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("crash") / "reports.jsonl"
    _write_reports(path)
    return path


def test_killed_runs_then_a_rerun_equal_one_clean_run(reports, marsad_home, tmp_path):
    env = _env(marsad_home)
    clean_db = tmp_path / "clean.db"
    reader = _Reader(clean_db, DOCUMENTS)
    reader.start()
    try:
        clean = subprocess.run(_command(reports, clean_db), env=env, capture_output=True, text=True,
                               timeout=RUN_TIMEOUT_S)
    finally:
        reader.stop.set()
        reader.join(timeout=30)
    assert clean.returncode == 0, clean.stderr[-2000:]
    assert _count(clean_db, "documents") == DOCUMENTS

    crashed_db = tmp_path / "crashed.db"
    rng = random.Random(SEED)
    stored_at_kill = []
    for kill in range(KILLS):
        proc = subprocess.Popen(_command(reports, crashed_db), env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        if kill == 0:
            time.sleep(rng.uniform(*FIRST_KILL_S))
        else:
            next_commit = min((c for c in _commit_points(DOCUMENTS) if c > stored_at_kill[-1]), default=DOCUMENTS)
            _wait_for(crashed_db, next_commit, proc)
            time.sleep(rng.uniform(*MID_BATCH_S))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        stored_at_kill.append(_count(crashed_db, "documents"))
    final = subprocess.run(_command(reports, crashed_db), env=env, capture_output=True, text=True,
                           timeout=RUN_TIMEOUT_S)
    assert final.returncode == 0, final.stderr[-2000:]

    # the kills landed inside runs: some work was committed before them, not all
    assert any(0 < n < DOCUMENTS for n in stored_at_kill), stored_at_kill
    assert all(n == 0 or n in _commit_points(DOCUMENTS) for n in stored_at_kill), stored_at_kill
    for db in (clean_db, crashed_db):
        integrity, foreign_keys, duplicate_events = _checks(db)
        assert (integrity, foreign_keys, duplicate_events) == ("ok", [], 0), db
    clean_content, crashed_content = _content(clean_db), _content(crashed_db)
    assert len(clean_content["events"]) > DOCUMENTS // 2
    for table in clean_content:
        assert crashed_content[table] == clean_content[table], table

    # the reader polled the clean run while it was written and saw only whole batches
    assert reader.errors == []
    assert len(set(reader.snapshots)) >= 2, reader.snapshots
