"""Who did what to whom: actor roles and the country an event is placed in,
on short monitor-style reports written for these tests (bundled gazetteer)."""

from __future__ import annotations

import pytest

from note_support import events_of


def test_a_repulse_told_after_but_does_not_swap_the_sides(bundled_pipeline):
    text = ("On 14 June 2022, Russian forces engaged in an offensive in the direction of Izium, Kharkiv, "
            "but were repulsed by Ukrainian forces. Russian forces also shelled near Izium, Kharkiv, with "
            "mortars and artillery. Casualties unknown.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Armed clash"
    assert ev.actor1.startswith("Military Forces of Russia") and ev.actor2.startswith("Military Forces of Ukraine")


def test_a_passive_by_still_names_the_agent(bundled_pipeline):
    text = "On 2 May 2022, a civilian was tortured and killed by the Taliban in Herat province."
    (ev,) = events_of(bundled_pipeline, text)
    # since August 2021 ACLED codes the Taliban as Afghanistan's state forces
    assert ev.actor1 == "Military Forces of Afghanistan (2021-)" and ev.actor2 == "Civilians (Afghanistan)"


def test_a_heading_is_not_the_action_the_roles_are_read_from(bundled_pipeline):
    text = ("Property destruction: On 9 June 2022, Israeli military forces demolished a house belonging "
            "to a Palestinian in Bethlehem city (Bethlehem, West Bank).")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Looting/property destruction"
    assert ev.actor1.startswith("Military Forces of Israel")
    # property is taken from or destroyed for civilians unless the report says otherwise
    assert ev.actor2 == "Civilians (Palestine)"


@pytest.mark.parametrize("text, country", [
    # a state force named by its demonym does not pull a place abroad: the
    # Russian town called Donetsk is tiny beside the Ukrainian city and region
    ("On 8 June 2022, Russian forces launched an airstrike at Donetsk. Casualties unknown.", "Ukraine"),
    ("On 15 April 2022, Russian forces shelled Kreminna, Luhansk. Houses were damaged.", "Ukraine"),
])
def test_the_country_follows_the_place_not_the_attacker(bundled_pipeline, text, country):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.country == country and ev.latitude is not None


@pytest.mark.parametrize("text, actor2", [
    # arrested people are civilians unless the report names their group
    ("On 27 June 2022, in Kabul, police arrested a journalist for a post online.", "Civilians (Afghanistan)"),
    # remote violence that killed people the report calls civilians
    ("On 23 April 2022, Russian forces fired artillery at Kamianske, Zaporizhia. 3 civilians were killed.",
     "Civilians (Ukraine)"),
    # the people of a counter-demonstration are the other side of a protest
    ("On 7 February 2022, around 2,000 people demonstrated in Bamberg against coronavirus measures. "
     "Around 1,000 people gathered for a counter-demonstration.", "Protesters (Germany)"),
    # what is looted or destroyed is civilians' even when a party, a group or
    # a police station is named near it
    ("Land seizure: On 18 March 2022, in Ye town (Mon State), the Myanmar military forces sealed off and "
     "seized the house of the NLD's Ye township chairperson.", "Civilians (Myanmar)"),
    ("Property destruction: On 8 February 2022, CPI-Maoist cadres set ablaze two road construction "
     "vehicles at Kiamunda village under Phiringia police station limits (Kandhamal district, Odisha).",
     "Civilians (India)"),
    # civilians of another country than the event's, by the nationality told beside them
    ("On 1 March 2022, police officers killed a Burundian refugee at the Nduta Refugee Camp (Kakonko, Kigoma).",
     "Civilians (Burundi)"),
    ("On 28 January 2022, close to Xpujil, Campeche, military officers detained 35 Cuban migrants traveling "
     "on the highway.", "Civilians (Cuba)"),
    ("On 13 May 2022, gendarmerie forces detained 118 migrants attempting to cross the border in Urla "
     "district, Izmir.", "Civilians (International)"),
    # a child hit by shells is a civilian hit
    ("On 13 April 2022, in Daw Ta Mee village (Demoso township, Kayah state), the military's Artillery battalion "
     "360 fired artillery rounds at the village, injuring a 12-year-old kid.", "Civilians (Myanmar)"),
    # shelled buildings hit no one
    ("On 15 June 2022, Russian forces shelled civilian infrastructure in Baranivka, Sumy. Casualties unknown.", ""),
])
def test_default_second_actors(bundled_pipeline, text, actor2):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.actor2 == actor2


def test_civilians_named_before_a_strike_are_its_victims(bundled_pipeline):
    text = "Five civilians died in an air strike on Kharkiv city, a local official said."
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Air/drone strike"
    assert not ev.actor1.startswith("Civilians") and ev.actor2 == "Civilians (Ukraine)"


@pytest.mark.parametrize("text, sub, actor2", [
    ("On 12 May 2022, cadres of the Nepali Congress clashed with cadres of the UML in Janakpur city. "
     "One cadre sustained injuries.", "Mob violence", "Rioters (Nepal)"),
    ("On 23 June 2022, physical clashes erupted between individuals in front of a bakery in Tripoli, Lebanon, "
     "over bread shortages.", "Mob violence", "Rioters (Lebanon)"),
    ("On 29 June 2022, members of the Trinamool Congress and the National People's Party clashed in "
     "Shillong over banners.", "Mob violence", "Rioters (India)"),
    ("On 19 March 2022, two groups clashed during the festival in Patna. Stones were thrown.",
     "Mob violence", "Rioters (India)"),
    ("On 22 May 2022, five student activists were injured in a clash with locals in Chittagong city "
     "over a parking issue.", "Mob violence", "Rioters (Bangladesh)"),
    # armed groups stay a battle
    ("On 19 April 2022, one Taliban member was wounded during clashes between two Taliban groups in Kabul.",
     "Armed clash", None),
    # armed sides stay a battle
    ("On 14 January 2022, there was an armed clash between gang members and police officers in Mixco, "
     "Guatemala. One man was killed.", "Armed clash", None),
])
def test_crowds_fighting_each_other_are_mob_violence(bundled_pipeline, text, sub, actor2):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == sub
    if actor2 is not None:
        assert ev.actor1 == actor2 and ev.actor2 == actor2


def test_a_group_name_before_militants_is_one_actor(bundled_pipeline):
    text = ("Daesh militants attacked an Iraqi army checkpoint on Friday night in Kirkuk, killing one soldier. "
            "The militants fled after a brief exchange of fire.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Armed clash"
    assert ev.actor1 == "Islamic State (Iraq)" and ev.actor2.startswith("Military Forces of Iraq")


def test_after_a_heading_the_armed_subject_acts(bundled_pipeline):
    text = ("Movement of forces: Around 12 June 2022, in Taungoo town (Bago region), 7 trucks full of "
            "Myanmar military soldiers arrived at the town.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.actor1 == "Military Forces of Myanmar (2021-)"


def test_the_coders_own_fatality_figure_wins(bundled_pipeline):
    text = ("On 18 March 2022, NRF clashed with the Taliban in Paghman city, Kabul. Fatalities coded as 3 "
            "(NRF reported 4 Taliban fatalities and 1 NRF fatality).")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.fatalities == 3
    assert any(e.field == "fatalities" and e.text == "Fatalities coded as 3" for e in ev.evidence)


@pytest.mark.parametrize("text, fatalities", [
    ("Around 5 May 2022, a mob killed a truck driver suspected to be a thief in Mankessim, Ghana.", 1),
    # what set the mob off is not its own toll
    ("On 15 February 2022, rioters barricaded roads with burning tires in Jijiga, Ethiopia, following the "
     "killing of two students at a checkpoint.", 0),
])
def test_a_mob_keeps_its_own_dead(bundled_pipeline, text, fatalities):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.event_type == "Riots" and ev.fatalities == fatalities


@pytest.mark.parametrize("text, fatalities", [
    # the report's deaths shared between the events it was coded as
    ("On 5 May 2022, the army clashed with rebels in Gao (Gao). 28 rebels were killed. "
     "Fatalities are split across two events.", 14),
    # a figure coded for this event after the split note is its own
    ("On 5 May 2022, the army clashed with rebels in Gao (Gao). 20 fatalities split across 6 events coded as 3.", 3),
    # a total coded first, then shared: rounded half up
    ("On 5 May 2022, the army clashed with rebels in Gao (Gao). Unclear fatalities coded as 5 and split "
     "between 2 locations.", 3),
])
def test_deaths_split_between_events(bundled_pipeline, text, fatalities):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.fatalities == fatalities


def test_deaths_coded_to_another_event_leave_none_here(bundled_pipeline):
    base = ("On 2 May 2022, rebels fired mortars at army positions near {here}, Donetsk. As a result of shelling, "
            "two soldiers were killed at unspecified locations (fatalities coded to {there} event).")
    (elsewhere,) = events_of(bundled_pipeline, base.format(here="Avdiivka", there="Marinka"))
    (here,) = events_of(bundled_pipeline, base.format(here="Avdiivka", there="Avdiivka"))
    assert elsewhere.fatalities == 0
    assert here.fatalities == 2


def test_a_death_right_after_force_on_a_protest_is_its_outcome(bundled_pipeline):
    text = ("On 6 June 2022, students staged a protest in Omdurman (Khartoum). Police forces fired tear gas "
            "and live ammunition at them. A protester was killed and 12 were wounded.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.fatalities == 1
    assert ev.sub_event_type == "Excessive force against protesters"


def test_roles_come_from_the_trigger_that_decided_the_type(bundled_pipeline):
    # the strongest trigger ("disappeared", an abduction) has civilians as its
    # subject; the killing decided the type, and its subject is the attacker
    text = ("On 2 March 2022, ADF rebels raided Mutwanga village (Beni, Nord-Kivu) and killed 4 civilians. "
            "Several civilians disappeared.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Attack"
    assert ev.actor1 == "ADF: Allied Democratic Forces" and ev.actor2 == "Civilians (Democratic Republic of Congo)"


@pytest.mark.parametrize("text", [
    "On 3 May 2022, soldiers shot and killed a member of the USDP party in Monywa (Sagaing) at a checkpoint.",
    "On 3 May 2022, gunmen killed a local leader of the KIO in Myitkyina (Kachin) near the market.",
])
def test_one_person_of_a_party_or_group_is_hit_as_a_civilian(bundled_pipeline, text):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Attack"
    assert ev.actor2 == "Civilians (Myanmar)"


@pytest.mark.parametrize("text, sub", [
    # an ambush of passengers is an attack; villagers who clash are a side
    ("On 8 May 2022, Islamist militia ambushed a bus carrying passengers near Mueda (Cabo Delgado).", "Attack"),
    ("On 8 May 2022, herders clashed with villagers near Mueda (Cabo Delgado), killing two.", "Armed clash"),
])
def test_a_battle_needs_two_armed_sides(bundled_pipeline, text, sub):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == sub


def test_two_actors_sharing_one_noun(bundled_pipeline):
    text = "On 2 June 2022, fighting took place between Ukrainian and Russian forces near Izium, Kharkiv."
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Armed clash"
    assert ev.actor1.startswith("Military Forces of Ukraine") and ev.actor2.startswith("Military Forces of Russia")
    # the first actor's evidence is its own word
    assert any(e.field == "actor1" and e.text == "Ukrainian" for e in ev.evidence)


def test_settlers_rioting_are_rioters_of_their_own_country(bundled_pipeline):
    text = ("On 3 March 2022, Israeli settlers threw stones at Palestinian homes and cars in Huwwara "
            "(Nablus, West Bank). [size=no report]")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Mob violence"
    assert ev.actor1 == "Rioters (Israel)" and ev.country == "Palestine"


@pytest.mark.parametrize("text", [
    "On 13 June 2022, PKK militants fought Turkish soldiers near Amadiya (Duhok), in conjunction with "
    "airstrikes carried out by Turkish forces.",
    "On 2 May 2022, Al Shabaab militants fired mortar shells at an army base in Jowhar (Middle Shabelle) "
    "and an exchange of fire followed.",
])
def test_fighting_told_with_strikes_or_shelling_is_a_battle(bundled_pipeline, text):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Armed clash"


def test_strikes_on_positions_alone_stay_remote_violence(bundled_pipeline):
    text = "On 27 June 2022, Turkish artillery and airstrikes targeted PKK positions near Amadiya (Duhok)."
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Air/drone strike"


def test_the_victims_group_told_after_is_who_was_hit(bundled_pipeline):
    text = ("On 17 May 2022, in Culiacan, Sinaloa, armed men opened fire and killed a man. "
            "The victim was identified as a member of an organized crime group. 1 fatality.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Armed clash"
    assert ev.actor2 == "Unidentified Gang (Mexico)"


def test_an_off_duty_officer_named_as_the_victim_stays_a_civilian(bundled_pipeline):
    text = ("On 3 February 2022, in Manzanillo, Colima, armed men shot and injured four men in a house. "
            "One of the victims was a municipal police officer on his day off.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Attack"


@pytest.mark.parametrize("text, sub", [
    ("On 31 March 2022, Ukrainian forces retook Lukashivka, Chernihiv. No information on whether fighting took place.",
     "Non-violent transfer of territory"),
    ("On 13 May 2022, gendarmes captured and detained 60 migrants trying to cross the border in Ayvalik, Balikesir.",
     "Arrests"),
    ("On 24 April 2022, regime forces fired mortar rounds on residential areas of Kafr Nabl in Idleb governorate.",
     "Shelling/artillery/missile attack"),
])
def test_territory_arrests_and_shelling_words(bundled_pipeline, text, sub):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == sub


@pytest.mark.parametrize("text, sub", [
    ("On 17 May 2022, 27 rebels surrendered to local authorities in Kalemie (Tanganyika).", "Agreement"),
    ("On 21 June 2022, M23 fighters took over control of Bunagana (Rutshuru, Nord-Kivu).",
     "Non-state actor overtakes territory"),
    ("On 18 May 2022, government forces took over the control of Baidoa village (Bay) from Al Shabaab militants. "
     "No clashes were reported.", "Non-violent transfer of territory"),
    ("On 24 April 2022, Turkish army forces conducted shellings targeting PKK militants near Amadiya (Duhok).",
     "Shelling/artillery/missile attack"),
    ("On 26 March 2022, Russian forces fired cluster munitions at Lozova, Kharkiv.", "Shelling/artillery/missile attack"),
    ("On 26 February 2022, Russian air forces bombed Liubotyn, Kharkiv.", "Air/drone strike"),
    # the weapon in a state force's name is still the action
    ("On 12 March 2022, Russian airstrikes damaged a school in Makariv, Kyiv.", "Air/drone strike"),
    # "No.5 street" is an address, not a negation
    ("On 2 April 2022, in Shwebo town (Sagaing), two women who live in No.5 street were arrested by the military.",
     "Arrests"),
])
def test_more_event_words(bundled_pipeline, text, sub):
    events = events_of(bundled_pipeline, text)
    assert [e.sub_event_type for e in events] == [sub]


@pytest.mark.parametrize("text", [
    "On 13 April 2022, a demonstration was staged in Tunceli (Tunceli), protesting an incident wherein a "
    "civilian was assaulted by police officers.",
    "On 8 May 2022, hundreds demonstrated in Atbara (River Nile) in honour of the victims of the 2019 massacre.",
])
def test_what_a_protest_is_about_is_no_intervention(bundled_pipeline, text):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Peaceful protest"


def test_separatists_elsewhere_are_not_donbas_forces(bundled_pipeline):
    text = "On 12 March 2022, two separatists on a motorbike opened fire at a ranger base in Chanae (Narathiwat)."
    (ev,) = events_of(bundled_pipeline, text)
    assert "Novorossiya" not in ev.actor1 and ev.country == "Thailand"


def test_shots_fired_at_a_camp_are_an_event(bundled_pipeline):
    text = "On 20 January 2022, BLF militants fired at a Pakistan navy camp at Surbandar town (Gwadar, Balochistan)."
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Armed clash" and ev.actor1 == "BLF: Baloch Liberation Front"


def test_the_first_of_coordinated_subjects_acts(bundled_pipeline):
    text = ("On 22 April 2022, in Pe Yin Taung village (Ywangan township, Shan-South state), the Myanmar military "
            "and Pyu Saw Htee members killed two villagers.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.actor1 == "Military Forces of Myanmar (2021-)"


@pytest.mark.parametrize("text", [
    "On 17 February 2022, gendarmes intervened to disperse around 40 prison guards who blocked the prison of "
    "Fresnes (Ile-de-France). They called for an increase of their salaries.",
    "On 6 April 2022, activists protested in Lilyfield (New South Wales) against logging. "
    "Three protesters were arrested for blocking traffic.",
])
def test_force_told_before_or_in_the_passive_is_an_intervention(bundled_pipeline, text):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Protest with intervention"


def test_a_name_inside_the_trigger_phrase_is_its_target(bundled_pipeline):
    text = ("On 4 February 2022, unknown gunmen attacked a QSD checkpoint on the outskirts of Ghweran "
            "neighbourhood in Al-Hasakeh city. Casualties unknown.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Armed clash"
    assert ev.actor1 == "Unidentified Armed Group (Syria)" and ev.actor2 == "QSD: Syrian Democratic Forces"


def test_the_sides_named_after_the_fighting_are_its_two_sides(bundled_pipeline):
    # the agent named before ("NPA militant") is not the target again
    text = ("On 16 March 2022, a government soldier and a suspected NPA militant were killed during a "
            "firefight between the NPA and the military in Labo, Camarines Norte.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.actor1 == "NPA: New People's Army"
    assert ev.actor2.startswith("Military Forces of the Philippines")


def test_the_supported_force_acts_not_its_supporters(bundled_pipeline):
    text = ("On 12 April 2022, Turkish forces supported by opposition rebels shelled Ein Daqneh town in "
            "Aleppo countryside with heavy artillery. Casualties unknown.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.actor1 == "Military Forces of Turkey (2016-)"


@pytest.mark.parametrize("text, actor1", [
    ("On 19 May 2022, JWS operating under OPS shelled QSD positions in Zur Maghar town in Aleppo countryside.",
     "Operation Peace Spring"),
    ("On 4 March 2022, Saudi forces targeted with machine guns Ar Raqw (Monabbih, Sadah) killing 1 civilian.",
     "Operation Restoring Hope"),
    ("On 22 April 2022, unidentified militants (coded as Kashmir Rebels) fired at two labourers in a targeted "
     "attack in Nowgam (Srinagar district, J&K).", "Kashmir Rebels (India)"),
])
def test_actors_named_as_acled_names_them(bundled_pipeline, text, actor1):
    # (a coder's "(coded as X)" after an actor names it)
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.actor1 == actor1


def test_a_coders_name_for_the_target_replaces_the_words_before_it(bundled_pipeline):
    text = ("On 23 April 2022, Houthi forces shelled military targets (coded as National Resistance forces) "
            "with machine guns in Hays (Al Hudaydah). Casualties unknown.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.actor2 == "National Resistance Forces"


def test_what_the_agent_attacked_before_the_weapon_is_the_target(bundled_pipeline):
    text = ("On 9 January 2022, in Shwebo township (Shwebo district, Sagaing region), the PDF attacked a "
            "military vehicle carrying five soldiers with mines. Casualties unknown.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Remote explosive/landmine/IED"
    assert ev.actor1 == "PDF: People's Defense Force" and ev.actor2 == "Military Forces of Myanmar (2021-)"


@pytest.mark.parametrize("text, side", [
    ("On 8 March 2022, in Manaus (Amazonas), a shoot-out between unknown shooters took place in the Tancredo "
     "Neves neighborhood. Casualties unknown.", "Unidentified Armed Group (Brazil)"),
    ("On 17 May 2022, unidentified tribal militants clashed in Al-Shatra, Dhi Qar. The clash killed a "
     "bystander.", "Unidentified Tribal Militia (Iraq)"),
])
def test_a_fight_of_one_unnamed_kind_has_it_on_both_sides(bundled_pipeline, text, side):
    (ev,) = events_of(bundled_pipeline, text)
    assert (ev.sub_event_type, ev.actor1, ev.actor2) == ("Armed clash", side, side)


def test_a_fight_with_one_side_named_keeps_its_named_opponent(bundled_pipeline):
    text = "On 3 May 2022, gunmen clashed with police officers in Kirkuk city, Kirkuk. Casualties unknown."
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.actor2.startswith("Police Forces of Iraq") or ev.actor1.startswith("Police Forces of Iraq")


@pytest.mark.parametrize("text, actor1, actor2", [
    ("On 24 May 2022, Russian forces engaged in an offensive in the direction of Lypove, Donetsk. "
     "Casualties unknown.", "Military Forces of Russia (2000-)", "Military Forces of Ukraine (2019-)"),
    ("Around 18 June 2022, M23 rebels took over control of Bunagana (Rutshuru, Nord-Kivu).",
     "M23: March 23 Movement", "Military Forces of the Democratic Republic of Congo (2019-)"),
])
def test_invaders_and_rebels_fight_the_forces_of_the_country_they_are_in(bundled_pipeline, text, actor1, actor2):
    (ev,) = events_of(bundled_pipeline, text)
    assert (ev.actor1, ev.actor2) == (actor1, actor2)


@pytest.mark.parametrize("text", [
    "On 27 February 2022, a former member of the Afghan police was killed by unidentified militants in Herat city.",
    "On 17 January 2022, unidentified armed individuals killed the son of the APC ward chairman in Ankpa (Kogi).",
])
def test_a_relative_or_former_member_of_a_force_is_a_civilian(bundled_pipeline, text):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Attack"
    assert ev.actor2.startswith("Civilians")


@pytest.mark.parametrize("text, expected", [
    # servicemen killed after the strike are the force hit
    ("On 12 March 2022, Russian forces launched a rocket attack on an airfield near Kropyvnytskyi, Kirovohrad. "
     "Seven Ukrainian servicemen were killed.", {"actor2": "Military Forces of Ukraine (2019-)"}),
    # a place's communal militia, named with its place and the event's country
    ("On 12 January 2022, three armed men (assumed Darfur communal militia) attacked a passenger vehicle near "
     "Kutum, North Darfur. One person was killed.", {"actor1": "Darfur Communal Militia (Sudan)", "inter1": 4}),
    # who escorts a convoy is not its agent
    ("Movement of forces: On 26 February 2022, a U.S military patrol escorted by a QSD vehicle took place in the "
     "outskirts of Koniko Gas Field in Deir ez Zor governorate.", {"actor1": "Global Coalition Against Daesh"}),
    # the coder's reading of a force, "(presumed police and military)", names it
    ("On 17 March 2022, thousands of demonstrators marched in Khartoum North (Bahri, Khartoum) denouncing the "
     "military coup. Security forces (presumed police and military) fired teargas canisters at them.",
     {"actor2": "Police Forces of Sudan (2019-)"}),
    # the first of a list of forces acts, a comma joining the first two
    ("On 8 April 2022, RR, CRPF and SoG exchanged fire with LeT militants during a CASO at Sirhama town "
     "(Anantnag district, J&K).", {"actor1": "Military Forces of India (2014-) Rashtriya Rifles"}),
    # ... but an unnamed group a name identifies is that name
    ("On 24 March 2022, an armed group, suspectedly ISWAP, opened fire at the residence of a chief in Gwoza "
     "(Gwoza, Borno).", {"actor1": "Islamic State (West Africa)"}),
    # a force on the move is the only actor
    ("Movement of forces: On 19 May 2022, QSD sent reinforcement of seven military vehicles to Tal Tamer town in "
     "Al Hasakeh countryside.", {"sub_event_type": "Change to group/activity",
                                 "actor1": "QSD: Syrian Democratic Forces", "actor2": ""}),
])
def test_actors_as_acled_codes_them(bundled_pipeline, text, expected):
    (ev,) = events_of(bundled_pipeline, text)
    assert {k: getattr(ev, k) for k in expected} == expected
    if expected.get("actor2") == "":
        assert not [e for e in ev.evidence if e.field == "actor2"]


def test_a_fights_word_naming_one_side_leaves_the_sides_to_another_trigger(bundled_pipeline):
    # the clash's sentence names only a victim; the attack told first names both sides
    text = ("On 26 April 2022, PKK militants attacked Turkish army forces in the Zap area of Duhok, via firearms. "
            "HPG (PKK) claimed one Turkish soldier was killed and another was injured during the clashes.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Armed clash"
    assert ev.actor1 == "PKK: Kurdistan Workers Party" and ev.actor2.startswith("Military Forces of Turkey")


@pytest.mark.parametrize("text, actor1, actor2", [
    # the side thrown back attacked first
    ("On 10 June 2022, pro-IRG forces thwarted and clashed with Houthi forces that tried to advance in "
     "Marib's southern front (Marib, Marib).", "Military Forces of Yemen (2016-) Supreme Political Council",
     "Military Forces of Yemen (2012-)"),
    # (passive: the order stands)
    ("On 14 June 2022, Russian forces engaged in an offensive near Izium, Kharkiv, but were repelled by "
     "Ukrainian forces.", "Military Forces of Russia (2000-)", "Military Forces of Ukraine (2019-)"),
    # one unnamed kind fighting itself is on both sides
    ("On 14 January 2022, in Villa Nueva, Guatemala, there was an armed clash between gang members on 5th "
     "street. One man was killed.", "Unidentified Gang (Guatemala)", "Unidentified Gang (Guatemala)"),
    # factions and police forces of northern Syria that coders name apart
    ("On 2 May 2022, clashes erupted between Al Mu'tasim Brigade and Ahrar al Sharqiyah fighters in Afrin city "
     "in Aleppo countryside.", "Al Mu'tasim Brigade", "Ahrar al Sharqiyah"),
    # unknown gunmen the report takes for a group are that group
    ("On 8 February 2022, unknown gunmen believed to be IS attacked a QSD vehicle in Al Hasakeh countryside, "
     "killing 2 QSD members.", "Islamic State (Syria)", "QSD: Syrian Democratic Forces"),
    # the killing's sentence names no one: the force told just before shot
    ("On 6 March 2022, Russian forces shot volunteers as they were taking aid to an animal shelter in "
     "Bucha, Kyiv. Three people were killed.", "Military Forces of Russia (2000-)", "Civilians (Ukraine)"),
    # a side's mine, its air force written as one word
    ("On 3 June 2022, 3 civilians were killed by Russian mine in Lazurne, Kherson.",
     "Military Forces of Russia (2000-)", "Civilians (Ukraine)"),
    # the side that struck the other acted, whatever weapon is told after it
    ("On 9 May 2022, PKK militants attacked Turkish soldiers with heavy weapons (thought to be rockets) "
     "in the Zap area of Duhok.", "PKK: Kurdistan Workers Party", "Military Forces of Turkey (2016-)"),
    # ... and whatever became of the attack
    ("On 5 June 2022, Russian forces assaulted Ukrainian positions near Avdiivka, Donetsk and were repulsed. "
     "Casualties unknown.", "Military Forces of Russia (2000-)", "Military Forces of Ukraine (2019-)"),
    # a "by" told after an active verb and its subject is another verb's
    ("On 11 June 2022, PKK militants attacked Turkish soldiers in the Zap area of Duhok, alongside air raids "
     "carried out by Turkish forces. HPG claimed two Turkish soldiers were killed in the clashes.",
     "PKK: Kurdistan Workers Party", "Military Forces of Turkey (2016-)"),
    # a head count before the first of two sides told after the fighting
    ("On 4 April 2022, near Mingin town (Mingin township, Kale district, Sagaing region), fighting broke out "
     "between about 60 Myanmar military troops and the Mingin People's Defense Force. Casualties unknown.",
     "Military Forces of Myanmar (2021-)", "People's Defense Force - Mingin"),
    # two groups of one force fought each other
    ("Around 2 May 2022 (as reported), one Taliban fighter was wounded during clashes between 2 Taliban groups in "
     "Herat city.", "Military Forces of Afghanistan (2021-)", "Military Forces of Afghanistan (2021-)"),
    # people a blast hurt, told with no count, are civilians
    ("On 6 April 2022, in Hpruso town (Hpruso township, Loikaw district, Kayah State), a bomb exploded near "
     "the market. The explosion injured 7-year-old and 11-year-old boys near a stall.",
     "Unidentified Armed Group (Myanmar)", "Civilians (Myanmar)"),
    ("On 8 June 2022, near Kyaukme town (Kyaukme district, Shan-North state), a landmine planted by an "
     "unidentified armed group exploded and wounded a cowherd grazing cattle by the river.",
     "Unidentified Armed Group (Myanmar)", "Civilians (Myanmar)"),
    # a victim's former group does not act
    ("Around 18 April 2022, near Mesetas municipality (Meta), a woman former FARC member was killed and "
     "her body was found inside her house.", "Unidentified Armed Group (Colombia)", "Civilians (Colombia)"),
])
def test_who_acted_on_whom(bundled_pipeline, text, actor1, actor2):
    (ev,) = events_of(bundled_pipeline, text)
    assert (ev.actor1, ev.actor2) == (actor1, actor2)


@pytest.mark.parametrize("text", [
    # the topic's army is not the force that intervened
    "On 20 April 2022, 3 activists held a series of pickets in Moscow, protesting against the Russian military "
    "invasion in Ukraine. Police intervened in the event, arresting the protesters.",
    # nor is the protesters' own party
    "On 12 January 2022, BJP members staged a sit-in protest in Sawai Madhopur city (Rajasthan). Police "
    "detained several protesters.",
])
def test_the_force_that_intervened_in_a_protest(bundled_pipeline, text):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Protest with intervention"
    assert ev.actor2.startswith("Police Forces of")


def test_an_ambush_of_no_named_armed_side_attacks_civilians(bundled_pipeline):
    text = ("On 25 April 2022, near Trovolhue (Araucania), hooded armed men ambushed and shot a worker, who was "
            "traveling in his truck, in a rural area. The worker was wounded in the attack.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Attack" and ev.actor2 == "Civilians (Chile)"


def test_an_explosion_that_led_to_arrests_is_not_the_event(bundled_pipeline):
    text = ("On 12 February 2022, in Hakha town (Hakha township, Chin state), military forces arrested two locals "
            "after the explosion at the Road Transport Administration Department.")
    (ev,) = events_of(bundled_pipeline, text)
    assert (ev.sub_event_type, ev.actor1, ev.actor2) == ("Arrests", "Military Forces of Myanmar (2021-)",
                                                          "Civilians (Myanmar)")


def test_a_place_filed_in_another_country_than_the_region_written_beside_it(bundled_pipeline):
    # the gazetteer files Jerusalem under Israel; the note files the Old City in the West Bank
    text = ("On 5 April 2022, Palestinian rioters hurled stones towards Israeli police forces in Al Quds - Old City "
            "(Al Quds, West Bank). Police fired rubber bullets.")
    (ev,) = events_of(bundled_pipeline, text)
    assert (ev.country, ev.admin1, ev.actor1) == ("Palestine", "West Bank", "Rioters (Palestine)")
    assert ev.latitude is not None
