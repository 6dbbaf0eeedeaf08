"""Where the time of one `marsad extract --workers N` goes (issue 7).

    .venv/bin/python benchmarks/parallel_timeline.py CORPUS.jsonl [--workers 2] [--db FILE] [--sql]

Runs the real command in this process with timing hooks around the parent's
stages and the workers' chunks, then prints, in seconds from the start:

* when the first chunk started in a worker (start-up: imports, store, the
  pipeline loaded before the fork);
* every saved batch of the parent (wall and CPU), and the parent's CPU in all;
* per worker: first and last chunk, time busy in chunks, time idle between
  them, and its CPU;
* the tail: from the last chunk finished in a worker to the end of the
  command (the last batch stored and merged on one core, the pool's exit,
  the run recorded);
* with ``--sql``: time inside SQLite statements of the parent's saves.

Set MARSAD_HOME to the home whose gazetteer index you want (the command's
default). A corpus like benchmarks/run.py's scaling corpus:

    .venv/bin/python -c "import sys; sys.path.insert(0, 'benchmarks'); import run; \\
        run.write_jsonl(run.Path('/tmp/corpus.jsonl'), \\
        run.build_articles(run.read_notes(run.DEFAULT_GOLD, None), 1000, seed=11))"

Not part of the test suite: it measures, it asserts nothing. The hooks add
well under 1% to the run.
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

T0 = time.perf_counter()


def _since() -> float:
    return time.perf_counter() - T0


class _TimedConnection:
    """A sqlite3 connection that adds the time spent in execute* to ``spent``."""

    def __init__(self, conn: sqlite3.Connection, spent: list[float]) -> None:
        self._conn = conn
        self._spent = spent

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def _timed(self, method, args):
        t = time.perf_counter()
        try:
            return method(*args)
        finally:
            self._spent[0] += time.perf_counter() - t

    def execute(self, *args):
        return self._timed(self._conn.execute, args)

    def executemany(self, *args):
        return self._timed(self._conn.executemany, args)


def _hook(log_dir: Path, sql: bool) -> tuple[list, list, list[float]]:
    import marsad.run.local as local
    import marsad.store.sqlite as store_sqlite

    saves: list[tuple[float, float, float]] = []
    ends: list[tuple[str, float, float]] = []
    sql_spent = [0.0]

    process_chunk = local._process_chunk

    def timed_chunk(options, chunk):
        start, cpu = _since(), time.process_time()
        out = process_chunk(options, chunk)
        with open(log_dir / f"worker-{os.getpid()}", "a", encoding="utf-8") as fh:
            fh.write(f"{start:.4f} {_since():.4f} {time.process_time() - cpu:.4f} {time.process_time():.4f}\n")
        return out

    # pickled by reference (module and name), so it must look like the original;
    # forked workers inherit it
    timed_chunk.__module__, timed_chunk.__qualname__ = process_chunk.__module__, process_chunk.__qualname__
    local._process_chunk = timed_chunk

    save_batch = store_sqlite.Store._save_batch

    def timed_save(self, batch, run_id):
        start, cpu = _since(), time.process_time()
        try:
            return save_batch(self, batch, run_id)
        finally:
            saves.append((start, _since(), time.process_time() - cpu))

    store_sqlite.Store._save_batch = timed_save

    def timed(owner, name: str) -> None:
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            start = _since()
            try:
                return original(*args, **kwargs)
            finally:
                ends.append((name, start, _since()))

        setattr(owner, name, wrapper)

    timed(store_sqlite.Store, "finish_run")
    if sql:
        init = store_sqlite.Store.__init__

        def timed_init(self, conn, path):
            init(self, _TimedConnection(conn, sql_spent), path)

        store_sqlite.Store.__init__ = timed_init
    return saves, ends, sql_spent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--db", type=Path, default=None, help="database to create (default: a temporary one)")
    parser.add_argument("--sql", action="store_true", help="also time the parent's SQLite statements")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="marsad-timeline-") as tmp:
        log_dir = Path(tmp)
        db = args.db or log_dir / "timeline.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        saves, ends, sql_spent = _hook(log_dir, args.sql)
        from marsad.cli import main as marsad_main

        try:
            marsad_main(["extract", str(args.corpus), "--db", str(db), "--workers", str(args.workers),
                         "--format", "none"])
        except SystemExit as done:
            if done.code not in (0, 1, None):
                print(f"marsad extract exited with {done.code}", file=sys.stderr)
                return 2
        total = _since()
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        workers = {p.name: [tuple(map(float, line.split())) for line in p.read_text().splitlines()]
                   for p in sorted(log_dir.glob("worker-*"))}
    _report(args.workers, total, own, children, saves, ends, sql_spent[0] if args.sql else None, workers)
    return 0


def _report(workers_asked, total, own, children, saves, ends, sql, workers) -> None:
    parent_cpu = own.ru_utime + own.ru_stime
    child_cpu = children.ru_utime + children.ru_stime
    print(f"workers {workers_asked}; load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"wall {total:.2f} s (from this script's start); CPU: parent {parent_cpu:.2f} s, "
          f"workers {child_cpu:.2f} s, all {parent_cpu + child_cpu:.2f} s")
    save_wall = sum(b - a for a, b, _ in saves)
    save_cpu = sum(c for _, _, c in saves)
    print(f"saved batches: {len(saves)}, {save_wall:.2f} s wall, {save_cpu:.2f} s CPU in the parent"
          + (f", {sql:.2f} s inside SQLite statements" if sql is not None else ""))
    print("  " + " ".join(f"[{a:.2f}-{b:.2f}: {b - a:.2f} wall {c:.2f} cpu]" for a, b, c in saves))
    if workers:
        first = min(rows[0][0] for rows in workers.values())
        last = max(rows[-1][1] for rows in workers.values())
        print(f"first chunk started at {first:.2f} s (start-up); last chunk ended at {last:.2f} s; "
              f"tail after it {total - last:.2f} s"
              + (f" (last batch saved from {saves[-1][0]:.2f} to {saves[-1][1]:.2f} s)" if saves else ""))
        for name, rows in workers.items():
            busy = sum(b - a for a, b, _, _ in rows)
            cpu = sum(c for _, _, c, _ in rows)
            span = rows[-1][1] - rows[0][0]
            # a forked worker's CPU clock starts at 0: what it spent before its first chunk
            start_cpu = rows[0][3] - rows[0][2]
            print(f"  {name}: chunks {len(rows)}, {rows[0][0]:.2f}-{rows[-1][1]:.2f} s, busy {busy:.2f} s "
                  f"(CPU {cpu:.2f} s in chunks, {start_cpu:.2f} s before the first), "
                  f"idle between chunks {span - busy:.2f} s, idle before the end {last - rows[-1][1]:.2f} s")
    for name, a, b in ends:
        print(f"{name}: {a:.2f}-{b:.2f} s")


if __name__ == "__main__":
    sys.exit(main())
