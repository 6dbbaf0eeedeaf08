"""Named areas and sites (marsad/geo/data/areas_sy.csv): the data file is
well formed, the bundled index holds them, and choosing treats them as
areas (a town of the same name wins in plain text; a cue like "mountain"
or "area" picks the area; precision follows the class)."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from marsad.geo import Gazetteer, bundled, normalize
from marsad.geo.resolve import NAMED_SITE_FEATURES, resolve
from marsad.records import PlaceMention, Span

from geo_support import imported_gazetteer

# Syria's extent (with a margin): every SY row of the file must lie inside.
SYRIA_BOX = (32.2, 37.5, 35.5, 42.5)  # lat min, lat max, lon min, lon max


def _file_rows() -> list[dict[str, str]]:
    text = resources.files("marsad.geo").joinpath("data", bundled.AREAS_FILE).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def test_area_file_is_well_formed():
    rows = _file_rows()
    assert len(rows) >= 50
    keys = [normalize.exact_key(r["name"]) for r in rows]
    assert len(set(keys)) == len(keys), "a name twice"
    for row in rows:
        assert row["source"].strip(), row["name"]  # where the coordinate comes from
        assert row["feature"] in NAMED_SITE_FEATURES, row
        lat, lon = float(row["latitude"]), float(row["longitude"])
        if row["country"] == "SY":
            assert SYRIA_BOX[0] <= lat <= SYRIA_BOX[1] and SYRIA_BOX[2] <= lon <= SYRIA_BOX[3], row["name"]
    # the loader reads it through the import command's CSV reader
    places = bundled.area_rows()
    assert len(places) == len(rows)
    assert len({p.place_id for p in places}) == len(places)


def _resolve_one(gaz: Gazetteer, text: str, cue: str = ""):
    mention = PlaceMention(span=Span(0, len(text), text), name=text, cue=cue)
    return resolve([mention], gaz, country_hint="SY")[0]


@pytest.mark.parametrize(("text", "expected", "precision"), [
    ("Eastern Ghouta", "Eastern Ghouta", 2),
    ("East Ghouta", "Eastern Ghouta", 2),
    ("Ghouta", "Ghouta", 2),
    ("Jabal al-Akrad", "Jabal al-Akrad", 2),
    ("Jabal al Akrad mountain", "Jabal al-Akrad", 2),
    ("T4 airbase", "Tiyas Military Airbase", 1),
    ("Kuweires airport", "Kuweires Military Airbase", 1),
    ("Sahl al-Ghab", "Sahl al-Ghab", 2),
    ("the Badia", "Syrian Desert", 3),
    ("al-Lajat", "Al-Lajat", 2),
    ("Tishrin Dam", "Tishrin Dam", 1),
    ("Jabal Arba'in", "Jabal al-Arba'in", 2),
])
def test_bundled_index_knows_named_areas(bundled_gazetteer, text, expected, precision):
    with Gazetteer.open(bundled_gazetteer) as gaz:
        place = _resolve_one(gaz, text)
    assert place.location == expected and place.country_code == "SY", place
    assert place.geo_precision == precision


def test_damascus_countryside_stays_a_governorate(bundled_gazetteer):
    """No named area (the Ghouta around Damascus) takes "X countryside"."""
    with Gazetteer.open(bundled_gazetteer) as gaz:
        place = _resolve_one(gaz, "Damascus countryside")
    assert place.geo_precision == 3 and place.place_id.startswith("adm1:SY."), place


# A village and a mountain of one name, the way reports meet them.
CSV_TEXT = """name,alternate_names,latitude,longitude,admin1,admin2,country,feature,population
Kafr Zita,,35.37,36.60,Hama,,SY,populated,0
Zawiya,Jabal Zawiya,35.68,36.54,Idlib,,SY,mountain,0
Zawiya,,35.10,36.20,Hama,,SY,populated,0
"""


def test_a_town_beats_an_area_of_its_name_unless_the_cue_says_area(tmp_path, monkeypatch):
    with imported_gazetteer(tmp_path, monkeypatch, CSV_TEXT) as gaz:
        plain = _resolve_one(gaz, "Zawiya")
        mountain = _resolve_one(gaz, "Zawiya mountain")
    assert plain.latitude == pytest.approx(35.10) and plain.geo_precision == 1
    assert mountain.latitude == pytest.approx(35.68) and mountain.geo_precision == 2


@pytest.mark.parametrize(("name", "cue", "expected"), [
    ("Ghouta", "eastern", "Eastern Ghouta"),
    ("Ghouta", "western", "Western Ghouta"),
    ("Qalamoun", "east", "Eastern Qalamoun"),
])
def test_a_direction_cue_that_is_part_of_an_area_name(bundled_gazetteer, name, cue, expected):
    """"Eastern Ghouta" written as cue + name (how mentions and UCDP rows
    split it) is the area of the whole name; "northern Idlib" stays Idlib."""
    with Gazetteer.open(bundled_gazetteer) as gaz:
        place = _resolve_one(gaz, name, cue)
        idlib = _resolve_one(gaz, "Idlib", "northern")
    assert place.location == expected and place.geo_precision == 2
    assert normalize.admin_key(idlib.location) == normalize.admin_key("Idlib")
