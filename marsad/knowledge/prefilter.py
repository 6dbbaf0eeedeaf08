"""Keyword prefilters for the big regex alternations of the knowledge files.

A trigger lexicon compiles to one alternation of a few hundred patterns.
Python's ``re`` tries every branch at every word start, so one sentence
costs about a tenth of a millisecond although it holds two or three
triggers. Each pattern, however, can only match text that contains one of
a few literal strings ("demonstrat" for ``demonstrat(?:ed|es|ing|ion)``,
"went on"/"go on" for ``(?:went|go) on ...``). ``required_keywords``
derives such strings from the parsed pattern, automatically, so patterns
added to the YAML files later get their keywords too; one Aho-Corasick pass
finds which patterns can match a text, and only those run.

``Alternation`` gives exactly what the one big alternation gives:
``finditer`` yields the same (start, end, label) triples, in the same
order, as ``finditer`` of ``\\b(?:(?P<label>p1|p2)|...)\\b`` would (at the
leftmost position the first pattern that matches wins, and the next match
starts where it ended), because a pattern that cannot match anywhere in
the text cannot change that result. A pattern no keyword can be derived
from (``\\d+ km``, a lone ``\\w+``) simply runs on every text.
"""

from __future__ import annotations

import heapq
import re
import re._constants as _c
import re._parser as _parser
from collections.abc import Iterator, Sequence
from itertools import product

import ahocorasick

# Largest set of strings one pattern piece may expand to ("(?:a|an|the)
# (?:car|truck)" is 6). Bigger sets are cut into shorter runs: more
# strings cost the automaton nothing per text, but products grow fast.
MAX_EXPANSION = 64
# Largest character class expanded into its characters ("[sz]").
MAX_CLASS = 8
# When more than this share of the patterns may match a text, running the
# one compiled alternation is faster than running them one by one.
MAX_ACTIVE_SHARE = 0.25

_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT)
_ZERO_WIDTH = (_c.AT, _c.ASSERT, _c.ASSERT_NOT)


class _Unsupported(Exception):
    """A construct (back-reference, local flags) the analysis does not model."""


# A piece's analysis: (exact, required). ``exact`` is a finite set of
# strings that includes every text the piece can match (None when unknown
# or too large); ``required`` is a set of strings one of which every match
# contains (None when none is known).
_Sets = tuple[frozenset[str] | None, frozenset[str] | None]


def _score(strings: frozenset[str] | None) -> tuple[int, int]:
    """Better keyword sets have longer shortest strings, then fewer strings."""
    if not strings:
        return (0, 0)
    return (min(len(s) for s in strings), -len(strings))


def _best(*candidates: frozenset[str] | None) -> frozenset[str] | None:
    best = max(candidates, key=_score)
    return best if _score(best)[0] > 0 else None


def _concat(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    if a is None or b is None or len(a) * len(b) > MAX_EXPANSION:
        return None
    return frozenset(x + y for x, y in product(a, b))


def _char(code: int, ignorecase: bool) -> str:
    ch = chr(code)
    if ignorecase:
        # Under re.I a non-ASCII literal may match ASCII text (the Kelvin
        # sign matches "k"); such a pattern gets no keyword.
        if not ch.isascii():
            raise _Unsupported
        return ch.lower()
    return ch


def _class(items, ignorecase: bool) -> frozenset[str] | None:
    chars = set()
    for op, av in items:
        if op is not _c.LITERAL:
            return None
        chars.add(_char(av, ignorecase))
    return frozenset(chars) if len(chars) <= MAX_CLASS else None


def _sequence(items, ignorecase: bool) -> _Sets:
    required: list[frozenset[str] | None] = []
    exact: frozenset[str] | None = frozenset({""})
    run: frozenset[str] | None = frozenset({""})
    for op, av in items:
        ex, req = _piece(op, av, ignorecase)
        required.append(req)
        exact = _concat(exact, ex)
        if ex is None:
            required.append(run)
            run = frozenset({""})
            continue
        longer = _concat(run, ex)
        if longer is None:  # too many strings: keep the run so far, start anew
            required.append(run)
            longer = ex
        run = longer
    required.append(run)
    return exact, _best(exact, *required)


def _piece(op, av, ignorecase: bool) -> _Sets:
    if op is _c.LITERAL:
        ch = frozenset({_char(av, ignorecase)})
        return ch, ch
    if op is _c.IN:
        chars = _class(av, ignorecase)
        return chars, chars
    if op in _ZERO_WIDTH:
        # lookarounds and \b match no text of their own
        return frozenset({""}), None
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        if add_flags or del_flags:
            raise _Unsupported
        return _sequence(sub, ignorecase)
    if op is _c.ATOMIC_GROUP:
        return _sequence(av, ignorecase)
    if op is _c.BRANCH:
        return _branch(av[1], ignorecase)
    if op in _REPEATS:
        return _repeat(*av, ignorecase)
    if op in (_c.GROUPREF, _c.GROUPREF_EXISTS, _c.GROUPREF_IGNORE):
        raise _Unsupported
    return None, None  # any character, a category (\d, \w), a negated literal ...


def _branch(branches, ignorecase: bool) -> _Sets:
    exacts, requireds = [], []
    for branch in branches:
        ex, req = _sequence(branch, ignorecase)
        exacts.append(ex)
        requireds.append(_best(ex, req))
    exact = None
    if all(e is not None for e in exacts):
        union = frozenset().union(*exacts)
        exact = union if len(union) <= MAX_EXPANSION else None
    required = None if any(r is None for r in requireds) else frozenset().union(*requireds)
    return exact, required


def _repeat(low: int, high, sub, ignorecase: bool) -> _Sets:
    ex, req = _sequence(sub, ignorecase)
    required = _best(ex, req) if low >= 1 else None
    exact = None
    if ex is not None and high is not _c.MAXREPEAT and high <= 2:
        options: frozenset[str] | None = frozenset()
        power: frozenset[str] | None = frozenset({""})
        for times in range(high + 1):
            if times:
                power = _concat(power, ex)
            if power is None:
                options = None
                break
            if times >= low:
                options = options | power
        if options is not None and len(options) <= MAX_EXPANSION:
            exact = options
    return exact, required


def required_keywords(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Strings one of which every match of ``pattern`` contains, or None.

    With ``re.IGNORECASE`` the strings are lower-case and hold for ASCII
    text that has been lower-cased (other text must not be filtered)."""
    try:
        parsed = _parser.parse(pattern, flags)
    except re.error:
        return None
    ignorecase = bool(parsed.state.flags & re.IGNORECASE)
    if parsed.state.flags & (re.VERBOSE | re.LOCALE):
        return None
    try:
        keywords = _sequence(parsed, ignorecase)[1]
    except _Unsupported:
        return None
    if keywords is None:
        return None
    # a text holding "no one was" holds "no one": the longer one adds nothing
    return frozenset(k for k in keywords if not any(o != k and o in k for o in keywords))


def _has_groupref(pattern: str) -> bool:
    def walk(items) -> bool:
        for op, av in items:
            if op in (_c.GROUPREF, _c.GROUPREF_EXISTS, _c.GROUPREF_IGNORE):
                return True
            for sub in _children(op, av):
                if walk(sub):
                    return True
        return False

    try:
        return walk(_parser.parse(pattern))
    except re.error:
        return True


def _children(op, av):
    if op is _c.SUBPATTERN:
        return [av[3]]
    if op is _c.BRANCH:
        return list(av[1])
    if op in _REPEATS:
        return [av[2]]
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        return [av[1]]
    if op is _c.ATOMIC_GROUP:
        return [av]
    return []


class KeywordGate:
    """Which of a list of patterns may match a text, found in one pass.

    ``active(text)`` returns the indexes of the patterns that may match,
    ascending, or None when every pattern must run (a pattern without a
    keyword is in every answer)."""

    def __init__(self, patterns: Sequence[str], flags: int = 0) -> None:
        self._ignorecase = bool(flags & re.IGNORECASE)
        self._count = len(patterns)
        always: list[int] = []
        by_keyword: dict[str, list[int]] = {}
        for index, pattern in enumerate(patterns):
            keywords = required_keywords(pattern, flags)
            if keywords is None:
                always.append(index)
                continue
            for keyword in keywords:
                by_keyword.setdefault(keyword, []).append(index)
        self._always = frozenset(always)
        self._automaton = None
        if by_keyword:
            automaton = ahocorasick.Automaton()
            for keyword, indexes in by_keyword.items():
                automaton.add_word(keyword, tuple(indexes))
            automaton.make_automaton()
            self._automaton = automaton

    def active(self, text: str) -> list[int] | None:
        """Pattern indexes that may match ``text``, or None for all of them."""
        if self._automaton is None:
            return None
        if self._ignorecase:
            if not text.isascii():
                return None  # re.I folds some non-ASCII letters onto ASCII ones
            text = text.lower()
        found = set(self._always)
        for _end, indexes in self._automaton.iter(text):
            found.update(indexes)
        return sorted(found)


def _group(label: str, patterns: Sequence[str]) -> str:
    inner = "|".join(f"(?:{p})" for p in patterns)
    return f"(?P<{label}>{inner})" if label else inner


class PatternGate:
    """Whether a text may hold a match of one compiled pattern, from the
    keywords of the pattern (True when none can be derived)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self._gate = KeywordGate([pattern.pattern], pattern.flags)

    def may_match(self, text: str) -> bool:
        active = self._gate.active(text)
        return active is None or bool(active)


class Alternation:
    """``\\b(?:(?P<label>p1|p2...)|...)\\b`` with a keyword prefilter.

    ``groups`` are (label, patterns) pairs in priority order; a label is a
    group name, or "" for none (``search`` only). ``combined`` is the one compiled alternation (the
    reference behaviour, and what runs when most patterns may match)."""

    def __init__(self, groups: Sequence[tuple[str, Sequence[str]]]) -> None:
        body = "|".join(_group(label, patterns) for label, patterns in groups)
        self.combined = re.compile(rf"\b(?:{body})\b")
        flat = [(label, p) for label, patterns in groups for p in patterns]
        self._labels = tuple(label for label, _ in flat)
        self._parts = tuple(re.compile(rf"\b(?:{p})\b") for _, p in flat)
        # An empty group, a numbered back-reference or a pattern that can
        # match nothing at all behaves differently alone than inside the
        # combined alternation: then the combined alternation always runs.
        safe = all(patterns for _, patterns in groups) and not any(
            _has_groupref(p) or _parser.parse(part.pattern).getwidth()[0] == 0
            for (_, p), part in zip(flat, self._parts)
        )
        self._gate = KeywordGate([p for _, p in flat]) if safe else None
        self._most = max(1, int(len(flat) * MAX_ACTIVE_SHARE))

    def _active(self, text: str) -> list[int] | None:
        if self._gate is None:
            return None
        active = self._gate.active(text)
        return None if active is not None and len(active) > self._most else active

    def finditer(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, label) of every match, as the combined alternation finds them."""
        active = self._active(text)
        if active is None:
            for m in self.combined.finditer(text):
                yield m.start(), m.end(), m.lastgroup
            return
        parts = self._parts
        heap = []
        for index in active:
            m = parts[index].search(text)
            if m is not None:
                heap.append((m.start(), index, m))
        heapq.heapify(heap)
        pos = 0
        while heap:
            start, index, m = heap[0]
            if start < pos:  # overlapped by the last match: its next one from here
                m = parts[index].search(text, pos)
                if m is None:
                    heapq.heappop(heap)
                else:
                    heapq.heapreplace(heap, (m.start(), index, m))
                continue
            # leftmost start, and of the patterns starting there the first
            yield start, m.end(), self._labels[index]
            pos = m.end()

    def search(self, text: str) -> bool:
        """Whether any pattern matches ``text``."""
        active = self._active(text)
        if active is None:
            return self.combined.search(text) is not None
        parts = self._parts
        return any(parts[index].search(text) is not None for index in active)
