"""`marsad extract --workers N`: N processes, results stored in input order,
exactly what one process stores."""

from __future__ import annotations

import json

import pytest

from marsad.ingest import iter_inputs
from marsad.records import InputProblem
from marsad.run.local import PipelineOptions, process, process_parallel, process_serial
from scale_helpers import (
    integrity,
    marsad,
    merge_snapshot,
    problem_reasons,
    report_records,
    snapshot,
    subprocess_env,
    write_jsonl,
)

# More documents than a few chunks (CHUNK_SIZE is 32), so chunks of the two
# workers interleave and finish out of order.
DOCUMENTS = 150


@pytest.fixture
def env(marsad_home) -> dict:
    return subprocess_env(marsad_home)


@pytest.fixture
def corpus(tmp_path):
    records = report_records(DOCUMENTS)
    records.insert(40, {"id": "empty-1", "text": "   "})  # rejected by the pipeline
    return write_jsonl(tmp_path / "corpus.jsonl", records, bad_line_at=90)  # an unreadable line


def test_two_workers_store_exactly_what_one_stores(corpus, tmp_path, env) -> None:
    runs = {}
    for workers in (1, 2):
        db = tmp_path / f"w{workers}.db"
        proc = marsad("extract", corpus, "--db", db, "--workers", workers, "--format", "jsonl", env=env)
        runs[workers] = (proc, db)
    (one, db1), (two, db2) = runs[1], runs[2]
    assert one.returncode == two.returncode == 1, (one.stderr, two.stderr)  # one bad line, one empty record
    stored = snapshot(db1)
    # the corpus repeats its reports under new ids, so merging joins many events
    assert len(stored["documents"]) == DOCUMENTS and stored["events"]
    assert snapshot(db2) == stored
    # the merge decisions too: the same incidents, components and merge log
    merged = merge_snapshot(db1)
    assert len(merged["merge_log"]) > 0 and merge_snapshot(db2) == merged
    # the events written out, and the skipped lines, come in the same order
    assert one.stdout == two.stdout and one.stdout.count("\n") >= len(stored["events"])
    assert [ln for ln in one.stderr.splitlines() if ln.startswith("marsad: skipped")] == \
           [ln for ln in two.stderr.splitlines() if ln.startswith("marsad: skipped")]
    assert len([ln for ln in two.stderr.splitlines() if ln.startswith("marsad: skipped")]) == 2
    assert problem_reasons(db1) == problem_reasons(db2)
    assert [json.loads(ln)["document_ids"][0] for ln in two.stdout.splitlines()] == \
           sorted(json.loads(ln)["document_ids"][0] for ln in two.stdout.splitlines())
    assert integrity(db2) == "ok"


def test_rerun_with_workers_adds_nothing(corpus, tmp_path, env) -> None:
    db = tmp_path / "again.db"
    first = marsad("extract", corpus, "--db", db, "--workers", 2, "--format", "none", env=env)
    assert first.returncode == 1, first.stderr
    before = snapshot(db)
    again = marsad("extract", corpus, "--db", db, "--workers", 2, "--format", "table", env=env)
    assert again.returncode == 1, again.stderr
    assert f"({DOCUMENTS} already stored)" in again.stderr
    assert snapshot(db) == before


def test_parallel_results_come_back_in_input_order(corpus, bundled_gazetteer) -> None:
    options = PipelineOptions(gazetteer_path=str(bundled_gazetteer))
    items = list(iter_inputs([str(corpus)]))[:70]
    assert any(isinstance(i, InputProblem) for i in items)
    serial = list(process_serial(items, options))
    # small chunks: many of them in flight, finishing in any order
    parallel = list(process_parallel(iter(items), options, workers=2, chunk_size=3))
    assert [item for item, _ in parallel] == items
    assert [r for _, r in parallel] == [r for _, r in serial]
    assert all((r is None) == isinstance(i, InputProblem) for i, r in parallel)


@pytest.mark.parametrize("total", [1, 5, 63, 64, 65, 100, 300])
def test_the_inputs_last_documents_travel_in_small_chunks(total) -> None:
    from marsad.records import Document
    from marsad.run import local
    from marsad.run.batches import Lookahead

    docs = [Document(id=f"d{i}", raw="word " * (1 + i % 7)) for i in range(total)]
    items = Lookahead(docs)
    chunks = list(local._chunks(items, 10, ends_within=items.ends_within))
    assert [d for c in chunks for d in c] == docs  # every document once, in order
    start = 0
    for chunk in chunks:
        end = start + len(chunk) - 1  # positions of its first and last document
        if total - 1 - end > local.END_CHUNK_DOCS:  # many follow: the usual size
            assert len(chunk) == 10
        elif total - 1 - start <= local.END_CHUNK_DOCS:  # begun among the last: small
            assert len(chunk) <= local.END_CHUNK_SIZE
        start = end + 1
    small = sum(len(c) for c in chunks if len(c) <= local.END_CHUNK_SIZE)
    assert small >= min(total, local.END_CHUNK_DOCS - 10)
    # without ends_within the chunks keep their size to the end
    assert [len(c) for c in local._chunks(iter(docs), 10)] == [10] * (total // 10) + ([total % 10] if total % 10 else [])


def test_small_last_chunks_return_the_same_results_in_order(corpus, bundled_gazetteer) -> None:
    from marsad.run.batches import Lookahead

    options = PipelineOptions(gazetteer_path=str(bundled_gazetteer))
    items = list(iter_inputs([str(corpus)]))[:90]
    serial = list(process_serial(items, options))
    ahead = Lookahead(items)
    parallel = list(process(ahead, options, workers=2, ends_within=ahead.ends_within))
    assert [item for item, _ in parallel] == items
    assert [r for _, r in parallel] == [r for _, r in serial]


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_the_parent_extracts_the_first_documents_before_it_forks(corpus, bundled_gazetteer, monkeypatch) -> None:
    import os

    from marsad.pipeline import Pipeline
    from marsad.run import local
    from marsad.run.batches import Lookahead

    parent = os.getpid()
    here: list[str] = []
    original = Pipeline.process

    def recording(self, document):
        if os.getpid() == parent:  # forked workers inherit this too, and record nothing
            here.append(document.id)
        return original(self, document)

    monkeypatch.setattr(Pipeline, "process", recording)
    options = PipelineOptions(gazetteer_path=str(bundled_gazetteer))
    items = list(iter_inputs([str(corpus)]))[:30]
    assert local.WARM_DOCS >= 1 and not any(isinstance(i, InputProblem) for i in items[:local.WARM_DOCS])
    serial = [r for _, r in process_serial(items, options)]
    here.clear()
    ahead = Lookahead(items)
    asked: list[int] = []

    def ends_within(position: int, count: int) -> bool:
        asked.append(position)
        return ahead.ends_within(position, count)

    out = list(process_parallel(ahead, options, workers=2, chunk_size=8, ends_within=ends_within))
    # the first documents were extracted here, every later one in a worker
    assert here == [i.id for i in items[:local.WARM_DOCS]]
    assert [i for i, _ in out] == items and [r for _, r in out] == serial
    # the chunks' positions still count from the input's start
    assert min(asked) == local.WARM_DOCS and max(asked) == len(items) - 1


def _collector_state() -> tuple:
    import gc

    return gc.get_threshold(), gc.get_freeze_count()


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_workers_freeze_what_they_inherit_and_collect_young_objects_less_often(bundled_gazetteer) -> None:
    import gc
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from marsad.run import local

    options = PipelineOptions(gazetteer_path=str(bundled_gazetteer))
    local.worker_pipeline.cache_clear()
    before = gc.get_threshold()
    try:
        local.worker_pipeline(options).load()
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                                 initializer=local._init_worker, initargs=(options,)) as pool:
            threshold, frozen = pool.submit(_collector_state).result()
    finally:
        local.worker_pipeline(options).close()
        local.worker_pipeline.cache_clear()
    assert threshold == (local.WORKER_GC_THRESHOLD, *before[1:]) and local.WORKER_GC_THRESHOLD > before[0]
    assert frozen > 10_000  # the inherited pipeline is out of the collector's reach
    assert gc.get_threshold() == before  # this process is left as it was


def test_one_process_sets_the_collector_as_a_worker_does_while_it_runs_and_restores_it(corpus, bundled_gazetteer) -> None:
    import gc

    from marsad.run import local

    options = PipelineOptions(gazetteer_path=str(bundled_gazetteer))
    items = list(iter_inputs([corpus]))[:3]
    before = _collector_state()
    seen = []
    for _item, _result in process_serial(items, options):
        seen.append(_collector_state())
    # from the first document on, loaded objects are frozen and young ones collected less often
    assert all(threshold[0] == local.WORKER_GC_THRESHOLD and frozen > 10_000 for threshold, frozen in seen[1:])
    assert _collector_state() == before  # and the calling program gets its collector back
    assert gc.get_freeze_count() == before[1]


@pytest.mark.parametrize("extra", [-1, 0, 1])
def test_an_input_of_no_more_than_the_parents_first_documents(corpus, bundled_gazetteer, extra) -> None:
    from marsad.run import local

    options = PipelineOptions(gazetteer_path=str(bundled_gazetteer))
    items = list(iter_inputs([str(corpus)]))[:max(1, local.WARM_DOCS + extra)]
    serial = list(process_serial(items, options))
    assert list(process_parallel(iter(items), options, workers=2)) == serial


def test_results_travel_as_class_and_field_values(corpus, bundled_gazetteer) -> None:
    import pickle

    from marsad.records import Document, Event, Evidence

    options = PipelineOptions(gazetteer_path=str(bundled_gazetteer))
    items = [i for i in list(iter_inputs([str(corpus)]))[:12] if isinstance(i, Document)]
    results = [r for _, r in process_serial(items, options)]
    events = [e for r in results for e in r.events]
    assert events and any(e.evidence for e in events)
    for record in (items[0], results[0].clean, events[0], events[0].evidence[0]):
        rebuild, values = record.__reduce__()
        assert rebuild is type(record) and rebuild(*values) == record
    payload = pickle.dumps([(r.clean, r.events) for r in results], protocol=pickle.HIGHEST_PROTOCOL)
    # no per-object Python-level state hooks of dataclasses in what workers send
    assert b"_dataclass_setstate" not in payload
    assert pickle.loads(payload) == [(r.clean, r.events) for r in results]
    assert isinstance(pickle.loads(pickle.dumps(events[0].evidence[0])), Evidence)
    assert pickle.loads(pickle.dumps(events[-1])).evidence == events[-1].evidence
    assert all(isinstance(e, Event) for e in pickle.loads(pickle.dumps(events)))


@pytest.mark.skipif(not __import__("os").path.isdir("/proc"), reason="needs /proc to see the worker processes")
def test_workers_exit_before_the_last_results_are_stored(corpus, bundled_gazetteer) -> None:
    import os
    import time

    options = PipelineOptions(gazetteer_path=str(bundled_gazetteer))
    items = list(iter_inputs([str(corpus)]))[:40]
    pairs = process_parallel(iter(items), options, workers=2, chunk_size=4)
    received = [next(pairs) for _ in items]  # every result, the generator not yet finished
    assert [i for i, _ in received] == items
    # forked workers run this process's command line (an exited one has none)
    with open("/proc/self/cmdline", "rb") as fh:
        own = fh.read()
    workers = {pid for pid in _children(os.getpid()) if _cmdline(pid) in (own, b"")}
    assert workers, "no worker processes"
    # while the caller still holds (stores) the last results, the workers are leaving
    deadline = time.monotonic() + 20
    while any(_running(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(w) for w in workers)
    assert list(pairs) == []
    assert not workers & _children(os.getpid()), "workers left unjoined (zombies) after the last result"


def test_default_workers_keep_a_short_input_in_this_process(corpus, bundled_gazetteer, monkeypatch) -> None:
    import marsad.run.local as local

    def no_pool(*args, **kwargs):
        raise AssertionError("a pool was started for a short input")

    monkeypatch.setattr(local, "process_parallel", no_pool)
    items = list(iter_inputs([str(corpus)]))[:5]
    out = list(process(items, PipelineOptions(gazetteer_path=str(bundled_gazetteer)), None))
    assert [i for i, _ in out] == items and all(r is not None for i, r in out if not isinstance(i, InputProblem))


def test_workers_must_be_positive(corpus, tmp_path, env) -> None:
    proc = marsad("extract", corpus, "--db", tmp_path / "x.db", "--workers", 0, env=env)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--workers" in proc.stderr


def _stat(pid: int | str) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state, parent, ...), None if gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read()
    except OSError:
        return b""


def _running(pid: int) -> bool:
    """Is the process there and not a zombie?"""
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


def _children(pid: int) -> set[int]:
    from pathlib import Path

    return {int(p.name) for p in Path("/proc").iterdir()
            if p.name.isdigit() and (fields := _stat(p.name)) is not None and int(fields[1]) == pid}


@pytest.mark.skipif(not __import__("os").path.isdir("/proc"), reason="needs /proc to find the worker processes")
def test_workers_exit_when_their_parent_is_killed(tmp_path, env) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    path = write_jsonl(tmp_path / "big.jsonl", report_records(3000))
    proc = subprocess.Popen([sys.executable, "-m", "marsad", "extract", str(path), "--workers", "2",
                             "--db", str(tmp_path / "w.db"), "--format", "none"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
        workers = _children(proc.pid)
        time.sleep(0.1)
    assert len(workers) >= 2, "the workers never started"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_running(w) for w in workers):
        time.sleep(0.2)
    alive = [w for w in workers if _running(w)]
    for w in alive:  # do not leave them behind if the test fails
        os.kill(w, signal.SIGKILL)
    assert not alive, f"workers {alive} outlived their killed parent"


def _forked_view(options) -> tuple:
    """In a forked worker: its (inherited) pipeline's gazetteer after after_fork()."""
    from marsad.run import local

    gazetteer = local.worker_pipeline(options)._gazetteer
    inherited = gazetteer._conn
    local.worker_pipeline(options).after_fork()
    return (id(gazetteer._table), gazetteer._conn is not inherited,
            [p.name for p in gazetteer.lookup("Aleppo", "SY")], gazetteer.coordinates("SY")[:3])


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_forked_workers_keep_the_parents_lookup_table_and_read_through_their_own_connection(
        bundled_gazetteer) -> None:
    import multiprocessing

    from marsad.run import local

    options = PipelineOptions(gazetteer_path=str(bundled_gazetteer))
    local.worker_pipeline.cache_clear()
    try:
        gazetteer = local.worker_pipeline(options).load()._gazetteer  # loaded here, as process_parallel does
        expected = ([p.name for p in gazetteer.lookup("Aleppo", "SY")], gazetteer.coordinates("SY")[:3])
        assert expected[0] and expected[1]
        with multiprocessing.get_context("fork").Pool(1) as pool:
            table, own_connection, names, coords = pool.apply(_forked_view, (options,))
        # the table loaded here (same object, at the same address after the fork), not loaded again
        assert table == id(gazetteer._table) and own_connection
        assert (names, coords) == expected  # SQL reads work through the worker's own connection
        # this process's connection is untouched
        assert [p.name for p in gazetteer.lookup("Aleppo", "SY")] == expected[0]
    finally:
        local.worker_pipeline(options).close()
        local.worker_pipeline.cache_clear()
