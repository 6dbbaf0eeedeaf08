"""Shelling the side it hit answered is a fight between them (codebook: armed
clash); shelling nobody answers stays fire from afar (notes written for these
tests)."""

from __future__ import annotations

import pytest

from note_support import events_of


@pytest.mark.parametrize("text", [
    "On 2 May 2022, Al Shabaab militants fired mortar shells at an army base in Afgooye (Afgooye, Lower Shabelle). "
    "The soldiers responded with mortars. Casualties unknown.",
    "On 2 May 2022, rebels shelled army positions near Kidal (Kidal, Kidal). The army shelled back. "
    "There were no casualties.",
    "On 2 May 2022, militants fired rockets at army units in Cizre district, Sirnak. The army conducted shelling "
    "targeting the area in response. Casualties unknown.",
    "On 2 May 2022, Al Shabaab militants fired two RPG rounds at an army base in Dhusamareb (Dhusamareb, "
    "Galgaduud), followed by a brief exchange of gunfire. There were no casualties.",
])
def test_shelling_the_other_side_answered_is_a_clash(bundled_pipeline, text):
    evs = events_of(bundled_pipeline, text)
    assert [e.sub_event_type for e in evs] == ["Armed clash"]


@pytest.mark.parametrize("text", [
    "On 2 May 2022, Al Shabaab militants fired mortar shells at an army base in Afgooye (Afgooye, Lower Shabelle). "
    "Casualties unknown.",
    # the grievance a shelling answers is no answer to it
    "On 2 May 2022, rebels shelled army positions near Kidal (Kidal, Kidal) in response to the arrest of a leader. "
    "There were no casualties.",
])
def test_shelling_nobody_answered_stays_shelling(bundled_pipeline, text):
    evs = events_of(bundled_pipeline, text)
    assert [e.sub_event_type for e in evs] == ["Shelling/artillery/missile attack"]
