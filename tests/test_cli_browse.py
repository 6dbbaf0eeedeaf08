"""`marsad events`, `marsad show`, `marsad export` through click's test runner."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from marsad.cli import cli
from marsad.cli import browse
from marsad.cli.common import parse_date_bound, render_events_table, terminal_safe
from marsad.errors import StoreError
from marsad.records import CleanDocument, Document, DocumentResult, Event, Evidence
from marsad.store import Store

ATMEH = ("Hundreds protested in Atmeh against rising bread prices on 3 June 2020. "
         "Police fired tear gas and detained 4 people. Shops stayed closed.")
HARIM = ("Hayat Tahrir al-Sham arrested six foreign fighters in Harim town on Tuesday. "
         "\x1b]0;pwned\x07Residents said the raid lasted two hours.")


def span(text: str, words: str, field: str, doc_id: str) -> Evidence:
    start = text.index(words)
    return Evidence(field, start, start + len(words), words, doc_id, 0.9)


def protest() -> Event:
    return Event(
        event_id="5512bb90c4e8aa01ffee", event_date="2020-06-03", time_precision=1,
        disorder_type="Demonstrations", event_type="Protests",
        sub_event_type="Protest with intervention", actor1="Protesters (Syria)", inter1=6,
        actor2="Police Forces of Syria (2000-)", inter2=1, interaction=16, iso=760,
        country="Syria", admin1="Idleb", location="Atma", latitude=36.3296, longitude=36.6548,
        geo_precision=1, source="SOHR", source_scale="Other",
        notes="On 3 June 2020, hundreds protested against bread prices in Atma (Idleb); police used tear gas.",
        fatalities=0, arrests=4, confidence=0.65, document_ids=("doc-atmeh",),
        evidence=(span(ATMEH, "fired tear gas", "sub_event_type", "doc-atmeh"),
                  span(ATMEH, "detained 4 people", "arrests", "doc-atmeh")),
    )


def arrests() -> Event:
    return Event(
        event_id="3f9a1c0d7e2b44aa0011", event_date="2020-05-05", time_precision=1,
        disorder_type="Strategic developments", event_type="Strategic developments",
        sub_event_type="Arrests", actor1="Hayat Tahrir al-Sham", inter1=2,
        actor2="Civilians (Syria)\x1b[2J", inter2=7, interaction=27, iso=760, country="Syria",
        admin1="Idleb", location="Harim", latitude=36.2076, longitude=36.5192, geo_precision=1,
        source="Enab Baladi", notes="On 5 May 2020, HTS arrested 6 foreign fighters in Harim (Idleb).",
        arrests=6, confidence=0.8, document_ids=("doc-harim",),
        evidence=(span(HARIM, "Hayat Tahrir al-Sham", "actor1", "doc-harim"),
                  span(HARIM, "raid", "notes", "doc-harim")),
    )


def baghdad() -> Event:
    return Event(
        event_id="3f9a77770000", event_date="2021-01-21", time_precision=1,
        disorder_type="Political violence", event_type="Explosions/Remote violence",
        sub_event_type="Suicide bomb", actor1="Islamic State (Iraq)", inter1=2,
        actor2="Civilians (Iraq)", inter2=7, interaction=27, iso=368, country="Iraq",
        admin1="Baghdad", location="Baghdad", latitude=33.3406, longitude=44.4009,
        geo_precision=1, notes="=cmd|' /C calc'!A0", fatalities=32, injuries=110,
        confidence=0.9, document_ids=("doc-baghdad",),
    )


def doc_result(doc_id: str, text: str, event: Event) -> DocumentResult:
    return DocumentResult(
        document=Document(id=doc_id, raw=text, title=f"Report {doc_id}", url=f"https://example.org/{doc_id}",
                          source="Local outlet", origin=f"in/{doc_id}.txt", published=date(2020, 6, 4)),
        clean=CleanDocument(doc_id=doc_id, text=text, title=f"Report {doc_id}", published=date(2020, 6, 4)),
        events=(event,),
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "marsad.db"
    with Store.open(path) as store:
        store.save_results([
            doc_result("doc-atmeh", ATMEH, protest()),
            doc_result("doc-harim", HARIM, arrests()),
            doc_result("doc-baghdad", "A suicide bomber struck a market in Baghdad.", baghdad()),
        ], store.begin_run({}))
    return path


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), standalone_mode=False, catch_exceptions=True)
    return result


def ok(*args: str):
    result = run(*args)
    assert result.exception is None, result.output
    assert result.return_value == 0
    return result


def test_events_table_and_count(db):
    out = ok("events", "--db", str(db)).output
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["ID", "DATE", "TYPE"]
    assert "5512bb90c4e8" in out and "5512bb90c4e8aa01ffee" not in out  # short ids
    assert "Protests / Protest with intervention" in out
    assert "Atma (Idleb)" in out and "36.3296,36.6548" in out
    assert "32/110/-" in out and "0/-/4" in out
    assert lines[-1] == "3 of 3 events"
    assert [l[:12] for l in lines[1:4]] == ["3f9a77770000", "5512bb90c4e8", "3f9a1c0d7e2b"]  # newest first


def test_events_never_print_control_characters(db):
    out = ok("events", "--db", str(db)).output
    assert "\x1b" not in out
    assert "Civilians (Syria)[2J" in out


@pytest.mark.parametrize("args, expected", [
    (["--from", "2020-06"], {"5512bb90c4e8", "3f9a77770000"}),
    (["--to", "2020-05"], {"3f9a1c0d7e2b"}),
    (["--from", "2020", "--to", "2020"], {"5512bb90c4e8", "3f9a1c0d7e2b"}),
    (["--type", "protests"], {"5512bb90c4e8"}),
    (["--sub-type", "Suicide bomb"], {"3f9a77770000"}),
    (["--actor", "tahrir"], {"3f9a1c0d7e2b"}),
    (["--country", "Iraq"], {"3f9a77770000"}),
    (["--admin1", "idleb"], {"5512bb90c4e8", "3f9a1c0d7e2b"}),
    (["--text", "tear gas"], {"5512bb90c4e8"}),
    (["--text", "market"], {"3f9a77770000"}),
    (["--country", "Syria' OR '1'='1"], set()),
])
def test_events_filters(db, args, expected):
    result = ok("events", "--db", str(db), "--format", "jsonl", *args)
    got = {json.loads(line)["event_id"][:12] for line in result.output.splitlines()}
    assert got == expected


def test_events_limit_offset_and_json(db):
    data = json.loads(ok("events", "--db", str(db), "--format", "json", "--limit", "1", "--offset", "1").output)
    assert data["total"] == 3 and len(data["events"]) == 1
    assert data["events"][0]["event_id"] == "5512bb90c4e8aa01ffee"
    out = ok("events", "--db", str(db), "--limit", "2").output
    assert out.splitlines()[-1] == "2 of 3 events"


def test_events_no_match(db):
    out = ok("events", "--db", str(db), "--country", "Yemen").output
    assert out.strip() == "0 of 0 events"


def test_bad_date_is_a_usage_error(db):
    result = run("events", "--db", str(db), "--from", "last week")
    assert isinstance(result.exception, click.BadParameter)
    assert "YYYY-MM-DD" in str(result.exception)


def test_missing_database_is_not_created(tmp_path):
    missing = tmp_path / "nope.db"
    for args in (["events"], ["show", "abc"], ["export", "--format", "csv"]):
        result = run(*args, "--db", str(missing))
        assert isinstance(result.exception, StoreError)
        assert str(result.exception) == f"no database at {missing} (run marsad extract first)"
    assert not missing.exists()


def test_db_from_environment(db, monkeypatch):
    monkeypatch.setenv("MARSAD_DB", str(db))
    assert ok("events").output.splitlines()[-1] == "3 of 3 events"


def test_show_by_prefix_with_highlighted_evidence(db):
    out = ok("show", "5512", "--db", str(db)).output
    assert "event_id" in out and "5512bb90c4e8aa01ffee" in out
    assert "Protest with intervention" in out and "arrests" in out
    assert "Police [[fired tear gas]] and detained 4 people." in out
    assert "Police fired tear gas and [[detained 4 people]]." in out
    assert "doc-atmeh" in out and "https://example.org/doc-atmeh" in out and "Report doc-atmeh" in out


def test_show_uses_ansi_on_a_terminal_and_strips_article_controls(db, monkeypatch):
    monkeypatch.setattr(browse, "_stdout_is_tty", lambda: True)
    out = ok("show", "3f9a1c", "--db", str(db)).output
    assert "\x1b[1;4mHayat Tahrir al-Sham\x1b[0m" in out
    assert "\x1b[1;4mraid\x1b[0m" in out
    assert "]0;pwned" in out  # the article's OSC sequence is shown inert
    assert "\x1b]" not in out and "\x07" not in out and "\x1b[2J" not in out


def test_show_ambiguous_and_unknown(db):
    result = run("show", "3f9a", "--db", str(db))
    assert result.return_value == 2 and "several events" in result.output
    result = run("show", "zzzz", "--db", str(db))
    assert result.return_value == 2 and "no event" in result.output


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "geojson"])
def test_export_to_file_parses_back(db, tmp_path, fmt):
    target = tmp_path / f"out.{fmt}"
    result = ok("export", "--format", fmt, "--output", str(target), "--db", str(db))
    assert "exported 3 events" in result.output
    text = target.read_text(encoding="utf-8")
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        assert [r["event_id"] for r in rows] == ["3f9a1c0d7e2b44aa0011", "5512bb90c4e8aa01ffee", "3f9a77770000"]
        assert rows[2]["notes"].startswith("'=")
        assert rows[1]["document_ids"] == "doc-atmeh"
    elif fmt == "jsonl":
        events = [Event.from_dict(json.loads(line)) for line in text.splitlines()]
        assert events == [arrests(), protest(), baghdad()]
    else:
        data = json.loads(text)
        assert len(data["features"]) == 3
        assert data["features"][0]["geometry"]["coordinates"] == [36.5192, 36.2076]


def test_export_to_stdout_with_filters(db):
    out = ok("export", "--format", "jsonl", "--country", "Syria", "--from", "2020-06-01", "--db", str(db)).output
    assert [json.loads(line)["event_id"] for line in out.splitlines()] == ["5512bb90c4e8aa01ffee"]


def test_export_needs_a_format(db):
    result = run("export", "--db", str(db))
    assert isinstance(result.exception, click.MissingParameter)
    assert "--format" in result.exception.format_message()


def test_failed_export_keeps_the_previous_file(db, tmp_path, monkeypatch):
    target = tmp_path / "keep.csv"
    target.write_text("previous export\n")

    def broken(events, fp):
        fp.write("half")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("marsad.export.WRITERS", {"csv": broken})
    result = run("export", "--format", "csv", "--output", str(target), "--db", str(db))
    assert isinstance(result.exception, RuntimeError)
    assert target.read_text() == "previous export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".keep")] == []


def test_parse_date_bound():
    assert parse_date_bound("2020", end=False) == date(2020, 1, 1)
    assert parse_date_bound("2020", end=True) == date(2020, 12, 31)
    assert parse_date_bound("2020-02", end=True) == date(2020, 2, 29)
    assert parse_date_bound("2021-12", end=True) == date(2021, 12, 31)
    assert parse_date_bound("2020-05-05", end=True) == date(2020, 5, 5)
    with pytest.raises(ValueError):
        parse_date_bound("2020-13", end=False)


def test_terminal_safe_and_table_helpers():
    assert terminal_safe("a\x1b[31mb\x9b\x07c\nd\te\x00") == "a[31mbc\nd\te"
    assert render_events_table([]) == ""
    table = render_events_table([protest()])
    assert table.splitlines()[1].startswith("5512bb90c4e8  2020-06-03")


def test_entry_point_reports_one_line_and_exit_code(tmp_path, capsys):
    from marsad.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["events", "--db", str(tmp_path / "nope.db")])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("marsad: error: no database at") and err.count("\n") == 1


def test_entry_point_exit_codes_for_show(db, capsys):
    from marsad.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["show", "nothing-like-this", "--db", str(db)])
    assert stop.value.code == 2
    with pytest.raises(SystemExit) as stop:
        main(["show", "5512", "--db", str(db)])
    assert stop.value.code == 0


def test_csv_export_to_a_terminal_is_stripped_of_controls(db, monkeypatch):
    monkeypatch.setattr(browse, "_stdout_is_tty", lambda: True)
    out = ok("export", "--format", "csv", "--db", str(db)).output
    assert "\x1b" not in out and "Civilians (Syria)[2J" in out
