"""Which country a place is in when its name alone does not say (issue 4):
areas written beside it, the place's own name against another language's
name, the other words of the note. Small test-written gazetteer of invented
or public-knowledge places."""

from __future__ import annotations

import pytest

from marsad.geo import resolve
from marsad.records import PlaceMention, Span

from geo_support import imported_gazetteer

CSV_TEXT = """name,alternate_names,latitude,longitude,admin1,admin2,country,feature,population
Vallora,,35.90,14.51,Vallora,,MT,populated,6000
South,,33.27,35.40,South,,LB,admin1,400000
Federal Capital Territory,FCT,9.07,7.40,Federal Capital Territory,,NG,admin1,2800000
Plateau,,9.20,9.50,Plateau,,NG,admin1,3200000
Ampora,,3.15,101.76,Selangor,,MY,populated,150000
"""


@pytest.fixture()
def gaz(tmp_path, monkeypatch):
    with imported_gazetteer(tmp_path, monkeypatch, CSV_TEXT) as g:
        yield g


def mention(name, start=0, cue="", sentence=0):
    return PlaceMention(span=Span(start, start + len(name), name), name=name, cue=cue, sentence=sentence)


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
