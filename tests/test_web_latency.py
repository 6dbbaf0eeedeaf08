"""benchmarks/web_latency.py works: the fill stores real, varied events and the client
times requests against a server it starts (a stand-in for the web app, which lives on
another branch). No timing is asserted: speed is measured by the benchmark, not here."""

from __future__ import annotations

import importlib.util
import os
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STANDIN = Path(__file__).resolve().parent / "data" / "web" / "standin_api.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("web_latency", ROOT / "benchmarks" / "web_latency.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["web_latency"] = module  # dataclasses look their module up while defining
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("web_latency", None)


@pytest.fixture(scope="module")
def filled(bench, marsad_home, tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MARSAD_HOME", str(marsad_home))
        db = tmp_path_factory.mktemp("web-latency") / "bench.db"
        summary = bench.fill(db, events=1_500, reports=80)
    return db, summary


def test_reports_are_varied_and_dated_in_2022(bench):
    reports = bench.make_reports(120)
    assert len({r.id for r in reports}) == len({r.raw for r in reports}) == 120
    for country in bench.COUNTRIES:
        assert sum(country.name in r.raw for r in reports) >= 20
    assert all(date(2022, 1, 2) <= r.published <= date(2023, 1, 1) for r in reports)
    assert len({r.raw.split(",")[0] for r in reports}) > 60  # many different dates
    assert bench.make_reports(5) == bench.make_reports(5)  # reproducible (fixed seed)


def test_fill_stores_the_requested_events_with_real_links_and_search(filled):
    from marsad.store import Store
    from marsad.store.sqlite import EventFilter

    db, summary = filled
    assert summary["events"] == 1_500
    assert 0 < summary["base_events"] < 1_500 and summary["base_placed"] > summary["base_events"] // 2
    with Store.open(db, create=False) as store:
        events = store.events(limit=None)
        assert len({e.event_id for e in events}) == 1_500
        for event in events[::50]:
            assert event.document_ids and all(store.has_document(d) for d in event.document_ids)
            assert all(ev.doc_id in event.document_ids for ev in event.evidence)
        days = sorted(e.event_date for e in events if e.event_date)
        assert (date.fromisoformat(days[-1]) - date.fromisoformat(days[0])).days > 365
        # the full-text tables hold the copies too
        shelled = store.count_events(EventFilter(text="shelled"))
        assert 0 < shelled < 1_500
        # a derived event moved within its country, and its note follows its place and date
        syria = [e for e in events if e.country == "Syria" and e.latitude is not None]
        assert len({e.location for e in syria}) >= 5
        assert all(32 < e.latitude < 37.5 and 35.5 < e.longitude < 42.5 for e in syria)
        moved = [e for e in syria if e.notes and e.location and e.location in e.notes]
        assert len(moved) > len(syria) // 2
        dated = [e for e in events if e.notes.startswith("On ") and e.event_date]
        assert all(str(date.fromisoformat(e.event_date).year) in e.notes[:30] for e in dated)


def test_percentile_is_nearest_rank(bench):
    values = [float(v) for v in range(1, 101)]
    assert bench.percentile(values, 0.5) == 50.0
    assert bench.percentile(values, 0.95) == 95.0
    assert bench.percentile([7.0], 0.95) == 7.0


def test_client_times_a_server_it_starts(bench, filled, marsad_home, monkeypatch):
    from marsad.store import Store
    from marsad.store.sqlite import EventFilter

    db, _ = filled
    monkeypatch.setenv("MARSAD_HOME", str(marsad_home))
    port = bench.free_port()
    process = bench.start_server([sys.executable, str(STANDIN), "--db", str(db), "--port", str(port)],
                                 dict(os.environ))
    client = bench.Client(f"http://127.0.0.1:{port}")
    try:
        bench.wait_until_up(client, process, 60)
        rows = [bench.measure(client, name, path, requests=12, max_seconds=30)
                for name, path in bench.DEFAULT_MIXES
                if "country=Syria" in path or path == bench.LIST or "missing" in name]
        missing = bench.measure(client, "missing", "/api/nothing", requests=5, max_seconds=5)
    finally:
        client.close()
        bench.stop_server(process)
    assert process.returncode is not None  # stopped
    with Store.open(db, create=False) as store:
        in_syria = store.count_events(EventFilter(country="Syria"))
        total = store.count_events()
    by_name = {r["name"]: r for r in rows}
    assert by_name["list, no filter"]["matched"] == total
    assert by_name["list, country"]["matched"] == in_syria
    assert 0 < by_name["map, country + month"]["matched"] < in_syria
    for row in rows:
        assert row["n"] == 12
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["max_ms"]
    assert missing["error"].startswith("HTTP 404")
    table = bench.render(None, [*rows, missing], {
        "argv": [], "machine": bench.machine(), "rev": "test", "server": "stand-in"})
    assert table.count("\n| list") == 2 and "HTTP 404" in table


def test_main_with_a_given_url_appends_the_report(bench, filled, marsad_home, monkeypatch, tmp_path):
    db, _ = filled
    monkeypatch.setenv("MARSAD_HOME", str(marsad_home))
    port = bench.free_port()
    process = bench.start_server([sys.executable, str(STANDIN), "--db", str(db), "--port", str(port)],
                                 dict(os.environ))
    output = tmp_path / "RESULTS_web.md"
    output.write_text("# earlier results\n", encoding="utf-8")
    try:
        code = bench.main(["--db", str(db), "--skip-fill", "--home", str(marsad_home),
                           "--url", f"http://127.0.0.1:{port}", "--requests", "10",
                           "--mix", "list, text=/api/events?per_page=50&text=shelled",
                           "--mix", "map, type=/api/map.geojson?event_type=Explosions/Remote violence",
                           "--output", str(output)])
    finally:
        bench.stop_server(process)
    assert code == 0
    report = output.read_text(encoding="utf-8")
    assert report.startswith("# earlier results\n")
    assert "| list, text |" in report and "given, http://127.0.0.1:" in report
    assert "| map, type |" in report  # the space in the query was escaped
