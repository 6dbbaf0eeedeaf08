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
