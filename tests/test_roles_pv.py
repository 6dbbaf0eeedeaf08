"""Actor pairs of political-violence events read off the words a coder
reads (notes invented or paraphrased for these tests)."""

from __future__ import annotations

import pytest

from note_support import events_of


@pytest.mark.parametrize("text", [
    "On 3 May 2022, Russian forces shelled Avdiivka, Donetsk. Two houses were damaged. One person died and "
    "three were injured.",
    "On 9 May 2022, in the morning, Russian aviation carried out air strikes on Borova, Kharkiv. "
    "Three people were killed.",
])
def test_remote_violence_that_hurt_persons_or_hit_homes_hit_civilians(bundled_pipeline, text):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.event_type == "Explosions/Remote violence"
    assert ev.actor1.startswith("Military Forces of Russia")
    assert ev.actor2 == "Civilians (Ukraine)"


def test_remote_violence_on_homes_that_hurt_nobody_has_no_second_actor(bundled_pipeline):
    text = "On 3 May 2022, Russian forces shelled Avdiivka, Donetsk. Two houses were damaged. No casualties."
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.event_type == "Explosions/Remote violence" and ev.actor2 == ""
