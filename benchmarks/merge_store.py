"""The cost of merging when storing: ``Store.save_results`` with and without it.

The ACLED dev notes (``../shared/gold/dev/acled_2022h1.csv``, read at run time) go
through the pipeline once; then the same results are saved into a new SQLite file
several times, alternating between the store as it is (extractions kept, incidents
recomputed after each batch of 200) and the store writing each document's events as
they are (what it did before merging). Alternating makes both see the same load on a
shared machine; the best run of each counts. Also reports how many incidents the
notes became (ACLED notes are distinct incidents, so every merge among them is a
candidate wrong merge worth reading).

    .venv/bin/python benchmarks/merge_store.py [--notes N] [--repeat 3] [--home DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import DEFAULT_GOLD, read_notes  # noqa: E402  (the benchmark's own reader)


def _without_merging(store, results, now):
    """The store before merging: every document's events upserted as they are."""
    inserted = updated = 0
    for result in results:
        for event in result.events:
            if store._upsert_event(event, now):
                inserted += 1
            else:
                updated += 1
    return inserted, updated


def _save(results, folder: Path, name: str) -> tuple[float, int]:
    from marsad.store import Store

    path = folder / f"{name}.db"
    with Store.open(path) as store:
        started = time.perf_counter()
        store.save_results(results)
        seconds = time.perf_counter() - started
        count = store.count_events()
    path.unlink()
    return seconds, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--gold-dir", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--home", type=Path, default=None)
    args = parser.parse_args()
    if args.home:
        os.environ["MARSAD_HOME"] = str(args.home)
    from marsad.pipeline import Pipeline
    from marsad.records import Document
    from marsad.store import merging

    notes = read_notes(args.gold_dir, args.notes or None)
    with Pipeline() as pipeline:
        results = [pipeline.process(Document(id=f"note-{i}", raw=n["text"], published=date.fromisoformat(n["published"]),
                                             published_from="input"))
                   for i, n in enumerate(notes)]
    events = sum(len(r.events) for r in results)
    best = {"merging": float("inf"), "as before": float("inf")}
    counts = {}
    original = merging.add_results
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat):
            for name in ("merging", "as before"):
                merging.add_results = original if name == "merging" else _without_merging
                try:
                    seconds, counts[name] = _save(results, Path(tmp), name.replace(" ", "_"))
                finally:
                    merging.add_results = original
                best[name] = min(best[name], seconds)
    print(f"{len(results)} notes, {events} extracted events; load average {os.getloadavg()[0]:.1f}")
    for name in ("as before", "merging"):
        print(f"  store {name:9s}: {best[name]:.2f} s  ({len(results) / best[name]:.0f} docs/s,"
              f" {1000 * best[name] / len(results):.2f} ms/doc), {counts[name]} events stored")


if __name__ == "__main__":
    main()
