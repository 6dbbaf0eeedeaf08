"""Groups ACLED names apart from the larger movement they belong to, and the
ways reports write them (notes written for these tests)."""

from __future__ import annotations

import pytest

from note_support import events_of


@pytest.mark.parametrize("text, actor1", [
    ("On 3 March 2022, in Briceno (Antioquia), suspected members of the 36th FARC dissident front set fire to a truck on the "
     "highway. There were no casualties.",
     "FARC Dissident - 36th Front: Revolutionary Armed Forces of Colombia Dissident Faction "
     "(36th Front - Jair Aldana Baquero)"),
    ("On 3 March 2022, in Jamundi (Valle del Cauca), the Jaime Martinez Front attacked a police patrol with "
     "rifles. Police repelled the attack. There were no casualties.",
     "FARC Dissident - Jaime Martinez: Revolutionary Armed Forces of Colombia Dissident Faction (Jaime Martinez)"),
    ("On 3 March 2022, PKK-YJA STAR militants attacked Turkish army units in the Cudi area of Sirnak. "
     "Casualties unknown.",
     "PKK-YJA STAR: Kurdistan Workers Party-YJA STAR"),
    ("On 3 March 2022, in Niteroi (Rio de Janeiro), a CV member shot and killed a man in the Fonseca "
     "neighbourhood. 1 fatality.",
     "CV: Red Command"),
])
def test_a_named_faction_is_the_actor(bundled_pipeline, text, actor1):
    evs = events_of(bundled_pipeline, text)
    assert evs and evs[0].actor1 == actor1


def test_an_unnamed_farc_front_stays_the_dissidents(bundled_pipeline):
    text = ("On 3 March 2022, in Argelia (Cauca), FARC dissidents attacked a military base with explosives. "
            "Casualties unknown.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.actor1 == "FARC Dissidents"


def test_the_pkk_alone_is_not_its_womens_units(bundled_pipeline):
    text = "On 3 March 2022, PKK militants attacked Turkish army units in the Cudi area of Sirnak. Casualties unknown."
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.actor1 == "PKK: Kurdistan Workers Party"


def test_an_arson_group_is_the_agent_not_the_owner(bundled_pipeline):
    text = ("Property destruction: On 3 March 2022, the Children of Fire carried out an arson attack in the "
            "Esenyurt district of Istanbul, burning a delivery van.")
    (ev,) = events_of(bundled_pipeline, text)
    assert (ev.actor1, ev.actor2) == ("Children of Fire", "Civilians (Turkey)")


def test_burundis_intelligence_service_is_a_state_force(bundled_pipeline):
    text = ("On 3 March 2022, SNR agents abducted a shopkeeper on Kinama hill (Bubanza, Bubanza). "
            "The victim was taken to an unknown location.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.actor1.startswith("Police Forces of Burundi") and ev.actor1.endswith("National Intelligence Service")
    assert ev.actor2 == "Civilians (Burundi)"


@pytest.mark.parametrize("text, member_of", [
    ("On 3 March 2022, SNR agents abducted a member of the CNL on Kinama hill (Bubanza, Bubanza). "
     "His family has not found him.", "CNL: National Congress for Liberation"),
    ("On 3 March 2022, soldiers abducted two members of the NLD in Kani township (Sagaing). "
     "They were taken to an unknown location.", "NLD: National League for Democracy"),
])
def test_the_people_hit_by_violence_against_civilians_are_civilians(bundled_pipeline, text, member_of):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.event_type == "Violence against civilians"
    assert ev.actor2.startswith("Civilians (") and ev.inter2 == 7
    assert ev.assoc_actor_2 == member_of


@pytest.mark.parametrize("text, actor1", [
    ("On 3 March 2022, a government soldier (SNA) shot and killed a rickshaw driver in Mogadishu - Hodan "
     "(Banadir). 1 fatality.", "Military Forces of Somalia"),
    ("On 3 March 2022, SNA factions shelled QSD positions near Tal Tamr in Al Hasakeh countryside. "
     "Casualties unknown.", "JWS: Syrian National Army"),
    ("On 3 March 2022, the People's Defence Forces ambushed a military convoy in Gangaw township (Magway region). "
     "Casualties unknown.", "PDF: People's Defense Force"),
])
def test_a_name_several_actors_share_is_read_in_the_reports_country(bundled_pipeline, text, actor1):
    evs = events_of(bundled_pipeline, text)
    assert evs and evs[0].actor1.startswith(actor1)
