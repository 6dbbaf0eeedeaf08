"""Which country a document is about: votes from its own words.

Country names ("..., Iraq."), demonyms ("Palestinian rioters") and actors
tied to one country ("Al Shabaab", "Houthis") each vote; the geocoder adds
its place votes and uses the result as the document's country focus.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator

import ahocorasick

from marsad.records import ActorMention

# Vote weights. A country named outright is the strongest sign; a demonym
# often names a foreign actor ("Russian forces" in Ukraine), so it weighs
# less; a state force abroad is common, an organisation tied to one country
# less so.
NAME_VOTE = 1.5
DEMONYM_VOTE = 0.5
NAMED_ACTOR_VOTE = 1.0
STATE_ACTOR_VOTE = 0.3
# Admin-unit words used by one country only: a Nigerian "LGA" (local
# government area), a Nepali "rural municipality" or ward-numbered
# "municipality-6". Each counts once per document, as much as a named actor
# of that country: the unit is a fact of the place, though one written
# beside a foreign name.
ADMIN_WORD_VOTE = 1.0
# A country's own words (countries.yaml ``words``: its currency, its
# parliament's houses): a fact of the setting like an admin-unit word, so
# the same weight, once per country per document.
COUNTRY_WORD_VOTE = ADMIN_WORD_VOTE
# A country named as what a report is about, not where it happened: "against
# the Russian invasion of Ukraine" (in Paris), "arms to Ukraine", "refugees
# from Ukraine", "in solidarity with Palestine". Such a name still votes, this
# much: its own town namesakes (Paris, Ukraine) must not outvote the famous
# place the note names.
TOPIC_VOTE = 0.2
# Country names that are also a state or province elsewhere (Niger State,
# Nigeria; the US state of Georgia; the State of Mexico; Panama province).
# Written closing the areas in brackets after a place, they are that area.
# (Not every country name: "(Ramallah, West Bank)", "(Saint Pierre and
# Miquelon)" name the scene's own territory.)
ADMIN_NAMESAKES = frozenset({"Niger", "Georgia", "Mexico", "Panama"})
# "(Paikoro, Niger)", "(Georgia)": the areas opened in brackets after a place
_OPEN_ADMIN = re.compile(r"\w\s*+\((?:[^()]{1,40},\s*+)?$")
_TOPIC_PREPOSITION = r"(?:of|in|on|to|with|from|for|against|into)\s++(?:the\s++)?$"
# (a cheap first look: most country names follow no such preposition)
_PREPOSITION_BEFORE = re.compile(r"\b" + _TOPIC_PREPOSITION, re.I)
TOPIC_BEFORE = re.compile(
    r"\b(?:invasion|invading|occupation|war|attacks?|aggression|offensive|bombing|sanctions|arms|weapons|"
    r"aid|support|solidarity|refugees|migrants|people|citizens|embassy|consulate|ambassador|president|"
    r"government|regime|victims|independence|annexation)\s++" + _TOPIC_PREPOSITION, re.I)
ADMIN_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bLGAs?\b|\bLocal Government Areas?\b"), "NG"),
    (re.compile(r"\brural municipality\b|\bmunicipality-\d+\b", re.I), "NP"),
    # Bangladesh's sub-districts ("Rowangchhari upazila"; also spelled upazilla, upozila)
    (re.compile(r"\bupaz+ill?as?\b|\bupozil+as?\b", re.I), "BD"),
)


def _word_or_hyphen(char: str) -> bool:
    """What ``[\\w-]`` matches: Python's \\w is exactly isalnum() or "_"."""
    return char.isalnum() or char in "_-"


class CountryMentions:
    """Compiled country names and demonyms (case-sensitive, whole words)."""

    def __init__(self, countries: Iterable) -> None:
        names: dict[str, tuple[str, float]] = {}
        words: dict[str, str] = {}
        for c in countries:
            for w in c.words:
                words.setdefault(w, c.iso2)
            for n in (c.name, *c.aliases):
                if len(n) > 3:
                    names.setdefault(n, (c.iso2, NAME_VOTE))
            for d in c.demonyms:
                if len(d) > 3:
                    names.setdefault(d, (c.iso2, DEMONYM_VOTE))
        self._table = names
        self._words = {w: cc for w, cc in words.items() if w not in names}
        # One Aho-Corasick pass finds what the alternation ``pattern()``
        # finds (a regex starting with a look-behind tries every name at
        # every character: 30 times slower).
        self._automaton = None
        if names:
            self._automaton = ahocorasick.Automaton()
            for n in names:
                self._automaton.add_word(n, len(n))
            self._automaton.make_automaton()
        self._word_automaton = None
        if self._words:
            self._word_automaton = ahocorasick.Automaton()
            for w, cc in self._words.items():
                self._word_automaton.add_word(w, (len(w), cc))
            self._word_automaton.make_automaton()

    def pattern(self) -> re.Pattern[str] | None:
        """The names as one regex (longest first), for reference and tests."""
        if not self._table:
            return None
        alternation = "|".join(re.escape(n) for n in sorted(self._table, key=len, reverse=True))
        return re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])")

    def names(self, text: str) -> Iterator[str]:
        """The names ``pattern().finditer`` matches, in order: whole words (no
        letter, digit, _ or - on either side); of the names starting at one
        place the longest; none overlapping an earlier one."""
        for start, end in self.spans(text):
            yield text[start:end]

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) of each name ``names`` yields."""
        if self._automaton is None:
            return
        longest: dict[int, int] = {}
        size = len(text)
        for last, length in self._automaton.iter(text):
            start, end = last - length + 1, last + 1
            if start > 0 and _word_or_hyphen(text[start - 1]) or end < size and _word_or_hyphen(text[end]):
                continue
            if end > longest.get(start, -1):
                longest[start] = end
        position = 0
        for start in sorted(longest):
            if start >= position:
                position = longest[start]
                yield start, position

    def _word_countries(self, text: str) -> set[str]:
        """The countries whose own words the text holds as whole words."""
        found: set[str] = set()
        if self._word_automaton is None:
            return found
        size = len(text)
        for last, (length, cc) in self._word_automaton.iter(text):
            start, end = last - length + 1, last + 1
            if not (start > 0 and _word_or_hyphen(text[start - 1]) or end < size and _word_or_hyphen(text[end])):
                found.add(cc)
        return found

    def votes(self, text: str, actors: Iterable[ActorMention] = ()) -> dict[str, float]:
        votes: Counter[str] = Counter()
        actors = list(actors)
        inside = [(a.span.start, a.span.end) for a in actors if a.country]
        for start, end in self.spans(text):
            if any(a <= start and end <= b for a, b in inside):
                # "the military forces of Russia": the actor's own vote
                # below, not a country named as the scene
                continue
            cc, weight = self._table[text[start:end]]
            if weight == NAME_VOTE and _PREPOSITION_BEFORE.search(text, max(0, start - 12), start) \
                    and TOPIC_BEFORE.search(text, max(0, start - 40), start):
                weight = TOPIC_VOTE
            elif weight == NAME_VOTE and text[start:end] in ADMIN_NAMESAKES and text.startswith(")", end) \
                    and _OPEN_ADMIN.search(text, max(0, start - 60), start):
                # "in Gwalo (Paikoro, Niger)", "Athens (Georgia)": a name closing
                # the admin areas in brackets after a place is a state or
                # province of the scene's country, not a country
                weight = 0.0
            votes[cc] += weight
        for word, cc in ADMIN_WORDS:
            if word.search(text):
                votes[cc] += ADMIN_WORD_VOTE
        for cc in self._word_countries(text):
            votes[cc] += COUNTRY_WORD_VOTE
        for a in actors:
            if a.country and a.kind == "named":
                votes[a.country] += NAMED_ACTOR_VOTE
            elif a.country and a.kind == "state":
                votes[a.country] += STATE_ACTOR_VOTE
        return dict(votes)
