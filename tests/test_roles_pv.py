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


@pytest.mark.parametrize("text, actor2", [
    ("On 3 May 2022, Al Shabaab militants attacked a Galmudug security forces base in Ceel Dheer (Ceel Dheer, "
     "Galgaduud). Casualties unknown.",
     "Military Forces of Somalia (2022-) Galmudug Security Force"),
    ("On 3 May 2022, Al Shabaab fighters ambushed a Jubaland forces convoy near Kismayo (Kismayo, Lower Juba). "
     "Casualties unknown.",
     "Military Forces of Somalia (2022-) Jubaland Security Force"),
    ("On 3 May 2022, TPLF forces clashed with Afar regional special forces near Abala (Kilbati-Zone 2, Afar). "
     "Casualties unknown.",
     "Police Forces of Ethiopia (2018-) Afar Special Forces"),
])
def test_a_regional_force_is_named_as_its_unit(bundled_pipeline, text, actor2):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.event_type == "Battles" and ev.actor2 == actor2


def test_two_groups_of_one_regional_force_fought_each_other(bundled_pipeline):
    text = ("On 3 May 2022, two groups of Puntland security forces clashed in Garowe town (Garoowe, Nugaal) "
            "over unpaid salaries. One soldier was killed.")
    (ev,) = events_of(bundled_pipeline, text)
    unit = "Military Forces of Somalia (2022-) Puntland Security Force"
    assert ev.sub_event_type == "Armed clash" and (ev.actor1, ev.actor2) == (unit, unit)


def test_air_defence_that_shot_down_a_drone_is_the_army_not_the_air_force(bundled_pipeline):
    text = ("Interception: On 3 May 2022, Ukrainian air defense forces shot down a Russian drone in the "
            "Mykolaiv region.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Disrupted weapons use"
    assert ev.actor1 == "Military Forces of Ukraine (2019-)"


def test_who_laid_a_device_the_subject_found_is_the_second_side(bundled_pipeline):
    text = ("Defusal: On 3 May 2022, Turkish gendarmerie forces found an IED planted by PKK militants near a road in "
            "Sirnak and destroyed it through controlled detonation.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Disrupted weapons use"
    assert ev.actor1 == "Military Forces of Turkey (2016-) Gendarmerie"
    assert ev.actor2 == "PKK: Kurdistan Workers Party"


def test_a_device_planted_by_a_group_that_exploded_is_that_groups_act(bundled_pipeline):
    text = ("On 3 May 2022, an IED planted by Al Shabaab militants exploded near a military convoy in Afgooye "
            "(Afgooye, Lower Shabelle). Casualties unknown.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.actor1 == "Al Shabaab"


@pytest.mark.parametrize("text, actor2", [
    ("Defusal: On 3 May 2022, Iraqi police forces defused an IED found near a market in Baghdad - Karkh.",
     "Unidentified Armed Group (Iraq)"),
    ("Weapons seizure: On 3 May 2022, in Hpa-an town (Hpa-an district, Kayin state), the Myanmar military seized "
     "a cache of weapons and mines hidden in a farm hut.",
     "Unidentified Armed Group (Myanmar)"),
])
def test_weapons_a_force_disrupted_with_no_owner_named_are_an_unidentified_groups(bundled_pipeline, text, actor2):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Disrupted weapons use" and ev.actor2 == actor2


def test_a_detonation_that_hurt_the_force_has_one_actor(bundled_pipeline):
    text = ("Detonation: On 3 May 2022, two Iraqi soldiers were injured when an explosive device they were "
            "dismantling went off near Tarmiyah (Tarmiyah, Baghdad).")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Disrupted weapons use" and ev.actor2 == ""


def test_a_group_introduced_with_its_acronym_late_in_a_long_sentence_keeps_its_name(bundled_pipeline):
    # the name is read more than NAME_WINDOW characters into the sentence
    text = ("On 3 May 2022, between Kyaung Kone and Hnget Pyaw Taw villages (coded as Kyaung Kone) (Chaung-U "
            "township, Monywa district, Sagaing region), the combined forces of the Kyaung Kone Liberation Army "
            "(KKLA) attacked 60 military soldiers with a series of mines. Casualties unknown.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.actor1 == "KKLA: Kyaung Kone Liberation Army"
    assert ev.actor2 == "Military Forces of Myanmar (2021-)"


def test_the_side_that_opened_fire_on_another_is_the_agent_of_the_killing_after(bundled_pipeline):
    text = ("On 3 May 2022, near Hakha town (Hakha district, Chin state), the military opened fires at members of "
            "the Chinland Defense Force and killed a member of the group and a civilian.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.actor1 == "Military Forces of Myanmar (2021-)"
    assert ev.actor2.startswith("CDF")



@pytest.mark.parametrize("text, actor2", [
    ("On 3 May 2022, in Laukkai township (Kokang Self-Administered Zone, Shan-North state), fighting broke out "
     "between the Myanmar military and the MNDAA. Casualties unknown.",
     "MNTJP/MNDAA: Myanmar National Truth and Justice Party/Myanmar National Democratic Alliance Army"),
    ("On 3 May 2022, near Falam town (Falam district, Chin state), the Myanmar military clashed with the Chin "
     "National Defense Force. Casualties unknown.",
     "CNO/CNDF: Chin National Organization/Chin National Defense Force"),
])
def test_myanmar_groups_under_the_names_acled_gives_them(bundled_pipeline, text, actor2):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.actor1 == "Military Forces of Myanmar (2021-)" and ev.actor2 == actor2


def test_a_struck_side_named_with_its_acronym_and_again_is_still_the_one_struck(bundled_pipeline):
    text = ("On 3 May 2022, near Falam town (Falam district, Chin state), the military opened fires at members of "
            "the Chin National Defense Force (CNDF) and killed a member of CNDF and a civilian.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.actor1 == "Military Forces of Myanmar (2021-)"
    assert ev.actor2 == "CNO/CNDF: Chin National Organization/Chin National Defense Force"
