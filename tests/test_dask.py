"""`marsad extract --engine dask` on a real LocalCluster of 2 worker processes,
and `marsad load` of the Parquet shards it writes.

Two clusters are started in all: one by the command itself (no
--scheduler) and one by this module (for --scheduler). Both are checked to
leave no process behind.
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import psutil
import pytest

from scale_helpers import integrity, marsad, problem_reasons, report_records, snapshot, subprocess_env, write_jsonl

SHARDS = 3
PER_SHARD = 20


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dask-inputs")
    records = report_records(SHARDS * PER_SHARD)
    for k in range(SHARDS):
        write_jsonl(folder / f"part-{k}.jsonl", records[k * PER_SHARD:(k + 1) * PER_SHARD],
                    bad_line_at=5 if k == 1 else None)
    (folder / "notes.txt").write_text("not matched by the glob", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def env(marsad_home) -> dict:
    return subprocess_env(marsad_home)


@pytest.fixture(scope="module")
def local_store(inputs, env, tmp_path_factory) -> Path:
    """The same inputs extracted by one local process: what Dask must match."""
    db = tmp_path_factory.mktemp("local") / "local.db"
    proc = marsad("extract", *sorted(inputs.glob("part-*.jsonl")), "--db", db, "--workers", 1,
                  "--format", "none", env=env)
    assert proc.returncode == 1, proc.stderr  # the bad line
    return db


@pytest.fixture(scope="module")
def scheduler_shards(inputs, env, bundled_gazetteer, tmp_path_factory) -> Path:
    """Shards written through --scheduler on a LocalCluster started here."""
    from distributed import LocalCluster

    out = tmp_path_factory.mktemp("sched") / "shards"
    me = psutil.Process()
    before = {p.pid for p in me.children(recursive=True)}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        proc = marsad("extract", "--engine", "dask", "--scheduler", cluster.scheduler_address, "--no-store",
                      "--shards", out, "--gazetteer", bundled_gazetteer, str(inputs / "part-*.jsonl"), env=env)
        assert len(cluster.workers) == 2
        # the shard tasks went through this scheduler (prefix of their keys)
        assert "marsad-shard" in cluster.scheduler.task_prefixes
    assert proc.returncode == 1, proc.stderr  # the bad line is reported...
    assert "part-1.jsonl:6" in proc.stderr
    # (multiprocessing's resource tracker lives as long as this process, by design)
    left = [p.cmdline() for p in me.children(recursive=True) if p.pid not in before and p.is_running()
            and p.status() != psutil.STATUS_ZOMBIE and "resource_tracker" not in " ".join(p.cmdline())]
    assert not left, f"cluster processes left running: {left}"
    return out


def _mark_env(env: dict) -> tuple[dict, str]:
    mark = uuid.uuid4().hex
    return {**env, "MARSAD_TEST_MARK": mark}, mark


def _processes_with(mark: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get("MARSAD_TEST_MARK") == mark:
                found.append(proc)
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return found


def test_engine_dask_with_its_own_local_cluster_stores_what_a_local_run_stores(
        inputs, env, local_store, bundled_gazetteer, tmp_path) -> None:
    marked, mark = _mark_env(env)
    db = tmp_path / "dask.db"
    shards = tmp_path / "shards"
    proc = marsad("extract", "--engine", "dask", "--workers", 2, "--shards", shards, "--db", db,
                  "--gazetteer", bundled_gazetteer, str(inputs / "part-*.jsonl"), env=marked)
    assert proc.returncode == 1, proc.stderr
    assert not _processes_with(mark), "the command left cluster processes behind"
    manifest = json.loads((shards / "manifest.json").read_text())
    assert [s["input"] for s in manifest["shards"]] == [str(p) for p in sorted(inputs.glob("part-*.jsonl"))]
    assert manifest["totals"]["documents"] == SHARDS * PER_SHARD and manifest["totals"]["problems"] == 1
    assert sorted(p.name for p in shards.iterdir()) == sorted(
        ["manifest.json"] + [f"{kind}-{k:05d}.parquet" for k in range(SHARDS) for kind in ("documents", "events")])
    assert snapshot(db) == snapshot(local_store)
    assert integrity(db) == "ok"


def test_load_of_scheduler_shards_matches_local_and_is_idempotent(scheduler_shards, env, local_store,
                                                                  tmp_path) -> None:
    db = tmp_path / "loaded.db"
    first = marsad("load", scheduler_shards, "--db", db, env=env)
    assert first.returncode == 0, first.stderr
    assert snapshot(db) == snapshot(local_store)
    again = marsad("load", scheduler_shards, "--db", db, env=env)
    assert again.returncode == 0, again.stderr
    assert f"0 document(s) stored, {SHARDS * PER_SHARD} already there" in again.stderr
    assert snapshot(db) == snapshot(local_store)
    assert any("part-1.jsonl:6" in origin for origin, _ in problem_reasons(db))


@pytest.mark.parametrize("damage", ["corrupt", "missing"])
def test_a_damaged_shard_is_skipped_in_one_line(scheduler_shards, env, tmp_path, damage) -> None:
    shards = tmp_path / "shards"
    shutil.copytree(scheduler_shards, shards)
    victim = shards / "events-00001.parquet"
    if damage == "corrupt":
        data = bytearray(victim.read_bytes())
        data[len(data) // 2] ^= 0xFF
        victim.write_bytes(bytes(data))
    else:
        victim.unlink()
    db = tmp_path / "partial.db"
    proc = marsad("load", shards, "--db", db, env=env)
    assert proc.returncode == 1, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("marsad: skipped")]
    assert len(lines) == 1 and "events-00001.parquet" in lines[0] and "Traceback" not in proc.stderr
    assert ("checksum mismatch" if damage == "corrupt" else "missing") in lines[0]
    stored = {row[0] for row in snapshot(db)["documents"]}
    # every document of the other shards is loaded, none of shard 1's
    assert stored == {f"r-{i:05d}" for i in range(SHARDS * PER_SHARD) if not PER_SHARD <= i < 2 * PER_SHARD}


def test_load_without_a_manifest_is_one_line(tmp_path, env) -> None:
    (tmp_path / "empty").mkdir()
    proc = marsad("load", tmp_path / "empty", "--db", tmp_path / "x.db", env=env)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "manifest.json" in proc.stderr


def test_dask_options_need_the_dask_engine(tmp_path, env, inputs) -> None:
    proc = marsad("extract", "--scheduler", "tcp://127.0.0.1:1", "--shards", tmp_path / "s",
                  inputs / "part-0.jsonl", "--db", tmp_path / "x.db", env=env)
    assert proc.returncode == 2 and "--engine dask" in proc.stderr and "Traceback" not in proc.stderr
