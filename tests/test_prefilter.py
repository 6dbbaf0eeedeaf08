"""Keyword prefilters and the other speed-ups of the mention stages give
exactly what the plain regexes give (marsad.knowledge.prefilter,
mentions.countries, mentions.dates)."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marsad.knowledge import load_knowledge
from marsad.knowledge.lexicons import load_triggers
from marsad.knowledge.prefilter import Alternation, KeywordGate, PatternGate, required_keywords
from marsad.mentions.countries import CountryMentions
from marsad.mentions.dates import find_dates
from marsad.mentions.triggers import find_triggers
from marsad.records import Sentence


@pytest.fixture(autouse=True)
def _no_user_dirs(monkeypatch):
    monkeypatch.delenv("MARSAD_KNOWLEDGE", raising=False)


def sent(text: str) -> Sentence:
    return Sentence(0, 0, len(text), text)


# -------------------------------------------------------------- keywords


@pytest.mark.parametrize(("pattern", "flags", "keywords", "matching"), [
    ("protest(?:ed|s|ing|ers?)?", 0, {"protest"}, ["protesters"]),
    ("(?:went|go) on (?:a )?(?:hunger )?strikes?", 0,
     {f"{v} on {a}{h}strike" for v in ("went", "go") for a in ("", "a ") for h in ("", "hunger ")},
     ["went on a hunger strike"]),
    ("organi[sz]ed a rally", 0, {"organised a rally", "organized a rally"}, ["organized a rally"]),
    ("riot(?:ed|s|ing)?(?! police)", 0, {"riot"}, ["rioted"]),
    (r"\b(?:in\s+)?(?:early|mid|late)[\s-]+(?:may|june)\b", re.I, {"may", "june"}, ["In MID-June"]),
])
def test_keywords_are_derived_from_the_pattern(pattern, flags, keywords, matching):
    assert required_keywords(pattern, flags) == keywords
    for text in matching:
        assert re.search(pattern, text, flags)
        assert any(k in text.lower() for k in keywords)


@pytest.mark.parametrize(("pattern", "flags"), [
    (r"\d+\s*\w+", 0),  # no literal at all
    (r"[A-Z]\w+\s\w+", 0),
    (r"(ab)c\1", 0),  # back-reference
    ("(?i:attack)ed", 0),  # local flags
    ("\u212aill", re.I),  # the Kelvin sign matches "k" under re.I
])
def test_patterns_without_keywords_are_never_filtered(pattern, flags):
    assert required_keywords(pattern, flags) is None
    gate = KeywordGate([pattern, "shelled"], flags)
    assert gate.active("nothing to see") in (None, [0])


def test_ignorecase_gate_runs_everything_on_non_ascii_text():
    gate = KeywordGate([r"\bsunday\b"], re.I)
    assert gate.active("On SUNDAY") == [0]
    assert gate.active("On Monday") == []
    assert gate.active("On \u017funday") is None  # long s: re.I matches it as "s"


# ---------------------------------------------------- one alternation


_TRIGGERS = load_triggers()
_WORDS = sorted({k for c in _TRIGGERS.classes.values() for p in c.patterns for k in required_keywords(p) or ()})
_FILLER = ["the", "a", "police", "in", "on", "and", "of", "x", "2", "road", "went", "strike", "streets", "sit-in"]
_TEXTS = st.lists(
    st.tuples(st.sampled_from(_WORDS + _FILLER), st.sampled_from([" ", " ", "", "-", ", ", ". "])),
    min_size=1, max_size=14,
).map(lambda parts: "".join(w + s for w, s in parts))


def _one_by_one(alternation: Alternation) -> Alternation:
    alternation._most = 10**9  # never fall back to the combined regex
    return alternation


_ONE_BY_ONE = _one_by_one(Alternation([(c.name, c.patterns) for c in _TRIGGERS.classes.values()]))


@given(_TEXTS)
def test_prefiltered_triggers_match_the_combined_alternation(text):
    expected = [(m.start(), m.end(), m.lastgroup) for m in _TRIGGERS.matcher.finditer(text)]
    assert list(_ONE_BY_ONE.finditer(text)) == expected
    assert list(_TRIGGERS.fast_matcher.finditer(text)) == expected
    assert _TRIGGERS.fast_nonpolitical.search(text) == bool(_TRIGGERS.nonpolitical.search(text))


def test_overlapping_patterns_keep_priority_and_leftmost_order():
    groups = [("first", ["gun", "gunmen attacked"]), ("second", ["gunmen", "men attacked", "attacked"])]
    alternation = _one_by_one(Alternation(groups))
    for text in ("gunmen attacked", "the gunmen attacked men attacked", "gun gunmen", "attacked gunmen attacked"):
        expected = [(m.start(), m.end(), m.lastgroup) for m in alternation.combined.finditer(text)]
        assert list(alternation.finditer(text)) == expected


def test_a_user_pattern_without_keywords_still_matches(tmp_path, monkeypatch):
    (tmp_path / "triggers.yaml").write_text(
        "classes:\n  attack:\n    patterns:\n      - '\\d+ rounds? fired'\n", encoding="utf-8")
    monkeypatch.setenv("MARSAD_KNOWLEDGE", str(tmp_path))
    lexicon = load_triggers()
    found = [t.span.text for t in find_triggers(sent("Witnesses said 12 rounds fired near the market."), lexicon)]
    assert "12 rounds fired" in found


def test_pattern_gate():
    gate = PatternGate(re.compile(r"(?P<name>[A-Z]\w+) (?:town|village)\b"))
    assert gate.may_match("Harem town was shelled")
    assert not gate.may_match("Harem was shelled")


# ------------------------------------------------------- country votes


_COUNTRIES = CountryMentions(load_knowledge().countries.all())
_NAMES = sorted(_COUNTRIES._table)


@given(st.lists(st.sampled_from(_NAMES + ["-", "_", " ", "x", "é", "South ", "an", ",", "1", "Iraqi", "Sudan"]),
                min_size=1, max_size=10).map("".join))
def test_country_names_match_the_alternation(text):
    pattern = _COUNTRIES.pattern()
    assert list(_COUNTRIES.names(text)) == [m.group(0) for m in pattern.finditer(text)]


def test_country_votes():
    votes = _COUNTRIES.votes("Iraqi forces shelled positions in Syria; South Sudan-based and Syrian-ish groups")
    assert votes["SY"] == pytest.approx(1.5)
    assert votes["IQ"] == pytest.approx(0.5)
    assert "SS" not in votes  # "South Sudan-based" is no whole word


def test_a_country_named_inside_an_actor_votes_as_the_actor():
    # "the military forces of Russia launched a rocket attack on ... Kirovograd":
    # Russia is who fired, not where; it votes as a state force (0.3), not as
    # a country named outright (1.5)
    from marsad.knowledge import load_knowledge as knowledge
    from marsad.mentions.actors import ActorMatcher

    text = "On 12 March 2022, the military forces of Russia launched a rocket attack on Kirovograd."
    actors = ActorMatcher(knowledge().actor_aliases()).find(sent(text))
    assert any(a.country == "RU" for a in actors)
    assert _COUNTRIES.votes(text, actors)["RU"] == pytest.approx(0.3)
    assert _COUNTRIES.votes(text)["RU"] == pytest.approx(1.5)


@pytest.mark.parametrize("text", [
    "On 11 June 2022, 300 people demonstrated in Landau against delivering arms to Ukraine.",
    "On 28 February 2022, 400 persons demonstrated in Pau against the Russian invasion of Ukraine.",
    "On 1 March 2022, students gathered in Bari in solidarity with Ukraine.",
])
def test_a_country_named_as_what_a_report_is_about_votes_little(text):
    # where it happened is the town; Ukraine is the topic: its own town
    # namesakes (a Paris, a Bari in Ukraine) must not win on its vote
    from marsad.mentions.countries import TOPIC_VOTE

    assert _COUNTRIES.votes(text)["UA"] == pytest.approx(TOPIC_VOTE)
    assert _COUNTRIES.votes("Shelling hit a village in Ukraine.")["UA"] == pytest.approx(1.5)


def test_a_country_name_closing_the_areas_in_brackets_is_a_state():
    # Niger State, Nigeria: "(Paikoro, Niger)" is no vote for the country Niger
    assert "NE" not in {cc for cc, v in _COUNTRIES.votes("Militiamen attacked Kuchiri (Paikoro, Niger).").items() if v}
    assert _COUNTRIES.votes("Militiamen attacked a village in Niger.")["NE"] == pytest.approx(1.5)
    # a territory written in brackets is the scene's own: it still votes
    assert _COUNTRIES.votes("Rioters gathered near Bayt El (Ramallah and Al Bireh, West Bank).")["PS"] > 0


@pytest.mark.parametrize("text, country", [
    # unions and parties of one country place a bare town name there
    ("On 3 April 2022, teachers of the SUD union marched in Saint-Denis asking for more staff.", "France"),
    ("On 9 April 2022, AFPS activists rallied in Brest for the rights of Palestinian prisoners.", "France"),
    ("On 5 April 2022, Podemos supporters protested in Cordoba against rising rents.", "Spain"),
])
def test_a_union_or_party_of_one_country_places_a_bare_town(bundled_pipeline, text, country):
    from datetime import date

    from marsad.records import Document

    events = bundled_pipeline.process(Document(id="t", raw=text, published=date(2022, 6, 30),
                                               published_from="input")).events
    assert events and all(ev.country == country for ev in events)


def test_a_protest_about_a_country_stays_where_it_was_held(bundled_pipeline):
    from datetime import date

    from marsad.records import Document

    text = ("On 11 June 2022, between 300 and 400 people demonstrated in Landau in der Pfalz against "
            "coronavirus-related measures and delivering arms to Ukraine.")
    (ev,) = bundled_pipeline.process(Document(id="t", raw=text, published=date(2022, 6, 30),
                                              published_from="input")).events
    assert ev.country == "Germany" and ev.actor1 == "Protesters (Germany)"


# --------------------------------------------------------------- dates


@pytest.mark.parametrize("phrase", ["three days ago", "a day ago", "an week ago", "2 weeks ago", "0 days ago",
                                    "Ten Days Ago", "11 days  ago", "999 weeks ago"])
def test_days_ago_as_dateparser_reads_them(phrase):
    import dateparser

    published = date(2024, 2, 29)
    expected = dateparser.parse(phrase, languages=["en"], settings={
        "RELATIVE_BASE": datetime(2024, 2, 29), "PREFER_DATES_FROM": "past", "DATE_ORDER": "DMY"})
    found = find_dates(sent(f"Police said {phrase} that it happened."), published)
    assert [d.value for d in found] == [expected.date()]
    assert found[0].precision == (2 if "week" in phrase.lower() else 1)


def test_date_patterns_run_only_where_their_words_are():
    published = date(2022, 3, 1)
    found = find_dates(sent("On 23 February 2022, and on Sunday, clashes resumed."), published)
    assert [(d.span.text, d.value) for d in found] == [("23 February 2022", date(2022, 2, 23)),
                                                       ("on Sunday", date(2022, 2, 27))]
    assert find_dates(sent("Clashes resumed after a pause."), published) == []
