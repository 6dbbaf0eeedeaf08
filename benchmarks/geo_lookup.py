"""Gazetteer speed and memory: open time, RSS, lookups per second.

    .venv/bin/python benchmarks/geo_lookup.py [--build] [--names N]

Uses the index under MARSAD_HOME (built first when missing or with --build).
Reports cold lookups (distinct names, memo cleared) and warm ones (names
repeating as in a corpus), plus is_place_name checks.
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

    t0 = time.perf_counter()
    gaz = Gazetteer.open()
    print(f"open: {(time.perf_counter() - t0) * 1000:.1f} ms  RSS {rss_mb():.0f} MB")

    conn = sqlite3.connect(f"file:{default_path()}?mode=ro", uri=True)
    names = [r[0] for r in conn.execute("SELECT name FROM places ORDER BY random() LIMIT ?", (args.names,))]
    conn.close()
    rng = random.Random(1)
    noise = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8)).title()
             for _ in range(len(names) // 4)]
    queries = names + noise
    rng.shuffle(queries)

    t0 = time.perf_counter()
    for q in queries:
        gaz.lookup(q)
    cold = len(queries) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for q in queries:
        gaz.lookup(q, "SY")
    cold_cc = len(queries) / (time.perf_counter() - t0)
    corpus = [rng.choice(queries[:2000]) for _ in range(200_000)]
    t0 = time.perf_counter()
    for q in corpus:
        gaz.lookup(q)
    warm = len(corpus) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for q in queries:
        gaz.is_place_name(q)
    check = len(queries) / (time.perf_counter() - t0)
    print(f"lookup cold (distinct names, any country): {cold:,.0f}/s")
    print(f"lookup cold (country=SY, incl. fuzzy on misses): {cold_cc:,.0f}/s")
    print(f"lookup warm (repeated names, memoised): {warm:,.0f}/s")
    print(f"is_place_name: {check:,.0f}/s")
    print(f"final RSS {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
