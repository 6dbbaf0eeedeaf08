"""Group a block of events into incidents: deterministic and order-independent.

The result is a function of the *set* of events and constraints, never of
the order they arrive in:

1. events are linked when ``similarity.compare`` finds them compatible and
   similar enough (or a user said they are one: must-link); the connected
   components of these links are independent problems;
2. within a component, must-linked events start together, then the two
   groups with the highest average link score are joined, repeatedly, as
   long as *every* pair across them is compatible (no chaining: a group of
   an Attack in Idlib and a bulletin about it does not swallow an unrelated
   arrest that merely resembles the bulletin) and no pair is cannot-linked.
   Ties are broken by the members' ids.

Two events of one document are never joined (unless a user must-links
them): the extractor already decided they are different incidents.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from marsad.merge.similarity import ADJACENT_DAYS, MergeRules, Verdict, compare, date_span, load_rules
from marsad.records import Event

Pair = tuple[str, str]


def pair(a: str, b: str) -> Pair:
    return (a, b) if a <= b else (b, a)


@dataclass(frozen=True, slots=True)
class Link:
    """Why ``b`` was joined to the group holding ``a``."""

    a: str
    b: str
    verdict: Verdict
    manual: bool = False

    def explain(self) -> str:
        how = "a user merged them" if self.manual else f"score {self.verdict.score:.2f}"
        return f"{self.a} + {self.b} ({how}): " + "; ".join(self.verdict.reasons)


@dataclass(frozen=True, slots=True)
class Cluster:
    members: tuple[str, ...]  # sorted ids
    links: tuple[Link, ...] = ()

    @property
    def event_id(self) -> str:
        """The merged event's id: its smallest member id, whatever the ingest order."""
        return self.members[0]


def canonical_order(events: Iterable[Event]) -> list[Event]:
    return sorted(events, key=lambda e: (e.event_date, e.event_id))


def _doc(event: Event, doc_of: Mapping[str, str]) -> str:
    return doc_of.get(event.event_id) or (event.document_ids[0] if event.document_ids else event.event_id)


def memo_key(x: Event, y: Event, same_document: bool) -> tuple:
    """The key of ``compare(x, y, same_document=...)`` in a memo of verdicts.

    An event that offers ``compared`` (``marsad.store.merging.MergeKey``: the
    fields ``compare`` reads, without the event and document ids) is keyed
    by it, so copies of one report stored under new ids share their
    verdicts; any other event is keyed by itself."""
    return (getattr(x, "compared", x), getattr(y, "compared", y), same_document)


class _Verdicts:
    """Pairwise verdicts of a block, computed once each, symmetric by construction.

    ``memo``: verdicts kept by the caller between blocks, keyed by the two
    events (hashable, in id order, see ``memo_key``) and whether they share
    a document; a verdict depends on nothing else.
    """

    def __init__(self, events: Mapping[str, Event], doc_of: Mapping[str, str], rules: MergeRules,
                 memo: MutableMapping | None = None):
        self._events = events
        self._doc_of = doc_of
        self._rules = rules
        self._cache: dict[Pair, Verdict] = {}
        self.known = self._cache  # read-only for callers: verdicts asked for so far, by pair
        self._memo = memo

    def __call__(self, a: str, b: str) -> Verdict:
        key = pair(a, b)
        found = self._cache.get(key)
        if found is None:
            x, y = self._events[key[0]], self._events[key[1]]
            same = _doc(x, self._doc_of) == _doc(y, self._doc_of)
            key_in_memo = memo_key(x, y, same) if self._memo is not None else None
            found = self._memo.get(key_in_memo) if key_in_memo is not None else None
            if found is None:
                found = compare(x, y, self._rules, same_document=same)
                if key_in_memo is not None:
                    self._memo[key_in_memo] = found
            self._cache[key] = found
        return found


class UnionFind:
    """Sets of ids joined by ``union``; each named by its smallest id (an id
    not seen before is a set of its own)."""

    def __init__(self, items: Iterable[str] = ()):
        self.parent = {i: i for i in items}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def join(self, members: Sequence[str]) -> None:
        for m in members:
            self.union(m, members[0])

    def groups(self) -> list[list[str]]:
        out: dict[str, list[str]] = {}
        for item in sorted(self.parent):
            out.setdefault(self.find(item), []).append(item)
        return sorted(out.values())


def _date_neighbours(events: Mapping[str, Event]) -> Iterable[Pair]:
    """Every pair whose date spans overlap or touch: the only pairs ``compare``
    may link (it needs both dates and at most ADJACENT_DAYS between them).
    A sweep over the events sorted by first day, not every pair."""
    spans = sorted((span[0], span[1], i) for i, e in events.items() if (span := date_span(e)) is not None)
    reach = timedelta(days=ADJACENT_DAYS)
    for k, (_, hi, a) in enumerate(spans):
        for lo_b, _, b in spans[k + 1:]:
            if lo_b > hi + reach:
                break
            yield pair(a, b)


def components(events: Mapping[str, Event], verdicts, must: set[Pair]) -> list[list[str]]:
    """Connected components of the link graph (linked verdicts and must-links)."""
    uf = UnionFind(events)
    for a, b in must:
        uf.union(a, b)
    for a, b in _date_neighbours(events):
        if verdicts(a, b).linked:
            uf.union(a, b)
    return uf.groups()


Days = tuple[int, int]  # first and last day of a span, as ordinals


def _group_dates(members: Iterable[Days | None]) -> Days | None:
    """(latest first day, earliest last day) of a group's members; None when a
    date is unknown (such a member is compatible with no one)."""
    spans = list(members)
    if any(s is None for s in spans):
        return None
    return max(s[0] for s in spans), min(s[1] for s in spans)


class _Joins:
    """The groups of one component and every pair of them that may be joined,
    by (average score, best link). A pair's answer depends only on its two
    groups, so it is computed once, when the later of the two is formed, and
    kept in a heap ordered as the joins are made: highest average first, ties
    by the groups' ids. Groups with two members more than ADJACENT_DAYS apart
    are never compared (``compare`` finds such a pair incompatible, so the
    join is ruled out)."""

    def __init__(self, groups: list[tuple[str, ...]], verdicts, cannot: set[Pair], spans: Mapping[str, Days | None]):
        self.verdicts = verdicts
        self.cannot = cannot
        self.spans = spans
        self.dates = {g: _group_dates(spans[m] for m in g) for g in groups}
        self.current = set(groups)
        self.heap: list[tuple[float, tuple[str, ...], tuple[str, ...], Link]] = []
        # dated groups by their latest first day; a group's earliest last day is at
        # most `width` days after it (the widest span of a member)
        self.width = max((s[1] - s[0] for s in spans.values() if s is not None), default=0)
        self.by_first: dict[int, set[tuple[str, ...]]] = {}
        for g in groups:
            self._index(g)
        for g, h in self._near_pairs():
            self._consider(min(g, h), max(g, h))

    def _near_pairs(self) -> Iterable[tuple[tuple[str, ...], tuple[str, ...]]]:
        """Pairs of groups whose dates may be compatible: a sweep by latest first day."""
        dated = sorted((d[0], d[1], g) for g, d in self.dates.items() if d is not None)
        for k, (first, last, g) in enumerate(dated):
            for other_first, other_last, h in dated[k + 1:]:
                if other_first > last + ADJACENT_DAYS:
                    break
                if first <= other_last + ADJACENT_DAYS:
                    yield g, h

    def _index(self, g: tuple[str, ...]) -> None:
        if self.dates[g] is not None:
            self.by_first.setdefault(self.dates[g][0], set()).add(g)

    def _around(self, g: tuple[str, ...]) -> list[tuple[str, ...]]:
        """Current groups whose latest first day allows them to be near ``g``."""
        d = self.dates[g]
        if d is None:
            return []
        days = range(d[0] - ADJACENT_DAYS - self.width, d[1] + ADJACENT_DAYS + 1)
        return [h for day in days for h in self.by_first.get(day, ()) if h in self.current]

    def _near(self, g: tuple[str, ...], h: tuple[str, ...]) -> bool:
        dg, dh = self.dates[g], self.dates[h]
        if dg is None or dh is None:
            return False
        return dg[0] <= dh[1] + ADJACENT_DAYS and dh[0] <= dg[1] + ADJACENT_DAYS

    def _consider(self, g: tuple[str, ...], h: tuple[str, ...]) -> None:
        """``g`` < ``h``: the order the members are summed in, as always."""
        found = self._joinable(g, h)
        if found is not None:
            heapq.heappush(self.heap, (-found[0], g, h, found[1]))

    def _joinable(self, g: tuple[str, ...], h: tuple[str, ...]) -> tuple[float, Link] | None:
        """(average score, best link) over every pair across ``g`` and ``h``, or
        None. The hot loop of a large component: verdicts already asked for
        are read straight from the block's table, scores are summed in the
        same order as ever (floating point), the best link is the first pair
        of highest score."""
        verdicts, cannot = self.verdicts, self.cannot
        known = getattr(verdicts, "known", {})
        total, best, best_score, linked = 0.0, None, 0.0, False
        for a in g:
            for b in h:
                key = (a, b) if a <= b else (b, a)
                if cannot and key in cannot:
                    return None
                v = known.get(key)
                if v is None:
                    v = verdicts(a, b)
                if not v.compatible:
                    return None
                score = v.score
                total += score
                if best is None or score > best_score:
                    best, best_score = (a, b, v), score
                if not linked:
                    linked = v.linked
        if not linked:
            return None
        a, b, v = best
        return total / (len(g) * len(h)), Link(min(a, b), max(a, b), v)

    def best(self) -> tuple[tuple[str, ...], tuple[str, ...], Link] | None:
        """The pair to join next (both groups still there), or None."""
        while self.heap:
            _, g, h, link = heapq.heappop(self.heap)
            if g in self.current and h in self.current:
                return g, h, link
        return None

    def join(self, g: tuple[str, ...], h: tuple[str, ...]) -> tuple[str, ...]:
        joined = tuple(sorted(g + h))
        self.current -= {g, h}
        self.dates[joined] = _group_dates(self.spans[m] for m in joined)
        for other in self._around(joined):
            if self._near(other, joined):
                self._consider(min(other, joined), max(other, joined))
        self.current.add(joined)
        self._index(joined)
        return joined

    def groups(self) -> list[tuple[str, ...]]:
        return sorted(self.current)


def _ordinals(span: tuple[date, date] | None) -> Days | None:
    return None if span is None else (span[0].toordinal(), span[1].toordinal())


def _agglomerate(ids: list[str], verdicts, must: set[Pair], cannot: set[Pair],
                 spans: Mapping[str, Days | None]) -> list[Cluster]:
    """Must-linked events start together; then the two groups with the highest
    average score are joined while every pair across them is compatible."""
    uf = UnionFind(ids)
    manual: list[Link] = []
    for a, b in sorted(must):
        if a in uf.parent and b in uf.parent and uf.find(a) != uf.find(b):
            uf.union(a, b)
            manual.append(Link(a, b, verdicts(a, b), manual=True))
    groups: list[tuple[str, ...]] = [tuple(g) for g in uf.groups()]
    links: dict[tuple[str, ...], list[Link]] = {g: [m for m in manual if m.a in g] for g in groups}
    joins = _Joins(groups, verdicts, cannot, spans)
    while (found := joins.best()) is not None:
        g, h, link = found
        joined = joins.join(g, h)
        links[joined] = links.pop(g) + links.pop(h) + [link]
    return [Cluster(g, tuple(links[g])) for g in joins.groups()]


def cluster_components(
    events: Sequence[Event],
    *,
    doc_of: Mapping[str, str] | None = None,
    must_link: Iterable[Pair] = (),
    cannot_link: Iterable[Pair] = (),
    rules: MergeRules | None = None,
    memo: MutableMapping | None = None,
) -> list[tuple[tuple[str, ...], list[Cluster]]]:
    """The connected components of the link graph of ``events`` (sorted ids),
    each with its incidents; see ``cluster`` for the arguments. ``memo``
    keeps verdicts between calls (events must then be hashable).

    A component's incidents depend on nothing outside it, so a store may
    recompute one component at a time.
    """
    by_id = {e.event_id: e for e in events}
    if len(by_id) != len(events):
        raise ValueError("cluster: event ids must be unique")
    verdicts = _Verdicts(by_id, doc_of or {}, rules or load_rules(), memo)
    cannot = {pair(a, b) for a, b in cannot_link if a in by_id and b in by_id}
    must = {pair(a, b) for a, b in must_link if a in by_id and b in by_id} - cannot
    out: list[tuple[tuple[str, ...], list[Cluster]]] = []
    for component in components(by_id, verdicts, must):
        if len(component) == 1:
            out.append(((component[0],), [Cluster((component[0],))]))
        else:
            spans = {i: _ordinals(date_span(by_id[i])) for i in component}
            out.append((tuple(component), _agglomerate(component, verdicts, must, cannot, spans)))
    return out


def cluster(
    events: Sequence[Event],
    *,
    doc_of: Mapping[str, str] | None = None,
    must_link: Iterable[Pair] = (),
    cannot_link: Iterable[Pair] = (),
    rules: MergeRules | None = None,
) -> list[Cluster]:
    """Incidents of ``events`` (ids unique), sorted by their smallest member id.

    ``doc_of`` maps an event id to its document (default: its first
    document id); ``must_link``/``cannot_link`` are pairs of event ids a
    user decided on. A cannot-link wins over a must-link of the same pair.
    """
    found = cluster_components(events, doc_of=doc_of, must_link=must_link, cannot_link=cannot_link, rules=rules)
    return sorted((c for _, clusters in found for c in clusters), key=lambda c: c.members)
