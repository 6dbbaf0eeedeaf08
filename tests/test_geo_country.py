"""Which country a place is in when its name alone does not say (issue 4):
areas written beside it, the place's own name against another language's
name, the other words of the note. Small test-written gazetteer of invented
or public-knowledge places."""

from __future__ import annotations

import pytest

from marsad.geo import resolve
from marsad.knowledge import load_knowledge
from marsad.mentions.countries import CountryMentions
from marsad.mentions.places import find_places
from marsad.records import Sentence

from geo_support import imported_gazetteer, place_mention as mention

CSV_TEXT = """name,alternate_names,latitude,longitude,admin1,admin2,country,feature,population
Vallora,,35.90,14.51,Vallora,,MT,populated,6000
South,,33.27,35.40,South,,LB,admin1,400000
Federal Capital Territory,FCT,9.07,7.40,Federal Capital Territory,,NG,admin1,2800000
Plateau,,9.20,9.50,Plateau,,NG,admin1,3200000
Ampora,,3.15,101.76,Selangor,,MY,populated,150000
Valence,,44.93,4.89,Auvergne-Rhone-Alpes,,FR,populated,64000
Valencia,Valence,39.47,-0.38,Valencia,,ES,populated,800000
Leerdam,,51.89,5.09,Utrecht,,NL,populated,21000
Leerdam,,9.20,29.80,Unity,,SS,populated,9000
Unity,,9.30,29.70,Unity,,SS,admin1,25000
Sanabo,,9.60,-7.60,Denguele,,CI,populated,1500
Banwo,,12.40,-4.00,Boucle du Mouhoun,Banwo,BF,admin2,350000
San Esteban,,9.80,-75.10,Bolivar,,CO,populated,16000
San Patricio,,9.60,-75.00,Sucre,,CO,populated,20000
San Patricio,,-24.10,-56.50,San Patricio,,PY,admin1,400000
Sanabia,,26.23,50.54,Capital,,BH,populated,6500
Capital,,55.70,12.50,Capital,,DK,admin1,2000000
Capital,,64.10,-21.90,Capital,,IS,admin1,220000
Lancastra,,54.05,-2.80,England,,GB,populated,47000
Loma Alta,,19.60,-99.10,Mexico,,MX,populated,3000
Buenos Aires,,-36.00,-60.00,Buenos Aires,,AR,admin1,15000000
Buenos Aires,,19.50,-101.00,Michoacan,,MX,populated,9800
Lancastra,,34.70,-118.15,California,,US,populated,160000
"""


@pytest.fixture()
def gaz(tmp_path, monkeypatch):
    with imported_gazetteer(tmp_path, monkeypatch, CSV_TEXT) as g:
        yield g


@pytest.mark.parametrize("area", ["South Eastern", "FCT"])
def test_a_place_of_one_country_stays_beside_an_area_known_abroad_by_another_name(gaz, area):
    # "outside the law court in Vallora (South Eastern)": the area we lack
    # is no reason to drop the town for Lebanon's "South" (nor for Nigeria's
    # FCT, found only by its abbreviation)
    out = resolve([mention("Vallora"), mention(area, 9, cue="admin")], gaz)
    assert out[0].country_code == "MT" and out[0].location == "Vallora"


def test_an_area_written_with_its_own_name_still_rules_out_a_namesake_abroad(gaz):
    # "Ampora (Plateau)": Plateau is a Nigerian state by that very name, so
    # the Malaysian Ampora is another place (left for the area)
    out = resolve([mention("Ampora"), mention("Plateau", 8, cue="admin")], gaz)
    assert out[0].latitude is None and "far from the admin area" in out[0].warning


def test_a_town_written_by_its_own_name_outweighs_a_city_abroad_of_that_exonym(gaz):
    # "around 60 persons demonstrated in Valence" (a French town; Valence is
    # also French for Valencia, ten times larger)
    out = resolve([mention("Valence")], gaz)
    assert out[0].country_code == "FR"


def test_a_smaller_town_of_the_same_own_name_keeps_its_full_vote(gaz):
    # two towns both called Leerdam: the smaller is no exonym of the larger,
    # so a demonym's vote ("South Sudanese", 0.5) still decides
    out = resolve([mention("Leerdam")], gaz, country_votes={"SS": 0.5})
    assert out[0].country_code == "SS"


def test_an_area_written_before_a_wider_one_is_in_that_ones_country(gaz):
    # "in the village of Fouma (Sanabo, Banwo)": Banwo is a province of
    # Burkina Faso only, so Sanabo is a commune there we lack, not the
    # Ivorian village of that name
    out = resolve([mention("Fouma", cue="village"), mention("Sanabo", 20, cue="admin"),
                   mention("Banwo", 28, cue="admin")], gaz)
    assert out[1].latitude is None and "BF" in out[1].warning
    assert out[2].country_code == "BF"
    # written alone, Sanabo is the Ivorian village
    assert resolve([mention("Sanabo", cue="admin")], gaz)[0].country_code == "CI"


@pytest.mark.parametrize("text, place, not_place", [
    ("Dozens rallied outside the Russian consulate in Larnaca to protest the war.", "Larnaca", "Russian"),
    ("Activists protested outside the Israeli embassy in Nicosia on Friday.", "Nicosia", "Israeli"),
    ("Hundreds took part in the Easter march in Basel to call for peace.", "Basel", "Easter"),
])
def test_a_mission_abroad_or_a_feast_is_no_place(text, place, not_place):
    names = [p.name for p in find_places(Sentence(0, 0, len(text), text))]
    assert place in names and not_place not in names


def test_an_area_written_by_its_own_name_is_that_area_not_a_town_of_its_name(gaz):
    # "in San Esteban (San Patricio)": San Patricio is Paraguay's department;
    # the Colombian town of that name next to a Colombian San Esteban is no
    # reason to take that one
    out = resolve([mention("San Esteban"), mention("San Patricio", 13, cue="admin")], gaz)
    assert out[0].latitude is None and "far from the admin area" in out[0].warning


def test_a_generic_area_name_known_in_several_countries_rules_out_nothing(gaz):
    # "in Sanabia (Capital)": many countries have a "Capital" area; the two
    # we know (Denmark, Iceland) do not make Bahrain's Sanabia another place
    out = resolve([mention("Sanabia"), mention("Capital", 9, cue="admin")], gaz)
    assert out[0].country_code == "BH" and out[0].location == "Sanabia"


def test_a_countrys_own_words_vote_for_it_once():
    votes = CountryMentions(load_knowledge().countries.all()).votes(
        "Gunmen seized six people near Ewato (Esan, Edo) and asked a ransom of 10 million naira, "
        "later 5 million naira.")
    assert votes.get("NG") == pytest.approx(1.0)
    # whole words only, in the case written
    votes = CountryMentions(load_knowledge().countries.all()).votes("Protesters met at the Nairahouse hall.")
    assert "NG" not in votes


def test_a_user_file_adds_words_to_a_country(tmp_path):
    (tmp_path / "countries-local.yaml").write_text("- iso2: FR\n  words: [Assemblee nationale]\n",
                                                   encoding="utf-8")
    kb = load_knowledge((str(tmp_path),))
    assert "Assemblee nationale" in kb.countries.by_name("France").words
    votes = CountryMentions(kb.countries.all()).votes("Farmers rallied outside the Assemblee nationale in Laval.")
    assert votes.get("FR", 0) >= 1.0


def test_a_house_of_parliament_places_a_bare_namesake_town_in_its_country(gaz):
    # "a protest in Lancastra against a bill debated in the House of Lords":
    # the house votes for the United Kingdom, where the bare town with a
    # larger namesake abroad then is
    text = "Activists protested in Lancastra against a bill now debated in the House of Lords."
    votes = CountryMentions(load_knowledge().countries.all()).votes(text)
    assert resolve([mention("Lancastra", 22)], gaz, country_votes=votes)[0].country_code == "GB"
    assert resolve([mention("Lancastra", 22)], gaz)[0].country_code == "US"


def test_the_widest_area_written_votes_where_it_is_an_admin_area(gaz):
    # "in Loma Alta (Buenos Aires)": the Mexican village Loma Alta is the
    # only one we know, but Buenos Aires written as its area is Argentina's
    # province, not the Mexican village of that name
    out = resolve([mention("Loma Alta"), mention("Buenos Aires", 11, cue="admin")], gaz)
    assert out[0].latitude is None
    assert out[1].country_code == "AR" and out[1].geo_precision == 3
