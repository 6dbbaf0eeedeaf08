"""Transliteration variants of Syrian place names (folding.yaml), on names
written for these tests: glued articles, qualifier words, and an admin
area known to hold the place."""

from __future__ import annotations

import pytest

from marsad.geo import normalize, resolve
from marsad.records import PlaceMention, Span

from geo_support import imported_gazetteer


@pytest.mark.parametrize("levantine, classical", [
    ("Tal Elzuhur", "Tall az Zuhur"),      # article glued to a later word
    ("Hosh Elbarami", "Hawsh al-Barami"),
    ("Um Elqatef", "Umm al Qatif"),
    ("Elharuniyeh", "Al Haruniyah"),       # ... and to the first word
    ("Kfar Zabad", "Kafr Zabad"),
])
def test_variants_share_a_skeleton_key(levantine, classical):
    assert normalize.skeleton_key(levantine) == normalize.skeleton_key(classical)


@pytest.mark.parametrize("name, other", [
    ("Alemar", "Emar"),     # "al" before a vowel is part of the name (as in Aleppo)
    ("Elba", "Ba"),         # too short a rest to be an article
    ("Tal Zurba", "Tal Zurda"),
])
def test_names_that_stay_apart(name, other):
    assert normalize.skeleton_key(name) != normalize.skeleton_key(other)


@pytest.mark.parametrize("name, base", [
    ("Zabad Fawqani", "zabad"),
    ("Zabad at-Tahtani", "zabad"),
    ("Urum al Kubra", "urum"),
    ("Rif al-Zabad 2", "rif zabad"),
    ("Upper Zabad", "zabad"),
    ("Zabad", ""),          # nothing to drop
    ("Kabir Saghir", ""),   # nothing would be left
])
def test_strip_qualifiers(name, base):
    assert normalize.strip_qualifiers(name) == base


CSV_TEXT = """name,alternate_names,latitude,longitude,admin1,admin2,country,feature,population
Zabad,,36.20,37.10,Aleppo,Al Bab,SY,populated,0
Qarnas,,36.40,37.30,Aleppo,Al Bab,SY,populated,0
Hama,,35.10,36.70,Hama,,SY,admin1,1600000
Aleppo,,36.20,37.15,Aleppo,,SY,admin1,4800000
Tal Elzuhur,,35.50,36.90,Hama,Salamiyeh,SY,populated,0
"""


@pytest.fixture()
def gaz(tmp_path, monkeypatch):
    with imported_gazetteer(tmp_path, monkeypatch, CSV_TEXT) as g:
        yield g


def _mention(name, cue=""):
    return PlaceMention(span=Span(0, len(name), name), name=name, cue=cue)


def test_qualified_name_falls_back_to_its_base(gaz):
    place = resolve([_mention("Zabad Fawqani", "village")], gaz, country_hint="SY")[0]
    assert place.location == "Zabad" and place.geo_precision == 2
    assert place.latitude == pytest.approx(36.20)


def test_levantine_spelling_is_found(gaz):
    place = resolve([_mention("Tall az Zuhur")], gaz, country_hint="SY", admin_hints=["Hama Governorate"])[0]
    assert place.location == "Tal Elzuhur" and place.admin1 == "Hama"


def test_spelling_guess_outside_the_known_area_gives_way_to_the_area(gaz):
    # "Qarnes" is only a skeleton match for Qarnas, in Aleppo; the row says Hama
    place = resolve([_mention("Qarnes")], gaz, country_hint="SY", admin_hints=["Hama Governorate"])[0]
    assert place.geo_precision == 3 and place.admin1 == "Hama"
    assert place.latitude == pytest.approx(35.10)
    assert "Qarnas" in place.warning
    # without the area, the guess stands
    guess = resolve([_mention("Qarnes")], gaz, country_hint="SY")[0]
    assert guess.location == "Qarnas"


def test_looser_spelling_inside_the_known_area(gaz):
    # "Zabbat" is neither an exact nor a skeleton key of Zabad (t is not d)
    assert not [c for c in gaz.lookup("Zabbat", "SY") if c.name == "Zabad"]
    place = resolve([_mention("Zabbat")], gaz, country_hint="SY", admin_hints=["Aleppo Governorate"])[0]
    assert place.location == "Zabad" and "spelling guess inside" in place.warning
    # the same spelling with another area named: that area, not Zabad
    other = resolve([_mention("Zabbat")], gaz, country_hint="SY", admin_hints=["Hama Governorate"])[0]
    assert other.geo_precision == 3 and other.admin1 == "Hama"
    # and no area named: nothing
    assert resolve([_mention("Zabbat")], gaz, country_hint="SY")[0].latitude is None
