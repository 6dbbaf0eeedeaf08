"""Coders' note conventions (knowledge/data/conventions.yaml): a note marked as
a demonstration event, on notes written for these tests (bundled gazetteer)."""

from __future__ import annotations

from datetime import date

import pytest

from marsad.errors import KnowledgeError
from marsad.events.conventions import (
    admin1_part,
    clear_caches,
    demonstration_marker,
    heading,
    perpetrator,
    separately_coded,
)

from scale_helpers import marsad, subprocess_env
from note_support import events_of


@pytest.fixture
def users_conventions(tmp_path, monkeypatch):
    """Write a user's conventions.yaml (a MARSAD_KNOWLEDGE folder) and load
    it; the shipped conventions alone again after the test."""
    def write(content: str) -> None:
        (tmp_path / "conventions.yaml").write_text(content)
        monkeypatch.setenv("MARSAD_KNOWLEDGE", str(tmp_path))
        clear_caches()
    yield write
    monkeypatch.delenv("MARSAD_KNOWLEDGE", raising=False)
    clear_caches()


@pytest.mark.parametrize("text", [
    "On 2 March 2022, a group of traders attacked and injured a suspected pickpocket at the main market "
    "in Kisumu (Kisumu). [size=no report]",
    "On 2 March 2022, a group set fire to the house of a man suspected of stealing cattle in Kisumu (Kisumu). "
    "[size=no report]",
])
def test_violence_in_a_note_marked_as_a_demonstration_is_a_crowds(bundled_pipeline, text):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Mob violence"
    assert ev.actor1 == "Rioters (Kenya)"


def test_the_same_violence_unmarked_is_an_attack(bundled_pipeline):
    text = ("On 2 March 2022, a group of traders attacked and injured a suspected pickpocket at the main market "
            "in Kisumu (Kisumu).")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type != "Mob violence"


def test_a_marked_note_without_an_event_word_is_a_demonstration(bundled_pipeline):
    text = ("On 3 March 2022, about forty nurses lined both sides of the avenue in Kisumu (Kisumu) to ask for "
            "their unpaid wages. [size=about forty]")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Peaceful protest" and ev.actor1 == "Protesters (Kenya)"
    # the marker is the evidence of the type, and the place is still read
    assert any(e.text == "[size=" for e in ev.evidence if e.field == "sub_event_type")
    assert ev.location == "Kisumu"


def test_unmarked_it_is_no_event(bundled_pipeline):
    text = ("On 3 March 2022, about forty nurses lined both sides of the avenue in Kisumu (Kisumu) to ask for "
            "their unpaid wages.")
    assert not events_of(bundled_pipeline, text)


def test_a_users_marker_extends_the_shipped_ones(users_conventions):
    users_conventions("version: 1\ndemonstration_markers:\n  - '\\[crowd:'\n")
    assert demonstration_marker().search("... [crowd: 200]")
    assert demonstration_marker().search("... [size=no report]")


def test_a_bad_marker_pattern_is_a_clear_error(users_conventions):
    users_conventions("version: 1\ndemonstration_markers:\n  - '[size='\n")
    with pytest.raises(KnowledgeError, match="demonstration_markers"):
        demonstration_marker()


@pytest.mark.parametrize("text, sub", [
    ("Interception: On 14 April 2022, Ukrainian forces shot down a Russian drone over Kharkiv, Kharkiv.",
     "Disrupted weapons use"),
    ("Displacement: On 6 May 2022, over 900 people fled fighting between militants and soldiers in Jowhar "
     "(Middle Shabelle). Two soldiers were killed in the fighting.", "Other"),
    ("Movement of forces: On 6 March 2022, Russian forces deployed helicopters to an air base near Mazyr (Gomel).",
     "Change to group/activity"),
])
def test_a_notes_opening_label_names_its_one_event(bundled_pipeline, text, sub):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == sub
    # the label is the evidence of the type
    label = text.split(":", 1)[0]
    assert any(e.field == "sub_event_type" and e.text == label for e in ev.evidence)


def test_a_label_not_at_the_start_names_nothing(bundled_pipeline):
    text = "On 2 May 2022, soldiers shot dead a trader in Jowhar (Middle Shabelle). Displacement: none reported."
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Attack"


def test_a_heading_naming_an_unknown_type_is_a_clear_error(users_conventions):
    users_conventions("version: 1\nheadings:\n  Skirmish: Armed fight\n")
    with pytest.raises(KnowledgeError, match="Skirmish"):
        heading("Skirmish: something")


@pytest.mark.parametrize("content, message", [
    ("version: 1\nheadings:\n  Skirmish: Armed fight\n", "'Skirmish' names 'Armed fight'"),
    ("version: 1\ndemonstration_markers:\n  - '[size='\n", "bad pattern '[size='"),
    ("version: 1\nstate_forces_first: [BR]\n", "state_forces_first: expected countries and unless"),
    ("version: 1\nde_facto_authorities: Hayat Tahrir al-Sham\n", "de_facto_authorities: expected a list"),
    ("version: 1\nperpetrator_hallmarks:\n  - pattern: 'drive-by'\n    event_types: [Fights]\n    actors: {MX: Gang}\n",
     "event_types must list ACLED event types"),
])
def test_a_bad_conventions_file_stops_extract_with_one_line(marsad_home, tmp_path, content, message):
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "conventions.yaml").write_text(content, encoding="utf-8")
    report = tmp_path / "r.txt"
    report.write_text("On 3 March 2022, gunmen killed two civilians in Harem town in Idlib countryside.\n")
    env = {**subprocess_env(marsad_home), "MARSAD_KNOWLEDGE": str(knowledge)}
    result = marsad("extract", report, "--no-store", env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("marsad: error: ") and message in lines[0]
    assert str(knowledge / "conventions.yaml") in lines[0]


# ------------------------------------------------ perpetrators by hallmark

@pytest.mark.parametrize("text, actor1", [
    ("On 5 April 2022, in Leon de los Aldama, Guanajuato, a shopkeeper was shot dead by two armed individuals "
     "in a drive-by incident. 1 fatality.", "Unidentified Gang (Mexico)"),
    ("On 6 April 2022, in Recife (Pernambuco), a man was shot and killed by two armed individuals on a "
     "motorcycle. 1 fatality.", "Unidentified Gang and/or Police Militia"),
])
def test_killers_known_by_their_hallmark_are_named_as_coders_name_them(bundled_pipeline, text, actor1):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.actor1 == actor1
    (evidence,) = [e for e in ev.evidence if e.field == "actor1"]
    assert evidence.text.lower().startswith(("drive-by", "on a motorcycle"))
    assert evidence.confidence < 0.8  # a convention read off the manner, not a name


def test_the_same_hallmark_elsewhere_leaves_an_unidentified_group(bundled_pipeline):
    # motorcycle-borne gunmen in Pakistan are not coded as a gang
    text = ("On 7 April 2022, two armed men on a motorcycle shot and killed a shopkeeper in Peshawar, "
            "Khyber Pakhtunkhwa. 1 fatality.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.actor1 == "Unidentified Armed Group (Pakistan)"


def test_a_named_perpetrator_is_kept_whatever_the_hallmark(bundled_pipeline):
    text = ("On 8 April 2022, in Culiacan, Sinaloa, police officers on motorcycles shot and killed a man "
            "who had run a checkpoint. 1 fatality.")
    (ev,) = events_of(bundled_pipeline, text)
    assert not ev.actor1.startswith("Unidentified Gang")


@pytest.mark.parametrize("text, mark", [
    ("Around 3 May 2022 (as reported), in Uruapan, Michoacan, a man was killed and his dismembered body was "
     "found in a vacant lot. 1 fatality.", "dismember"),
    ("Around 9 May 2022 (as reported), in Celaya, Guanajuato, a man was killed and his body was found "
     "handcuffed on a dirt road. 1 fatality.", "handcuffed"),
    ("Around 9 May 2022 (as reported), in Celaya, Guanajuato, a man was killed and his body was found "
     "in a bag along with a threatening message. 1 fatality.", "threatening message"),
    ("On 18 June 2022, in Fresnillo, Zacatecas, armed individuals chased and killed two men. "
     "The killings are being linked to drug trafficking. 2 fatalities.", "killings are being linked"),
    # a note left on the body, the body found tied or burned in a car
    ("Around 3 March 2022 (as reported), in Uruapan, Michoacan, a man was killed and his body was found with "
     "gunshot wounds and a message calling him an informer. 1 fatality.", "and a message"),
    ("On 12 March 2022, in Celaya, Guanajuato, two armed men abducted a taxi driver. He was later found tied "
     "on a dirt road.", "found tied"),
    ("Around 9 May 2022 (as reported), in Tehuacan, Puebla, two men were killed and their bodies were found "
     "inside a van burned on a rural road. 2 fatalities.", "bodies were found inside"),
    # the hallmark told in another sentence of the note than the killing
    ("On 19 June 2022, in Tlaxiaco, Oaxaca, armed individuals opened fire from their car at a family "
     "(drive-by). The driver lost control of the car. All four were killed in the attack.", "drive-by"),
])
def test_the_marks_of_cartel_killings_name_a_gang_in_mexico(bundled_pipeline, text, mark):
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.actor1 == "Unidentified Gang (Mexico)"
    (evidence,) = [e for e in ev.evidence if e.field == "actor1"]
    assert evidence.text.lower().startswith(mark)


def test_a_body_found_without_those_marks_stays_an_unidentified_group(bundled_pipeline):
    text = ("Around 9 May 2022 (as reported), in Celaya, Guanajuato, a man was killed and his body was found "
            "wrapped in a blanket on a dirt road. 1 fatality.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.actor1 == "Unidentified Armed Group (Mexico)"


def test_a_hallmark_for_some_event_types_is_not_read_in_others():
    # Brazil: gunmen who fight the police are a gang or a police militia; a
    # man shot dead while police watched the area is not a fight
    assert perpetrator("armed men exchanged fire with the police", "BR", "Battles") is not None
    assert perpetrator("armed men shot a man; police are investigating", "BR",
                       "Violence against civilians") is None


@pytest.mark.parametrize("text, sub", [
    ("On 3 May 2022, a gunman shot a shop worker in a store in Akron (Ohio) after an argument about masks. "
     "The worker was injured.", "Attack"),
    ("Other: On 3 May 2022, classes were suspended at a high school in Macon (Georgia) after a bomb threat "
     "was phoned in. No device was found.", "Other"),
])
def test_one_unidentified_person_in_the_united_states_is_a_sole_perpetrator(bundled_pipeline, text, sub):
    (ev,) = events_of(bundled_pipeline, text)
    assert (ev.sub_event_type, ev.actor1) == (sub, "Sole Perpetrator (United States)")


def test_a_hallmark_read_beyond_the_default_types_only_where_written_for_them():
    # the Brazilian police hallmark names no types beyond the default ones:
    # a strategic development is not renamed
    default = frozenset({"Violence against civilians", "Battles"})
    assert perpetrator("armed men near the police station", "BR", "Strategic developments", default) is None
    assert perpetrator("a bomb threat was made", "US", "Strategic developments", default) is not None


def test_a_hallmark_without_actors_is_a_clear_error(users_conventions):
    users_conventions("version: 1\nperpetrator_hallmarks:\n  - pattern: 'drive-by'\n")
    with pytest.raises(KnowledgeError, match="perpetrator_hallmarks"):
        perpetrator("a drive-by", "MX")


# ------------------------------------------------ events coded apart

def test_the_clause_of_an_event_coded_apart_does_not_type_this_one(bundled_pipeline):
    text = ("On 3 January 2022, in Ocana (Norte de Santander), a man was shot and wounded in the leg by a "
            "military officer when he was going to his house after armed clashes had taken place in the area "
            "(coded separately).")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.sub_event_type == "Attack"
    unmarked = text.replace(" (coded separately)", "")
    assert [e.sub_event_type for e in events_of(bundled_pipeline, unmarked)] == ["Armed clash"]


def test_separately_coded_spans_run_from_the_clause_opener_to_the_marker():
    text = "Relatives of a man who was killed by police (coded separately) marched, demanding justice."
    ((start, end),) = separately_coded(text)
    assert text[start:end] == "who was killed by police "


def test_a_bad_separately_coded_marker_is_a_clear_error(users_conventions):
    users_conventions("version: 1\nseparately_coded:\n  markers: ['(coded']\n")
    with pytest.raises(KnowledgeError, match="separately_coded: markers"):
        separately_coded("anything")


# ------------------------------------------------ which side is written first


def test_the_police_are_written_first_in_a_brazilian_shoot_out(bundled_pipeline):
    text = ("On 2 May 2022, in Macapa (Amapa), three armed suspects exchanged fire with military police in the "
            "Novo Horizonte neighborhood. One suspect was killed. 1 fatality.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.actor1 == "Military Forces of Brazil (2019-) Military Police"
    assert ev.actor2 == "Unidentified Gang and/or Police Militia"
    assert ev.inter1 == 1
    actor1_ev = [e.text for e in ev.evidence if e.field == "actor1"]
    assert actor1_ev and all("police" in t.lower() for t in actor1_ev)


@pytest.mark.parametrize("text", [
    # not when the other side started it
    "On 2 May 2022, in Macapa (Amapa), drug traffickers initiated an armed confrontation with military police in "
    "the Novo Horizonte neighborhood. One trafficker was killed. 1 fatality.",
    # nor elsewhere
    "On 6 January 2022, near Altar, Sonora, three armed men exchanged fire with police officers on the Santa "
    "Ana-Altar highway. 1 fatality.",
])
def test_otherwise_the_side_that_fired_first_stays_first(bundled_pipeline, text):
    (ev,) = events_of(bundled_pipeline, text)
    assert not ev.actor1.startswith(("Police Forces", "Military Forces"))


# ------------------------------------------------------------ front lines


@pytest.mark.parametrize("text, sub, actor1, actor2", [
    # fire seen near a town the separatists held came from the government's side ...
    ("On 12 February 2022, the OSCE SMM observed a total of 5 explosions involving unknown weapons near "
     "Horlivka.", "Shelling/artillery/missile attack", "Military Forces of Ukraine (2019-)", ""),
    # ... and near a government-held town from the separatists'
    ("On 12 February 2022, the OSCE SMM observed a total of 3 explosions involving unknown weapons near "
     "Avdiivka.", "Shelling/artillery/missile attack", "NAF: United Armed Forces of Novorossiya", ""),
    # fire in both directions is an exchange between the two, the side that did not hold the place first
    ("On 12 February 2022, the OSCE SMM observed a total of 54 projectiles/explosions involving unknown weapons "
     "in both directions of the frontline near Avdiivka.", "Armed clash",
     "NAF: United Armed Forces of Novorossiya", "Military Forces of Ukraine (2019-)"),
    # after the line stopped holding (the invasion), no side is read from it
    ("On 12 March 2022, the OSCE SMM observed a total of 5 explosions involving unknown weapons near "
     "Horlivka.", "Shelling/artillery/missile attack", "Unidentified Armed Group (Ukraine)", ""),
])
def test_an_observers_report_of_fire_on_a_front_line(bundled_pipeline, text, sub, actor1, actor2):
    (ev,) = events_of(bundled_pipeline, text)
    assert (ev.sub_event_type, ev.actor1, ev.actor2) == (sub, actor1, actor2)
    if actor1 != "Unidentified Armed Group (Ukraine)":
        (e,) = [e for e in ev.evidence if e.field == "actor1"]
        assert e.text == "OSCE SMM" and text[e.start:e.end] == e.text


def test_the_same_fire_in_another_report_names_no_side(bundled_pipeline):
    (ev,) = events_of(bundled_pipeline, "On 12 February 2022, 5 explosions were heard near Horlivka.")
    assert ev.actor1 == "Unidentified Armed Group (Ukraine)"


def test_a_users_front_line(users_conventions):
    from marsad.events.conventions import front_line_sides

    users_conventions(
        "front_lines:\n"
        "  - name: test line\n    country: AM\n    reports: ['\\bmonitors\\b']\n    max_km: 20\n"
        "    sides:\n      north: {name: North Force, inter: 2}\n      south: {name: South Force, inter: 1}\n"
        "    anchors:\n      - [Up, 40.5, 45.0, north]\n      - [Down, 40.3, 45.0, south]\n")
    sides = front_line_sides("The monitors heard shots.", "AM", date(2022, 1, 1), 40.48, 45.01)
    assert sides.fired_from == ("South Force", 1) and sides.holder == ("North Force", 2) and sides.anchor == "Up"
    # too far from the line, another country, another kind of report: nothing
    assert front_line_sides("The monitors heard shots.", "AM", None, 41.5, 45.0) is None
    assert front_line_sides("The monitors heard shots.", "GE", None, 40.48, 45.01) is None
    assert front_line_sides("Shots were heard.", "AM", None, 40.48, 45.01) is None


@pytest.mark.parametrize("content, message", [
    ("front_lines:\n  - reports: ['x']\n    sides: {a: {name: A, inter: 1}}\n    anchors: []\n", "two sides"),
    ("front_lines:\n  - reports: ['x']\n    sides: {a: {name: A, inter: 1}, b: {name: B, inter: 9}}\n"
     "    anchors: [[P, 1, 2, a], [Q, 1, 2, b]]\n", "inter code"),
    ("front_lines:\n  - reports: ['x']\n    sides: {a: {name: A, inter: 1}, b: {name: B, inter: 2}}\n"
     "    anchors: [[P, 1, 2, a], [Q, 1, 2, c]]\n", "unknown side"),
    ("front_lines:\n  - reports: ['x']\n    sides: {a: {name: A, inter: 1}, b: {name: B, inter: 2}}\n"
     "    anchors: [[P, 1, 2, a]]\n", "both sides"),
    ("front_lines:\n  - reports: ['(']\n    sides: {a: {name: A, inter: 1}, b: {name: B, inter: 2}}\n"
     "    anchors: [[P, 1, 2, a], [Q, 1, 2, b]]\n", "bad pattern"),
])
def test_a_bad_front_line_is_a_clear_error(users_conventions, content, message):
    from marsad.events.conventions import load_conventions

    with pytest.raises(KnowledgeError, match=message):
        users_conventions(content)
        load_conventions()


def test_a_killing_tied_to_extortion_names_a_gang_in_central_america(bundled_pipeline):
    text = ("On 4 January 2022, in Chiquimula, Chiquimula, a bus driver was shot and killed by unknown attackers "
            "in zone 1. It was an attack related to extortion. 1 fatality.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.actor1 == "Unidentified Gang (Guatemala)"


@pytest.mark.parametrize("text, actor1", [
    ("Displacement: On 19 April 2022, about 3200 refugees from Ukraine arrived in Slovakia and were "
     "registered in the country.", "Civilians (Ukraine)"),
    ("Displacement: On 2 March 2022, in Chan Thar village (Ye-U township, Sagaing region), more than 3,000 "
     "villagers were forced to flee due to raids by about 100 military troops.", "Civilians (Myanmar)"),
    ("Elections/referendum: On 12 June 2022, France started holding its two-round legislative elections.",
     "Government of France (2017-)"),
])
def test_a_label_names_the_actors(bundled_pipeline, text, actor1):
    (ev,) = events_of(bundled_pipeline, text)
    assert (ev.sub_event_type, ev.actor1, ev.actor2) == ("Other", actor1, "")
    (e,) = [e for e in ev.evidence if e.field == "actor1"]
    assert text.startswith(e.text + ":")


@pytest.mark.parametrize("spec", [
    "{actor1: 'Civilians ({country})'}",
    "{actor1: 'Civilians ({country})', inter1: 7, actor2: 'Government of {state}'}",
    "{actor1: 'Civilians ({country})', inter1: true}",
])
def test_a_label_actor_without_inter_is_a_clear_error(users_conventions, spec):
    from marsad.events.conventions import load_conventions

    with pytest.raises(KnowledgeError, match="label_actors"):
        users_conventions(f"label_actors:\n  Displacement: {spec}\n")
        load_conventions()


def test_a_label_naming_both_actors_gives_both_their_codes_and_evidence(bundled_pipeline):
    text = ("Explosive remnants of war: On 21 February 2022, a mine left from the Iran-Iraq war detonated in Baneh "
            "county (Kurdistan), injuring three porters.")
    (ev,) = events_of(bundled_pipeline, text)
    assert (ev.actor1, ev.inter1, ev.actor2, ev.inter2) == ("Unidentified Military Forces", 8, "Civilians (Iran)", 7)
    assert {e.field for e in ev.evidence if e.field.startswith("actor")} == {"actor1", "actor2"}
    assert all(e.text == "Explosive remnants of war" for e in ev.evidence if e.field.startswith("actor"))



def test_the_part_of_a_first_level_area_a_report_writes_is_its_admin1(bundled_pipeline):
    text = ("On 4 May 2022, in Hsenwi town (Lashio district, Shan-North), the military arrested two "
            "villagers.")
    (ev,) = events_of(bundled_pipeline, text)
    assert ev.country == "Myanmar" and ev.admin1 == "Shan-North"
    # none written, or two written: the area itself
    assert admin1_part("MM", "Shan", "in Hsenwi town (Lashio district, Shan State)") is None
    assert admin1_part("MM", "Shan", "from Shan-North to Shan-South") is None
    assert admin1_part("MM", "Bago", "Paungde township (Pyay district, Bago-West)") == "Bago-West"


def test_a_bad_admin1_parts_section_is_a_clear_error(users_conventions):
    users_conventions("version: 1\nadmin1_parts:\n  MM:\n    Shan: Shan-North\n")
    with pytest.raises(KnowledgeError, match="admin1_parts"):
        admin1_part("MM", "Shan", "Shan-North")
