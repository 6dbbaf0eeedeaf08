"""The bundled gazetteer and the real OCHA / UCDP files from ../shared.

The bundled index is built once per session (~20 s). Tests needing
../shared skip cleanly when it is absent; nothing from it is copied."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from marsad.geo import Gazetteer, distance_km, resolve
from marsad.geo.importers import import_files
from marsad.geo.index import build_bundled
from marsad.records import PlaceMention, Span

SHARED = Path(__file__).parents[1] / ".." / "shared"
OCHA = SHARED / "gazetteer" / "ocha_syr" / "syr_locations.csv"
UCDP = SHARED / "gold" / "dev" / "ucdp_ged_syria_2016_2019.csv"


@pytest.fixture(scope="session")
def bundled_index(tmp_path_factory) -> Path:
    return build_bundled(tmp_path_factory.mktemp("bundled") / "gazetteer" / "index.sqlite")


@pytest.fixture(scope="session")
def ocha_index(bundled_index, tmp_path_factory) -> Path:
    if not OCHA.exists():
        pytest.skip("../shared/gazetteer/ocha_syr absent")
    target = tmp_path_factory.mktemp("ocha") / "gazetteer" / "index.sqlite"
    target.parent.mkdir(parents=True)
    shutil.copy(bundled_index, target)
    import_files([OCHA], target)
    return target


def mention(name, start=0, cue="", sentence=0):
    return PlaceMention(span=Span(start, start + len(name), name), name=name, cue=cue, sentence=sentence)


def test_bundled_spellings_and_admin1_names(bundled_index):
    with Gazetteer.open(bundled_index) as gaz:
        for name in ("Idlib", "Idleb", "Harem", "Deir Ezzor", "Maarat al-Numan", "Qamishli", "Halab"):
            top = gaz.lookup(name, "SY")[0]
            assert top.country_code == "SY" and top.admin1, name
        assert gaz.lookup("Harim", "SY")[0].admin1 == "Idleb"  # OCHA spelling, data/admin1_names.yaml
        assert gaz.country_of("Syria") == "SY" and gaz.country_name("SY") == "Syria"
        assert gaz.country_iso("SY") == 760


@pytest.mark.parametrize("name, country, admin1", [
    ("Maiduguri", "NG", "Borno"),         # "Borno State": generic word dropped
    ("Izium", "UA", "Kharkiv"),           # preferred name from data/admin1_names.yaml
    ("Bamenda", "CM", "Nord-Ouest"),      # ACLED's French region name, data/admin1_names.yaml
    ("Brasilia", "BR", "Distrito Federal"),
    ("Goma", "CD", "Nord-Kivu"),
    ("Peshawar", "PK", "Khyber Pakhtunkhwa"),
])
def test_bundled_admin1_names_worldwide(bundled_index, name, country, admin1):
    with Gazetteer.open(bundled_index) as gaz:
        top = gaz.lookup(name, country)[0]
        assert top.country_code == country and top.admin1 == admin1


@pytest.mark.parametrize("abbreviation, country, area", [
    ("UP", "IN", "Uttar Pradesh"), ("J&K", "IN", "Jammu and Kashmir"), ("KPK", "PK", "Khyber Pakhtunkhwa"),
    ("FCT", "NG", "Federal Capital Territory"),
])
def test_bundled_admin1_abbreviations(bundled_index, abbreviation, country, area):
    with Gazetteer.open(bundled_index) as gaz:
        top = gaz.lookup(abbreviation, country)[0]
        assert (top.name, top.feature, top.country_code) == (area, "admin1", country)


def test_an_abbreviated_state_beside_a_place_is_the_state_not_a_namesake_village(bundled_index):
    # "Rasulabad (Kanpur Dehat district, UP)": "UP" is also an alternate name
    # of Aups, a French village; written as a place's area it is Uttar Pradesh
    with Gazetteer.open(bundled_index) as gaz:
        places = resolve([mention("Kanpur Dehat", cue="district"), mention("UP", 30, cue="admin")], gaz)
        assert (places[1].location, places[1].country_code, places[1].geo_precision) == ("Uttar Pradesh", "IN", 3)


def test_an_area_written_beside_a_place_prefers_the_admin_area(bundled_index):
    # "Punchana (Loreto)": Punchana is missing; Loreto is a Peruvian region
    # and also towns in Mexico and Italy: beside a place it is the region
    with Gazetteer.open(bundled_index) as gaz:
        places = resolve([mention("Punchana"), mention("Loreto", 10, cue="admin")], gaz)
        assert places[0].latitude is None
        assert (places[1].country_code, places[1].admin1, places[1].geo_precision) == ("PE", "Loreto", 3)


def test_an_admin_area_beside_a_place_outweighs_a_town_of_its_name(bundled_index):
    # "Merida, Merida": Venezuela's state of Merida holds its city of Merida;
    # the Mexican city of Merida is only a town of the area's name
    with Gazetteer.open(bundled_index) as gaz:
        city = resolve([mention("Merida"), mention("Merida", 8, cue="admin")], gaz)[0]
        assert (city.country_code, city.admin1) == ("VE", "Merida")


def test_a_well_known_city_stands_beside_an_area_name_we_lack(bundled_index):
    # "Taizz (Wadi Qadi)": Wadi Qadi is no admin area we know, so it says
    # nothing against Taizz; "Goma (Mahagi, Ituri)": Ituri is a known province
    # that does not hold the city of Goma, so that Goma is another place
    with Gazetteer.open(bundled_index) as gaz:
        taizz = resolve([mention("Taizz"), mention("Wadi Qadi", 10, cue="admin")], gaz)[0]
        assert (taizz.location, taizz.country_code, taizz.geo_precision) == ("Taiz", "YE", 1)
        goma = resolve([mention("Goma"), mention("Ituri", 10, cue="admin")], gaz)[0]
        assert goma.latitude is None and "far from the admin area" in goma.warning


def test_bundled_countryside_is_the_governorate(bundled_index):
    with Gazetteer.open(bundled_index) as gaz:
        place = resolve([mention("Idlib", cue="countryside")], gaz, country_hint="SY")[0]
        assert place.geo_precision == 3 and place.admin1 == "Idleb" and place.place_id.startswith("adm1:")
        assert (place.country, place.iso, place.country_code) == ("Syria", 760, "SY")
        aleppo = resolve([mention("Aleppo countryside")], gaz)[0]
        assert aleppo.geo_precision == 3 and aleppo.country_code == "SY"


def test_harem_in_idlib_countryside(bundled_index):
    with Gazetteer.open(bundled_index) as gaz:
        out = resolve([mention("Harem", cue="town"), mention("Idlib", 20, cue="countryside")], gaz)
        assert out[0].admin1 == "Idleb" and out[0].geo_precision == 1
        assert distance_km(out[0].latitude, out[0].longitude, 36.21, 36.52) < 10


def test_atmeh_after_ocha_import(ocha_index):
    with Gazetteer.open(ocha_index) as gaz:
        place = resolve([mention("Atmeh", cue="town")], gaz, country_hint="SY")[0]
        assert distance_km(place.latitude, place.longitude, 36.31, 36.69) < 10
        assert place.admin1 == "Idleb" and place.admin2 == "Harim"
        # OCHA rows win ties for Syria
        assert gaz.lookup("Sarmada", "SY")[0].source == "syr_locations.csv"


@pytest.mark.gold
def test_ucdp_places_sample(ocha_index):
    if not UCDP.exists():
        pytest.skip("../shared/gold absent")
    from marsad.evaluation.places import evaluate_ucdp

    with Gazetteer.open(ocha_index) as gaz:
        report = evaluate_ucdp(UCDP, gaz, limit=500)
    assert report["rows"] == 500
    assert report["within_10km"] > 0.6 and report["coverage"] >= report["within_10km"] - 0.02


def test_a_namesake_outside_the_area_written_beside_a_place_gives_way(ocha_index):
    # "Al-Hawi town in Deir ez Zor countryside": OCHA's one exact "Hawi" is in
    # Homs; the report says Deir-ez-Zor, so the event is placed at that area
    # (precision 3) rather than 300 km away in the wrong governorate
    with Gazetteer.open(ocha_index) as gaz:
        alone = resolve([mention("Al-Hawi", cue="town")], gaz, country_hint="SY")[0]
        assert alone.admin1 == "Homs"
        place, area = resolve([mention("Al-Hawi", cue="town"), mention("Deir ez Zor", 20, cue="countryside")],
                              gaz, country_hint="SY")
        assert (place.admin1, place.geo_precision) == ("Deir-ez-Zor", 3) and "Deir ez Zor" in place.warning
        assert area.admin1 == "Deir-ez-Zor"


@pytest.mark.parametrize("written, place, precision", [
    ("Hospital of Aleppo", "Aleppo", 1),     # a facility of the city: the city
    ("Green Zone of Baghdad", "Baghdad", 2),  # a part of the city: near it
    ("Port of Spain", None, None),            # a name with "of", never the country
])
def test_a_name_with_of_is_placed_at_what_it_is_of(bundled_index, written, place, precision):
    with Gazetteer.open(bundled_index) as gaz:
        found = resolve([mention(written)], gaz)[0]
        if place is None:
            assert found.country_code != "ES"
        else:
            assert (found.location, found.geo_precision) == (place, precision)
