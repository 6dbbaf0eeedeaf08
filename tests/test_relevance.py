"""Non-political reports give no event (marsad/events/relevance.py, the
``nonpolitical`` domains, ``political``, ``unrelated`` and ``attribution``
sections of triggers.yaml), while political ones in the same words still do.

Every report here is written for these tests.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marsad.errors import KnowledgeError
from marsad.knowledge.prefilter import Alternation
from marsad.knowledge.lexicons import load_triggers
from marsad.mentions.triggers import find_triggers
from marsad.records import Document, Sentence

PUBLISHED = date(2024, 3, 15)


def subs(pipeline, text: str) -> list[str]:
    doc = Document(id="relevance-test", raw=text, kind="text", published=PUBLISHED, published_from="input",
                   origin="test")
    result = pipeline.process(doc)
    assert not result.rejected, result.rejected
    return [e.sub_event_type for e in result.events]


def live(text: str, *, armed: bool = False) -> list[str]:
    found = find_triggers(Sentence(0, 0, len(text), text), load_triggers(), armed=armed)
    return [t.sub_event_type for t in found if not t.negated]


@pytest.mark.parametrize("text", [
    # the cause is named in one sentence, the casualties in the next
    "A boiler exploded at the fertilizer plant outside Kirkuk on Monday. Six workers were injured.",
    "A tropical storm swept across the coast of Mozambique. Fourteen people were killed.",
    "Heavy floods hit the districts around Sylhet overnight. Nine people were killed and dozens injured.",
    "A fuel tanker crashed on the highway near Multan. The blast killed seven people.",
    # property crime and its policing
    "Police in Lagos recovered stolen jewellery after a burglary investigation. Three suspects were arrested.",
    "Border police detained 20 people in a truck near Subotica. Officers said a smuggling ring had organised "
    "their illegal border crossing.",
    # road accidents, collapses and court cases
    "A minibus plunged into a ravine near Gilgit on Friday. Eleven passengers were killed.",
    "Six labourers died when a three-storey building collapsed in Karachi.",
    "A court in Dhaka sentenced two men to life in prison for the murder of a shopkeeper.",
    # a sports report
    "The home side's attack was relentless and their winger scored the goal of the season in the final.",
    # an explicit statement that the incident is not political
    "Two men were killed when a grenade went off in a market in Kharkiv. Police said the blast was not related "
    "to the war and arrested a local businessman.",
])
def test_non_political_reports_give_no_event(bundled_pipeline, text):
    assert subs(bundled_pipeline, text) == []


@pytest.mark.parametrize("text, expected", [
    # the same causes, with an armed side or a conflict word: political
    ("Militants detonated an explosive device at the fertilizer plant outside Kirkuk on Monday. Six workers were injured.",
     "Remote explosive/landmine/IED"),
    ("Gunmen from a drug trafficking gang shot dead a shopkeeper in Culiacan.", "Attack|Armed clash"),
    # a demonstration in a pandemic story: its arrests are the intervention
    ("Nurses gathered outside the health ministry in Tunis to protest against unpaid coronavirus bonuses. "
     "Police arrested five of them.", "Protest with intervention"),
    # an epidemic explains deaths and curfews, not the looting during it
    ("Shops were looted in Durban during the coronavirus lockdown.", "Looting/property destruction"),
    # fans fighting after a match: only the play is sport
    ("Football fans attacked police outside the stadium in Marseille after the match.",
     "Attack|Mob violence|Armed clash"),
    # a unit named Storm is no weather
    ("Fighters of the Desert Storm Brigade shot dead two civilians near Deir ez-Zor.", "Attack|Armed clash"),
    # a crowd punishing a thief is mob violence, whatever the theft
    ("In Gulu, an angry mob beat a suspected thief to death.", "Mob violence"),
])
def test_political_reports_in_the_same_words_still_give_events(bundled_pipeline, text, expected):
    assert set(expected.split("|")) & set(subs(bundled_pipeline, text))


def test_a_claim_of_responsibility_is_not_a_report_of_the_incident(bundled_pipeline):
    claim = "The Islamic State claimed responsibility for the bombing of a bus station in Kabul last month."
    assert subs(bundled_pipeline, claim) == []
    # ... but a report of the incident followed by the claim is an event
    report = ("A car bomb exploded at a bus station in Kabul on Tuesday, killing four people. "
              "The Islamic State claimed responsibility for the attack.")
    assert "Remote explosive/landmine/IED" in subs(bundled_pipeline, report)


@pytest.mark.parametrize("text, negated", [
    ("The minister rejected accusations of shelling the village.", "shelling"),
    ("The new sanctions target officers responsible for the chemical attacks on civilians.", "chemical"),
    ("The embassy said the two diplomats were expelled for taking part in rallies.", "protest"),
    ("The government accused the rebels of shelling the airport.", "shelling"),
])
def test_attributed_incidents_are_negated(text, negated):
    assert negated not in live(text)


def test_an_accused_perpetrator_still_acted():
    # "X are accused of abducting" is how reports name alleged perpetrators
    assert "abduction" in live("Two militiamen are accused of abducting a driver near the town.")


def test_an_armed_actor_in_the_sentence_outweighs_a_non_political_cue():
    text = "The men stole a car and shot dead the guard of the oil refinery after the blast."
    assert "attack" not in live(text)
    assert "attack" in live(text, armed=True)


def test_crime_explains_arrests_and_thefts_but_not_killings():
    found = live("Drug traffickers killed a rival dealer and stole his car; police arrested two of them.")
    assert "attack" in found
    assert "looting" not in found and "arrest" not in found


def test_domains_name_what_they_explain():
    lexicon = load_triggers()
    assert {"disaster", "accident", "crime", "diplomacy", "health", "sports"} <= lexicon.domains.keys()
    crime = lexicon.domains["crime"]
    assert crime.explains_class("arrest") and not crime.explains_class("attack")
    # "all" means every class but the unmistakable ones
    assert lexicon.domains["accident"].explains_class("ied", frozenset({"protest"}))
    assert not lexicon.domains["accident"].explains_class("protest", frozenset({"protest"}))


def test_a_user_file_can_extend_a_domain_or_give_a_plain_list(tmp_path, monkeypatch):
    (tmp_path / "triggers.yaml").write_text(
        "version: 1\nnonpolitical:\n  crime:\n    patterns: ['poachers?']\n", encoding="utf-8")
    monkeypatch.setenv("MARSAD_KNOWLEDGE", str(tmp_path))
    assert "poachers?" in load_triggers().domains["crime"].patterns
    assert "looting" not in live("Rangers arrested poachers who looted the ivory store.")
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "triggers.yaml").write_text("version: 1\nnonpolitical: [bake sale]\n", encoding="utf-8")
    monkeypatch.setenv("MARSAD_KNOWLEDGE", str(plain))
    lexicon = load_triggers()
    assert lexicon.domains["other"].patterns == ("bake sale",)
    assert lexicon.domains["other"].explains is None


@pytest.mark.parametrize("body, message", [
    ("nonpolitical:\n  crime:\n    explains: [no_such_class]\n    patterns: [heist]\n", "unknown class"),
    ("nonpolitical:\n  crime:\n    explains: some\n    patterns: [heist]\n", "explains must be"),
    ("nonpolitical: 3\n", "expected a mapping of domains"),
    ("nonpolitical:\n  Crime:\n    patterns: [heist]\n", "lower-case"),
])
def test_a_bad_domain_is_refused_with_its_reason(tmp_path, monkeypatch, body, message):
    (tmp_path / "triggers.yaml").write_text("version: 1\n" + body, encoding="utf-8")
    monkeypatch.setenv("MARSAD_KNOWLEDGE", str(tmp_path))
    with pytest.raises(KnowledgeError, match=message):
        load_triggers()


_WORDS = ["a", "the", "blast", "explosion", "at", "chemical", "plant", "gas", "claimed", "responsibility", "for",
          "accused", "accusations", "of", "the rebels", "shelling", "not", "related", "to", "conflict", "floods",
          "robbery", "sentenced", "murder", "militants", "bomb", "killed", "in", "tank", "exploded", "warehouse",
          "bus", "plunged", "into", "collapsed", "building", "goal", "scored", "match", "covid", "sanctions", ","]


@given(st.lists(st.sampled_from(_WORDS), max_size=30).map(" ".join))
def test_prefiltered_context_lists_match_their_combined_alternation(text):
    lexicon = load_triggers()
    domains_one_by_one = Alternation([(d.name, d.patterns) for d in lexicon.domains.values()])
    domains_one_by_one._most = 10**9  # never fall back to the combined regex
    for alternation in (lexicon.fast_domains, domains_one_by_one, lexicon.political, lexicon.unrelated,
                        lexicon.attribution):
        expected = [(m.start(), m.end(), m.lastgroup or "") for m in alternation.combined.finditer(text)]
        # (an unlabelled group reads None or "" depending on the path taken)
        assert [(start, end, label or "") for start, end, label in alternation.finditer(text)] == expected
