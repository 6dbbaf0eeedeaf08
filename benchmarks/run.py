"""marsad's documented benchmark: throughput, per-stage time, memory, cold start.

    .venv/bin/python benchmarks/run.py [--notes N] [--articles N] [--gold-dir DIR]
                                       [--home DIR] [--output benchmarks/RESULTS.md]
                                       [--profile N]

Single process, so every number is for ONE core. See benchmarks/README.md for
what each number means. The monitor notes are read at run time from
``<gold-dir>/acled_2022h1.csv`` (default ``../shared/gold/dev``); no row of it
is ever copied into the repository. The articles are built here from those
notes plus made-up boilerplate.

Not part of the test suite: it measures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_GOLD = REPO.parent / "shared" / "gold" / "dev"
GOLD_FILE = "acled_2022h1.csv"

# Targets from the issue ("fast on a laptop CPU"), one core.
TARGET_NOTES_PER_S = 500
TARGET_ARTICLES_PER_S = 50
TARGET_RSS_MB = 400
TARGET_HELP_S = 0.5
TARGET_FIRST_S = 2.0

# Articles: body words to reach before stopping adding notes (the
# boilerplate brings an article to about 600 words).
ARTICLE_BODY_WORDS = 480
# Documents processed before timing starts (imports done lazily on first use,
# e.g. the HTML extractor, are a cold-start cost, measured separately).
WARMUP_DOCS = 4
# lru_caches larger than this memoise inputs (names, texts); smaller ones
# hold loaded data (see clear_memos).
MEMO_MIN_SIZE = 16

# Above this 1-minute load average per core the machine counts as busy and
# the single-core targets are judged on CPU time instead of wall time.
BUSY_LOAD_PER_CORE = 0.5
# Scaling: input files for the Dask run (shards), and the long memory run.
SCALING_SHARDS = 8
LONG_RUN_DOCS = 100_000
RSS_SAMPLE_S = 0.5
LONG_RUN_POINTS = (0.05, 0.25, 0.5, 0.75, 0.95)

_TAG = re.compile(r"<[^>]+>")


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------


def read_notes(gold_dir: Path, limit: int | None) -> list[dict]:
    path = gold_dir / GOLD_FILE
    if not path.exists():
        sys.exit(f"benchmarks/run.py: no {path} (pass --gold-dir); nothing measured")
    rows = []
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row.get("notes", "").strip():
                rows.append({"text": row["notes"].strip(), "published": row["event_date"],
                             "country": row.get("country", "")})
    return rows[:limit] if limit else rows


NAV = ["Home", "News", "World", "Africa", "Middle East", "Asia", "Americas", "Opinion",
       "Video", "Podcasts", "Subscribe", "Sign in"]
SITES = [("Daily Monitor", "Africa"), ("The Frontier Post", "World"), ("Regional Observer", "Middle East"),
         ("Morning Herald", "Asia"), ("Continental Times", "News"), ("Sahel Weekly", "Security")]
RELATED = ["Floods displace thousands as rains continue", "Parliament passes new budget after long debate",
           "Fuel prices rise for the third month", "Opposition leader returns from exile",
           "Teachers end strike after pay deal", "Election commission publishes new calendar",
           "Ceasefire talks resume in the capital", "Aid agencies warn of food shortages"]
COOKIE = ("We use cookies to improve your experience on our site and to show you relevant advertising. "
          "By continuing to browse you agree to our use of cookies. Accept all cookies Manage preferences")
FOOTER = "© 2022 All rights reserved. About us · Contact · Privacy policy · Terms of use · Advertise with us"


def _words(text: str) -> int:
    return len(text.split())


def build_articles(notes: list[dict], count: int, seed: int = 7) -> list[dict]:
    """~600-word articles: notes of one country as paragraphs plus boilerplate.

    Even indexes are scraped plain text, odd ones HTML pages.
    """
    rng = random.Random(seed)
    by_country: dict[str, list[dict]] = defaultdict(list)
    for n in notes:
        by_country[n["country"]].append(n)
    countries = sorted(by_country, key=lambda c: -len(by_country[c]))
    weights = [len(by_country[c]) for c in countries]
    articles = []
    for i in range(count):
        country = rng.choices(countries, weights)[0]
        pool = by_country[country] if len(by_country[country]) >= 6 else notes
        chosen, words = [], 0
        while words < ARTICLE_BODY_WORDS:
            note = rng.choice(pool)
            chosen.append(note)
            words += _words(note["text"])
        paragraphs = [n["text"] for n in chosen]
        published = max(date.fromisoformat(n["published"]) for n in chosen) + timedelta(days=1)
        site, section = rng.choice(SITES)
        headline = f"{country or 'Region'}: security incidents reported over the past week"
        related = rng.sample(RELATED, 4)
        byline = f"By Staff Reporter | Published {published.strftime('%d %B %Y')}"
        if i % 2 == 0:
            text = "\n".join([
                f"{headline} | {section} • {site}",
                " ".join(NAV),
                byline,
                "",
                "\n\n".join(paragraphs),
                "",
                "Share this article: Facebook Twitter WhatsApp Email",
                "You might also like",
                *related,
                COOKIE,
                FOOTER,
            ])
            articles.append({"id": f"article-{i:05d}", "text": text, "published": published.isoformat(),
                             "kind": "text", "words": _words(text)})
        else:
            esc = html.escape
            nav = "".join(f'<li><a href="/{w.lower()}">{w}</a></li>' for w in NAV)
            aside = "".join(f'<li><a href="#">{esc(r)}</a></li>' for r in related)
            page = (
                f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                f"<title>{esc(headline)} | {esc(site)}</title></head><body>"
                f"<nav><ul>{nav}</ul></nav>"
                f"<article><h1>{esc(headline)}</h1><p class=\"byline\">{esc(byline)}</p>"
                + "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
                + "</article>"
                f"<aside><h3>You might also like</h3><ul>{aside}</ul></aside>"
                f"<footer><div class=\"cookie-banner\">{esc(COOKIE)}</div><p>{esc(FOOTER)}</p></footer>"
                "</body></html>"
            )
            articles.append({"id": f"article-{i:05d}", "html": page, "published": published.isoformat(),
                             "kind": "html", "words": _words(html.unescape(_TAG.sub(" ", page)))})
    return articles


def write_jsonl(path: Path, records: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for r in records:
            out = {k: r[k] for k in ("id", "text", "html", "published") if k in r}
            fh.write(json.dumps(out, ensure_ascii=False) + "\n")
    return path


# ---------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def run_end_to_end(pipeline, jsonl: Path, db: Path) -> dict:
    """iter_inputs -> Pipeline.process -> Store.save_results, as `marsad extract` does."""
    from marsad.ingest import iter_inputs
    from marsad.records import InputProblem
    from marsad.store import Store

    clock = {"ingest": 0.0, "process": 0.0}
    per_kind: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])  # kind -> [docs, process s]
    counts = {"docs": 0, "rejected": 0, "events": 0, "problems": 0}
    store = Store.open(db)
    run_id = store.begin_run({"inputs": [str(jsonl)], "benchmark": True})

    def results():
        items = iter_inputs([str(jsonl)])
        while True:
            t0 = time.perf_counter()
            item = next(items, None)
            t1 = time.perf_counter()
            clock["ingest"] += t1 - t0
            if item is None:
                return
            if isinstance(item, InputProblem):
                counts["problems"] += 1
                continue
            result = pipeline.process(item)
            spent = time.perf_counter() - t1
            clock["process"] += spent
            per_kind[item.kind][0] += 1
            per_kind[item.kind][1] += spent
            counts["docs"] += 1
            counts["rejected"] += bool(result.rejected)
            counts["events"] += len(result.events)
            yield result

    t0, c0 = time.perf_counter(), time.process_time()
    stats = store.save_results(results(), run_id)
    store.finish_run(run_id, "ok", stats)
    total, cpu = time.perf_counter() - t0, time.process_time() - c0
    store.close()
    return {**counts, "total": total, "cpu": cpu, "ingest": clock["ingest"], "process": clock["process"],
            "store": total - clock["ingest"] - clock["process"],
            "kind_rates": {k: d / t for k, (d, t) in per_kind.items() if t}}


def clear_memos() -> int:
    """Clear marsad's module-level memo caches of per-input results (name folding...).

    Loader caches (maxsize <= MEMO_MIN_SIZE: dictionaries, compiled patterns)
    stay warm, as in any long-running process; memos of inputs are emptied so
    a repeated run over the same documents is not faster than the first.
    """
    cleared = 0
    for name, module in list(sys.modules.items()):
        if not name.startswith("marsad.") or module is None:
            continue
        for value in list(vars(module).values()):
            info = getattr(value, "cache_info", None)
            if callable(info) and getattr(value, "__module__", "") == name:
                size = info().maxsize
                if size is None or size > MEMO_MIN_SIZE:
                    value.cache_clear()
                    cleared += 1
    return cleared


def fresh_pipeline():
    """A new Pipeline (its gazetteer's lookup caches empty) with input memos cleared."""
    from marsad.pipeline import Pipeline

    clear_memos()
    pipeline = Pipeline()
    pipeline.load()
    return pipeline


def release(pipeline) -> None:
    """Close ``pipeline`` and collect what only it held. The caller drops its
    last reference too (``del``): a closed pipeline still holds its matchers
    and dictionaries (~40 MB), and the next phase's pipeline would load
    beside them (issue 7: the benchmark process's peak RSS)."""
    import gc

    pipeline.close()
    gc.collect()


def best_end_to_end(jsonl: Path, folder: Path, repeat: int) -> dict:
    """The fastest of ``repeat`` end-to-end runs, each cold (fresh pipeline, memos
    cleared) and into a new database."""
    runs = []
    for i in range(repeat):
        pipeline = fresh_pipeline()
        runs.append(run_end_to_end(pipeline, jsonl, folder / f"{jsonl.stem}-{i}.db"))
        release(pipeline)
        del pipeline  # not alive while the next one loads (two pipelines' peak)
    best = min(runs, key=lambda r: r["total"])
    best["cpu_best"] = min(r["cpu"] for r in runs)
    return best


@contextmanager
def stage_timers(pipeline):
    """Wrap the functions Pipeline.process calls (names looked up in marsad.pipeline
    at call time, and the pipeline's own matchers) with timers; restore on exit."""
    import marsad.pipeline as mp

    spent: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)

    def timed(name, fn):
        def wrapper(*a, **kw):
            t0 = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                spent[name] += time.perf_counter() - t0
                calls[name] += 1
        return wrapper

    module_names = {"clean": "clean", "segment": "segment", "find_places": "mentions: places",
                    "find_triggers": "mentions: triggers", "find_counts": "mentions: counts",
                    "find_dates": "mentions: dates", "is_background": "mentions: background",
                    "build_events": "events"}
    saved = {n: getattr(mp, n) for n in module_names}
    for n, label in module_names.items():
        setattr(mp, n, timed(label, saved[n]))
    pipeline._actors.find = timed("mentions: actors", type(pipeline._actors).find.__get__(pipeline._actors))
    pipeline._country_mentions.votes = timed(
        "mentions: country votes", type(pipeline._country_mentions).votes.__get__(pipeline._country_mentions))
    pipeline._resolve = timed("geocode", type(pipeline)._resolve.__get__(pipeline))
    try:
        yield spent, calls
    finally:
        for n, fn in saved.items():
            setattr(mp, n, fn)
        for attr in ("find", "votes"):
            for obj in (pipeline._actors, pipeline._country_mentions):
                obj.__dict__.pop(attr, None)
        pipeline.__dict__.pop("_resolve", None)


def run_stages(pipeline, jsonl: Path) -> dict:
    """Per-stage seconds over the corpus (no store; store time comes from end to end)."""
    from marsad.ingest import iter_inputs
    from marsad.records import InputProblem

    docs = [d for d in iter_inputs([str(jsonl)]) if not isinstance(d, InputProblem)]
    with stage_timers(pipeline) as (spent, _calls):
        t0 = time.perf_counter()
        for d in docs:
            pipeline.process(d)
        total = time.perf_counter() - t0
    out = dict(spent)
    out["other (pipeline glue, timers)"] = total - sum(spent.values())
    out["_total"] = total
    return out


def _marsad_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "marsad"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "marsad"]


def best_wall(cmd: list[str], env: dict, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - t0
        if proc.returncode not in (0, 1):
            raise SystemExit(f"benchmarks/run.py: {' '.join(cmd)} failed: {proc.stderr.strip()[-300:]}")
        best = min(best, wall)
    return best


_CHILD_RSS = (
    "import resource, runpy, sys\n"
    "sys.argv = ['marsad'] + sys.argv[1:]\n"
    "try:\n"
    "    runpy.run_module('marsad', run_name='__main__')\n"
    "except SystemExit:\n"
    "    pass\n"
    "sys.stderr.write('MAXRSS_KB %d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
)


_BUILD_INDEX = (
    "import resource\n"
    "from marsad.geo.index import build_bundled, default_path\n"
    "build_bundled(default_path())\n"
    "print('MAXRSS_KB %d' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
)


def cli_extract_rss(jsonl: Path, db: Path, env: dict) -> tuple[float, float, str]:
    """(peak RSS MB, wall s, how) of a fresh `marsad extract` over the notes."""
    args = ["extract", str(jsonl), "--db", str(db), "--format", "none", "--workers", "1"]
    time_bin = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    t0 = time.perf_counter()
    if time_bin:
        proc = subprocess.run([time_bin, "-v", *_marsad_cmd(), *args], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - t0
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
        if m:
            return int(m.group(1)) / 1024, wall, "/usr/bin/time -v"
    proc = subprocess.run([sys.executable, "-c", _CHILD_RSS, *args], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    m = re.search(r"MAXRSS_KB (\d+)", proc.stderr)
    if not m:
        raise SystemExit(f"benchmarks/run.py: extract subprocess failed: {proc.stderr.strip()[-300:]}")
    return int(m.group(1)) / 1024, wall, "child ru_maxrss"


def profile_notes(pipeline, jsonl: Path, n: int) -> str:
    import cProfile
    import io
    import pstats

    from marsad.ingest import iter_inputs
    from marsad.records import InputProblem

    docs = [d for d in iter_inputs([str(jsonl)]) if not isinstance(d, InputProblem)][:n]
    prof = cProfile.Profile()
    prof.enable()
    for d in docs:
        pipeline.process(d)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(10)
    lines = [ln for ln in buf.getvalue().splitlines() if ln.strip()]
    start = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls"))
    return "\n".join(lines[start:start + 11]).replace(str(REPO) + "/", "").replace(sys.prefix + "/", "")


def timed_cli(args: list[str], env: dict) -> tuple[float, float]:
    """(wall s, CPU s) of one `marsad ...` command (exit 0 or 1 expected). The
    CPU time is user + system of the command and every process it started
    and waited for (its workers), from RUSAGE_CHILDREN."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([*_marsad_cmd(), *args], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"benchmarks/run.py: marsad {' '.join(args)} failed: {proc.stderr.strip()[-300:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def scaling(records: list[dict], folder: Path, env: dict, repeat: int) -> dict:
    """Whole `marsad extract` commands over the same corpus (start-up included,
    each worker loading its own pipeline with cold caches): --workers 1 and 2,
    and --engine dask on a 2-worker LocalCluster writing Parquet shards, then
    `marsad load` of those shards on its own."""
    folder.mkdir(parents=True, exist_ok=True)
    corpus = write_jsonl(folder / "corpus.jsonl", records)
    shard_dir = folder / "in"
    shard_dir.mkdir(exist_ok=True)
    for k in range(SCALING_SHARDS):
        write_jsonl(shard_dir / f"part-{k:02d}.jsonl", records[k::SCALING_SHARDS])
    out: dict = {"docs": len(records)}
    for workers in (1, 2):
        out[f"workers_{workers}"], out[f"cpu_{workers}"] = min(
            timed_cli(["extract", str(corpus), "--db", str(folder / f"w{workers}-{i}.db"), "--workers", str(workers),
                       "--format", "none"], env) for i in range(repeat))
    shards = folder / "shards"
    out["dask_2"], out["cpu_dask"] = timed_cli(["extract", "--engine", "dask", "--workers", "2", "--no-store",
                                                "--shards", str(shards), str(shard_dir / "*.jsonl")], env)
    out["load"], out["cpu_load"] = timed_cli(["load", str(shards), "--db", str(folder / "loaded.db")], env)
    return out


def long_run_rss(notes: list[dict], folder: Path, env: dict, total: int) -> dict:
    """RSS of one `marsad extract --workers 1` over ``total`` documents (the notes
    repeated with new ids, in files of one pass each), sampled every
    RSS_SAMPLE_S seconds from /proc."""
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    rep = 0
    while written < total:
        batch = [{"id": f"long-{rep:03d}-{i:05d}", **n} for i, n in enumerate(notes[: total - written])]
        write_jsonl(folder / f"pass-{rep:03d}.jsonl", batch)
        written += len(batch)
        rep += 1
    cmd = [*_marsad_cmd(), "extract", str(folder), "--db", str(folder / "long.db"), "--workers", "1",
           "--format", "none"]
    samples: list[tuple[float, float]] = []
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    status = Path(f"/proc/{proc.pid}/status")
    while proc.poll() is None:
        try:
            kb = int(re.search(r"VmRSS:\s+(\d+)", status.read_text()).group(1))
            samples.append((time.perf_counter() - t0, kb / 1024))
        except (OSError, AttributeError):
            pass
        time.sleep(RSS_SAMPLE_S)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1) or not samples:
        raise SystemExit(f"benchmarks/run.py: long run failed (exit {proc.returncode})")

    def at(fraction: float) -> float:
        """RSS at this fraction of the run (nearest sample)."""
        return min(samples, key=lambda ts: abs(ts[0] - fraction * wall))[1]

    return {"docs": written, "wall": wall, "samples": len(samples),
            "rss": {f: at(f) for f in LONG_RUN_POINTS}, "peak": max(mb for _, mb in samples)}


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu or platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "python": platform.python_version(), "os": f"{platform.system()} {platform.release()}",
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "load": " ".join(f"{x:.1f}" for x in os.getloadavg())}


def _ok(value: float, target: float, higher_better: bool) -> str:
    good = value >= target if higher_better else value <= target
    return "yes" if good else "**no**"


def _busy(r: dict) -> bool:
    """Was the machine shared when the run started (1-minute load average
    above BUSY_LOAD_PER_CORE per core)?"""
    return float(r["machine"]["load"].split()[0]) > BUSY_LOAD_PER_CORE * (r["machine"]["cores"] or 1)


def _rate_ok(r: dict, corpus: dict, target: float) -> str:
    """Judged on wall time on a quiet machine; on a busy one wall time measures
    the other jobs too, so the rate per CPU-second of the process is used."""
    if _busy(r):
        return _ok(corpus["docs"] / corpus["cpu_best"], target, True) + " (per CPU-second: machine busy)"
    return _ok(corpus["docs"] / corpus["total"], target, True)


def _git_rev() -> str:
    try:
        rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "marsad"],
                               capture_output=True, text=True).stdout.strip()
        return rev + (" + uncommitted changes under marsad/" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def render_scaling(r: dict) -> list[str]:
    lines: list[str] = []
    sc = r.get("scaling")
    if sc:
        one, two = sc["workers_1"], sc["workers_2"]
        lines += [
            "", f"## Local parallelism and Dask ({sc['docs']:,} ~600-word articles, whole commands)", "",
            "Wall time of complete `marsad` commands, start-up and per-worker pipeline loading included "
            f"(best of {min(r['repeat'], 2)} for the local runs). Load average after: {r.get('load_avg_after_scaling', '?')}.",
            "",
            "| Command | Wall s | Articles/s | Speed-up vs 1 worker | CPU s, all processes |",
            "|---|---:|---:|---:|---:|",
            f"| `extract --workers 1` (into SQLite) | {one:.1f} | {sc['docs'] / one:,.1f} | 1.00× | {sc['cpu_1']:.1f} |",
            f"| `extract --workers 2` (into SQLite) | {two:.1f} | {sc['docs'] / two:,.1f} | **{one / two:.2f}×** "
            f"| {sc['cpu_2']:.1f} |",
            f"| `extract --engine dask --workers 2 --no-store` ({SCALING_SHARDS} JSONL shards -> Parquet) "
            f"| {sc['dask_2']:.1f} | {sc['docs'] / sc['dask_2']:,.1f} | {one / sc['dask_2']:.2f}× | {sc['cpu_dask']:.1f} |",
            f"| `load` of those shards into SQLite (one process) | {sc['load']:.1f} | {sc['docs'] / sc['load']:,.0f} "
            f"| | {sc['cpu_load']:.1f} |",
            "",
            f"Target for 2 workers: ≥ 1.8×; {'met' if one / two >= 1.8 else '**not met**'}. "
            f"Parallel overhead: 2 workers spend {sc['cpu_2'] / sc['cpu_1']:.2f}× the CPU time of one "
            f"(cold caches in each worker, pickling, the parent's share), so with both cores free the "
            f"speed-up can be at most {2 * sc['cpu_1'] / sc['cpu_2']:.2f}×.",
        ]
    lg = r.get("long")
    if lg:
        rss = lg["rss"]
        points = " / ".join(f"{rss[f]:,.0f}" for f in LONG_RUN_POINTS)
        lines += [
            "", f"## Memory over a long run ({lg['docs']:,} documents)", "",
            f"One `marsad extract --workers 1 --format none` over {lg['docs']:,} notes (the notes repeated "
            f"with new ids, one file per pass) into a new database: {lg['wall']:.0f} s "
            f"({lg['docs'] / lg['wall']:,.0f} docs/s), RSS sampled every {RSS_SAMPLE_S:g} s "
            f"({lg['samples']:,} samples) from /proc.",
            "",
            "| " + " | ".join(f"{f:.0%} of the run" for f in LONG_RUN_POINTS) + " | peak |",
            "|" + "---:|" * (len(LONG_RUN_POINTS) + 1),
            "| " + " | ".join(f"{rss[f]:,.0f} MB" for f in LONG_RUN_POINTS) + f" | {lg['peak']:,.0f} MB |",
            "",
            f"RSS at 5 / 25 / 50 / 75 / 95 %: {points} MB; growth from 25 % to 95 %: "
            f"{rss[0.95] - rss[0.25]:+,.0f} MB.",
        ]
    return lines


def render(r: dict) -> str:
    m = r["machine"]
    notes, arts = r["notes"], r["articles"]
    lines = [
        "# marsad benchmark results",
        "",
        f"Produced by `benchmarks/run.py` ({' '.join(r['argv'])}) — see `benchmarks/README.md`.",
        "",
        f"- Machine: {m['cpu']}, {m['cores']} cores visible (benchmark uses **one**), {m['os']}",
        f"- Python {m['python']}, date {m['date']}, marsad at {r['rev']}",
        *([f"- Note: {r['note']}"] if r.get("note") else []),
        f"- Load average when started: {m['load']} (other processes may share the cores; throughput is the "
        f"best of {r['repeat']} cold end-to-end runs: fresh pipeline, memo caches cleared, new database)",
        f"- Gazetteer index: {r['index']}",
        f"- Notes: {notes['docs']:,} ACLED monitor notes (mean {notes['words'] / max(notes['docs'], 1):.0f} words), "
        f"{notes['events']:,} events, {notes['rejected']} rejected",
        f"- Articles: {arts['docs']:,} built articles (half text, half HTML; mean {arts['words'] / max(arts['docs'], 1):.0f} words), "
        f"{arts['events']:,} events, {arts['rejected']} rejected",
        "",
        "## Against the targets",
        "",
        "| Measure | Measured | Target | Met |",
        "|---|---:|---:|:--:|",
        f"| Notes end to end into SQLite | {notes['docs'] / notes['total']:,.0f} docs/s ({notes['words'] / notes['total']:,.0f} words/s); "
        f"{notes['docs'] / notes['cpu_best']:,.0f} per CPU-second "
        f"| ≥ {TARGET_NOTES_PER_S} docs/s | {_rate_ok(r, notes, TARGET_NOTES_PER_S)} |",
        f"| ~600-word articles end to end into SQLite | {arts['docs'] / arts['total']:,.1f} docs/s ({arts['words'] / arts['total']:,.0f} words/s); "
        f"{arts['docs'] / arts['cpu_best']:,.1f} per CPU-second "
        f"| ≥ {TARGET_ARTICLES_PER_S} docs/s | {_rate_ok(r, arts, TARGET_ARTICLES_PER_S)} |",
        f"|   pipeline alone (no ingest/store): text / HTML articles | {r['articles_text_rate']:,.1f} / {r['articles_html_rate']:,.1f} docs/s | | |",
        f"| Peak RSS, this benchmark process | {r['rss_self']:,.0f} MB | ≤ {TARGET_RSS_MB} MB | {_ok(r['rss_self'], TARGET_RSS_MB, False)} |",
        f"| Peak RSS, fresh `marsad extract` of all notes ({r['rss_how']}) | {r['rss_cli']:,.0f} MB "
        f"| ≤ {TARGET_RSS_MB} MB | {_ok(r['rss_cli'], TARGET_RSS_MB, False)} |",
        f"| `marsad --help` (best of 5) | {r['help_s']:.2f} s | ≤ {TARGET_HELP_S} s | {_ok(r['help_s'], TARGET_HELP_S, False)} |",
        f"| First extraction in a fresh process, `--no-store` (best of 3) | {r['first_s']:.2f} s | ≤ {TARGET_FIRST_S:g} s "
        f"| {_ok(r['first_s'], TARGET_FIRST_S, False)} |",
        "",
        f"One-off gazetteer index build (not in any number above): {r['build_s']}.  ",
        f"Pipeline load (dictionaries, matchers) in this process: {r['load_s']:.2f} s.  ",
        f"Fresh `marsad extract` of all notes into SQLite, whole command: {r['cli_wall']:.1f} s "
        f"({notes['docs'] / r['cli_wall']:,.0f} docs/s including start-up).",
        "",
        "## Stage by stage (ms per document, one core)",
        "",
        "Stages timed by wrapping the functions `Pipeline.process` calls; store and ingest from the "
        "end-to-end run.",
        "",
        "| Stage | Notes ms/doc | Notes share | Articles ms/doc | Articles share |",
        "|---|---:|---:|---:|---:|",
    ]
    ns, as_ = r["stages_notes"], r["stages_articles"]
    nrows = {k: v for k, v in ns.items() if not k.startswith("_")}
    arows = {k: v for k, v in as_.items() if not k.startswith("_")}
    for key in ("ingest", "store"):
        nrows[key] = notes[key]
        arows[key] = arts[key]
    order = ["ingest", "clean", "segment", "mentions: actors", "mentions: places", "mentions: triggers",
             "mentions: counts", "mentions: dates", "mentions: background", "mentions: country votes",
             "geocode", "events", "other (pipeline glue, timers)", "store"]
    # ``or 1``: a run with --articles 0 (or --notes 0) has nothing to divide by
    ntot, atot = sum(nrows.values()) or 1, sum(arows.values()) or 1
    ndocs, adocs = notes['docs'] or 1, arts['docs'] or 1
    for key in order + sorted(set(nrows) - set(order)):
        nv, av = nrows.get(key, 0.0), arows.get(key, 0.0)
        lines.append(f"| {key} | {nv * 1000 / ndocs:.2f} | {nv / ntot:.0%} "
                     f"| {av * 1000 / adocs:.2f} | {av / atot:.0%} |")
    groups = defaultdict(lambda: [0.0, 0.0])
    for key in set(nrows) | set(arows):
        g = "segment + mentions" if key.startswith("mentions") or key == "segment" else key
        groups[g][0] += nrows.get(key, 0.0)
        groups[g][1] += arows.get(key, 0.0)
    top_n = max(groups, key=lambda g: groups[g][0])
    top_a = max(groups, key=lambda g: groups[g][1])
    one_n = max(nrows, key=nrows.get)
    one_a = max(arows, key=arows.get)
    lines += [
        f"| **total** | {ntot * 1000 / ndocs:.2f} | | {atot * 1000 / adocs:.2f} | |",
        "",
        f"Slowest stage: **{top_n}** for notes ({groups[top_n][0] / ntot:.0%}), "
        f"**{top_a}** for articles ({groups[top_a][1] / atot:.0%}). "
        f"Largest single row: {one_n} for notes ({nrows[one_n] / ntot:.0%}), "
        f"{one_a} for articles ({arows[one_a] / atot:.0%}).",
    ]
    lines += render_scaling(r)
    if r.get("profile"):
        lines += ["", f"## Profile: top 10 functions by own time over {r['profile_n']} notes (cProfile)",
                  "", "```", r["profile"], "```"]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=0, help="notes to use (default: all)")
    parser.add_argument("--articles", type=int, default=500, help="articles to build (default 500)")
    parser.add_argument("--gold-dir", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--home", type=Path, default=None,
                        help="MARSAD_HOME to reuse (default: a fresh temporary one)")
    parser.add_argument("--output", type=Path, default=None, help="write the Markdown report here too")
    parser.add_argument("--repeat", type=int, default=3,
                        help="end-to-end runs per corpus; the fastest counts (default 3)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="also cProfile N notes and list the top 10 functions")
    parser.add_argument("--scaling", type=int, default=1000, metavar="N",
                        help="articles for the 1 vs 2 workers / Dask comparison (default 1000; 0 skips it)")
    parser.add_argument("--long", type=int, default=LONG_RUN_DOCS, metavar="N",
                        help=f"documents in the memory-over-time run (default {LONG_RUN_DOCS:,}; 0 skips it)")
    parser.add_argument("--note", default="", help="a line added to the report (e.g. machine load)")
    args = parser.parse_args(argv)

    notes = read_notes(args.gold_dir, args.notes or None)
    articles = build_articles(read_notes(args.gold_dir, None), args.articles)
    tmp = Path(tempfile.mkdtemp(prefix="marsad-bench-"))
    home = args.home.resolve() if args.home else tmp / "home"
    os.environ["MARSAD_HOME"] = str(home)
    os.environ.pop("MARSAD_DB", None)
    env = dict(os.environ)
    results: dict = {"repeat": args.repeat, "argv": ["benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])],
                     "machine": machine(), "rev": _git_rev()}
    try:
        from marsad.geo.index import default_path

        index = default_path()
        if index.exists():
            results["build_s"] = "reused an existing index (--home)"
        else:
            # In a child process, so the build's memory is not in this process's peak RSS.
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, "-c", _BUILD_INDEX], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            if proc.returncode != 0:
                raise SystemExit(f"benchmarks/run.py: index build failed: {proc.stderr.strip()[-300:]}")
            peak = int(re.search(r"MAXRSS_KB (\d+)", proc.stdout).group(1)) / 1024
            results["build_s"] = f"{time.perf_counter() - t0:.1f} s (peak RSS {peak:.0f} MB, in a child process)"
        results["index"] = f"{index.stat().st_size / 1e6:.0f} MB at MARSAD_HOME/{index.relative_to(home)}"
        print(f"gazetteer index: {results['build_s']}", file=sys.stderr)

        notes_jsonl = write_jsonl(tmp / "notes.jsonl", [{"id": f"note-{i:05d}", **n} for i, n in enumerate(notes)])
        art_jsonl = write_jsonl(tmp / "articles.jsonl", articles)
        (tmp / "one.txt").write_text(notes[0]["text"] + "\n", encoding="utf-8")
        warm = write_jsonl(tmp / "warm.jsonl", [
            {"id": f"warm-{i}", **a} for i, a in enumerate(build_articles(notes, WARMUP_DOCS, seed=99))])

        from marsad.pipeline import Pipeline

        t0 = time.perf_counter()
        pipeline = Pipeline()
        pipeline.load()
        results["load_s"] = time.perf_counter() - t0
        run_end_to_end(pipeline, warm, tmp / "warm.db")
        release(pipeline)
        del pipeline

        print(f"end to end: {len(notes)} notes ...", file=sys.stderr)
        n = best_end_to_end(notes_jsonl, tmp, args.repeat)
        n["words"] = sum(_words(x["text"]) for x in notes)
        print(f"end to end: {len(articles)} articles ...", file=sys.stderr)
        a = best_end_to_end(art_jsonl, tmp, args.repeat)
        a["words"] = sum(x["words"] for x in articles)
        results["notes"], results["articles"] = n, a
        results["articles_text_rate"] = a["kind_rates"].get("text", 0.0)
        results["articles_html_rate"] = a["kind_rates"].get("html", 0.0)

        print("stages ...", file=sys.stderr)
        for key, corpus in (("stages_notes", notes_jsonl), ("stages_articles", art_jsonl)):
            pipeline = fresh_pipeline()
            results[key] = run_stages(pipeline, corpus)
            release(pipeline)
            del pipeline
        if args.profile:
            print(f"profile of {args.profile} notes ...", file=sys.stderr)
            pipeline = fresh_pipeline()
            results["profile"] = profile_notes(pipeline, notes_jsonl, args.profile)
            results["profile_n"] = args.profile
            release(pipeline)
            del pipeline
        results["rss_self"] = rss_mb()

        print("subprocesses: peak RSS of marsad extract, cold start ...", file=sys.stderr)
        rss, wall, how = cli_extract_rss(notes_jsonl, tmp / "cli.db", env)
        results["rss_cli"], results["cli_wall"], results["rss_how"] = rss, wall, how
        results["help_s"] = best_wall([*_marsad_cmd(), "--help"], env, 5)
        results["first_s"] = best_wall([*_marsad_cmd(), "extract", str(tmp / "one.txt"), "--no-store",
                                        "--format", "none"], env, 3)
        if args.scaling:
            print(f"scaling: {args.scaling} articles, 1 vs 2 workers, Dask ...", file=sys.stderr)
            records = build_articles(read_notes(args.gold_dir, None), args.scaling, seed=11)
            results["scaling"] = scaling(records, tmp / "scaling", env, min(args.repeat, 2))
            results["load_avg_after_scaling"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
        if args.long:
            print(f"long run: {args.long:,} documents ...", file=sys.stderr)
            results["long"] = long_run_rss(read_notes(args.gold_dir, None), tmp / "long", env, args.long)
        results["note"] = args.note
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    report = render(results)
    print(report)
    if args.output:
        args.output.write_text(report, encoding="utf-8")
        print(f"written to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
