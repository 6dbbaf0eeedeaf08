"""Armed people who approach, stop or fire at a person before the violence:
that person is the target, not the agent (notes written for these tests)."""

from __future__ import annotations

import pytest

from note_support import events_of


@pytest.mark.parametrize("text", [
    "On 2 May 2022, in Chaguanas, Trinidad and Tobago, three armed men approached a man and two of them "
    "opened fire on him. The man escaped unharmed. There were no casualties.",
    "On 2 May 2022, in Puebla, Mexico, two armed individuals intercepted a woman on a motorcycle and shot her. "
    "1 fatality.",
    "On 2 May 2022, in Recife, Brazil, two armed individuals opened fire against a man on the highway in a "
    "drive-by shooting. There were no fatalities.",
])
def test_the_person_armed_men_came_for_is_the_target(bundled_pipeline, text):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Attack"
    assert ev.actor1.startswith("Unidentified") and not ev.actor1.startswith("Rioters")
    assert ev.actor2.startswith("Civilians (")


def test_a_person_named_first_who_attacks_stays_the_agent(bundled_pipeline):
    # no armed group before the person: nothing to swap
    text = "On 2 May 2022, in Lyon, France, a man stabbed his neighbour during a quarrel. 1 fatality."
    (ev,) = events_of(bundled_pipeline, text)
    assert not ev.actor1.startswith("Unidentified Armed Group") and ev.actor2.startswith("Civilians (")


def test_an_identity_group_stoned_by_a_mob_is_hit_as_civilians_of_its_country(bundled_pipeline):
    text = ("On 30 May 2022, Palestinian rioters hurled stones at an Israeli settlers' bus near Huwara "
            "(Nablus, West Bank). [size=no report]")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Mob violence"
    assert ev.actor1 == "Rioters (Palestine)" and ev.actor2 == "Civilians (Israel)"


@pytest.mark.parametrize("text", [
    "On 20 April 2022, one forester died and another was wounded in an explosion of an anti-tank mine planted "
    "by Russian military forces in Kyiv region.",
    "On 4 April 2022, a shepherd was injured in a landmine explosion near Izium, Kharkiv.",
])
def test_people_hit_by_remote_violence_named_by_what_they_do_are_civilians(bundled_pipeline, text):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.event_type == "Explosions/Remote violence"
    assert ev.actor2.startswith("Civilians (")


def test_a_fight_told_as_why_people_were_taken_is_not_the_event(bundled_pipeline):
    text = ("On 5 May 2022, in Kyet Thay village (Katha district, Sagaing region), Myanmar military soldiers "
            "returning following the clash with the local PDF arrested 2 civilians from the village as human "
            "shields.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type in ("Arrests", "Abduction/forced disappearance")
    assert ev.actor1.startswith("Military Forces of Myanmar")


@pytest.mark.parametrize("text", [
    "On 2 May 2022, in Saravena (Arauca), ELN members shot and killed a shopkeeper after accusing him of "
     "supporting a different armed group. 1 fatality.",
    "On 2 May 2022, soldiers shot dead a farmer in Ye-U township (Sagaing), accusing him of supporting "
     "the PDF. 1 fatality.",
    "On 2 May 2022, police beat to death a man in Ballia (Ballia district, UP) while searching for his "
     "brother, who is suspected to be a gang member. 1 killed.",
])
def test_a_group_the_victim_was_accused_of_backing_is_not_a_side(bundled_pipeline, text):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Attack"
    assert ev.actor2.startswith("Civilians (")
