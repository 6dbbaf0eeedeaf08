"""Shelling the side it hit answered is a fight between them (codebook: armed
clash); shelling nobody answers stays fire from afar (notes written for these
tests)."""

from __future__ import annotations

import pytest

from note_support import events_of


CLASH, SHELLING = "Armed clash", "Shelling/artillery/missile attack"


@pytest.mark.parametrize("text, sub", [
    ("On 2 May 2022, Al Shabaab militants fired mortar shells at an army base in Afgooye (Afgooye, Lower Shabelle). "
     "The soldiers responded with mortars. Casualties unknown.", CLASH),
    ("On 2 May 2022, rebels shelled army positions near Kidal (Kidal, Kidal). The army shelled back. "
     "There were no casualties.", CLASH),
    ("On 2 May 2022, militants fired rockets at army units in Cizre district, Sirnak. The army conducted shelling "
     "targeting the area in response. Casualties unknown.", CLASH),
    ("On 2 May 2022, Al Shabaab militants fired two RPG rounds at an army base in Dhusamareb (Dhusamareb, "
     "Galgaduud), followed by a brief exchange of gunfire. There were no casualties.", CLASH),
    # nobody answered; and the grievance a shelling answers is no answer to it
    ("On 2 May 2022, Al Shabaab militants fired mortar shells at an army base in Afgooye (Afgooye, Lower Shabelle). "
     "Casualties unknown.", SHELLING),
    ("On 2 May 2022, rebels shelled army positions near Kidal (Kidal, Kidal) in response to the arrest of a leader. "
     "There were no casualties.", SHELLING),
])
def test_shelling_the_other_side_answered_is_a_clash(bundled_pipeline, text, sub):
    evs = events_of(bundled_pipeline, text)
    assert [e.sub_event_type for e in evs] == [sub]
