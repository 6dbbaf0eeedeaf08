"""The codebook's sub-event decisions from trigger-class scores (events/classify.py)."""

from __future__ import annotations

import pytest

from marsad.events.classify import classify


@pytest.mark.parametrize("scores, fatalities, injuries, expected", [
    ({"protest": 0.9}, 0, None, "Peaceful protest"),
    ({"protest": 0.9, "intervention": 0.8}, 0, None, "Protest with intervention"),
    ({"protest": 0.9, "arrest": 0.9}, 0, None, "Protest with intervention"),
    ({"protest": 0.9, "intervention": 0.8}, 2, None, "Excessive force against protesters"),
    ({"protest": 0.9, "unrest": 0.8}, 0, None, "Violent demonstration"),
    ({"unrest": 0.8}, 0, None, "Mob violence"),
    # crowd violence told with what the crowd wants: a demonstration turned violent
    ({"unrest": 0.8, "crowd_grievance": 0.5}, 0, None, "Violent demonstration"),
    # ... unless the crowd lynches or two crowds fight: that stays mob violence
    ({"unrest": 0.8, "mob": 0.85, "crowd_grievance": 0.5}, 0, None, "Mob violence"),
    ({"unrest": 0.8, "brawl": 0.9, "crowd_grievance": 0.5}, 0, None, "Mob violence"),
    ({"shelling": 0.95, "clash": 0.9}, 0, None, "Shelling/artillery/missile attack"),
    ({"clash": 0.9}, 3, None, "Armed clash"),
    # a mine that opens an exchange of fire is part of the battle; alone it is remote violence
    ({"ied": 0.95, "clash": 0.9}, 0, None, "Armed clash"),
    ({"ied": 0.95}, 1, None, "Remote explosive/landmine/IED"),
    ({"brawl": 0.9}, 0, 3, "Mob violence"),
    # two camps' supporters fighting at a rally: the fight is the event
    ({"protest": 0.9, "brawl": 0.9}, 0, None, "Mob violence"),
    # a demonstration whose crowd lynches or attacks turned violent
    ({"protest": 0.9, "mob": 0.85}, 0, None, "Violent demonstration"),
    # control changing hands without a fight
    ({"territory": 0.95, "nonviolent": 0.8}, 0, None, "Non-violent transfer of territory"),
    ({"territory": 0.95, "withdraw": 0.8}, 0, None, "Non-violent transfer of territory"),
    ({"territory": 0.95, "nonviolent": 0.8, "clash": 0.9}, 0, None, "Non-state actor overtakes territory"),
    # people killed besides those taken (or a captive killed): the attack is coded
    ({"abduction": 0.9, "attack": 0.8}, 1, None, "Attack"),
    ({"abduction": 0.9, "attack": 0.8}, 0, None, "Abduction/forced disappearance"),
    ({"abduction": 0.9}, 1, None, "Abduction/forced disappearance"),
    ({"arrest": 0.9}, 0, None, "Arrests"),
    # shot or beaten, and someone arrested: the attack is the event
    ({"arrest": 0.9, "attack": 0.8}, 1, None, "Attack"),
    ({"arrest": 0.9, "attack": 0.8}, 0, 2, "Attack"),
    # beaten and arrested, or an attacker arrested afterwards: the attack is the event
    ({"arrest": 0.9, "attack": 0.8}, 0, None, "Attack"),
    ({"arrest": 0.9, "raid": 0.8}, 0, None, "Arrests"),
    ({"disrupted": 0.9}, 0, None, "Disrupted weapons use"),
    ({"other": 0.5}, 0, None, "Other"),
])
def test_sub_event_decisions(scores, fatalities, injuries, expected):
    assert classify(scores, fatalities=fatalities, injuries=injuries).sub_event_type == expected


def test_no_trigger_no_event():
    assert classify({}) is None


@pytest.mark.parametrize("agent_inter, expected", [
    (1, "Arrests"), (None, "Arrests"), (6, "Arrests"),
    (2, "Abduction/forced disappearance"), (3, "Abduction/forced disappearance"),
    (8, "Abduction/forced disappearance"),
])
def test_only_a_states_own_forces_arrest(agent_inter, expected):
    # people an armed group, a militia or a foreign army detains are abducted
    assert classify({"arrest": 1.0}, agent_inter=agent_inter).sub_event_type == expected


def test_a_group_that_governs_the_area_arrests():
    assert classify({"arrest": 1.0}, agent_inter=2, agent_governs=True).sub_event_type == "Arrests"
