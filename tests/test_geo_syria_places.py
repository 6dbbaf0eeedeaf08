"""Syrian report conventions in place finding and resolution: neighbourhoods
of a named town, roads and axes between two places, "rural Damascus", the
badia, a town named like its own district. Sentences and the small
gazetteer are written for these tests (invented names, rounded made-up
coordinates)."""

from __future__ import annotations

import pytest

from marsad.geo import resolve
from marsad.mentions.places import find_places
from marsad.records import PlaceMention, Sentence, Span

from geo_support import imported_gazetteer

CSV_TEXT = """name,alternate_names,latitude,longitude,admin1,admin2,country,feature,population
Kasra,,36.50,40.70,Hasakeh,Hasakeh,SY,populated,0
Nourin,,37.10,40.95,Hasakeh,Qamishli,SY,populated,0
Tal Fadda,,36.90,41.20,Hasakeh,Qamishli,SY,populated,0
Tal Fadda,,36.52,40.72,Hasakeh,Hasakeh,SY,neighbourhood,0
Hasakeh,,36.45,40.60,Hasakeh,,SY,admin1,0
Bayda,,35.20,39.80,Deir ez Zor,Deir ez Zor,SY,populated,0
Deir ez Zor,,35.30,40.10,Deir ez Zor,,SY,admin1,0
Rural Damascus,,33.60,36.40,Rural Damascus,,SY,admin1,0
Damascus,,33.51,36.29,Damascus,Damascus,SY,populated,0
Damascus,,33.50,36.30,Damascus,,SY,admin1,0
Qasrun,,35.00,36.40,Hama,Masyaf,SY,populated,0
Qasrun,,32.70,36.55,Qasrun,Qasrun,SY,populated,0
Qasrun,,32.60,36.70,Qasrun,,SY,admin1,0
Homs,,34.70,36.80,Homs,,SY,admin1,0
Tadmor,,34.56,38.28,Homs,Tadmor,SY,admin2,0
Kawaliya,,34.66,37.23,Homs,Homs,SY,populated,0
Atriya,,36.60,37.50,Aleppo,Al Bab,SY,populated,0
Hama,,35.13,36.75,Hama,,SY,admin1,0
Aleppo,,36.20,37.10,Aleppo,,SY,admin1,0
Bayda,,36.40,41.00,Hasakeh,Hasakeh,SY,populated,0
Tawil,,36.42,41.02,Hasakeh,Hasakeh,SY,populated,0
Jafra,,35.22,39.82,Deir ez Zor,Deir ez Zor,SY,populated,0
Asriba,,35.37,37.78,Hama,Salamiyeh,SY,populated,0
Tal Warda Qamishli,,37.00,41.05,Hasakeh,Qamishli,SY,populated,0
Dashta,,36.04,41.16,Hasakeh,Hasakeh,SY,populated,0
Dashta,,35.79,40.82,Hasakeh,Hasakeh,SY,populated,0
Twaymin,,35.92,41.28,Hasakeh,Hasakeh,SY,populated,0
Al Taminah,,35.83,40.84,Hasakeh,Hasakeh,SY,populated,0
Um Kheit,,36.10,40.45,Hasakeh,Hasakeh,SY,populated,0
Um Elkeit,,36.68,40.33,Hasakeh,Hasakeh,SY,populated,0
"""


@pytest.fixture()
def gaz(tmp_path, monkeypatch):
    with imported_gazetteer(tmp_path, monkeypatch, CSV_TEXT) as g:
        yield g


def places(text: str) -> list[tuple[str, str]]:
    return [(p.name, p.cue) for p in find_places(Sentence(0, 0, len(text), text))]


def resolved(text: str, gaz) -> list:
    mentions = find_places(Sentence(0, 0, len(text), text))
    return list(zip((m.name for m in mentions), resolve(mentions, gaz, country_hint="SY")))


def test_a_neighbourhood_missing_from_the_gazetteer_is_its_town_not_a_namesake_village(gaz):
    got = dict(resolved("Gunmen attacked a checkpoint in Nourin neighbourhood in Kasra city on Monday.", gaz))
    assert got["Nourin"].location == "Kasra" and got["Nourin"].geo_precision == 1
    assert "neighbourhood" in got["Nourin"].warning


def test_a_neighbourhood_in_the_gazetteer_is_the_one_inside_its_town(gaz):
    got = dict(resolved("A shell exploded in Tal Fadda neighborhood of Kasra city, injuring a child.", gaz))
    assert (got["Tal Fadda"].latitude, got["Tal Fadda"].longitude) == pytest.approx((36.52, 40.72))


def test_city_dash_neighbourhood_names_a_part_of_the_city():
    assert places("Residents protested the siege on Kasra - Nourin and other quarters.")[:2] == [
        ("Kasra", ""), ("Nourin", "neighbourhood")]
    assert places("Turkish forces shelled Kasra - Nourin town with mortars.")[:2] == [
        ("Kasra", ""), ("Nourin", "neighbourhood")]


def test_a_road_between_two_places_is_near_its_first_end(gaz):
    assert ("Bayda-Tawil", "road") in places("Gunmen attacked a vehicle on Bayda-Tawil road in Deir ez Zor countryside.")
    assert places("Police closed the Damascus road.") == []  # a road named after one place is no place
    got = dict(resolved("Clashes took place on Bayda-Tawil axis in Deir ez Zor countryside.", gaz))
    assert got["Bayda-Tawil"].location == "Bayda" and got["Bayda-Tawil"].geo_precision == 2


def test_rural_damascus_is_the_governorate(gaz):
    assert ("Damascus", "rural") in places("A mine exploded in rural Damascus, injuring a shepherd.")
    got = dict(resolved("A mine exploded in rural Damascus, injuring a shepherd.", gaz))
    assert got["Damascus"].location == "Rural Damascus" and got["Damascus"].geo_precision == 3


def test_the_badia_of_a_governorate_is_the_governorate(gaz):
    assert ("Deir ez Zor", "badia") in places("An IED exploded in Deir ez Zor badia, killing a soldier.")
    got = dict(resolved("An IED exploded in Deir ez Zor badia, killing a soldier.", gaz))
    assert got["Deir ez Zor"].geo_precision == 3 and got["Deir ez Zor"].latitude == pytest.approx(35.30)


def test_a_town_named_like_its_district_is_the_seat_not_a_namesake_village(gaz):
    out = resolve([PlaceMention(span=Span(0, 6, "Qasrun"), name="Qasrun", cue="city", sentence=0)], gaz,
                  country_hint="SY")
    assert out[0].latitude == pytest.approx(32.70) and out[0].geo_precision == 1


@pytest.mark.parametrize("text, place, not_place", [
    ("Turkish forces fired rockets at Kasra village with artillery.", ("Kasra", "village"), "at Kasra"),
    ("Gunmen shot at an Asayish position in Kasra town.", ("Kasra", "town"), "an Asayish"),
    ("A patrol passed through Al 'ishreen street in Kasra town.", ("Kasra", "town"), "Al"),
])
def test_an_english_word_or_a_lone_article_opens_no_name(text, place, not_place):
    got = places(text)
    assert place in got and not_place not in [name for name, _ in got]


def test_a_place_is_inside_the_narrowest_area_written_after_it(gaz):
    got = dict(resolved("IS attacked regime positions in Khawaylia town in Tadmor district in Homs badia.", gaz))
    assert got["Khawaylia"].latitude != pytest.approx(34.66)  # a village of Homs outside Tadmor district
    got = dict(resolved("IS attacked regime positions in Khawaylia town in Homs badia.", gaz))
    assert got["Khawaylia"].latitude == pytest.approx(34.66)  # with Homs alone it is the one


def test_an_area_named_after_a_place_is_inside_the_governorate_written_beside_it(gaz):
    got = dict(resolved("Helicopters targeted IS positions in the Atriyah desert in Hama governorate.", gaz))
    assert got["Atriyah"].admin1 != "Aleppo"
    got = dict(resolved("Helicopters targeted IS positions in the Atriyah desert in Aleppo governorate.", gaz))
    assert got["Atriyah"].latitude == pytest.approx(36.60) and got["Atriyah"].geo_precision == 2


def test_a_lines_first_end_is_the_namesake_near_its_other_end(gaz):
    got = dict(resolved("Gunmen attacked a vehicle on Bayda-Tawil road, killing two men.", gaz))
    assert (got["Bayda-Tawil"].latitude, got["Bayda-Tawil"].longitude) == pytest.approx((36.40, 41.00))
    got = dict(resolved("Gunmen attacked a vehicle on Bayda-Jafra road, killing two men.", gaz))
    assert (got["Bayda-Jafra"].latitude, got["Bayda-Jafra"].longitude) == pytest.approx((35.20, 39.80))


def test_a_short_names_namesake_inside_the_known_area_is_found_past_the_worldwide_shortlist(tmp_path, monkeypatch):
    # thirty larger "Hat"s abroad and one in another governorate fill the
    # worldwide shortlist of "Hayt"; the area given holds a small "Hit"
    rows = [f"Hat,,{10 + k * 0.5:.2f},10.00,Plateau,,NG,populated,{5000 + k}" for k in range(30)]
    rows += ["Hatt,,35.00,36.00,Hama,Hama,SY,populated,900000", "Hit,,32.75,35.91,Daraa,Daraa,SY,populated,0",
             "Daraa,,32.62,36.10,Daraa,,SY,admin1,0"]
    header = "name,alternate_names,latitude,longitude,admin1,admin2,country,feature,population\n"
    with imported_gazetteer(tmp_path, monkeypatch, header + "\n".join(rows) + "\n") as gaz:
        hayt = PlaceMention(span=Span(0, 4, "Hayt"), name="Hayt", cue="town", sentence=0)
        out = resolve([hayt], gaz, country_hint="SY", admin_hints=["Daraa Governorate"])
        assert out[0].latitude == pytest.approx(32.75) and out[0].geo_precision == 1


def test_a_name_said_as_levantine_speech_says_it_is_found_inside_its_area(gaz):
    # "th" read "s": the list writes the village as spoken (Asriba), the
    # report as written (Itharibah); only inside the area written beside it
    got = dict(resolved("Helicopters targeted IS positions in the Itharibah desert in Hama governorate.", gaz))
    assert (got["Itharibah"].latitude, got["Itharibah"].longitude) == pytest.approx((35.37, 37.78))
    assert got["Itharibah"].geo_precision == 2
    got = dict(resolved("Helicopters targeted IS positions in the Itharibah desert in Homs governorate.", gaz))
    assert got["Itharibah"].latitude != pytest.approx(35.37)


def test_a_list_name_with_its_district_appended_is_the_place_written_without_it(gaz):
    got = dict(resolved("A US military patrol took place in Tal Warda area in Hasakeh countryside.", gaz))
    assert (got["Tal Warda"].latitude, got["Tal Warda"].longitude) == pytest.approx((37.00, 41.05))


def test_a_name_found_nowhere_falls_back_to_the_area_written_right_after_it(gaz):
    got = dict(resolved("Turkish forces shelled Zuwayqat town in Hasakeh countryside with mortars.", gaz))
    assert got["Zuwayqat"].location == "Zuwayqat" and got["Zuwayqat"].geo_precision == 3
    assert got["Zuwayqat"].latitude == pytest.approx(36.45)
    # ... not to an area it is only near ("towards Hasakeh governorate")
    got = dict(resolved("Locals blocked the road in Zuwayqat town towards Hasakeh governorate.", gaz))
    assert got["Zuwayqat"].latitude is None


def test_a_lines_other_end_counts_only_its_close_spellings(gaz):
    # "Tuwaymin" is Twaymin; Al Taminah shares its consonants and lies by the
    # other Dashta, which it must not pull the road to
    got = dict(resolved("IS attacked a QSD vehicle on Dashta-Tuwaymin road in Hasakeh countryside.", gaz))
    assert (got["Dashta-Tuwaymin"].latitude, got["Dashta-Tuwaymin"].longitude) == pytest.approx((36.04, 41.16))


@pytest.mark.parametrize("name, latitude", [("Umm Al-Kayt", 36.68), ("Umm Kayt", 36.10)])
def test_the_spelling_with_the_article_where_the_report_writes_it_wins_a_tie(gaz, name, latitude):
    got = dict(resolved(f"Turkish forces shelled {name} town in Hasakeh countryside with artillery.", gaz))
    assert got[name].latitude == pytest.approx(latitude)


def test_where_a_patrol_starts_is_where_it_took_place_not_orientation():
    text = "A Coalition patrol took place starting from Kasra, heading east."
    kasra = next(m for m in find_places(Sentence(0, 0, len(text), text)) if m.name == "Kasra")
    assert not kasra.orientation
    text = "Families fled from Kasra to the camps."
    kasra = next(m for m in find_places(Sentence(0, 0, len(text), text)) if m.name == "Kasra")
    assert kasra.orientation
