"""A protest met with live fire that wounds people is excessive force
(codebook: deaths or serious injuries); shots into the air and tear gas stay
an intervention. Notes written for these tests."""

from __future__ import annotations

import pytest

from marsad.events.classify import classify

from note_support import events_of


def test_live_fire_with_wounded_is_excessive_force():
    assert classify({"protest": 0.9, "lethal_force": 0.8}, injuries=4).sub_event_type == \
        "Excessive force against protesters"
    # live fire told, nobody hurt: the force used is an intervention
    assert classify({"protest": 0.9, "lethal_force": 0.8}).sub_event_type == "Protest with intervention"
    # wounded by tear gas or batons alone: an intervention
    assert classify({"protest": 0.9, "intervention": 0.8}, injuries=4).sub_event_type == "Protest with intervention"


@pytest.mark.parametrize("text, expected", [
    ("On 18 May 2022, residents demonstrated against the new tax in Kisumu (Kenya). The security forces fired "
     "live bullets to disperse the crowd. Four demonstrators were injured.", "Excessive force against protesters"),
    # the toll told in a sentence of its own, with arrests, is the protest's
    ("On 18 May 2022, thousands of demonstrators marched in Khartoum (Sudan), denouncing the coup. Security "
     "forces fired teargas canisters and live bullets to disperse the crowd. At least 50 people were injured "
     "and several others were arrested.", "Excessive force against protesters"),
    ("On 18 May 2022, residents demonstrated against the new tax in Kisumu (Kenya). Police fired live bullets "
     "into the air to disperse the crowd. Four demonstrators were injured.", "Protest with intervention"),
])
def test_protests_met_with_force(bundled_pipeline, text, expected):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == expected
    assert ev.actor1.startswith("Protesters (")


def test_the_crowds_noun_stays_the_protests_trigger():
    from marsad.knowledge.lexicons import load_triggers
    from marsad.mentions.triggers import find_triggers
    from marsad.records import Sentence
    text = "Security forces opened fire on peaceful protesters in Basra."
    found = {(t.span.text, t.sub_event_type) for t in find_triggers(Sentence(0, 0, len(text), text), load_triggers())}
    assert ("protesters", "protest") in found and ("opened fire on", "lethal_force") in found
