"""Actor mentions: every alias of the actor dictionary, in one pass.

All aliases (named organisations, state forces per country, generic actors
such as "gunmen" or "protesters", roles such as "women") are compiled once
into an Aho-Corasick automaton over lower-cased text. Matches must sit on
word boundaries; aliases the dictionary marks case-sensitive (ALL-CAPS
abbreviations such as "IS" or "HTS") must match the original case. Among
overlapping matches the longest wins ("Syrian regime forces" over
"regime forces").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

import ahocorasick

from marsad.records import ActorMention, Sentence, Span

# Entry kinds whose canonical name is completed with the event's country.
COUNTRY_TEMPLATED = "{country}"


class ActorMatcher:
    """Compiled actor dictionary. Build once, reuse for every document."""

    def __init__(self, aliases: Iterable[tuple[str, bool, object]], modifier_nouns: Iterable[str] = (),
                 name_patterns: Iterable = (), introduced=None):
        # (knowledge.loader.NamePattern: "Banmauk PDF" -> "People's Defense Force - Banmauk")
        self._name_patterns = tuple(name_patterns)
        # (knowledge.loader.IntroducedNames: "Zomi Revolutionary Army (ZRA)")
        self._introduced = introduced
        # one cheap search says whether any pattern can match a sentence: the
        # words every pattern requires ("PDF", "Defense", "communal")
        needs = [w for rule in self._name_patterns for w in rule.requires]
        self._patterns_gate = re.compile("|".join(map(re.escape, needs)), re.I) if needs else None
        nouns = sorted({n.lower() for n in modifier_nouns if n}, key=len, reverse=True)
        # "the military coup": an actor word right before one of these nouns
        # only describes it
        self._modifies = re.compile(r"[ -](?:" + "|".join(map(re.escape, nouns)) + r")\b") if nouns else None
        self._automaton = ahocorasick.Automaton()
        table: dict[str, list[tuple[str, bool, object]]] = {}
        for alias, case_sensitive, entry in aliases:
            key = alias.lower().strip()
            if len(key) < 2:
                continue
            table.setdefault(key, []).append((alias.strip(), case_sensitive, entry))
        for key, values in table.items():
            self._automaton.add_word(key, (len(key), values))
        if table:
            self._automaton.make_automaton()
        self._table = table

    def find(self, sentence: Sentence) -> list[ActorMention]:
        if not self._table and not self._name_patterns:
            return []
        text = sentence.text
        lowered = text.lower()
        candidates: list[tuple[int, int, object]] = []
        for end_idx, (length, values) in self._automaton.iter(lowered):
            start = end_idx - length + 1
            end = end_idx + 1
            if start > 0 and (lowered[start - 1].isalnum() or lowered[start - 1] == "-" and start > 1 and lowered[start - 2].isalnum()):
                continue
            if end < len(lowered) and (lowered[end].isalnum()):
                continue
            if self._modifies is not None and self._modifies.match(lowered, end):
                continue
            surface = text[start:end]
            chosen = None
            for alias, case_sensitive, entry in values:
                if case_sensitive and surface != alias:
                    continue
                chosen = entry
                break
            if chosen is not None:
                candidates.append((start, end, chosen))
        rules = self._name_patterns if self._patterns_gate is None or self._patterns_gate.search(text) else ()
        for rule in rules:
            for m in rule.pattern.finditer(text):
                lead = m.groupdict().get("lead")
                place, start = m.group("place"), m.start("place")
                while " " in place and place.split(" ", 1)[0] in rule.not_places:
                    # "Suspected Marehan clan militia": the name starts after such a word
                    first, place = place.split(" ", 1)
                    start += len(first) + 1
                if place in rule.not_places or lead and lead not in rule.not_places:
                    continue  # no place, or the end of a longer name ("Black Wolf PDF")
                candidates.append((start if lead or start != m.start("place") else m.start(), m.end(), rule.entry(place)))
        if self._introduced is not None and "(" in text:
            candidates += self._introduced_names(text, candidates)
        # Longest match first, then leftmost; drop overlaps.
        candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
        taken: list[tuple[int, int]] = []
        out: list[ActorMention] = []
        for start, end, entry in candidates:
            if _overlaps(start, end, taken):
                continue
            taken.append((start, end))
            out.append(_mention(entry, sentence, start, end))
        out += self._elided(text, lowered, sentence, out, taken)
        out += self._designated(text, sentence, taken)
        out.sort(key=lambda a: a.span.start)
        return out

    def in_country(self, mentions: Sequence[ActorMention], cc: str) -> tuple[ActorMention, ...]:
        """The mentions read for a document set in ``cc``: a name several
        entries share ("SNA": the Syrian National Army or the Somali National
        Army; "rangers", "federal police") names the one tied to ``cc`` when
        there is one, else its default (first listed) reading."""
        if not cc:
            return tuple(mentions)
        out = []
        for m in mentions:
            values = self._table.get(m.span.text.lower().strip()) if m.kind != "role" else None
            if values is not None and len(values) > 1:
                own = next((entry for alias, sensitive, entry in values
                            if (not sensitive or alias == m.span.text)
                            and entry.tied_to(cc)), None)
                if own is not None and own.name != m.canonical:
                    m = replace(m, **_reading(own))
            out.append(m)
        return tuple(out)

    def _introduced_names(self, text, known) -> list[tuple[int, int, object]]:
        """Organisations introduced with their acronym that the dictionary
        does not know: "the Myaing Villages Revolution Front (MVRF)". The
        acronym's capitals must be the initials of the capitalised words
        right before it (joining words such as "of" and "and" allowed
        between them), and the last or first of them one of the heads. A name the
        dictionary knows in part (a named organisation or a state force of
        several words inside the span) is left to the dictionary."""
        out: list[tuple[int, int, object]] = []
        for m in _ACRONYM.finditer(text):
            acronym = m.group("acr")
            letters = [c for c in acronym if c.isupper() or c.isdigit()]
            if len(letters) < MIN_ACRONYM_LETTERS:
                continue
            words = _words_before(text, m.start(), len(letters))
            if words is None or [w[0][0].upper() for w in words] != letters:
                continue
            if words[-1][0].lower() not in self._introduced.heads and words[0][0].lower() not in self._introduced.heads:
                continue  # ("... Army (XA)", "Front for the Liberation of ... (FLX)")
            start, end = words[0][1], m.end()
            if any(s < end and start < e and (entry.kind == "named" or entry.kind == "state" and " " in text[s:e])
                   for s, e, entry in known):
                continue
            out.append((start, end, self._introduced.entry(acronym, text[start:words[-1][2]])))
        return out

    def _elided(self, text, lowered, sentence, found, taken) -> list[ActorMention]:
        """The first of two actors sharing a noun: "between Russian and Ukrainian forces".

        "Russian" alone is no alias; "Russian forces" is, so the word before
        "and" names that actor.
        """
        extra: list[ActorMention] = []
        for m in found:
            surface = m.span.text
            start = m.span.start - sentence.start
            if " " in surface:
                rest = surface.split(" ", 1)[1].lower()
            else:
                # "Turkish and JWS forces": the noun after a one-word name is shared too
                after = _SHARED_NOUN.match(lowered, start + len(surface))
                if after is None:
                    continue
                rest = after.group(1)
            bm = _COORDINATED_BEFORE.search(lowered, max(0, start - 40), start)
            if bm is None:
                continue
            word_start, word_end = bm.span("word")
            if _overlaps(word_start, word_end, taken):
                continue
            entry = next((e for alias, cs, e in self._table.get(f"{bm.group('word')} {rest}", ())
                          if not cs or text[word_start:word_end] == alias.split(" ", 1)[0]), None)
            if entry is not None:
                extra.append(_mention(entry, sentence, word_start, word_end))
        return extra

    def _designated(self, text, sentence, taken) -> list[ActorMention]:
        """A side's weapon told with its model between: "a Russian Orlan-10
        drone", "a Russian Ka-52 helicopter". The demonym and the noun must
        make an alias ("Russian drone"); the model is one to three words each
        starting with a capital or a digit."""
        extra: list[ActorMention] = []
        for m in _DESIGNATED.finditer(text):
            start, end = m.start(), m.end()
            if _overlaps(start, end, taken):
                continue
            key = f"{m.group('word')} {m.group('noun')}".lower()
            entry = next((e for alias, cs, e in self._table.get(key, ()) if not cs), None)
            if entry is not None:
                taken.append((start, end))
                extra.append(_mention(entry, sentence, start, end))
        return extra


# "(ZRA)": an acronym in brackets (a capital first, at most ten characters)
_ACRONYM = re.compile(r"\(\s*+(?P<acr>[A-Z][A-Za-z0-9'-]{1,9})\s*+\)")
# fewer capitals than this read too often as something else ("(AA)" is known anyway)
MIN_ACRONYM_LETTERS = 3
# lower-case words that may join the words of an organisation's name
_NAME_JOINERS = frozenset({"of", "and", "for", "the", "de", "du", "des", "del", "la", "al", "el", "&"})
_NAME_WORD = re.compile(r"[\w'&.-]+")
# how far back from an acronym its name is looked for (characters)
NAME_WINDOW = 160


def _words_before(text: str, end: int, count: int) -> list[tuple[str, int, int]] | None:
    """The ``count`` capitalised words ending right before ``end`` (joining
    words skipped between them), as (word, start, end); None when a word of
    another kind comes first."""
    window_start = max(0, end - NAME_WINDOW)
    tokens = [(t.group(), t.start(), t.end())
              for t in _NAME_WORD.finditer(text, window_start, end)]
    picked: list[tuple[str, int, int]] = []
    for word, s, e in reversed(tokens):
        if word[0].isupper() or word[0].isdigit():
            picked.append((word, s, e))
            if len(picked) == count:
                return picked[::-1]
        elif word.lower() in _NAME_JOINERS and picked:
            continue
        else:
            return None
    return None


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    """Does ``start:end`` overlap a span already taken by a mention?"""
    return any(start < e and s < end for s, e in taken)


def _reading(entry) -> dict:
    """What a mention of a dictionary entry says: its name, inter code, kind
    and the country it is tied to."""
    countries = tuple(getattr(entry, "countries", ()) or ())
    state_of = getattr(entry, "state_of", "") or ""
    return {"canonical": entry.name, "inter": int(entry.inter), "kind": entry.kind,
            "country": state_of or (countries[0] if len(countries) == 1 else "")}


def _mention(entry, sentence: Sentence, start: int, end: int) -> ActorMention:
    """The mention of a dictionary entry at sentence offsets ``start:end``."""
    return ActorMention(span=Span(sentence.start + start, sentence.start + end, sentence.text[start:end]),
                        sentence=sentence.index, **_reading(entry))


# "<word> and " / "<word>, " / "<word> or " right before an actor's name
# (the word starts where its run of letters and hyphens starts, and is taken
# whole: a long hyphenated run is scanned once, not from each hyphen)
_COORDINATED_BEFORE = re.compile(r"(?<![\w'-])(?P<word>[\w'-]++)(?:\s*+,\s*+|\s++and\s++|\s++or\s++)$")

# "<Demonym> <Model> <noun>": a capitalised word, one to three model words
# (capital or digit first, no spaces inside), a lower-case noun
_DESIGNATED = re.compile(r"\b(?P<word>[A-Z][a-z]+) (?:[A-Z0-9][\w'-]*+ ){1,3}(?P<noun>[a-z]+)\b")

# a noun a one-word name shares with the adjective before it ("Turkish and JWS forces")
_SHARED_NOUN = re.compile(r" (forces|troops|fighters|militants|soldiers)\b")
