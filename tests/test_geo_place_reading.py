"""How place names are read around other words of a note (issue 4): an
organisation's acronym in brackets, a coder's "[coded as ...]" remark, a title
before "of", an area in brackets beside a region of the document's country.
The notes are invented."""

from __future__ import annotations

from datetime import date

from marsad.knowledge import load_knowledge
from marsad.mentions.countries import ADMIN_WORD_VOTE, CountryMentions
from marsad.mentions.places import find_places
from marsad.pipeline import extract
from marsad.records import Sentence


def _places(text: str) -> dict[str, str]:
    return {p.name: p.cue for p in find_places(Sentence(0, 0, len(text), text))}


def test_a_title_before_of_is_not_part_of_the_place():
    places = _places("Police detained the Mukhtar of Kafr Zita village in Hama countryside.")
    assert places.get("Kafr Zita") == "village", places
    assert not any("ukhtar" in name for name in places), places
    places = _places("Gunmen threatened the Governor of Tarsoum province near Bilal town.")
    assert places.get("Tarsoum") == "province", places


def test_an_acronym_in_brackets_after_a_name_is_no_admin_area():
    places = _places("Gunmen shot dead 3 members of Hill People Party (ALP) in Naikhongchhari upazila (Bandarban).")
    assert "ALP" not in places and places.get("Bandarban") == "admin", places
    # a bracket of names after a place is still its admin area
    assert _places("Militants attacked a post in Minakulu (Oyam, Northern).").get("Oyam") == "admin"


def test_upazila_votes_for_bangladesh():
    votes = CountryMentions(load_knowledge().countries.all()).votes("A farmer was hacked to death in Lohagara upazila.")
    assert votes == {"BD": ADMIN_WORD_VOTE}


def test_an_organisation_acronym_does_not_move_the_event_abroad(bundled_pipeline):
    note = ("On 6 March 2022, unidentified assailants shot and killed 4 members of Hill People Party (ALP) in "
            "Naikhongchhari upazila (Bandarban).")
    events = extract(note, date(2022, 3, 7), pipeline=bundled_pipeline)
    assert events and events[0].country == "Bangladesh", events


def test_the_admin_area_after_a_coder_remark_is_read():
    for remark in ("[coded as Kalat with GP2]", "[location coded to Kalat]"):
        places = _places(f"Two men were detained by the Taliban in Dara Khel village of Zarin district {remark}, "
                         "Zabul. Their families were not told.")
        assert places.get("Zabul") == "admin", (remark, places)
    # a bracket of another kind still ends the chain
    assert "Zabul" not in _places("Two men were detained in Zarin district [size=no report], Zabul. Nothing else.")


def test_an_area_beside_a_region_of_a_few_countries_stays_in_them(bundled_pipeline):
    """"(Bui, Nord-Ouest)": Nord-Ouest is a region of Cameroon and of Haiti;
    Bui, which the index lacks, is not the town of Bowie in the United States
    that a loose spelling match finds."""
    note = ("On 4 February 2022, soldiers burned houses in Kitiwum village (Bui, Nord-Ouest) during a raid "
            "against separatist fighters. Two civilians were killed.")
    events = extract(note, date(2022, 2, 5), pipeline=bundled_pipeline)
    assert events and events[0].country == "Cameroon" and events[0].admin1 == "Nord-Ouest", events
