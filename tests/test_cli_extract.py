"""`marsad extract` end to end, then `events`, `show` and `export` on what it stored.

Commands run through the console entry point (``marsad.cli.main`` around
``marsad.cli.cli``) inside click's test runner, so exit codes and the
one-line error mapping are the ones a user sees. Every run uses its own
``--db`` and a ``MARSAD_HOME`` holding the session's gazetteer index.
"""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
import sqlite3
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scale_helpers import integrity

from marsad.cli import main as cli_main
from marsad.records import ACLED_COLUMNS, OUR_COLUMNS, Event
from marsad.store import Store

REPORTS = Path(__file__).parent / "data" / "reports"
SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"
SAMPLE = SAMPLES / "sohr-hts-security-campaign.txt"
SAMPLE_EXPECTED = SAMPLES / "sohr-hts-security-campaign.expected.json"
FEED_IDS = {"feed-yemen-1", "feed-mali-1", "feed-pk-1"}
# 7 .txt reports, 1 .html page, 3 JSONL records
FOLDER_DOCUMENTS = 11
GOOD = "kidnapping-nigeria.txt"


class _Entry:
    """What the ``marsad`` console script runs, in a shape CliRunner invokes."""

    name = "marsad"

    def main(self, args, prog_name=None, **extra):
        return cli_main(list(args))


def run(*args: str | Path, input: bytes | str | None = None) -> Result:
    result = CliRunner().invoke(_Entry(), [str(a) for a in args], input=input)
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def counts(db: Path) -> tuple[int, int]:
    conn = sqlite3.connect(db)
    try:
        return (conn.execute("SELECT count(*) FROM documents").fetchone()[0],
                conn.execute("SELECT count(*) FROM events").fetchone()[0])
    finally:
        conn.close()


def all_events(db: Path) -> list[Event]:
    with Store.open(db, create=False) as store:
        return store.events(limit=None)


def last_run(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT max(id) FROM runs").fetchone()[0]
    finally:
        conn.close()


def skipped_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("marsad: skipped ")]


@pytest.fixture
def home(marsad_home, monkeypatch) -> Path:
    monkeypatch.setenv("MARSAD_HOME", str(marsad_home))
    monkeypatch.delenv("MARSAD_DB", raising=False)
    return marsad_home


# --------------------------------------------------------------------------
# 1. the sample article, OCHA places imported
# --------------------------------------------------------------------------


def test_sample_article_gives_its_three_events(ocha_home, tmp_path, monkeypatch) -> None:
    if not SAMPLE.is_file() or not SAMPLE_EXPECTED.is_file():
        pytest.skip(f"{SAMPLE} absent")
    monkeypatch.setenv("MARSAD_HOME", str(ocha_home))
    monkeypatch.delenv("MARSAD_DB", raising=False)
    report = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, report)  # read from ../shared at test time, never kept in the repository
    db = tmp_path / "x.db"

    result = run("extract", report, "--published", "2020-05-05", "--db", db, "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    printed = [Event.from_dict(json.loads(line)) for line in result.stdout.splitlines()]
    events = all_events(db)
    assert sorted(e.event_id for e in printed) == sorted(e.event_id for e in events)

    coded = sorted((e.event_type, e.sub_event_type, e.actor1, e.location) for e in events)
    assert coded == [
        ("Protests", "Protest with intervention", "Protesters (Syria)", "Atma"),
        ("Strategic developments", "Arrests", "Hayat Tahrir al-Sham", "Atma"),
        ("Strategic developments", "Arrests", "Hayat Tahrir al-Sham", "Harim"),
    ]
    by_key = {(e.sub_event_type, e.location): e for e in events}
    assert by_key["Arrests", "Harim"].arrests == 6
    assert by_key["Arrests", "Atma"].arrests == 10
    protest = by_key["Protest with intervention", "Atma"]
    assert protest.actor2 == "Hayat Tahrir al-Sham"

    expected = json.loads(SAMPLE_EXPECTED.read_text(encoding="utf-8"))
    where = {e["location"]: (e["latitude"], e["longitude"]) for e in expected["events"]}
    for event in events:
        assert event.admin1 == "Idleb" and event.country == "Syria"
        assert event.event_date.startswith("2020-05-")
        assert km(event.latitude, event.longitude, *where[event.location]) < 10, event.location
        assert 0 < event.confidence <= 1

    doc_ids = {d for e in events for d in e.document_ids}
    assert len(doc_ids) == 1
    with Store.open(db, create=False) as store:
        doc = store.get_document(doc_ids.pop())
    assert doc is not None and doc.text
    assert "You might also like" not in doc.text
    assert "cookie" not in doc.text.lower() and "opt-out" not in doc.text
    assert "Harem town in Idlib countryside" in doc.text
    for event in events:
        assert any(e.field == "sub_event_type" for e in event.evidence)
        for evidence in event.evidence:
            assert 0 <= evidence.start < evidence.end <= len(doc.text)
            assert doc.text[evidence.start:evidence.end] == evidence.text


# --------------------------------------------------------------------------
# 4. a folder of .txt, .html and .jsonl, then browse and export it
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stored(marsad_home, tmp_path_factory):
    """The reports folder extracted once into a database: (db, result, inputs)."""
    base = tmp_path_factory.mktemp("stored")
    inputs = base / "reports"
    shutil.copytree(REPORTS, inputs)
    db = base / "marsad.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MARSAD_HOME", str(marsad_home))
        mp.delenv("MARSAD_DB", raising=False)
        result = run("extract", inputs, "--published", "2021-05-03", "--db", db)
    return db, result, inputs


def test_extract_folder_stores_every_kind(stored) -> None:
    db, result, _ = stored
    assert result.exit_code == 0, result.stderr
    assert skipped_lines(result.stderr) == []
    assert f"{FOLDER_DOCUMENTS} document(s) processed" in result.stderr
    docs, n_events = counts(db)
    assert docs == FOLDER_DOCUMENTS
    assert n_events >= 10
    assert integrity(db) == "ok"
    with Store.open(db, create=False) as store:
        kinds = {}
        for doc_id in FEED_IDS:
            doc = store.get_document(doc_id)
            assert doc is not None and doc.origin.endswith(tuple(f"feed.jsonl:{i}" for i in (1, 2, 3)))
            kinds[doc_id] = doc.kind
        assert kinds["feed-mali-1"] == "html" and kinds["feed-yemen-1"] == "text"
        html_events = [e for e in store.events(limit=None)
                       if any(store.get_document(d).kind == "html" and store.get_document(d).origin.endswith(".html")
                              for d in e.document_ids)]
        assert html_events, "the HTML page gave no event"
        page = store.get_document(html_events[0].document_ids[0])
        assert "Turkish drone struck a vehicle" in page.text
        assert "cookie" not in page.text.lower() and "Related articles" not in page.text
        assert page.published is not None and page.published.isoformat() in ("2022-08-09", "2021-05-03")
    # the table printed by extract lists every event
    table_ids = {line.split()[0] for line in result.stdout.splitlines()[1:] if line.strip()}
    assert {e.event_id[:12] for e in all_events(db)} == table_ids


def _json_events(db: Path, *filters: str) -> tuple[int, list[Event]]:
    result = run("events", "--db", db, "--format", "json", "--limit", "500", *filters)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    return data["total"], [Event.from_dict(e) for e in data["events"]]


def test_events_lists_and_filters(stored) -> None:
    db, _, _ = stored
    every = all_events(db)
    total, listed = _json_events(db)
    assert total == len(every) == len(listed)
    assert {e.event_id for e in listed} == {e.event_id for e in every}

    table = run("events", "--db", db)
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].startswith("ID") and "TYPE / SUB-TYPE" in lines[0]
    assert lines[-1] == f"{len(every)} of {len(every)} events"
    assert len(lines) == len(every) + 2

    def check(filters: tuple[str, ...], keep) -> None:
        wanted = {e.event_id for e in every if keep(e)}
        assert wanted and len(wanted) < len(every), filters  # the filter must select something, not all
        n, got = _json_events(db, *filters)
        assert n == len(got) and {e.event_id for e in got} == wanted, filters

    check(("--type", "Protests"), lambda e: e.event_type == "Protests")
    check(("--type", "protests"), lambda e: e.event_type == "Protests")  # any ASCII case
    check(("--country", "Nigeria"), lambda e: e.country == "Nigeria")
    with Store.open(db, create=False) as store:
        village_docs = {d for e in every for d in e.document_ids if "villagers" in store.get_document(d).text}
    assert len(village_docs) == 1
    check(("--text", "villagers"), lambda e: bool(village_docs & set(e.document_ids)))

    none = run("events", "--db", db, "--country", "Atlantis")
    assert none.exit_code == 0 and none.stdout.strip().endswith("0 of 0 events")


def test_show_by_prefix_shows_evidence(stored) -> None:
    db, _, _ = stored
    event = next(e for e in all_events(db) if e.country == "Nigeria")
    result = run("show", event.event_id[:8], "--db", db)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "event_id" in out and event.event_id in out
    assert f"Evidence ({len(event.evidence)}):" in out
    for evidence in event.evidence:
        assert evidence.text in out
    # not a terminal: the words are marked [[...]] inside their sentence
    sub = next(e for e in event.evidence if e.field == "sub_event_type")
    assert f"[[{sub.text}]]" in out
    assert "Documents (1):" in out and GOOD in out

    missing = run("show", "zzzzzz", "--db", db)
    assert missing.exit_code == 2
    assert missing.stderr.strip().count("\n") == 0 and "zzzzzz" in missing.stderr


def test_show_gives_every_evidence_its_document_and_sentence(stored) -> None:
    db, _, _ = stored
    event = next(e for e in all_events(db) if e.country == "Nigeria")
    assert any(e.field == "actor1" for e in event.evidence)
    result = run("show", event.event_id, "--db", db)
    assert result.exit_code == 0
    assert "no document" not in result.stdout
    doc_id = event.document_ids[0]
    for evidence in event.evidence:
        assert evidence.doc_id == doc_id, evidence
        assert f"{evidence.field} ({evidence.confidence:.2f}, {doc_id} {evidence.start}-{evidence.end}):" in result.stdout


def test_export_formats_parse_back(stored, tmp_path) -> None:
    db, _, _ = stored
    every = {e.event_id: e for e in all_events(db)}

    csv_out = run("export", "--format", "csv", "--db", db)
    assert csv_out.exit_code == 0, csv_out.stderr
    reader = csv.DictReader(io.StringIO(csv_out.stdout))
    assert tuple(reader.fieldnames[:len(ACLED_COLUMNS)]) == ACLED_COLUMNS
    assert set(OUR_COLUMNS) <= set(reader.fieldnames)
    rows = list(reader)
    assert {r["event_id"] for r in rows} == set(every)
    for row in rows:
        event = every[row["event_id"]]
        assert (row["event_type"], row["sub_event_type"], row["actor1"], row["country"]) == (
            event.event_type, event.sub_event_type, event.actor1, event.country)
        assert int(row["fatalities"]) == event.fatalities

    target = tmp_path / "out.jsonl"
    jsonl_out = run("export", "--format", "jsonl", "--db", db, "--output", target)
    assert jsonl_out.exit_code == 0 and f"exported {len(every)} events" in jsonl_out.stderr
    back = [Event.from_dict(json.loads(line)) for line in target.read_text(encoding="utf-8").splitlines()]
    assert {e.event_id: e for e in back} == every  # fields, evidence and document ids round-trip

    geo_out = run("export", "--format", "geojson", "--db", db)
    assert geo_out.exit_code == 0
    collection = json.loads(geo_out.stdout)
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert {f["properties"]["event_id"] for f in features} == set(every)
    assert len(features) == len(every)
    placed = 0
    for feature in features:
        event = every[feature["properties"]["event_id"]]
        if event.latitude is None or event.longitude is None:
            assert feature["geometry"] is None  # unplaced: null geometry
            continue
        placed += 1
        assert feature["geometry"]["type"] == "Point"
        assert feature["geometry"]["coordinates"] == pytest.approx([event.longitude, event.latitude])
    assert placed >= 8


def test_extract_jsonl_to_stdout(home, tmp_path) -> None:
    db = tmp_path / "x.db"
    result = run("extract", REPORTS / "feed.jsonl", "--format", "jsonl", "--output", "-", "--db", db)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) >= 3
    for line in lines:
        event = json.loads(line)  # every line is one JSON event, nothing else
        assert event["event_type"] and event["document_ids"]
        assert set(event["document_ids"]) <= FEED_IDS
    assert {d for line in lines for d in json.loads(line)["document_ids"]} == FEED_IDS
    assert counts(db) == (3, len(lines))


def test_no_store_writes_nothing(home, tmp_path) -> None:
    db = tmp_path / "never.db"
    result = run("extract", REPORTS / GOOD, "--published", "2021-05-03", "--no-store",
                 "--db", db, "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line)["event_date"] for line in result.stdout.splitlines()] == ["2021-05-02"]
    assert not db.exists()
    assert not any(home.glob("*.db")) and not any(tmp_path.iterdir())


# --------------------------------------------------------------------------
# 5. idempotency
# --------------------------------------------------------------------------


def test_extract_twice_adds_nothing(stored, marsad_home, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MARSAD_HOME", str(marsad_home))
    db, _, inputs = stored
    local = tmp_path / "twice.db"
    shutil.copy(db, local)
    before = counts(local)
    again = run("extract", inputs, "--published", "2021-05-03", "--db", local)
    assert again.exit_code == 0, again.stderr
    assert f"({FOLDER_DOCUMENTS} already stored)" in again.stderr
    assert counts(local) == before

    # the same report with a BOM and Windows line ends is the same document
    text = (inputs / GOOD).read_text(encoding="utf-8")
    variant = tmp_path / "copy" / "same-report.txt"
    variant.parent.mkdir()
    variant.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    third = run("extract", variant, "--published", "2021-05-03", "--db", local)
    assert third.exit_code == 0, third.stderr
    assert "(1 already stored)" in third.stderr
    assert counts(local) == before
    assert integrity(local) == "ok"


# --------------------------------------------------------------------------
# 6. bad input: one line naming the file, the right exit code, the rest kept
# --------------------------------------------------------------------------


def _bad_html() -> str:
    return ("<html><head><title>Raid in Homs</title><body><div class=story><p>On 2 May 2021, "
            "security forces <b>raided the Bab Amr district of Homs city and arrested seven young men, "
            "activists said.<p>Families said the men were taken to an unknown location.</div></table>"
            "</span><script>var x = '<p>not text</p>'</body></html><p>trailing</p></html>")


BAD_INPUTS = {
    # name -> (file name, bytes, expected words in the stderr line, origin suffix)
    "empty": ("empty.txt", b"", "empty file", ""),
    "blank": ("blank.txt", b"  \n\n\t \r\n", "empty file", ""),
    "binary": ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "binary", ""),
    "jsonl-not-json": ("feed.jsonl",
                       b'{"id": "ok-1", "published": "2021-05-03", "text": "Gunmen yesterday kidnapped 5 '
                       b'farmers in Gusau town, police said."}\n{"id": "bad", "text": \n',
                       "not valid JSON", ":2"),
    "jsonl-no-text": ("feed.jsonl",
                      b'{"id": "ok-1", "published": "2021-05-03", "text": "Gunmen yesterday kidnapped 5 '
                      b'farmers in Gusau town, police said."}\n\n{"id": "notext", "title": "only a title"}\n',
                      'no "text"', ":3"),
}


@pytest.fixture
def seeded_db(home, tmp_path) -> Path:
    """A database already holding one report, to check it survives."""
    db = tmp_path / "seeded.db"
    first = run("extract", REPORTS / "two-towns.txt", "--published", "2021-04-22", "--db", db, "--format", "none")
    assert first.exit_code == 0, first.stderr
    assert counts(db)[0] == 1
    return db


def _folder_with(tmp_path: Path, name: str, data: bytes) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(REPORTS / GOOD, folder / "a-good.txt")
    (folder / name).write_bytes(data)
    (folder / "z-good.txt").write_text((REPORTS / "protest-europe.txt").read_text(encoding="utf-8"),
                                       encoding="utf-8")
    return folder


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_and_the_rest_goes_on(case, seeded_db, tmp_path) -> None:
    name, data, words, suffix = BAD_INPUTS[case]
    folder = _folder_with(tmp_path, name, data)
    docs_before, events_before = counts(seeded_db)

    result = run("extract", folder, "--published", "2021-05-03", "--db", seeded_db)
    assert result.exit_code == 1, result.stderr
    lines = skipped_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"marsad: skipped {folder / name}{suffix}: ")
    assert words in lines[0]
    good = 3 if name.endswith(".jsonl") else 2
    assert f"{good} document(s) processed" in result.stderr
    docs, n_events = counts(seeded_db)
    assert docs == docs_before + good and n_events > events_before
    assert integrity(seeded_db) == "ok"
    with Store.open(seeded_db, create=False) as store:
        origins = {store.get_document(d).origin for e in store.events(limit=None) for d in e.document_ids}
        # the run recorded what it skipped
        problems = store.get_run(last_run(seeded_db)).problems
    assert str(folder / "a-good.txt") in origins and str(folder / "z-good.txt") in origins
    assert any(p.origin == f"{folder / name}{suffix}" for p in problems)


def test_undecodable_bytes_are_read_as_legacy_text(home, tmp_path) -> None:
    """Bytes that are not UTF-8 are not a reason to lose a report: they are
    decoded as Windows-1252 (ingest's documented fallback)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "latin.txt").write_bytes(
        "On 2 May 2021, police arrested four students during a protest in Besançon city, "
        "organisers said.\n".encode("cp1252") + b"Stray bytes: \x81\x8d\xff\xfe\n")
    shutil.copy(REPORTS / GOOD, folder / "good.txt")
    db = tmp_path / "x.db"
    result = run("extract", folder, "--published", "2021-05-03", "--db", db)
    assert result.exit_code == 0, result.stderr
    assert skipped_lines(result.stderr) == []
    with Store.open(db, create=False) as store:
        texts = [store.get_document(d).text for e in store.events(limit=None) for d in e.document_ids]
    assert any("Besançon" in t for t in texts), texts


def test_malformed_html_is_cleaned_not_fatal(home, tmp_path) -> None:
    folder = _folder_with(tmp_path, "broken.html", _bad_html().encode("utf-8"))
    db = tmp_path / "x.db"
    result = run("extract", folder, "--published", "2021-05-03", "--db", db)
    assert result.exit_code == 0, result.stderr
    assert skipped_lines(result.stderr) == []
    assert counts(db)[0] == 3 and integrity(db) == "ok"
    conn = sqlite3.connect(db)
    try:
        text = conn.execute("SELECT text FROM documents WHERE origin = ?",
                            (str(folder / "broken.html"),)).fetchone()[0]
    finally:
        conn.close()
    assert "raided the Bab Amr district of Homs city" in text
    assert "not text" not in text and "<p>" not in text and "<b>" not in text


def _page(size: int) -> bytes:
    paragraph = ("<p>On 2 May 2021, police arrested six protesters in Homs city after a rally "
                 "against fuel prices, activists said.</p>\n").encode("utf-8")
    body = paragraph * (size // len(paragraph) + 1)
    return b"<html><body>" + body[:size] + b"</body></html>"


def test_page_over_max_bytes_is_skipped(seeded_db, tmp_path) -> None:
    folder = _folder_with(tmp_path, "huge.html", _page(2_000_000))
    result = run("extract", folder, "--published", "2021-05-03", "--db", seeded_db, "--max-bytes", "1000000")
    assert result.exit_code == 1, result.stderr
    (line,) = skipped_lines(result.stderr)
    assert line.startswith(f"marsad: skipped {folder / 'huge.html'}: ") and "--max-bytes" in line
    assert counts(seeded_db)[0] == 3 and integrity(seeded_db) == "ok"


def test_50mb_page_is_refused_at_the_default_limit_without_reading_it(home, tmp_path) -> None:
    page = tmp_path / "archive.html"
    with open(page, "wb") as fh:
        fh.write(_page(1_000_000))
        fh.truncate(50 * 1024 * 1024)  # the rest is a hole: quick to make, 50 MB to read
    assert page.stat().st_size == 50 * 1024 * 1024

    # the ingest stage alone, measured: refusing must not mean reading
    from marsad.ingest import iter_inputs
    from marsad.records import InputProblem

    tracemalloc.start()
    try:
        items = list(iter_inputs([str(page)]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(items) == 1 and isinstance(items[0], InputProblem)
    assert peak < 5_000_000, f"{peak} bytes allocated: the page was read"

    db = tmp_path / "x.db"
    result = run("extract", page, "--published", "2021-05-03", "--db", db)
    assert result.exit_code == 2, result.stderr
    (line,) = skipped_lines(result.stderr)
    assert line.startswith(f"marsad: skipped {page}: ") and "over the limit" in line and "50 MB" in line
    assert "marsad: nothing could be processed" in result.stderr
    assert counts(db) == (0, 0) and integrity(db) == "ok"


def test_folder_without_usable_files(home, tmp_path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "readme.md").write_text("# notes\n")
    (folder / "data.csv").write_text("a,b\n1,2\n")
    (folder / ".hidden.txt").write_text("On 2 May 2021, gunmen kidnapped 3 traders in Kaduna city.\n")
    result = run("extract", folder, "--db", tmp_path / "x.db")
    assert result.exit_code == 2
    (line,) = skipped_lines(result.stderr)
    assert str(folder) in line and "no usable files" in line


def test_only_bad_files_is_exit_2_and_keeps_the_store(seeded_db, tmp_path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "bin.html").write_bytes(b"\x00\x01\x02" * 100)
    before = counts(seeded_db)
    result = run("extract", folder, "--db", seeded_db)
    assert result.exit_code == 2
    assert len(skipped_lines(result.stderr)) == 2
    assert "marsad: nothing could be processed" in result.stderr
    assert counts(seeded_db) == before and integrity(seeded_db) == "ok"


def test_unwritable_db_is_one_line(home, tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    db = blocker / "x.db"
    result = run("extract", REPORTS / GOOD, "--db", db)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("marsad: error: ") and str(db) in lines[0]


def test_published_must_be_a_date(home, tmp_path) -> None:
    db = tmp_path / "x.db"
    result = run("extract", REPORTS / GOOD, "--published", "notadate", "--db", db)
    assert result.exit_code == 2
    assert "--published" in result.stderr and "notadate" in result.stderr
    assert not db.exists()


def test_missing_input_is_skipped_with_its_name(home, tmp_path) -> None:
    db = tmp_path / "x.db"
    result = run("extract", tmp_path / "nope.txt", REPORTS / GOOD, "--published", "2021-05-03", "--db", db)
    assert result.exit_code == 1
    (line,) = skipped_lines(result.stderr)
    assert str(tmp_path / "nope.txt") in line and "no such file" in line
    assert counts(db)[0] == 1


# --------------------------------------------------------------------------
# 7. the entry points
# --------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["module", "script"])
def test_help_from_the_entry_points(how) -> None:
    if how == "module":
        cmd = [sys.executable, "-m", "marsad", "--help"]
    else:
        script = Path(sys.executable).parent / "marsad"
        if not script.exists():
            pytest.skip("marsad console script not installed next to the interpreter")
        cmd = [str(script), "--help"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Usage: marsad")
    for command in ("extract", "events", "show", "export", "gazetteer"):
        assert f"  {command} " in proc.stdout
    assert proc.stderr == ""
