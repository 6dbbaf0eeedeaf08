"""Latency of the web app's events list and map endpoints on 100,000 stored events.

1. Fill a fresh SQLite store: the real pipeline over a few hundred varied reports made
   from templates (actors, places of the bundled gazetteer, dates over a year, counts),
   then the rest of the events derived from those by systematic variation (dates, places
   within the same country, ids), all saved through ``Store.save_results`` so every index
   and the full-text tables are real. The fill is timed.
2. Measure p50 / p95 / max latency of ``GET /api/events`` (one page of 50) and
   ``GET /api/map.geojson`` (the map's data) under a few filter mixes, against a
   running server: ``--url`` of one you started (``marsad serve --db PATH``), or by default
   a ``marsad serve --db PATH --port FREE`` this script starts and stops itself.

    .venv/bin/python benchmarks/web_latency.py                       # fill + serve + measure
    .venv/bin/python benchmarks/web_latency.py --db /tmp/w.db --fill-only
    .venv/bin/python benchmarks/web_latency.py --db /tmp/w.db --url http://127.0.0.1:8000
    .venv/bin/python benchmarks/web_latency.py --output benchmarks/RESULTS_web.md

See benchmarks/README.md for what every number means.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import math
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import _git_rev, machine  # noqa: E402  (the other benchmark's machine description)

DEFAULT_EVENTS = 100_000
DEFAULT_REPORTS = 400
DEFAULT_REQUESTS = 200
# A mix stops early after this many seconds (an unfiltered map of 100,000 events can take
# seconds per request); at least MIN_REQUESTS are always made.
DEFAULT_MAX_SECONDS = 60.0
MIN_REQUESTS = 10
WARMUP_REQUESTS = 3
SERVER_START_TIMEOUT_S = 120.0
# One request slower than this is reported as a failure of its mix (--timeout).
DEFAULT_TIMEOUT_S = 120.0
# The derived events' dates are the reports' dates moved by up to this many days, so the
# store covers about two years.
DATE_SPREAD_DAYS = 365
SEED = 20221

# (name, path and query). The parameter names are the web app's (marsad/web/params.py):
# per_page, country, date_from, date_to, text, bbox=min_lon,min_lat,max_lon,max_lat.
LIST = "/api/events?per_page=50"
MAP = "/api/map.geojson"
NW_SYRIA = "bbox=35.5,34.5,38.5,37.0"
DEFAULT_MIXES: tuple[tuple[str, str], ...] = (
    ("list, no filter", LIST),
    ("list, country", LIST + "&country=Syria"),
    ("list, date range (1 month)", LIST + "&date_from=2022-03-01&date_to=2022-03-31"),
    ("list, text", LIST + "&text=shelled"),
    ("list, bbox", LIST + "&" + NW_SYRIA),
    ("list, country + type + text", LIST + "&country=Iraq&event_type=Explosions/Remote violence&text=market"),
    ("map, country + month", MAP + "?country=Syria&date_from=2022-03-01&date_to=2022-03-31"),
    ("map, date range (1 month)", MAP + "?date_from=2022-03-01&date_to=2022-03-31"),
    ("map, text + quarter", MAP + "?text=shelled&date_from=2022-01-01&date_to=2022-03-31"),
    ("map, bbox + quarter", MAP + "?" + NW_SYRIA + "&date_from=2022-01-01&date_to=2022-03-31"),
    ("map, country (a year)", MAP + "?country=Yemen&date_from=2022-01-01&date_to=2022-12-31"),
    ("map, no filter", MAP),
)


# ---------------------------------------------------------------------------
# 1. reports from templates
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Country:
    name: str
    places: tuple[str, ...]  # names the bundled gazetteer knows
    state: tuple[str, ...]  # state forces as reports name them
    armed: tuple[str, ...]  # non-state armed groups
    air: tuple[str, ...]  # who flies aircraft or drones there


COUNTRIES = (
    Country("Syria",
            ("Atarib", "Saraqib", "Daraa", "Manbij", "Qamishli", "Idlib", "Aleppo", "Homs", "Hama",
             "Douma", "Raqqa", "Deir ez-Zor", "Al-Bab", "Azaz", "Maarat al-Numan", "Latakia",
             "Ariha", "Kafr Nabl", "Tal Abyad", "Ras al-Ain", "Afrin", "Jarablus", "Bosra", "Suwayda"),
            ("Syrian regime forces", "regime forces", "government forces"),
            ("Hayat Tahrir al-Sham", "the SDF", "ISIS cells", "Turkish-backed factions", "rebel factions"),
            ("Russian warplanes", "regime warplanes", "Turkish drones")),
    Country("Iraq",
            ("Mosul", "Kirkuk", "Basra", "Baghdad", "Fallujah", "Ramadi", "Tikrit", "Samarra",
             "Baqubah", "Erbil", "Najaf", "Karbala", "Sinjar", "Hawija"),
            ("Iraqi security forces", "Iraqi police", "the Iraqi army"),
            ("ISIS militants", "Popular Mobilization Forces", "PKK fighters", "tribal gunmen"),
            ("Turkish drones", "Iraqi warplanes")),
    Country("Yemen",
            ("Marib", "Taiz", "Aden", "Hodeidah", "Sanaa", "Saada", "Mukalla", "Ibb", "Dhamar", "Lahij"),
            ("government forces", "Yemeni army forces"),
            ("Houthi forces", "AQAP militants", "Southern Transitional Council forces", "tribesmen"),
            ("Saudi-led coalition warplanes", "Houthi drones")),
)

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

# One incident each; {date}, {place}, {country}, actors and counts are filled in.
TEMPLATES = (
    "On {date}, {state} shelled {place} in {country}, killing {n} civilians including {k} children.",
    "On {date}, {air} carried out airstrikes on {place}, {country}, killing {n} people and wounding {m}.",
    "On {date}, clashes broke out between {armed} and {state} near {place} in {country}; {n} fighters were killed.",
    "On {date}, dozens of people demonstrated in {place}, {country}, demanding the release of detainees.",
    "On {date}, security forces fired tear gas to disperse protesters in {place}, {country}, injuring {m}.",
    "On {date}, {state} arrested {n} young men during a raid on {place} in {country}.",
    "On {date}, an IED exploded near a market in {place}, {country}, wounding {m} people.",
    "On {date}, rioters set fire to a government building in {place}, {country}.",
    "On {date}, gunmen killed a shepherd near {place} in {country}.",
    "On {date}, {armed} took control of a village near {place} in {country} after {state} withdrew.",
    "On {date}, a drone struck a car near {place}, {country}, killing {n} members of {armed}.",
    "On {date}, {armed} abducted {n} civilians from {place}, {country}.",
    "On {date}, {armed} attacked a checkpoint of {state} in {place}, {country}, killing {n} soldiers.",
    "On {date}, hundreds of students protested peacefully in {place}, {country}, against rising prices.",
)


def _date_words(day: date, rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def _sentence(rng: random.Random, country: Country, day: date) -> str:
    return rng.choice(TEMPLATES).format(
        date=_date_words(day, rng), place=rng.choice(country.places), country=country.name,
        state=rng.choice(country.state), armed=rng.choice(country.armed), air=rng.choice(country.air),
        n=rng.randint(2, 12), k=rng.randint(1, 3), m=rng.randint(2, 20),
    )


def make_reports(count: int, seed: int = SEED) -> list:
    """``count`` documents: one to three incidents each, in one country, dated in 2022."""
    from marsad.records import Document

    rng = random.Random(seed)
    documents = []
    for i in range(count):
        country = rng.choice(COUNTRIES)
        day = date(2022, 1, 1) + timedelta(days=rng.randrange(365))
        sentences = []
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            sentences.append(_sentence(rng, country, day))
            day = min(day + timedelta(days=rng.randint(0, 2)), date(2022, 12, 31))
        text = " ".join(sentences)
        documents.append(Document(
            id=f"bench-{i:05d}", raw=text, kind="text", published=day + timedelta(days=1),
            published_from="input", title=f"Daily report {i}", source="Benchmark Monitor",
            origin=f"web_latency:{i}",
            content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        ))
    return documents


# ---------------------------------------------------------------------------
# 2. 100,000 events by systematic variation
# ---------------------------------------------------------------------------

PLACE_FIELDS = ("location", "admin1", "admin2", "admin3", "latitude", "longitude", "geo_precision")


def _place_pools(results: Iterable) -> dict[str, list[dict]]:
    """Distinct places the pipeline resolved, per country (places move only within one)."""
    pools: dict[str, dict[tuple, dict]] = {}
    for result in results:
        for event in result.events:
            if event.latitude is None or not event.country:
                continue
            place = {f: getattr(event, f) for f in PLACE_FIELDS}
            pools.setdefault(event.country, {})[tuple(place.values())] = place
    return {country: list(places.values()) for country, places in pools.items()}


def _short_id(*parts: object) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:16]


def _shift(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat() if day else day


def _day_words(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _vary_event(event, copy: int, days: int, doc_ids: dict[str, str], pools, rng):
    new_date = _shift(event.event_date, days)
    notes = event.notes.replace(_day_words(event.event_date), _day_words(new_date)) if new_date else event.notes
    changes: dict = {
        "event_id": _short_id(event.event_id, copy),
        "event_date": new_date,
        "notes": notes,
        "document_ids": tuple(doc_ids.get(d, d) for d in event.document_ids),
        "evidence": tuple(replace(e, doc_id=doc_ids.get(e.doc_id, e.doc_id)) for e in event.evidence),
    }
    pool = pools.get(event.country)
    if pool and event.latitude is not None:
        place = pool[rng.randrange(len(pool))]
        changes.update(place)
        if event.location and place["location"]:
            changes["notes"] = notes.replace(event.location, place["location"])
    return replace(event, **changes)


def derive(results: list, target: int, seed: int = SEED) -> Iterator:
    """The pipeline's results, then copies of them varied, until ``target`` events.

    Copy k of a document gets a new id, its dates moved by the same number of days
    (0..DATE_SPREAD_DAYS), and each placed event a place drawn from the places resolved in
    the same country; ids of events follow from the original id and k.
    """
    from marsad.records import DocumentResult

    with_events = [r for r in results if r.events and not r.rejected]
    if not with_events:
        raise SystemExit("web_latency: the pipeline found no events in the generated reports")
    pools = _place_pools(with_events)
    rng = random.Random(seed)
    produced = 0
    copy = 0
    while produced < target:
        for result in with_events:
            if produced >= target:
                return
            if copy == 0:
                events = result.events[: target - produced]
                yield replace(result, events=events) if len(events) < len(result.events) else result
                produced += len(events)
                continue
            days = rng.randrange(DATE_SPREAD_DAYS)
            doc = result.document
            new_id = _short_id(doc.id, copy)
            published = doc.published + timedelta(days=days) if doc.published else None
            clean = replace(result.clean, doc_id=new_id, published=published) if result.clean else None
            events = tuple(_vary_event(e, copy, days, {doc.id: new_id}, pools, rng)
                           for e in result.events[: target - produced])
            yield DocumentResult(
                replace(doc, id=new_id, published=published, origin=f"{doc.origin}#{copy}",
                        content_hash=_short_id(doc.content_hash, copy)),
                clean, events, warnings=result.warnings,
            )
            produced += len(events)
        copy += 1


def _save_until(store, results: Iterator, target: int, run: int):
    """Save derived results until the store holds ``target`` events.

    Copies that land on the same day and place as another report of the same
    kind are merged into one incident by the store (as real duplicates are),
    so more copies are saved until the count is reached; a round never adds
    more events than are missing, so the count ends exactly at ``target``."""
    from marsad.store import SaveStats

    total = SaveStats()
    while (missing := target - store.count_events()) > 0:
        batch, planned = [], 0
        for result in results:
            take = result.events[: missing - planned]
            batch.append(replace(result, events=take) if len(take) < len(result.events) else result)
            planned += len(take)
            if planned >= missing:
                break
        if not batch:
            break
        total += store.save_results(batch, run)
    return total


def fill(db: Path, events: int, reports: int) -> dict:
    """Fill a new store at ``db``; returns what happened and how long each part took."""
    from marsad.pipeline import Pipeline
    from marsad.store import Store

    if db.exists():
        raise SystemExit(f"web_latency: {db} exists; give a new path or use --skip-fill")
    documents = make_reports(reports)
    t0 = time.perf_counter()
    with Pipeline() as pipeline:
        pipeline.load()  # open the gazetteer before the clock starts for the reports
        t1 = time.perf_counter()
        results = [pipeline.process(d) for d in documents]
        t2 = time.perf_counter()
    base_events = sum(len(r.events) for r in results)
    placed = sum(1 for r in results for e in r.events if e.latitude is not None)
    with Store.open(db) as store:
        run = store.begin_run({"benchmark": "web_latency", "events": events, "reports": reports})
        t3 = time.perf_counter()
        stats = _save_until(store, derive(results, 10 * events), events, run)
        t4 = time.perf_counter()
        store.finish_run(run, "ok", stats)
        stored = store.count_events()
    return {
        "reports": reports, "base_events": base_events, "base_placed": placed,
        "pipeline_load_s": t1 - t0, "pipeline_s": t2 - t1,
        "events": stored, "documents": stats.documents_stored, "save_s": t4 - t3,
        "db_mb": sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 1e6,
    }


# ---------------------------------------------------------------------------
# 3. the server and the requests
# ---------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One keep-alive HTTP connection (reopened if the server closes it)."""

    def __init__(self, base_url: str, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        parts = urlsplit(base_url)
        self.timeout = timeout
        if parts.scheme != "http" or not parts.hostname:
            raise SystemExit(f"web_latency: --url must be http://HOST:PORT, got {base_url!r}")
        self.host, self.port = parts.hostname, parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self._conn: http.client.HTTPConnection | None = None

    def get(self, path: str) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                # Spaces and the like in a query typed on the command line are escaped;
                # what is already %-escaped or structural stays as it is.
                target = quote(self.prefix + path, safe="/?&=,:;%+@!$'()*")
                self._conn.request("GET", target, headers={"Accept": "application/json"})
                response = self._conn.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, ConnectionError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def serve_command(db: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "marsad", "serve", "--db", str(db), "--host", "127.0.0.1",
            "--port", str(port)]


def wait_until_up(client: Client, process: subprocess.Popen | None, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            err = process.stderr.read().decode("utf-8", "replace").strip() if process.stderr else ""
            raise SystemExit(f"web_latency: the server exited ({process.returncode}): {err[-500:]}")
        try:
            status, _ = client.get(LIST.replace("per_page=50", "per_page=1"))
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"web_latency: no answer from the server within {timeout:.0f} s")


def start_server(command: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stderr:
        process.stderr.close()


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of an ascending list."""
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


def _matched(body: bytes) -> int | None:
    """How many events the answer covers: ``total`` of a list page, features of a map."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("total"), int):
        return data["total"]
    if isinstance(data, dict) and isinstance(data.get("features"), list):
        return len(data["features"])
    return None


def measure(client: Client, name: str, path: str, requests: int, max_seconds: float) -> dict:
    """Time ``requests`` sequential GETs of ``path`` (full body read), after a warm-up."""
    for _ in range(WARMUP_REQUESTS):
        status, body = client.get(path)
        if status != 200:
            snippet = body[:200].decode("utf-8", "replace")
            return {"name": name, "path": path, "error": f"HTTP {status}: {snippet}"}
    matched, size = _matched(body), len(body)
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < requests:
        t0 = time.perf_counter()
        status, body = client.get(path)
        times.append(time.perf_counter() - t0)
        if status != 200:
            return {"name": name, "path": path, "error": f"HTTP {status} after {len(times)} requests"}
        if len(times) >= MIN_REQUESTS and time.perf_counter() - started > max_seconds:
            break
    times.sort()
    return {"name": name, "path": path, "n": len(times), "matched": matched, "bytes": size,
            "p50_ms": 1000 * percentile(times, 0.50), "p95_ms": 1000 * percentile(times, 0.95),
            "max_ms": 1000 * times[-1], "mean_ms": 1000 * sum(times) / len(times)}


# ---------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------

def render(filled: dict | None, rows: list[dict], info: dict) -> str:
    m = info["machine"]
    lines = [
        f"## Web latency, {m['date']}",
        "",
        f"`benchmarks/web_latency.py {' '.join(info['argv'])}` at {info['rev']}; {m['cpu']},"
        f" {m['cores']} cores, Python {m['python']}, {m['os']}, load {m['load']} at the start;"
        f" server: {info['server']}.",
        "",
    ]
    if filled:
        lines += [
            f"Store: {filled['events']:,} events from {filled['documents']:,} documents"
            f" ({filled['db_mb']:.0f} MB). Fill: pipeline over {filled['reports']} generated reports"
            f" {filled['pipeline_s']:.1f} s ({filled['base_events']} events, {filled['base_placed']} placed;"
            f" pipeline load {filled['pipeline_load_s']:.1f} s), derive + `save_results`"
            f" {filled['save_s']:.1f} s ({filled['events'] / filled['save_s']:,.0f} events/s).",
            "",
        ]
    lines += ["| request | events matched | answer | n | p50 ms | p95 ms | max ms |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['name']} (`{r['path']}`) | | | | {r['error']} | | |")
            continue
        matched = "" if r["matched"] is None else f"{r['matched']:,}"
        lines.append(
            f"| {r['name']} | {matched} | {r['bytes'] / 1024:,.0f} KiB | {r['n']} |"
            f" {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['max_ms']:.1f} |")
    lines += ["", "Requests (after the warm-up of " + str(WARMUP_REQUESTS) + " each):", ""]
    lines += [f"- {r['name']}: `GET {r['path']}`" for r in rows]
    return "\n".join(lines) + "\n"


def _parse_mix(text: str) -> tuple[str, str]:
    name, sep, path = text.partition("=")
    if not sep or not path.startswith("/"):
        raise argparse.ArgumentTypeError(f"expected NAME=/path?query, got {text!r}")
    return name.strip(), path.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=None,
                        help="database to fill (must not exist) or, with --skip-fill, to serve")
    parser.add_argument("--home", type=Path, default=None,
                        help="MARSAD_HOME (gazetteer index; default: a fresh temporary one)")
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS)
    parser.add_argument("--reports", type=int, default=DEFAULT_REPORTS)
    parser.add_argument("--skip-fill", action="store_true", help="use --db as it is")
    parser.add_argument("--fill-only", action="store_true", help="fill --db and stop")
    parser.add_argument("--url", default=None, help="a running server (default: start marsad serve)")
    parser.add_argument("--requests", type=int, default=DEFAULT_REQUESTS, help="per mix (default 200)")
    parser.add_argument("--max-seconds", type=float, default=DEFAULT_MAX_SECONDS,
                        help=f"per mix, then stop early (at least {MIN_REQUESTS} requests)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S,
                        help="seconds one request may take (default 120)")
    parser.add_argument("--mix", type=_parse_mix, action="append", default=None, metavar="NAME=/PATH?QUERY",
                        help="a request to time instead of the default mixes (repeatable)")
    parser.add_argument("--output", type=Path, default=None, help="append the Markdown report there")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="marsad-web-bench-"))
    os.environ["MARSAD_HOME"] = str(args.home.resolve() if args.home else tmp / "home")
    db = (args.db or tmp / "web-latency.db").resolve()
    info = {"argv": argv if argv is not None else sys.argv[1:], "machine": machine(), "rev": _git_rev()}
    filled = None
    if not args.skip_fill:
        print(f"filling {db} with {args.events:,} events ...", file=sys.stderr)
        filled = fill(db, args.events, args.reports)
        print(f"filled: {filled['events']:,} events in {filled['save_s']:.1f} s", file=sys.stderr)
    elif not db.exists():
        raise SystemExit(f"web_latency: --skip-fill but there is no database at {db}")
    if args.fill_only:
        print(render(filled, [], {**info, "server": "none (--fill-only)"}))
        return 0

    process = None
    if args.url:
        client, info["server"] = Client(args.url, args.timeout), f"given, {args.url}"
    else:
        port = free_port()
        command = serve_command(db, port)
        process = start_server(command, dict(os.environ))
        client = Client(f"http://127.0.0.1:{port}", args.timeout)
        info["server"] = "`marsad serve` started by the script"
    try:
        wait_until_up(client, process, SERVER_START_TIMEOUT_S)
        rows = []
        for name, path in args.mix or DEFAULT_MIXES:
            print(f"{name}: GET {path}", file=sys.stderr)
            try:
                rows.append(measure(client, name, path, args.requests, args.max_seconds))
            except TimeoutError:
                client.close()
                rows.append({"name": name, "path": path,
                             "error": f"no answer within {args.timeout:g} s (--timeout)"})
            except (OSError, http.client.HTTPException) as err:
                client.close()
                rows.append({"name": name, "path": path, "error": f"{type(err).__name__}: {err}"})
    finally:
        client.close()
        if process is not None:
            stop_server(process)
    report = render(filled, rows, info)
    print(report)
    if args.output:
        with args.output.open("a", encoding="utf-8") as fp:
            fp.write("\n" + report)
    return 1 if any("error" in r for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
