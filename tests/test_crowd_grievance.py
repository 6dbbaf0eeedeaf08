"""Crowd violence with and without a grievance: a violent demonstration when
the report tells what the crowd wants or answers, mob violence when it does
not (codebook: rioters, demonstration vs mob). Notes written for these tests."""

from __future__ import annotations

import pytest

from marsad.knowledge.lexicons import load_triggers
from marsad.mentions.triggers import find_triggers
from marsad.records import Sentence

from note_support import events_of


@pytest.mark.parametrize("text", [
    "On 3 March 2022, rioters burned tires on the main road in Mombasa (Kenya), demanding the release of a trader.",
    "On 3 March 2022, hundreds of graduates closed the road with burning tires in Basra city (Iraq). "
    "The rioters demanded jobs.",
    "On 3 March 2022, rioters set up barricades in Lyon (France) against the planned closure of a factory.",
])
def test_crowd_violence_with_a_grievance_is_a_violent_demonstration(bundled_pipeline, text):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Violent demonstration"
    assert ev.actor1.startswith("Rioters (")
    # nobody was targeted: no civilians as the second side
    assert ev.actor2 == ""


@pytest.mark.parametrize("text", [
    # no demand, no reaction: crowd violence alone stays mob violence
    "On 3 March 2022, rioters burned tires and threw stones at passers-by in Mombasa (Kenya).",
    # a crowd lynching someone is mob violence whatever it claimed
    "On 3 March 2022, an angry mob lynched a suspected thief in Mombasa (Kenya) in reaction to a theft.",
])
def test_crowd_violence_without_one_or_with_a_victim_stays_mob_violence(bundled_pipeline, text):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Mob violence"


def test_a_grievance_about_a_killing_adds_no_deaths_to_a_protest(bundled_pipeline):
    text = ("On 1 June 2022, traders held a candle light protest in Lahore (Pakistan) against the killing "
            "of a teacher by militants in Quetta.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Peaceful protest"
    assert ev.fatalities == 0


def test_a_protest_word_stays_the_protests_trigger():
    text = "Teachers started an open-ended strike in protest against the neglect of their demands."
    found = {t.sub_event_type for t in find_triggers(Sentence(0, 0, len(text), text), load_triggers())}
    assert "protest" in found and "crowd_grievance" in found


@pytest.mark.parametrize("text, actor2", [
    # the force the crowd fought is the second side
    ("On 22 June 2022, dozens of rioters clashed with Israeli police forces during a violent demonstration "
     "against a new road in Haifa (Israel).", "Police Forces of Israel"),
    ("On 10 May 2022, rioters barricaded streets with burning tires in Musina (South Africa) to demonstrate "
     "against water cuts. The police intervened and shot rubber bullets.", "Police Forces of South Africa"),
    # a force named only in what the crowd protests about is not
    ("On 17 June 2022, youths staged a demonstration and pelted stones in Patna (India) against the new "
     "Army recruitment scheme.", ""),
    ("On 26 April 2022, residents staged a demonstration in Recife (Brazil) calling for justice after a man was "
     "shot by a military police officer. The demonstrators burned furniture on the road.", ""),
])
def test_a_violent_demonstrations_second_side_is_the_force_it_met(bundled_pipeline, text, actor2):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Violent demonstration"
    assert ev.actor2.startswith(actor2) and bool(ev.actor2) == bool(actor2)


def test_a_fight_told_as_a_violent_demonstration_is_one_incident(bundled_pipeline):
    text = ("On 22 June 2022, dozens of rioters clashed with Israeli police forces during a violent demonstration "
            "against a new road in Haifa (Israel). Rioters threw stones at the police.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Violent demonstration"
    assert ev.actor2.startswith("Police Forces of Israel")


@pytest.mark.parametrize("text, actor2", [
    ("On 5 June 2022, in Salina Cruz, Oaxaca, Mexico, a group of people burned ballot boxes to demonstrate "
     "against the lack of government support.", "Civilians (Mexico)"),
    ("On 11 June 2022, people vandalized vehicles and pelted stones during a demonstration in Howrah city "
     "(Howrah district, West Bengal, India) over a remark.", "Civilians (India)"),
    # tyres and barricades hurt no one's property
    ("On 12 April 2022, locals demonstrated in Kisumu (Kenya) by blocking the road and burning tires against "
     "high fuel prices.", ""),
])
def test_a_violent_demonstration_that_damaged_property_hit_civilians(bundled_pipeline, text, actor2):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Violent demonstration"
    assert ev.actor2 == actor2


def test_a_mob_that_fought_the_police_has_the_police_as_its_second_side(bundled_pipeline):
    text = ("On 16 May 2022, locals pelted stones at the police outside the counting office in Dailekh "
            "(Karnali, Nepal). Several people were injured.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.event_type == "Riots"
    assert ev.actor2.startswith("Police Forces of Nepal")
