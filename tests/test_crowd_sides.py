"""Who rioters and protesters met or hit (the second actor of crowd events),
per the codebook's conventions for demonstrations and riots. Notes written
for these tests."""

from __future__ import annotations

import pytest

from note_support import events_of


@pytest.mark.parametrize("text, actor2", [
    # a party's office the crowd wrecked is civilians' property
    ("On 9 May 2022, students vandalised a Congress party office during a demonstration in Gaya town (Bihar, "
     "India) against the new exam rules.", "Civilians (India)"),
    # the union that called the action is the crowd's own
    ("On 2 March 2022, dozens of dockers blocked the port access with burning tires in Le Havre (France) "
     "at the call of the CGT union, demanding higher wages.", ""),
    # people a mob lynched are civilians, whatever gang they were said to be in
    ("On 7 June 2022, local residents chased and lynched two men, members of a three-man gang, in Kisumu "
     "(Kenya) for allegedly robbing a shop.", "Civilians (Kenya)"),
])
def test_a_party_union_or_armed_group_is_not_the_side_rioters_hit(bundled_pipeline, text, actor2):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.event_type == "Riots"
    assert ev.actor2 == actor2


@pytest.mark.parametrize("text", [
    "On 3 February 2022, party cadres blocked the highway with burning tires in Janakpur (Dhanusha, Nepal), "
    "demanding the authorities supply fertiliser to farmers.",
    "On 8 January 2022, relatives of a missing fisherman blocked the main road in Sfax (Tunisia) by setting tires "
    "on fire and accused the authorities of delaying the search.",
])
def test_the_authorities_a_crowd_addresses_are_not_the_force_it_met(bundled_pipeline, text):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Violent demonstration"
    assert ev.actor2 == ""


def test_rioters_who_stoned_the_police_met_the_police_not_the_rally_they_answered(bundled_pipeline):
    text = ("On 14 April 2022, a riot broke out in Malmo (Sweden) in relation with the planned demonstration of "
            "far-right activists. The rioters threw stones at police personnel.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.event_type == "Riots"
    assert ev.actor2.startswith("Police Forces of Sweden")


@pytest.mark.parametrize("text, force", [
    # "a mob of villagers": the villagers are the crowd, the police it stoned the other side
    ("On 1 May 2022, a mob of villagers pelted stones at a police team in Sitapur village (Uttar Pradesh, "
     "India) after the death of a girl.", "Police Forces of India"),
    # the locals the police charged are the ones who threw the stones
    ("On 16 May 2022, police charged batons at the locals, who were pelting stones, outside the election "
     "office in Birendranagar (Surkhet, Nepal).", "Police Forces of Nepal"),
])
def test_the_crowds_own_people_are_not_the_civilians_it_hit(bundled_pipeline, text, force):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.event_type == "Riots"
    assert ev.actor2.startswith(force)


@pytest.mark.parametrize("text", [
    # the arrests they denounce were made by the police before: no force met them
    "On 4 April 2022, about 80 people gathered in front of the police station in Bastia (Corsica, France). "
    "They denounced arrests made by the police during a march the day before.",
    # the police station is where they gathered, a death is why
    "On 20 January 2022, relatives of a man found dead protested in front of the police station in Caacupe "
    "(Cordillera, Paraguay) to demand clarification of the crime.",
])
def test_a_force_named_in_the_grievance_or_as_the_venue_did_not_intervene(bundled_pipeline, text):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Peaceful protest"
    assert ev.actor2 == ""


@pytest.mark.parametrize("text", [
    # (guards: the force that acts on the protesters still intervenes)
    "On 25 March 2022, thousands of teachers demonstrated in Guwahati (Kamrup Metropolitan, Assam, India) "
    "while a few were detained by the police.",
    "On 14 February 2022, protesters demonstrated in Sitrah (Capital, Bahrain) against the visit of a foreign "
    "minister. The authorities, including plainclothes officers, made several arrests.",
])
def test_a_force_that_acted_on_the_protest_intervened(bundled_pipeline, text):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Protest with intervention"
    assert ev.actor2.startswith("Police Forces of")


def test_rioters_removed_by_the_police_met_the_police(bundled_pipeline):
    text = ("On 12 January 2022, local youths rioted near Nevatim (HaDarom, Israel) against a forestation project. "
            "The road was closed by the police, which removed the rioters using tear gas.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Violent demonstration"
    assert ev.actor2.startswith("Police Forces of Israel")


@pytest.mark.parametrize("text", [
    "On 27 May 2022, around 500 people damaged the office of the water company in Palu (Central Sulawesi, "
    "Indonesia). They were frustrated by frequent cuts. [size=around 500]",
    "On 10 April 2022, in Port-au-Prince - Delmas (Ouest, Haiti), residents stoned a thief in the market area.",
])
def test_a_crowd_named_as_the_doer_of_damage_or_a_stoning_is_mob_violence(bundled_pipeline, text):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Mob violence"
    assert ev.actor1.startswith("Rioters (")


def test_homes_of_residents_destroyed_by_shelling_are_no_crowd(bundled_pipeline):
    # (guard: the crowd words only count for people who did the damage)
    text = "On 3 May 2022, the homes of 20 residents destroyed by Russian shelling in Kharkiv (Ukraine) were counted."
    assert all(ev.event_type != "Riots" for ev in events_of(bundled_pipeline, text))


def test_vigilantes_fighting_beside_troops_are_no_mob(bundled_pipeline):
    text = ("On 22 February 2022, Nigerian troops and local vigilantes from Zuru repelled an attack by bandits "
            "in Rijau (Niger, Nigeria).")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Armed clash"


def test_vigilantes_who_beat_a_suspect_are_a_mob(bundled_pipeline):
    # (guard: the vigilantes' own violence is still mob violence)
    text = "On 17 May 2022, a vigilante group assaulted a young man suspected of theft in Kapchorwa (Eastern, Uganda)."
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Mob violence"


def test_a_drug_lab_a_force_seized_was_a_gangs(bundled_pipeline):
    text = ("Property destruction: On 14 June 2022, in Culiacan (Sinaloa, Mexico), military forces located and "
            "seized a laboratory for the production of synthetic drugs.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Looting/property destruction"
    assert ev.actor2 == "Unidentified Gang (Mexico)"


@pytest.mark.parametrize("text, actor1, actor2", [
    ("Property destruction: On 9 March 2022, people burned down a flag and sprayed graffiti on several buildings "
     "in Uffenheim (Bavaria, Germany).", "Unidentified Armed Group (Germany)", "Civilians (Germany)"),
    # (guard: a force destroying houses still hits civilians)
    ("Property destruction: On 4 May 2022, soldiers burned down the houses of villagers in Kani (Sagaing, "
     "Myanmar).", "Military Forces of Myanmar", "Civilians (Myanmar)"),
])
def test_people_who_destroy_property_are_an_unidentified_group(bundled_pipeline, text, actor1, actor2):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Looting/property destruction"
    assert ev.actor1.startswith(actor1) and ev.actor2 == actor2


@pytest.mark.parametrize("text, actor2", [
    ("On 23 January 2022, in Pyay town (Bago-West, Myanmar), the military arrested a shop owner on suspicion of "
     "financing the PDF.", "Civilians (Myanmar)"),
    ("On 9 April 2022, in Sittwe township (Rakhine State, Myanmar), the Myanmar military forces arrested two "
     "village heads for allegedly having a connection with the Arakan Army.", "Civilians (Myanmar)"),
    # (guard: the group's own members arrested are that group)
    ("On 11 May 2022, in Myitkyina (Kachin, Myanmar), the military arrested five PDF members after a raid.",
     "PDF: People's Defense Force"),
])
def test_the_group_people_are_charged_with_supporting_is_not_who_was_arrested(bundled_pipeline, text, actor2):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Arrests"
    assert ev.actor2 == actor2


def test_a_dated_past_riot_named_in_a_vigil_is_not_this_events_violence(bundled_pipeline):
    text = ("On 6 January 2022, dozens of people held a vigil in Oreland (Pennsylvania, United States) as part of "
            "events commemorating the 6 January 2021 Capitol riots.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Peaceful protest"
    assert ev.actor1 == "Protesters (United States)"
