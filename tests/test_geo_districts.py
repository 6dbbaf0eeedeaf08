"""Second-level areas bundled for countries whose notes place events by
them: Nepal's districts (data/areas_np.csv) and Burkina Faso's provinces
(data/areas_bf.csv). The files are well formed, and notes that write
"X municipality (Y district)" or "village (commune, province)" are placed in
that country, not at a foreign namesake (Bar in Montenegro, Beni in DR
Congo, Ilam in Iran, Yamba in Australia). Also the country signals written
beside such areas: admin-unit words of one country ("LGA", "rural
municipality") and spelling guesses beside an area of one country. The notes
are invented."""

from __future__ import annotations

import csv
from datetime import date
from importlib import resources

import pytest

from marsad.geo import bundled
from marsad.pipeline import extract

NP_FILE = "areas_np.csv"
# Nepal's extent with a margin: every row must lie inside.
NEPAL_BOX = (26.2, 30.6, 79.9, 88.3)  # lat min, lat max, lon min, lon max
PROVINCES = {"Province 1", "Madhesh", "Bagmati", "Gandaki", "Lumbini", "Karnali", "Sudurpashchim"}


def _rows() -> list[dict[str, str]]:
    text = resources.files("marsad.geo").joinpath("data", NP_FILE).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def test_district_file_is_well_formed():
    rows = _rows()
    districts = [r for r in rows if r["feature"] == "admin2"]
    assert len(districts) == 77
    assert len({r["name"] for r in districts}) == 77
    assert {r["admin1"] for r in rows} == PROVINCES
    for row in rows:
        assert row["country"] == "NP" and row["source"].strip(), row
        lat, lon = float(row["latitude"]), float(row["longitude"])
        assert NEPAL_BOX[0] <= lat <= NEPAL_BOX[1] and NEPAL_BOX[2] <= lon <= NEPAL_BOX[3], row["name"]
        # a headquarters town names its district, and that district is listed
        assert row["feature"] == "admin2" or row["admin2"] in {d["name"] for d in districts}, row
    assert NP_FILE in bundled.AREAS_FILES
    assert len(bundled.area_rows(NP_FILE)) == len(rows)


@pytest.mark.parametrize(("note", "country", "admin1"), [
    ("On 4 March 2022, farmers staged a sit-in in Kalaiya city (Bara district), demanding fertilizer.",
     "Nepal", "Madhesh"),
    ("On 9 May 2022, party cadres protested in Beni city (Myagdi district) against the nomination.",
     "Nepal", "Gandaki"),
    ("On 2 April 2022, locals blocked the road in Devtal rural municipality (Bara district) over a land dispute.",
     "Nepal", "Madhesh"),
    ("On 8 June 2022, students demonstrated in Dhalkebar town (Dhanusha district) over fuel prices.",
     "Nepal", "Madhesh"),
    ("On 1 May 2022, youths rallied in Bhimdatta city (Kanchanpur district) against the agreement.",
     "Nepal", "Sudurpashchim"),
    ("On 3 March 2022, gunmen killed two herders in the village of Tintaba (Tongomayel, Soum).",
     "Burkina Faso", "Sahel"),
    ("On 5 March 2022, presumed JNIM militants killed a herder in the village of Koalou (Seytenga, Seno).",
     "Burkina Faso", "Sahel"),
    ("On 9 May 2022, gunmen attacked a customs post in the town of Fo (Fo, Houet).", "Burkina Faso", "Hauts-Bassins"),
])
def test_a_place_in_a_district_or_province_is_in_its_country(bundled_pipeline, note, country, admin1):
    events = extract(note, date(2022, 6, 10), pipeline=bundled_pipeline)
    assert events, note
    assert events[0].country == country and events[0].admin1 == admin1, events[0]


def test_a_town_named_like_its_district_and_a_foreign_province(bundled_pipeline):
    """"Ilam municipality (Ilam district)": the Nepali town, though Iran's Ilam
    city lies in an Ilam province (the district beside it is Nepal's)."""
    note = ("On 5 April 2022, cadres of CPN(UML) protested by padlocking the party office in Ilam municipality "
            "(Ilam district), against a nomination.")
    events = extract(note, date(2022, 4, 6), pipeline=bundled_pipeline)
    assert events and events[0].country == "Nepal" and events[0].admin1 == "Province 1", events


BF_FILE = "areas_bf.csv"
BURKINA_BOX = (9.3, 15.1, -5.6, 2.5)
BF_REGIONS = {"Boucle du Mouhoun", "Cascades", "Centre", "Centre-Est", "Centre-Nord", "Centre-Ouest", "Centre-Sud",
              "Est", "Hauts-Bassins", "Nord", "Plateau-Central", "Sahel", "Sud-Ouest"}


def test_burkina_province_file_is_well_formed():
    text = resources.files("marsad.geo").joinpath("data", BF_FILE).read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) == 45 and len({r["name"] for r in rows}) == 45
    assert {r["admin1"] for r in rows} == BF_REGIONS
    for row in rows:
        assert row["country"] == "BF" and row["feature"] == "admin2" and row["source"].strip(), row
        lat, lon = float(row["latitude"]), float(row["longitude"])
        assert BURKINA_BOX[0] <= lat <= BURKINA_BOX[1] and BURKINA_BOX[2] <= lon <= BURKINA_BOX[3], row["name"]
    assert BF_FILE in bundled.AREAS_FILES


def test_a_commune_we_lack_beside_a_province_of_the_document_country_is_no_foreign_town(bundled_pipeline):
    """"(Yamba, Gourma)" in a Burkinabe note: Yamba is a commune the index
    lacks, not the Australian town of that name; the event stays in the
    province written beside it."""
    note = ("On 2 February 2022, presumed JNIM militants clashed with Koglweogo and VDP in the village of "
            "Tambiga (Yamba, Gourma). Four people were killed.")
    events = extract(note, date(2022, 2, 3), pipeline=bundled_pipeline)
    assert events and events[0].country == "Burkina Faso" and events[0].admin1 == "Est", events


@pytest.mark.parametrize(("text", "country"), [
    ("Gunmen abducted a farmer in Tunga ward, Kuje LGA.", "NG"),
    ("Party cadres clashed at a polling booth in Sundar rural municipality.", "NP"),
    ("Supporters of two candidates clashed in Teta locality of Simraungadh municipality-10.", "NP"),
])
def test_an_admin_unit_word_of_one_country_votes_for_it(text, country):
    from marsad.knowledge import load_knowledge
    from marsad.mentions.countries import ADMIN_WORD_VOTE, CountryMentions

    votes = CountryMentions(load_knowledge().countries.all()).votes(text)
    assert votes == {country: ADMIN_WORD_VOTE}
    # a plain municipality or a word merely containing the letters is no sign
    assert CountryMentions(load_knowledge().countries.all()).votes("Police dispersed a sit-in at the municipality "
                                                                   "office of Colegas.") == {}


def test_a_spelling_guess_beside_an_area_of_one_country_stays_in_that_country(bundled_pipeline):
    """"(Hayran, Hajjah)": Hayran is no place we know; its nearest spelling,
    Harran in Turkey, is no district of Yemen's Hajjah governorate."""
    note = "On 3 March 2022, a Houthi rocket struck a camp for displaced people in Bani Fadil (Hayran, Hajjah)."
    events = extract(note, date(2022, 3, 4), pipeline=bundled_pipeline)
    assert events and events[0].country == "Yemen" and events[0].admin1 == "Hajjah", events
