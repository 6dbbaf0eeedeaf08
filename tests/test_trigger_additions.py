"""Trigger patterns added for sub-event types that reports word in many ways
(weapons seizures, vehicle-borne suicide bombs, poison gas, bases, talks),
on sentences written for these tests."""

from __future__ import annotations

import pytest

from marsad.events.classify import classify
from marsad.knowledge.lexicons import load_triggers
from marsad.mentions.triggers import find_triggers
from marsad.records import Sentence


def live(text: str) -> set[str]:
    found = find_triggers(Sentence(0, 0, len(text), text), load_triggers())
    return {t.sub_event_type for t in found if not t.negated}


@pytest.mark.parametrize("text, cls", [
    ("Customs officers seized 14 pistols and 600 cartridges at the port of Mombasa.", "disrupted"),
    ("A cache of rifles and ammunition was uncovered in a farmhouse near Kandahar.", "disrupted"),
    ("Three hand-made guns were confiscated by the gendarmes at the checkpoint.", "disrupted"),
    ("Rangers seized a large quantity of weapons in a raid on a park.", "disrupted"),
    ("Police evacuated the station after a suspicious package was left near the ticket office.", "disrupted"),
    ("A suicide vehicle-borne explosive device struck the gate of the base.", "suicide"),
    ("Two kamikazes blew up near the market.", "suicide"),
    ("The militants fired shells filled with mustard gas at the village.", "chemical"),
    ("The army established 12 military observation points along the front line.", "base"),
    ("The government and the rebels started peace talks in Doha on Monday.", "agreement"),
    ("The exchange of prisoners took place at the crossing near Zaporizhzhia.", "agreement"),
    ("Rebel fighters seized the provincial capital before dawn.", "territory"),
    ("The insurgents took over two oil fields south of Sirte.", "territory"),
    ("Government troops freed three villages from the militia on Monday.", "territory"),
    ("Soldiers took away in an unknown location the head of the fire brigade.", "abduction"),
    ("On 12 February 2022, the monitors observed 54 explosions in both directions of the frontline near Avdiivka.",
     "clash"),
    ("Shots were exchanged between the two patrols near the border.", "clash"),
    ("The Armenian forces fired in the direction of Azerbaijani positions near Zivel.", "clash"),
    ("The soldiers opened fire from their positions in Tavush region towards the positions of the other army.",
     "clash"),
    ("Russian forces fired on Shostkynskyi district of Sumy region.", "shelling"),
    ("An unidentified armed man shot five times at a civilian sitting at a teashop.", "attack"),
    ("Two armed suspects on a motorcycle shot against a public bus.", "attack"),
    ("A man was shot in a drive-by incident.", "attack"),
    ("Rival drug traffickers exchanged heavy fire in two neighborhoods.", "clash"),
    ("Residents captured and beat up a robber on the avenue.", "mob"),
    ("Villagers thrashed a suspected thief near the market.", "mob"),
    ("About 150 troops fired heavy and light weapons at the village.", "shelling"),
    ("Police interrupted the rally and registered the organisers.", "intervention"),
    ("Riot police helped remove the demonstrators from the square.", "intervention"),
    ("Around 200 people marched to the square. 1 person was arrested.", "intervention"),
    ("Police cars prevented them from driving along the coast road.", "intervention"),
])
def test_added_patterns_find_their_class(text, cls):
    assert cls in live(text)


@pytest.mark.parametrize("text, cls", [
    # near misses: words of those patterns about something else
    ("Police found the missing child near the river.", "disrupted"),
    ("The suicide rate rose last year.", "suicide"),
    ("The company set up a new office in Nairobi.", "base"),
    ("Customs officers seized the smuggled cigarettes at the port.", "territory"),
    ("The company interrupted its deliveries.", "intervention"),
    ("They removed the banners after the rally.", "intervention"),
    ("The drone was shot down over the sea.", "attack"),
    # shots fired towards people or into the air are no exchange of fire
    ("It is assumed that the shots were fired towards Palestinians to keep them away from the fence.", "clash"),
    ("Soldiers fired warning shots to disperse the crowd.", "clash"),
])
def test_near_misses_do_not(text, cls):
    assert cls not in live(text)


def test_weapons_seized_in_a_clash_are_part_of_the_clash():
    assert classify({"clash": 0.9, "disrupted": 0.9}).sub_event_type == "Armed clash"
    assert classify({"disrupted": 0.9}).sub_event_type == "Disrupted weapons use"
