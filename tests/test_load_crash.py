"""Crash consistency of `marsad load`: SIGKILLed at random points of a load of
many shards, then run again, the store equals one clean load."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from marsad import __version__
from marsad.ingest import iter_inputs
from marsad.shards import Manifest, now, write_manifest, write_shard
from scale_helpers import integrity, marsad, report_records, snapshot, subprocess_env, write_jsonl

SHARDS = 40
PER_SHARD = 30
KILLS = 6
SEED = 20261124


@pytest.fixture(scope="module")
def shards(tmp_path_factory, bundled_pipeline) -> Path:
    """Shards written the way a Dask worker writes them (without a cluster)."""
    work = tmp_path_factory.mktemp("crash")
    out = work / "shards"
    out.mkdir()
    records = report_records(SHARDS * PER_SHARD, prefix="c")
    infos = []
    for k in range(SHARDS):
        path = write_jsonl(work / f"in-{k:02d}.jsonl", records[k * PER_SHARD:(k + 1) * PER_SHARD])
        pairs = ((item, bundled_pipeline.process(item)) for item in iter_inputs([str(path)]))
        infos.append(write_shard(out, k, str(path), pairs))
    write_manifest(out, Manifest(tuple(infos), (str(work / "in-*.jsonl"),), __version__, now()))
    return out


@pytest.fixture(scope="module")
def env(marsad_home) -> dict:
    return subprocess_env(marsad_home)


def _documents(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(db, timeout=5)
    try:
        return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.OperationalError:  # schema not created yet
        return 0
    finally:
        conn.close()


def _kill_when(db: Path, shards: Path, env: dict, threshold: int | None, delay: float) -> int:
    """Start a load; SIGKILL it once ``threshold`` documents are committed
    (or after ``delay`` s when threshold is None). Returns the documents then stored."""
    proc = subprocess.Popen([sys.executable, "-m", "marsad", "load", str(shards), "--db", str(db)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        if threshold is None:
            time.sleep(delay)
        else:
            while proc.poll() is None and _documents(db) < threshold and time.monotonic() < deadline:
                time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    return _documents(db)


def test_load_killed_at_random_points_then_rerun_equals_one_clean_load(shards, env, tmp_path) -> None:
    clean = tmp_path / "clean.db"
    proc = marsad("load", shards, "--db", clean, env=env)
    assert proc.returncode == 0, proc.stderr
    expected = snapshot(clean)
    total = len(expected["documents"])
    assert total == SHARDS * PER_SHARD

    rng = random.Random(SEED)
    db = tmp_path / "crashed.db"
    # one kill during start-up, the others once a random number of documents is committed
    stored_after_kill = [_kill_when(db, shards, env, None, rng.uniform(0.05, 0.4))]
    for threshold in sorted(rng.sample(range(1, total), KILLS - 1)):
        stored_after_kill.append(_kill_when(db, shards, env, threshold, 0.0))
    # The kills really landed inside the load: the store was left part-way
    # several times, growing from one run to the next.
    assert sum(0 < n < total for n in stored_after_kill) >= 3, stored_after_kill
    assert stored_after_kill == sorted(stored_after_kill)

    final = marsad("load", shards, "--db", db, env=env)
    assert final.returncode == 0, final.stderr
    assert integrity(db) == "ok"
    assert snapshot(db) == expected  # no document lost, none twice, events identical
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*) - count(DISTINCT event_id || '/' || position) FROM evidence"
                            ).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == total
    finally:
        conn.close()
