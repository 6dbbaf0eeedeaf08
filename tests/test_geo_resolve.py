"""Choosing among candidates with document context (small test-written gazetteer)."""

from __future__ import annotations

import pytest

from marsad.geo import resolve
from marsad.records import PlaceMention, Span

from geo_support import imported_gazetteer

# Two places called Tal Hamra in different governorates, a governorate entry,
# a same-named town and area, and a place abroad sharing a name.
CSV_TEXT = """name,alternate_names,latitude,longitude,admin1,admin2,country,feature,population
Tal Hamra,,36.10,36.60,Idlib,Harim,SY,populated,900
Tal Hamra,,34.70,36.80,Homs,Rastan,SY,populated,5000
Idlib,Idleb,35.93,36.63,Idlib,Idlib,SY,populated,128000
Idlib,Idleb Governorate,35.80,36.50,Idlib,,SY,admin1,1500000
Homs,,34.73,36.71,Homs,,SY,admin1,1800000
Harim,Harem,36.21,36.52,Idlib,Harim,SY,populated,21000
Harim,Harem,40.00,30.00,Somewhere,,TR,populated,90000
Malaga,,36.72,-4.42,Andalusia,,ES,populated,570000
Mamalyha,Mamalyga,48.27,26.57,Chernivtsi,,UA,populated,2000
Chernivtsi,,48.29,25.94,Chernivtsi,,UA,admin1,900000
Berlin,,52.52,13.40,Berlin,,DE,populated,3400000
Algeciras,,36.13,-5.45,Andalucia,,ES,populated,120000
Algeciras,,10.06,119.20,Mimaropa,,PH,populated,130000
Cadiz,,36.53,-6.29,Andalucia,,ES,populated,120000
Cadiz,,10.95,123.31,Western Visayas,,PH,populated,150000
Loma Hermosa,,19.60,-99.10,Mexico,,MX,populated,3000
Buenos Aires,,-36.00,-60.00,Buenos Aires,,AR,admin1,15000000
Hts,,40.10,30.10,Somewhere,,TR,populated,500
Merida,,20.97,-89.62,Yucatan,,MX,populated,900000
Zabadani,,33.72,36.10,Rural Damascus,,SY,populated,26000
Ali,,28.60,77.20,Delhi,,IN,populated,50000
Dara,,14.90,-15.30,Louga,,SN,populated,30000
Dara,Dar'a Governorate,32.60,36.10,Dara,,SY,admin1,1000000
Maliha,,-9.60,120.20,East Nusa Tenggara,,ID,populated,2000
Tell Test,,34.95,36.75,Hama,,SY,populated,3000
Merida,,8.59,-71.14,Merida,,VE,populated,300000
Merida,Merida State,8.50,-71.20,Merida,,VE,admin1,900000
"""


@pytest.fixture()
def gaz(tmp_path, monkeypatch):
    with imported_gazetteer(tmp_path, monkeypatch, CSV_TEXT) as g:
        yield g


def mention(name, start=0, cue="", sentence=0):
    return PlaceMention(span=Span(start, start + len(name), name), name=name, cue=cue, sentence=sentence)


def test_admin_named_in_the_same_sentence_picks_the_candidate(gaz):
    # "Tal Hamra village in Idlib countryside": the smaller Tal Hamra, in Idlib.
    out = resolve([mention("Tal Hamra", cue="village"), mention("Idlib", 20, cue="countryside")], gaz)
    assert out[0].admin1 == "Idlib" and out[0].latitude == pytest.approx(36.10)
    assert out[0].geo_precision == 1
    # the countryside of a governorate is the governorate, precision 3
    assert out[1].latitude == pytest.approx(35.80) and out[1].geo_precision == 3


def test_admin_hint_argument(gaz):
    out = resolve([mention("Tal Hamra")], gaz, country_hint="SY", admin_hints=["Homs Governorate"])
    assert out[0].admin1 == "Homs"
    # without any hint the more populous one wins
    assert resolve([mention("Tal Hamra")], gaz)[0].latitude == pytest.approx(34.70)


def test_country_focus_beats_population(gaz):
    out = resolve([mention("Harem")], gaz, country_hint="Syria")
    assert out[0].country_code == "SY" and out[0].location == "Harim"
    # focus from the other, unambiguous mentions of the document
    out = resolve([mention("Sarmada"), mention("Idlib", 10), mention("Harem", 20)], gaz)
    assert out[2].country_code == "SY"


@pytest.mark.parametrize("cue,precision", [("", 1), ("town", 1), ("near", 2), ("outskirts", 1),
                                           ("countryside", 2)])
def test_precision_by_cue_for_a_town(gaz, cue, precision):
    assert resolve([mention("Harim", cue=cue)], gaz, country_hint="SY")[0].geo_precision == precision


def test_bare_governorate_name_is_the_city(gaz):
    place = resolve([mention("Idlib")], gaz)[0]
    assert place.latitude == pytest.approx(35.93) and place.geo_precision == 1
    # the cue may also be inside the name
    place = resolve([mention("Idlib countryside")], gaz)[0]
    assert place.latitude == pytest.approx(35.80) and place.geo_precision == 3


@pytest.mark.parametrize("cue", ["state", "county", "department"])
def test_a_name_written_as_a_state_is_the_admin_area_of_that_name(gaz, cue):
    # "in Merida state": Venezuela's state, not the bigger Mexican city
    place = resolve([mention("Merida", cue=cue)], gaz)[0]
    assert (place.country_code, place.admin1, place.geo_precision) == ("VE", "Merida", 3)
    # the bare name is the city
    assert resolve([mention("Merida")], gaz)[0].country_code == "MX"


def test_a_name_written_as_an_area_is_no_town_abroad(gaz):
    # a Syrian report's "Malaga region" is not the Spanish city
    place = resolve([mention("Malaga", cue="region")], gaz, country_hint="SY")[0]
    assert place.latitude is None and "abroad" in place.warning
    # an admin area of that very name abroad stays (a report may dwell on a neighbour)
    place = resolve([mention("Chernivtsi", cue="region")], gaz, country_hint="SY")[0]
    assert (place.country_code, place.geo_precision) == ("UA", 3)
    # with no area word the city is found as before
    assert resolve([mention("Malaga")], gaz, country_hint="SY")[0].country_code == "ES"


def test_unresolvable_mentions_never_raise(gaz):
    out = resolve([mention("Nowhere Special"), mention("")], gaz, country_hint="SY")
    assert len(out) == 2
    assert out[0].latitude is None and "no gazetteer match" in out[0].warning
    assert out[0].span == Span(0, 15, "Nowhere Special")


def test_find_places(gaz):
    text = "Shelling hit Harim and Tal Hamra in Idlib countryside."
    found = {text[s:e] for s, e, _ in gaz.find_places(text)}
    assert found == {"Harim", "Tal Hamra", "Idlib"}


def test_a_loose_spelling_with_no_country_focus_is_not_kept(gaz):
    # "Barauliany" shares its consonants with Berlin, but nothing else
    place = resolve([mention("Barauliany", cue="town")], gaz)[0]
    assert place.latitude is None and "Berlin" in place.warning


def test_an_exact_well_known_city_abroad_beats_a_loose_spelling_at_home(gaz):
    place = resolve([mention("Malaga")], gaz, country_hint="UA")[0]
    assert place.country_code == "ES" and place.location == "Malaga"


def test_an_admin_named_beside_keeps_the_place_at_home(gaz):
    out = resolve([mention("Malaga", cue="town"), mention("Chernivtsi", 20, cue="countryside")], gaz, country_hint="UA")
    assert out[0].country_code == "UA"


def test_the_admin_area_written_beside_picks_the_namesake(gaz):
    out = resolve([mention("Algeciras"), mention("Cadiz", 11, cue="admin")], gaz)
    assert [p.country_code for p in out] == ["ES", "ES"]


def test_a_namesake_far_from_its_written_admin_area_is_left_for_the_area(gaz):
    out = resolve([mention("Loma Hermosa", cue="district"), mention("Buenos Aires", 23, cue="admin")], gaz)
    assert out[0].latitude is None and "far from the admin area" in out[0].warning
    assert out[1].country_code == "AR"


def test_a_namesake_of_another_admin_area_counts_as_farther(gaz):
    # 125 km from Homs and filed under Rural Damascus: another Zabadani
    out = resolve([mention("Zabadani"), mention("Homs", 10, cue="admin")], gaz, country_hint="SY")
    assert out[0].latitude is None and "far from the admin area" in out[0].warning
    # 25 km away: a town by the border the report files under its neighbour
    out = resolve([mention("Tell Test"), mention("Homs", 11, cue="admin")], gaz, country_hint="SY")
    assert out[0].location == "Tell Test" and out[0].admin1 == "Hama"


def test_a_name_written_as_an_area_votes_for_the_country_where_it_is_one(gaz):
    # "Maliha in Dara governorate": Dara votes Syria (its governorate), not
    # Senegal (a town), so the Indonesian Maliha is no candidate
    out = resolve([mention("Maliha"), mention("Dara", 10, cue="governorate")], gaz)
    assert out[0].country_code == "SY" and out[1].country_code == "SY"


def test_the_place_after_in_is_the_area_of_the_one_before(gaz):
    # "in Ali in Homs": no Ali near Homs; the Indian one is another place
    homs = PlaceMention(span=Span(10, 14, "Homs"), name="Homs", holds_previous=True)
    out = resolve([mention("Ali"), homs], gaz, country_hint="SY")
    assert out[0].latitude is None and "far from the admin area" in out[0].warning
    assert out[1].admin1 == "Homs"


def test_an_abbreviation_is_its_exact_entry_in_the_documents_country_or_nothing(gaz):
    # "HTS" in a report about Syria is the armed group's initials, not a Turkish village
    assert resolve([mention("HTS")], gaz, country_hint="SY")[0].latitude is None
    assert resolve([mention("HTS")], gaz, country_hint="TR")[0].country_code == "TR"
