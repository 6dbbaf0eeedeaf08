"""How far two processes can speed up on this machine at best (issue 7).

    .venv/bin/python benchmarks/worker_ceiling.py CORPUS.jsonl [--repeat 2]

`marsad extract --workers 2` cannot beat two processes that do nothing but
run the pipeline, with no parent storing, no pickling and no start-up. This
measures exactly that, and a pure-Python loop, so a speed-up below the
target can be told apart from the machine's own limit:

* **loop**: a fixed arithmetic loop, twice in one process vs once in each of
  two processes at the same time (no memory traffic to speak of);
* **pipeline**: after loading a Pipeline (as the forked workers do), one
  process runs every document vs two processes each running every other
  chunk of ``CHUNK`` documents (cold memo caches in each, as in the real
  run). Wall time from the moment both may start to the last one done.

Both print wall time, CPU time of the processes and the speed-up; CPU of
two processes above one process's is what running side by side costs
(cold caches, shared caches and memory bandwidth, a busy host). Set
MARSAD_HOME to the home whose gazetteer index you want. The corpus is the
scaling corpus of benchmarks/run.py (see parallel_timeline.py's docstring).

Not part of the test suite: it measures, it asserts nothing. Judge it on a
quiet machine; the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

# Documents per chunk when two processes share the corpus (as
# marsad.run.local's chunks of long articles: about a dozen to 32).
CHUNK = 16
# Iterations of the pure-Python loop per unit of work (~1.5 s on one core).
LOOP_UNITS = 15_000_000


def _loop(units: int) -> int:
    total = 0
    for i in range(units):
        total += i * i % 7
    return total


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _worker(kind: str, share: int, of: int, barrier, results, docs) -> None:
    if kind == "pipeline":
        from marsad.pipeline import Pipeline

        pipeline = Pipeline()
        pipeline.load()
        mine = [d for i in range(0, len(docs), CHUNK) if (i // CHUNK) % of == share for d in docs[i:i + CHUNK]]
    barrier.wait()
    start, cpu = time.perf_counter(), _cpu()
    if kind == "pipeline":
        for d in mine:
            pipeline.process(d)
    else:
        _loop(LOOP_UNITS * 2 // of)
    results.put((time.perf_counter() - start, _cpu() - cpu))


def _run(kind: str, processes: int, docs: list) -> tuple[float, float]:
    """(wall s from the common start to the last process done, CPU s of all)."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(processes)
    results = context.Queue()
    procs = [context.Process(target=_worker, args=(kind, k, processes, barrier, results, docs))
             for k in range(processes)]
    for p in procs:
        p.start()
    got = [results.get() for _ in procs]
    for p in procs:
        p.join()
    return max(w for w, _ in got), sum(c for _, c in got)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each; the fastest counts (default 2)")
    args = parser.parse_args(argv)

    from marsad.ingest import iter_inputs
    from marsad.records import InputProblem

    docs = [d for d in iter_inputs([str(args.corpus)]) if not isinstance(d, InputProblem)]
    print(f"{len(docs)} documents; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for kind in ("loop", "pipeline"):
        best: dict[int, tuple[float, float]] = {}
        for _ in range(args.repeat):
            for processes in (1, 2):  # interleaved, so a change in load hits both
                wall, cpu = _run(kind, processes, docs)
                if processes not in best or wall < best[processes][0]:
                    best[processes] = (wall, cpu)
        (w1, c1), (w2, c2) = best[1], best[2]
        print(f"{kind}: 1 process {w1:.2f} s wall ({c1:.2f} CPU-s); 2 processes {w2:.2f} s wall "
              f"({c2:.2f} CPU-s, {c2 / c1:.2f}x one's); speed-up {w1 / w2:.2f}x")
    print(f"load average after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
