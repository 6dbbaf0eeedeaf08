"""Stage 3 mentions: triggers, counts, dates and places on sentences written
for the tests (monitor-report and wire-story style)."""

from datetime import date

import pytest

from marsad.knowledge.lexicons import load_numbers, load_triggers
from marsad.mentions.counts import find_counts, parse_number
from marsad.mentions.dates import find_dates
from marsad.mentions.places import find_places
from marsad.mentions.triggers import find_triggers
from marsad.records import Sentence
from marsad.segment import split_sentences


def sent(text: str) -> Sentence:
    return Sentence(0, 0, len(text), text)


def classes(text: str) -> list[tuple[str, bool]]:
    return [(t.sub_event_type, t.negated) for t in find_triggers(sent(text), load_triggers())]


def counts(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for c in find_counts(sent(text), load_numbers()):
        out[c.what] = max(out.get(c.what, c.value), c.value)
    return out


# -- segmentation ---------------------------------------------------------
def test_sentences_keep_offsets_and_abbreviations():
    text = "Gen. Smith said the U.S. army left. Gunmen killed 3 people.\n\nA new paragraph starts here."
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Gen. Smith said the U.S. army left.",
        "Gunmen killed 3 people.",
        "A new paragraph starts here.",
    ]
    for s in sentences:
        assert text[s.start:s.end] == s.text
    assert sentences[2].paragraph == 1 and sentences[1].paragraph == 0


def test_long_run_without_stops_is_cut():
    text = ", ".join(["fighting continued in the area"] * 200)
    sentences = split_sentences(text)
    assert len(sentences) > 1
    assert all(len(s.text) <= 1300 for s in sentences)


# -- triggers ---------------------------------------------------------------
@pytest.mark.parametrize(
    "text,expected",
    [
        ("Russian warplanes carried out air strikes on the village.", "air"),
        ("Regime forces shelled the town with artillery.", "shelling"),
        ("An IED exploded near a patrol.", "ied"),
        ("Hundreds of teachers protested outside the ministry.", "protest"),
        ("Police fired tear gas to disperse the crowd.", "intervention"),
        ("Gunmen kidnapped a trader on the highway.", "abduction"),
        ("Security forces arrested six men in a raid.", "arrest"),
        ("The army defused a roadside bomb.", "disrupted"),
        ("Fierce clashes erupted between the two factions.", "clash"),
        ("Demonstrators blocked the road with burning rubber tires.", "unrest"),
        ("Residents blocked the highway by setting obstacles on fire.", "unrest"),
        ("Locals demonstrated and blocked the road by erecting barricades.", "unrest"),
        ("People blocked streets with personal vehicles, rocks, and rubbish.", "unrest"),
        ("More than 3,000 villagers were forced to flee due to raids by the army.", "other"),
        ("The government held general parliamentary elections in the country.", "other"),
        ("Militants turned in their weapons to local authorities.", "other"),
        ("About 3200 refugees from Ukraine arrived in Slovakia and were registered.", "other"),
        ("Over 5,000 villagers fled from four villages due to military raids.", "other"),
        ("The chief announced the discovery of 54 potential graves near the school.", "other"),
    ],
)
def test_trigger_classes(text, expected):
    found = [c for c, negated in classes(text) if not negated]
    assert expected in found


def test_a_road_block_without_barricades_is_not_unrest():
    assert "unrest" not in [c for c, _ in classes("Teachers blocked the entrance of the ministry for two hours.")]


def test_air_strike_is_not_a_labour_strike():
    assert "protest" not in [c for c, _ in classes("An air strike hit the market.")]


def test_negation_and_threats():
    assert classes("The group denied that it shelled the village.") == [("shelling", True)]
    assert ("arrest", True) in classes("The militia threatened to arrest the journalists.")


def test_grievance_inside_a_protest_is_not_a_second_incident():
    found = classes("Students protested against the killing of a classmate by police.")
    assert ("protest", False) in found
    assert ("attack", True) in found


def test_month_may_does_not_negate():
    assert ("protest", False) in classes("On 5 May 2022, protesters gathered in the square.")


# -- counts -----------------------------------------------------------------
@pytest.mark.parametrize(
    "text,expected",
    [
        ("HTS arrested six non-Syrian jihadists after storming their houses.", {"arrested": 6}),
        ("HTS arrested tens of the party's affiliates.", {"arrested": 10}),
        ("At least 12 civilians were killed and 20 others injured.", {"killed": 12, "injured": 20}),
        ("Two soldiers and three civilians were killed in the shelling.", {"killed": 5}),
        ("A man was shot and killed by two armed men outside his house.", {"killed": 1}),
        ("Between 10 to 15 people were killed.", {"killed": 10}),
        ("The blast killed twenty-one people.", {"killed": 21}),
        ("Dozens of people were wounded.", {"injured": 12}),
        ("No one was killed in the attack.", {"killed": 0}),
        ("The Belet Weyne police commander was killed.", {"killed": 1}),
        ("Gunmen killed the traditional ruler of the town.", {"killed": 1}),
        ("The two soldiers were killed in the attack.", {"killed": 2}),
        ("A 40-year-old man was stabbed to death.", {}),
        ("Brigade 46 shelled the village 2 km away in 2019.", {}),
    ],
)
def test_counts(text, expected):
    got = counts(text)
    for what, value in expected.items():
        assert got.get(what) == value, (text, got)
    if not expected:
        assert "killed" not in got or got["killed"] <= 1


def test_age_is_not_a_count_but_the_person_is():
    got = counts("A 40-year-old man was killed in the attack.")
    assert got.get("killed") == 1


def test_parse_number_words():
    lex = load_numbers()
    assert parse_number("one hundred and fifty", lex) == 150
    assert parse_number("two thousand", lex) == 2000
    assert parse_number("several", lex) == 3
    assert parse_number("hundreds of", lex) == 100
    assert parse_number("1,200", lex) == 1200


# -- dates ------------------------------------------------------------------
PUB = date(2022, 5, 5)  # a Thursday


@pytest.mark.parametrize(
    "text,value,precision",
    [
        ("On 23 February 2022, a group of locals killed a thief.", date(2022, 2, 23), 1),
        ("On February 23, residents protested.", date(2022, 2, 23), 1),
        ("Yesterday, gunmen attacked a checkpoint.", date(2022, 5, 4), 1),
        ("On Monday, the army shelled the town.", date(2022, 5, 2), 1),
        ("Two days ago police arrested a journalist.", date(2022, 5, 3), 1),
        ("Last week clashes erupted.", date(2022, 4, 28), 2),
        ("In mid-April fighting resumed.", date(2022, 4, 15), 3),
        ("On 12 December, an IED exploded.", date(2021, 12, 12), 1),
    ],
)
def test_dates(text, value, precision):
    found = find_dates(sent(text), PUB)
    assert found, text
    assert (found[0].value, found[0].precision) == (value, precision)
    assert text[found[0].span.start:found[0].span.end] == found[0].span.text


def test_future_dates_are_dropped():
    assert find_dates(sent("The talks are planned for 20 June 2022."), PUB) == []


# -- places -----------------------------------------------------------------
def test_places_with_cues_and_orientation():
    s = sent("HTS amassed troops in Harem town in Idlib countryside, near the border with Iskenderun region, where it arrested six men.")
    got = {(p.name, p.cue, p.orientation) for p in find_places(s)}
    assert ("Harem", "town", False) in got
    assert ("Idlib", "countryside", False) in got
    assert ("Iskenderun", "region", True) in got


@pytest.mark.parametrize("text, place", [
    ("Dozens of workers gathered at the Government Center in downtown Miami (Florida) on May Day.", ("Miami", "")),
    # a name starts at a word's start: not "ar Shahzadpur" out of "near"
    ("Shells were found near Shahzadpur town (Naraingarh, Ambala district, Haryana).", ("Shahzadpur", "town")),
    # what a strike is aimed at
    ("Russian forces fired artillery on Ivanivka, Kharkiv as a result of which one civilian was killed.",
     ("Ivanivka", "object")),
    ("Russian forces launched a rocket attack on the Kanatove Airdrome, Kirovograd.", ("Kanatove Airdrome", "object")),
    # "on" links a name only with hyphens
    ("Clashes took place between JWS and YPG on Kafr Khasher axis in Aleppo countryside.", ("Kafr Khasher", "axis")),
    ("Regime forces shelled Kabani hills in Lattakia countryside with heavy artillery.", ("Kabani", "hills")),
    ("Assumed Ukrainian forces downed a Russian helicopter over Bucha, Kyiv oblast.", ("Bucha", "")),
    ("A Russian soldier raped a woman in occupied Mykhailivka, Zaporizhia.", ("Mykhailivka", "")),
    ("Russian troops threw a grenade at the residents of Trostianets, Sumy, killing 2 people.", ("Trostianets", "")),
    # a building of the place: the place itself, no place noun
    ("Lawyers demonstrated in front of the tribunal of Paris against the vaccination pass.", ("Paris", "")),
    ("Teaching assistants demonstrated at the high school of Nogaro.", ("Nogaro", "")),
    # an abbreviated first word stays in the name
    ("People gathered in St. Petersburg to support the invasion.", ("St. Petersburg", "")),
    # Arabic "wa" and Russian "imeni" inside names
    ("Ukrainian forces fired mortars at DPR positions in Shakhta imeni Gagarina, Donetsk.",
     ("Shakhta imeni Gagarina", "")),
    ("The coalition conducted 2 air raids on Al Far (Kitaf wa Al Boqee, Sadah).", ("Kitaf wa Al Boqee", "admin")),
])
def test_place_names_after_a_lowercase_word(text, place):
    assert place in [(p.name, p.cue) for p in find_places(sent(text))]


def test_a_country_beside_the_border_between_is_orientation():
    s = sent("SNR agents abducted a man at 10 Km from the border between Burundi and Tanzania (Giteranyi, Muyinga).")
    assert ("Burundi", True) in {(p.name, p.orientation) for p in find_places(s)}


def test_parenthetical_admin_areas():
    s = sent("On 3 March 2022, gunmen killed a trader in Kongo village, Minakulu sub-county (Oyam, Northern).")
    got = {(p.name, p.cue) for p in find_places(s)}
    assert {("Oyam", "admin"), ("Northern", "admin"), ("Kongo", "village")} <= got


@pytest.mark.parametrize("text, admin", [
    ("PKK militants shelled Turkish positions in the Kani Rash area of Duhok.", "Duhok"),
    ("Turkish drones struck PKK hideouts in Khwakurk region (Sidakan district) of Erbil.", "Erbil"),
])
def test_the_admin_area_an_area_is_of(text, admin):
    assert (admin, "admin") in {(p.name, p.cue) for p in find_places(sent(text))}


def test_the_area_of_a_place_is_that_place_and_a_district_keeps_its_cue():
    got = {(p.name, p.cue) for p in find_places(sent("Airstrikes hit the area of Seytenga and the Judi area of "
                                                       "Cizre district, Sirnak."))}
    assert ("Seytenga", "admin") not in got
    assert ("Cizre", "district") in got


def test_the_coast_of_a_town():
    got = {(p.name, p.cue) for p in find_places(sent("Migrants were stopped off the coast of Bodrum, Mugla and "
                                                       "detained by the coast guard."))}
    assert {("Bodrum", "coast"), ("Mugla", "admin")} <= got


def test_a_parenthesis_glued_to_a_word_is_part_of_a_name():
    s = sent("Cadres of CPN(US) and CPN(MC) clashed in Chaurideurali rural municipality (Kavrepalanchok district).")
    got = {(p.name, p.cue) for p in find_places(s)}
    assert not {name for name, _ in got} & {"US", "MC"}, got
    assert ("Kavrepalanchok", "district") in got


@pytest.mark.parametrize("text, place, admins", [
    ("Ukrainian forces clashed with Russian forces near Pashkove, Kharkiv. Casualties unknown.",
     ("Pashkove", "near"), ["Kharkiv"]),
    ("Russian forces shelled positions in Avdiivka, Donetsk, using phosphorus ammunition.", ("Avdiivka", ""), ["Donetsk"]),
    ("A roadside bomb struck a patrol in Lashkar Gah city, Helmand province, killing three policemen.",
     ("Lashkar Gah", "city"), ["Helmand"]),
    ("On 5 January, in La Romain, San Fernando, Trinidad, a man was killed.", ("La Romain", ""), ["San Fernando", "Trinidad"]),
    ("NGOs staged a demonstration in Beyoglu, Istanbul protesting against a policy.", ("Beyoglu", ""), ["Istanbul"]),
    # Spanish "y" joins the words of one name
    ("On 6 June 2022, in Tapachula de Cordova y Ordonez, Chiapas, migrants rioted.",
     ("Tapachula de Cordova y Ordonez", ""), ["Chiapas"]),
    # the admin area before the purpose of a protest ("to", "for", "against", "over")
    ("Dozens of residents displayed placards in Xinyi, Keelung City to protest against the plan.", ("Xinyi", ""),
     ["Keelung City"]),
    ("Workers staged a demonstration in Beyoglu town, Istanbul against the price hikes.", ("Beyoglu", "town"),
     ["Istanbul"]),
])
def test_comma_admin_after_a_place(text, place, admins):
    got = [(p.name, p.cue) for p in find_places(sent(text))]
    assert got[0] == place
    assert [name for name, cue in got if cue == "admin"] == admins


def test_comma_list_of_places_is_not_an_admin_chain_past_the_clause():
    got = [(p.name, p.cue) for p in find_places(sent("Protests took place in Homs, and police arrested Ali Hassan."))]
    assert ("Ali Hassan", "admin") not in got


def test_near_and_outskirts():
    got = {(p.name, p.cue) for p in find_places(sent("Clashes broke out near Sarmada and on the outskirts of Atmeh."))}
    assert ("Sarmada", "near") in got and ("Atmeh", "outskirts") in got


@pytest.mark.parametrize(
    "text,precision",
    [
        ("Around 12 April 2022 (as reported), gunmen attacked a bus.", 2),
        ("On 12 April 2022 (week of), clashes erupted.", 2),
        ("On 12 April 2022 (month of), clashes erupted.", 3),
        ("On 12 April 2022, clashes erupted.", 1),
    ],
)
def test_hedged_dates_are_coarser(text, precision):
    found = find_dates(sent(text), PUB)
    assert found[0].value == date(2022, 4, 12)
    assert found[0].precision == precision


def test_parenthetical_with_district_after_a_dash():
    got = {(p.name, p.cue) for p in find_places(sent("Residents rallied outside the town hall (Seoul City - Jongno)."))}
    assert ("Seoul City", "admin") in got and ("Jongno", "admin") in got


def test_the_before_a_plural_is_no_count():
    assert "killed" not in counts("The soldiers were killed in the ambush.")


@pytest.mark.parametrize("text, places", [
    ("BAGHDAD (Reuters) - A roadside bomb killed two soldiers in the northern Iraqi city of Mosul on Friday.",
     [("Mosul", "city")]),
    ("Police arrested 12 men in Mosul on Monday.", [("Mosul", "")]),
    ("Clashes were reported in Rostov-on-Don.", [("Rostov-on-Don", "")]),
    ("Russian forces launched an offensive in the direction of Bila Hora, Luhansk.",
     [("Bila Hora", ""), ("Luhansk", "admin")]),
    ("In Aleppo, regime forces arrested two men.", [("Aleppo", "")]),
])
def test_datelines_weekdays_and_city_of(text, places):
    assert [(p.name, p.cue) for p in find_places(sent(text))] == places


@pytest.mark.parametrize("text, places", [
    # the name a strike verb acts on is a place when the clause ends after it
    ("Russian forces shelled Kreminna, Luhansk.", [("Kreminna", "object"), ("Luhansk", "admin")]),
    ("Government troops stormed Tal Hamra overnight.", [("Tal Hamra", "object")]),
    ("Warplanes bombed Mariupol with heavy weapons.", [("Mariupol", "object")]),
    # ... but not when a common noun goes on: the name describes something else
    ("Israeli settlers attacked Palestinian houses in Burin.", [("Burin", "")]),
    ("Ukrainian forces shelled Russian positions near Izium.", [("Izium", "near")]),
])
def test_the_object_of_a_strike_verb(text, places):
    assert [(p.name, p.cue) for p in find_places(sent(text))] == places


@pytest.mark.parametrize("text", [
    "Japan decides new sanctions over the nuclear test and rocket launch.",
    "The foreign minister urged Pyongyang to stop missile launches and nuclear tests.",
    "Firefighters gained ground in their battle to contain several wildfires.",
    "Four workers were injured when an explosion ripped through a warehouse of a petroleum company.",
    "A series of explosions tore through an industrial area where chemicals were stored.",
])
def test_accidents_tests_and_figures_of_speech_start_no_incident(text):
    assert [c for c, negated in classes(text) if not negated] == []


@pytest.mark.parametrize("text, expected", [
    ("Russian forces fired multiple rocket launchers at Mykolaiv.", "shelling"),
    ("Drivers blocked the access to an oil depot with their trucks and burned tires.", "unrest"),
    ("The battle for the town lasted three days.", "clash"),
])
def test_near_misses_of_those_exclusions_still_count(text, expected):
    assert expected in [c for c, negated in classes(text) if not negated]


def test_grenade_launchers_fire_shells():
    found = [c for c, negated in classes("Ukrainian forces fired 82mm mortars and grenade launchers at DPR positions.")
             if not negated]
    assert "shelling" in found and "grenade" not in found


@pytest.mark.parametrize("text", [
    "Lawyers assaulted and injured passers-by during a demonstration in Bhopal city.",
    "Demonstrators attacked a vehicle that attempted to go through.",
    # a barricade is unrest even in a sentence about the pandemic
    "People blocked roads with barricades to demonstrate against the coronavirus health pass.",
])
def test_demonstrators_own_violence_is_unrest_beside_the_protest(text):
    found = [c for c, negated in classes(text) if not negated]
    assert "unrest" in found and "protest" in found


def test_a_mine_from_previous_clashes_is_not_a_clash():
    found = [c for c, negated in classes("An IED from previous clashes exploded in a house in Marayan, killing 2 civilians.")
             if not negated]
    assert "ied" in found and "clash" not in found


@pytest.mark.parametrize("text, expected", [
    # the verb right before the number decides
    ("Unknown gunmen shot and killed two men and injured another in Western Maliha.", {"killed": 2}),
    # "and a councilman" is one more in a coordinated list
    ("Three volunteer fighters and a councilman were killed.", {"killed": 4}),
])
def test_counts_in_coordinated_and_active_phrases(text, expected):
    assert counts(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("TTP militants fired at an off-duty policeman in Wana. He was killed in the attack.", {"killed": 1}),
    ("The victim was shot in the head and died.", {"killed": 1}),
])
def test_one_person_killed_without_a_number_word(text, expected):
    assert counts(text) == expected


@pytest.mark.parametrize("text, expected", [
    # after a killing verb a bare "a"/"one" is one person, listed noun or not
    ("Gunmen murdered a local councillor's bodyguard near the market.", {"killed": 1}),
    ("Police chased the suspects, killing one of them.", {"killed": 1}),
    ("Two guards were shot at the gate. One died on the spot.", {"killed": 1}),
    # a casualty noun after "in" is a count ("in 2019" is not)
    ("Fighting broke out between two clans, resulting in 4 deaths.", {"killed": 4}),
    # the killers counted before an active verb are not its victims
    ("Three gunmen shot and killed a shopkeeper in the old town.", {"killed": 1}),
    # one person, told by a pronoun or a relative
    ("A mob beat a suspected thief and killed him in the square.", {"killed": 1}),
    ("Militiamen raided the farm and killed his brother.", {"killed": 1}),
    # ways to kill that name no count word
    ("Residents beat to death two suspected robbers.", {"killed": 2}),
])
def test_counts_of_people_without_a_listed_noun(text, expected):
    assert counts(text) == expected


@pytest.mark.parametrize("text", [
    "A crowd beat up a suspected thief and almost killed him before police arrived.",
    "The demolished house belonged to a man convicted of killing a guard last year.",
    "The house of a man who murdered a teacher years ago was burned.",
])
def test_no_death_for_attempts_or_past_killings(text):
    assert counts(text).get("killed", 0) == 0


@pytest.mark.parametrize("text, expected", [
    ("Unspecified casualties coded as 10.", 10),
    ("Unknown number of fatalities coded to 3.", 3),
    ("Fatalities coded to 0.", 0),
    ("Coded 5 fatalities in this event.", 5),
])
def test_a_coders_stated_figure_is_read(text, expected):
    assert counts(text)["killed"] == expected


@pytest.mark.parametrize("text, kind, other", [
    ("Unspecified casualties coded as 10.", "coded", ""),
    ("Three civilians were killed. 3 fatalities.", "stated", ""),
    ("Gunmen killed two villagers.", "reported", ""),
    ("Russian forces shelled Novotroitske (fatalities coded to the Talakivka event).", "elsewhere", "talakivka"),
])
def test_a_count_says_how_the_text_gives_it(text, kind, other):
    found = [c for c in find_counts(sent(text), load_numbers()) if c.what == "killed"]
    assert (found[-1].kind, found[-1].other_event) == (kind, other)


def test_a_split_note_says_how_many_events_share_the_deaths():
    found = find_counts(sent("40 fatalities split between 6 events."), load_numbers())
    assert ("split", 6) in [(c.what, c.value) for c in found]
    assert ("killed", 40) in [(c.what, c.value) for c in found]


def test_a_flash_mob_is_no_mob_violence():
    found = [c for c, negated in classes("Hundreds of people staged a flash mob in the square to call for peace.")
             if not negated]
    assert "mob" not in found and "protest" in found
    assert "mob" in [c for c, _ in classes("A mob beat the suspected thief in the square.")]


@pytest.mark.parametrize("text", [
    "A police officer from the previous government was killed by gunmen in Kishm.",
    "Unknown militants beheaded a truck driver near the market.",
    "The body of a farmer was discovered near the river with gunshot wounds.",
])
def test_killings_with_a_past_word_elsewhere_or_no_killed_word_are_found(text):
    assert "attack" in [c for c, negated in classes(text) if not negated]


def test_a_detention_with_hidden_whereabouts_is_a_disappearance():
    found = [c for c, negated in classes("Ten men were arrested by the militia. Their whereabouts remained unknown.")
             if not negated]
    assert "abduction" in found


@pytest.mark.parametrize("text", [
    "Army aspirants damaged public property during demonstrations across the district.",
    "A crowd burned the police station after the death of a driver.",
    "Party cadres were demonstrating violently in the town.",
])
def test_a_crowds_own_violence_is_unrest(text):
    found = [c for c, negated in classes(text) if not negated]
    assert "unrest" in found or "violent_protest" in found


def test_to_demonstrate_is_a_protest_word():
    found = [c for c, negated in classes("Members burnt tires to demonstrate against the party's candidate list.")
             if not negated]
    assert "protest" in found and "unrest" in found


def test_a_place_named_after_in_right_after_another_holds_it():
    got = [(p.name, p.cue, p.holds_previous)
           for p in find_places(sent("An armed group attacked a QSD checkpoint in Ali in Deir ez Zor."))]
    assert got == [("Ali", "", False), ("Deir ez Zor", "", True)]
    # a name with its own area word keeps its cue and is not marked
    got = [(p.name, p.holds_previous) for p in find_places(sent("Shells hit Harim town in Idlib countryside."))]
    assert got == [("Harim", False), ("Idlib", False)]


def test_where_a_group_operates_only_orients():
    got = {(p.name, p.orientation) for p in find_places(sent(
        "Locals protested in support of opposition groups operating in Al Bab city during a demonstration in Afrin city."))}
    assert ("Al Bab", True) in got and ("Afrin", False) in got


@pytest.mark.parametrize("text, name", [
    ("Workers held a protest at Naushera town (Rajouri district, J&K) to demand their wages.", "J&K"),
    ("Residents marched in Srinagar city (J&K) over the killing.", "J&K"),
])
def test_an_ampersand_abbreviation_of_an_area_is_one_name(text, name):
    assert name in [m.span.text for m in find_places(sent(text))]
    # no stray half of it
    assert "J" not in [m.span.text for m in find_places(sent(text))]


def test_an_ampersand_between_words_joins_no_names():
    found = [m.span.text for m in find_places(sent("Protests in Trinidad & Tobago and in Bosnia & Herzegovina."))]
    assert "J&K" not in found and all("&" not in f for f in found)
