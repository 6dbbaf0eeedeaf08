"""Gazetteer speed and memory: open time, RSS, lookups per second.

    .venv/bin/python benchmarks/geo_lookup.py [--build] [--names N]

Uses the index under MARSAD_HOME (built first when missing or with --build).
Reports cold lookups (distinct names, a fresh process) and warm ones (names
repeating as in a corpus), plus is_place_name checks. An index compiled with
its lookup table (layout 3) is read from memory; without one, through SQL.
"""

from __future__ import annotations

import argparse
import random
import resource
import sqlite3
import time


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", action="store_true", help="rebuild the bundled index first")
    parser.add_argument("--names", type=int, default=20000)
    args = parser.parse_args()

    from marsad.geo.index import Gazetteer, build_bundled, default_path

    if args.build or not default_path().exists():
        t0 = time.perf_counter()
        build_bundled(default_path())
        print(f"build: {time.perf_counter() - t0:.1f} s  (peak RSS {rss_mb():.0f} MB in this process)")

    t0, c0 = time.perf_counter(), time.process_time()
    gaz = Gazetteer.open()
    table = "compiled table" if getattr(gaz, "_table", None) is not None else "SQL"
    print(f"open: {(time.perf_counter() - t0) * 1000:.1f} ms ({(time.process_time() - c0) * 1000:.0f} ms CPU)  "
          f"RSS {rss_mb():.0f} MB  lookups through the {table}")

    conn = sqlite3.connect(f"file:{default_path()}?mode=ro", uri=True)
    names = [r[0] for r in conn.execute("SELECT name FROM places ORDER BY random() LIMIT ?", (args.names,))]
    conn.close()
    rng = random.Random(1)
    noise = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8)).title()
             for _ in range(len(names) // 4)]
    queries = names + noise
    rng.shuffle(queries)

    corpus = [rng.choice(queries[:2000]) for _ in range(200_000)]
    runs = [
        ("lookup cold (distinct names, any country)", queries, gaz.lookup),
        ("lookup cold (country=SY, incl. fuzzy on misses)", queries, lambda q: gaz.lookup(q, "SY")),
        ("lookup warm (repeated names, memoised)", corpus, gaz.lookup),
        ("is_place_name", queries, gaz.is_place_name),
    ]
    # Rates per wall second and per CPU-second of this process: when other
    # jobs share the cores, wall time mostly measures them.
    for label, names, call in runs:
        t0, c0 = time.perf_counter(), time.process_time()
        for q in names:
            call(q)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"{label}: {len(names) / wall:,.0f}/s ({len(names) / cpu:,.0f} per CPU-second)")
    print(f"final RSS {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
