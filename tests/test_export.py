"""Exports: CSV in ACLED column order (formula-safe), JSONL, GeoJSON; parsed back."""

from __future__ import annotations

import csv
import io
import json

import pytest

from marsad.export import CSV_COLUMNS, defuse_formula, write_csv, write_geojson, write_jsonl
from marsad.records import ACLED_COLUMNS, Event, Evidence

NOTES = "On 12 March 2021, unidentified gunmen killed a former commander near Tafas (Dar'a)."


def tafas() -> Event:
    return Event(
        event_id="ev-a07c55e1d2f34b10", event_date="2021-03-12", time_precision=1,
        disorder_type="Political violence", event_type="Violence against civilians",
        sub_event_type="Attack", actor1="Unidentified Armed Group (Syria)", inter1=3,
        actor2="Civilians (Syria)", inter2=7, interaction=37,
        civilian_targeting="Civilian targeting", iso=760, region="Middle East", country="Syria",
        admin1="Dar'a", admin2="Dar'a", location="Tafas", latitude=32.7394, longitude=35.9722,
        geo_precision=2, source="Horan Free League; Enab Baladi", source_scale="Local-National",
        notes=NOTES, fatalities=1, injuries=2, arrests=None, confidence=0.7,
        document_ids=("doc-daraa", "doc-daraa-2"),
        evidence=(Evidence("fatalities", 20, 28, "shot dead", "doc-daraa", 0.9),),
        warnings=("place resolved from 'near Tafas'",),
    )


def unplaced() -> Event:
    return Event(
        event_id="ev-0c1d", event_date="2020-06-03", time_precision=2,
        disorder_type="Demonstrations", event_type="Protests", sub_event_type="Peaceful protest",
        actor1="Protesters (Syria)", inter1=6, interaction=60, country="Syria",
        admin1="حلب", location="", notes="تظاهر مئات في حلب", confidence=0.4,
        document_ids=("doc-ar",),
    )


def hostile() -> Event:
    return Event(
        event_id="ev-evil", event_date="2022-01-01", time_precision=1,
        disorder_type="Political violence", event_type="Battles", sub_event_type="Armed clash",
        actor1="=HYPERLINK(\"http://evil.example\",\"click\")", actor2="+cmd|' /C calc'!A0",
        assoc_actor_1="@SUM(A1:A9)", assoc_actor_2="-2+3+cmd|' /C calc'!A0",
        location="-Tafas", notes="\x1b]0;owned\x07 tab\there", admin3="\u009b31m",
        latitude=-33.5, longitude=-70.25, fatalities=3, confidence=0.5,
    )


def test_csv_header_is_acled_order_then_ours():
    out = io.StringIO()
    write_csv([], out)
    header = next(csv.reader(io.StringIO(out.getvalue())))
    assert header[: len(ACLED_COLUMNS)] == list(ACLED_COLUMNS)
    assert header[len(ACLED_COLUMNS):] == ["injuries", "arrests", "confidence", "document_ids"]
    assert tuple(header) == CSV_COLUMNS


def test_csv_round_trips_values():
    out = io.StringIO(newline="")
    assert write_csv([tafas(), unplaced()], out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert len(rows) == 2
    row = rows[0]
    assert row["event_id"] == "ev-a07c55e1d2f34b10"
    assert row["year"] == "2021"
    assert row["notes"] == NOTES
    assert float(row["latitude"]) == 32.7394 and float(row["longitude"]) == 35.9722
    assert row["fatalities"] == "1" and row["injuries"] == "2" and row["arrests"] == ""
    assert row["document_ids"] == "doc-daraa;doc-daraa-2"
    assert row["source"] == "Horan Free League; Enab Baladi"
    assert rows[1]["admin1"] == "حلب" and rows[1]["latitude"] == "" and rows[1]["geo_precision"] == ""


def test_csv_defuses_formulas_but_keeps_negative_numbers():
    out = io.StringIO(newline="")
    write_csv([hostile()], out)
    row = next(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert row["actor1"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert row["actor2"] == "'+cmd|' /C calc'!A0"
    assert row["assoc_actor_1"] == "'@SUM(A1:A9)"
    assert row["assoc_actor_2"] == "'-2+3+cmd|' /C calc'!A0"  # "-" then a digit, still a formula
    assert row["location"] == "'-Tafas"
    assert row["latitude"] == "-33.5" and row["longitude"] == "-70.25"


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("@x", "'@x"), ("-x", "'-x"), ("\t=1", "'\t=1"),
    ("-12", "-12"), ("-1.5", "-1.5"), ("-1e3", "-1e3"), ("Harim", "Harim"), ("", ""),
    ("a=b", "a=b"),
])
def test_defuse_formula(value, expected):
    assert defuse_formula(value) == expected


def test_jsonl_round_trips_events_with_evidence():
    out = io.StringIO()
    assert write_jsonl([tafas(), unplaced(), hostile()], out) == 3
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    back = [Event.from_dict(json.loads(line)) for line in lines]
    assert back == [tafas(), unplaced(), hostile()]
    assert json.loads(lines[0])["evidence"][0]["text"] == "shot dead"
    assert "حلب" in lines[1]  # readable, not \u escapes
    assert "\x1b" not in out.getvalue() and "\x9b" not in out.getvalue()


def test_geojson_is_a_feature_collection_of_points():
    out = io.StringIO()
    assert write_geojson([tafas(), unplaced()], out) == 2
    data = json.loads(out.getvalue())
    assert data["type"] == "FeatureCollection"
    first, second = data["features"]
    assert first["type"] == "Feature"
    assert first["geometry"] == {"type": "Point", "coordinates": [35.9722, 32.7394]}  # lon, lat
    assert first["properties"]["event_id"] == "ev-a07c55e1d2f34b10"
    assert first["properties"]["fatalities"] == 1
    assert first["properties"]["document_ids"] == ["doc-daraa", "doc-daraa-2"]
    assert second["geometry"] is None
    assert Event.from_dict({k: v for k, v in first["properties"].items() if k != "year"}) == tafas()


def test_geojson_empty_is_valid():
    out = io.StringIO()
    assert write_geojson([], out) == 0
    assert json.loads(out.getvalue()) == {"type": "FeatureCollection", "features": []}


def test_non_finite_numbers_become_null_in_json():
    event = Event(event_id="ev-x", event_date="", time_precision=3, disorder_type="",
                  event_type="", sub_event_type="", latitude=float("inf"), longitude=1.0,
                  confidence=float("nan"))
    out = io.StringIO()
    write_geojson([event], out)
    feature = json.loads(out.getvalue())["features"][0]
    assert feature["geometry"] is None and feature["properties"]["confidence"] is None
    out = io.StringIO()
    write_jsonl([event], out)
    assert json.loads(out.getvalue())["latitude"] is None


def test_writers_stream_from_a_generator():
    def gen():
        yield tafas()
        yield unplaced()

    for writer in (write_csv, write_jsonl, write_geojson):
        assert writer(gen(), io.StringIO()) == 2
