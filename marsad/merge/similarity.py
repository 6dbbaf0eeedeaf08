"""Could two events be the same incident? A verdict with its reasons.

Pure and symmetric: ``compare(a, b) == compare(b, a)`` up to the order of
the words in the reasons, so clustering does not depend on input order.
Four parts, each of which can rule a merge out:

- date: the days the events may have happened on (a week or month for a
  coarse ``time_precision``) overlap or touch (adjacent days);
- place: the same named place, or coordinates within a radius that grows
  with ``geo_precision``, or, where one place is only a region, the same
  admin1;
- sub-event type: the same, or of one family in ``merging.yaml``;
- actors: no two different named actors in the same role (unnamed groups
  agree with anyone; a family may require a shared actor).

Two events of the same document are never one incident: the extractor
already split that report into its incidents.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from marsad.errors import KnowledgeError
from marsad.knowledge.lexicons import DATA_DIR, read_yaml
from marsad.records import Event

RULES_FILE = "merging.yaml"

# Half-width in days of the span an event's date stands for, per time_precision:
# the day itself; a week coded to its middle (3 days either side); a month coded
# to the 15th (15 days either side).
DATE_HALF_WIDTH_DAYS: dict[int, int] = {1: 0, 2: 3, 3: 15}
# Reports hours apart straddle midnight and "yesterday"/"overnight" shifts a day:
# events one day apart may be one incident, two days apart are not.
ADJACENT_DAYS = 1

# Radius in km of where an event may be, per geo_precision: a town (its own
# coordinates, suburbs); "near" a town; a region coded to its centre.
# Two places are compatible within the sum of their radii.
PLACE_RADIUS_KM: dict[int, float] = {1: 4.0, 2: 12.0, 3: 60.0}
# Gazetteer variants of one place ("Idlib" city vs its district seat) differ by
# well under a kilometre: closer than this is "the same place".
SAME_PLACE_KM = 1.5

# Weights of the parts in the score (sum 1), and the score two compatible events
# need to be linked. With these: the same day + the same town + the same type links
# even when both actors are unnamed (0.92), and so does a neighbouring day when a
# named actor or the state is in both (0.85); a neighbouring day with only unnamed
# actors does not (0.77): in a big city many protests by "protesters" happen on
# consecutive days. Tuned on the ACLED dev notes, which are distinct incidents:
# threshold 0.75 with 0.7 for an adjacent day merged 182 of 4,581 events, these
# 85, with no loss on tests/data/merge_corpus.
WEIGHT_DATE = 0.25
WEIGHT_PLACE = 0.30
WEIGHT_TYPE = 0.25
WEIGHT_ACTORS = 0.20
LINK_THRESHOLD = 0.8

SCORE_SAME_DAY = 1.0
SCORE_COARSE_DATE = 0.8  # overlap only thanks to a week/month precision
SCORE_ADJACENT_DAY = 0.4  # see LINK_THRESHOLD
SCORE_SAME_NAME_NO_COORDS = 0.8
SCORE_REGION_ONLY = 0.6
SCORE_NEAR_FLOOR = 0.5  # at the edge of the radius
SCORE_FAMILY = 0.7
SCORE_SHARED_ACTOR = 1.0
SCORE_STATE_FORCES = 0.8
SCORE_UNNAMED_ACTORS = 0.6

EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True, slots=True)
class Verdict:
    compatible: bool
    score: float
    reasons: tuple[str, ...]

    @property
    def linked(self) -> bool:
        """Compatible and similar enough to be joined automatically."""
        return self.compatible and self.score >= LINK_THRESHOLD


@dataclass(frozen=True, eq=False)
class MergeRules:
    known: frozenset[str]
    families: dict[str, tuple[frozenset[str], bool]]  # name -> (types, actors must agree)
    generic_prefixes: tuple[str, ...]

    def family_of(self, a: str, b: str) -> tuple[str, bool] | None:
        """The first family (by name) holding both types: (name, actors must agree)."""
        for name in sorted(self.families):
            types, strict = self.families[name]
            if a in types and b in types:
                return name, strict
        return None

    def compatible_types(self, sub_event_type: str) -> frozenset[str]:
        """Every sub-event type an event of this type may merge with (itself included)."""
        if sub_event_type not in self.known:
            return frozenset()
        out = {sub_event_type}
        for types, _ in self.families.values():
            if sub_event_type in types:
                out |= types
        return frozenset(out)

    def is_generic(self, actor: str) -> bool:
        return actor.startswith(self.generic_prefixes)


@lru_cache(maxsize=1)
def load_rules() -> MergeRules:
    path = DATA_DIR / RULES_FILE
    data = read_yaml(path)
    known = frozenset(str(t) for t in data.get("known") or ())
    families: dict[str, tuple[frozenset[str], bool]] = {}
    for name, spec in (data.get("families") or {}).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("types"), list):
            raise KnowledgeError(f"{path}: family {name!r} needs a list of 'types'")
        types = frozenset(str(t) for t in spec["types"])
        if types - known:
            raise KnowledgeError(f"{path}: family {name!r}: unknown types {sorted(types - known)}")
        families[str(name)] = (types, bool(spec.get("actors_must_agree")))
    prefixes = tuple(str(p) for p in data.get("generic_actor_prefixes") or ())
    return MergeRules(known, families, prefixes)


# ----------------------------------------------------------------------
# dates
# ----------------------------------------------------------------------

def time_precision(event: Event) -> int:
    """The event's time precision, an unknown one counting as the coarsest."""
    return event.time_precision if event.time_precision in DATE_HALF_WIDTH_DAYS else max(DATE_HALF_WIDTH_DAYS)


def date_span(event: Event) -> tuple[date, date] | None:
    """First and last day the event may have happened on (None: no date)."""
    try:
        day = date.fromisoformat(event.event_date)
    except (TypeError, ValueError):
        return None
    half = timedelta(days=DATE_HALF_WIDTH_DAYS[time_precision(event)])
    return day - half, day + half


def _date_part(a: Event, b: Event) -> tuple[bool, float, str]:
    span_a, span_b = date_span(a), date_span(b)
    if span_a is None or span_b is None:
        return False, 0.0, "a date is unknown"
    gap = max(0, (span_b[0] - span_a[1]).days, (span_a[0] - span_b[1]).days)
    if gap > ADJACENT_DAYS:
        return False, 0.0, f"dates too far apart ({a.event_date}, {b.event_date})"
    if a.event_date == b.event_date and time_precision(a) == time_precision(b) == 1:
        return True, SCORE_SAME_DAY, f"same day ({a.event_date})"
    if max(time_precision(a), time_precision(b)) > 1:
        first, second = sorted((a.event_date, b.event_date))
        return True, SCORE_COARSE_DATE, f"dates agree within their precision ({first}, {second})"
    first, second = sorted((a.event_date, b.event_date))
    return True, SCORE_ADJACENT_DAY, f"adjacent days ({first}, {second})"


# ----------------------------------------------------------------------
# places
# ----------------------------------------------------------------------

def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _places(a: Event, b: Event) -> str:
    first, second = sorted((a.location or "?", b.location or "?"))
    return first if first == second else f"{first} / {second}"


def _place_part(a: Event, b: Event) -> tuple[bool, float, str]:
    pa, pb = a.geo_precision or 3, b.geo_precision or 3
    if min(pa, pb) >= 3:
        # Both only name a governorate or province: the daily shelling of many towns
        # of one region reads the same at that level. Measured on the ACLED dev notes
        # (distinct incidents), linking such pairs made most of the wrong merges.
        return False, 0.0, f"both places are only regions ({_places(a, b)}): too vague to tell incidents apart"
    region = max(pa, pb) >= 3
    same_admin1 = bool(a.admin1) and _fold(a.admin1) == _fold(b.admin1)
    if None not in (a.latitude, a.longitude, b.latitude, b.longitude):
        km = distance_km(a.latitude, a.longitude, b.latitude, b.longitude)
        radius = PLACE_RADIUS_KM.get(pa, PLACE_RADIUS_KM[3]) + PLACE_RADIUS_KM.get(pb, PLACE_RADIUS_KM[3])
        if region and (same_admin1 or km <= radius):
            return True, SCORE_REGION_ONLY, f"same region ({_places(a, b)}, {km:.0f} km; a place is only a region)"
        if km <= SAME_PLACE_KM:
            return True, 1.0, f"same place ({_places(a, b)})"
        if km <= radius:
            score = 1.0 - (1.0 - SCORE_NEAR_FLOOR) * km / radius
            return True, score, f"nearby places ({_places(a, b)}, {km:.1f} km)"
        return False, 0.0, f"places too far apart ({_places(a, b)}, {km:.0f} km)"
    if a.location and _fold(a.location) == _fold(b.location):
        return True, SCORE_SAME_NAME_NO_COORDS, f"same place name ({a.location}, not geocoded)"
    return False, 0.0, "a place is unknown"


# ----------------------------------------------------------------------
# types and actors
# ----------------------------------------------------------------------

def _type_part(a: Event, b: Event, rules: MergeRules) -> tuple[bool, float, bool, str]:
    """(compatible, score, actors must agree, reason)."""
    if a.sub_event_type not in rules.known or b.sub_event_type not in rules.known:
        return False, 0.0, False, "a sub-event type is not one marsad merges"
    if a.sub_event_type == b.sub_event_type:
        return True, 1.0, False, f"same sub-event type ({a.sub_event_type})"
    family = rules.family_of(a.sub_event_type, b.sub_event_type)
    first, second = sorted((a.sub_event_type, b.sub_event_type))
    if family is None:
        return False, 0.0, False, f"different kinds of incident ({first}, {second})"
    return True, SCORE_FAMILY, family[1], f"related sub-event types ({first}, {second}: {family[0]})"


def _actors_part(a: Event, b: Event, rules: MergeRules) -> tuple[bool, float, bool, str]:
    """(compatible, score, agree, reason). The actors agree when they share a
    named actor, when both actors 1 are the same (even unnamed) group, or when
    both are the state's forces."""
    named_a = {x for x in (a.actor1, a.actor2) if x and not rules.is_generic(x)}
    named_b = {x for x in (b.actor1, b.actor2) if x and not rules.is_generic(x)}
    shared = sorted(named_a & named_b)
    state = a.inter1 == 1 and b.inter1 == 1 and a.country == b.country
    for mine, theirs in ((a.actor1, b.actor1), (a.actor2, b.actor2)):
        if not mine or not theirs or mine == theirs or rules.is_generic(mine) or rules.is_generic(theirs):
            continue
        if mine in named_b and theirs in named_a:  # roles swapped (a clash told from the other side)
            continue
        if state and {mine, theirs} == {a.actor1, b.actor1}:
            continue
        first, second = sorted((mine, theirs))
        return False, 0.0, False, f"different actors ({first}, {second})"
    if shared:
        return True, SCORE_SHARED_ACTOR, True, f"shared actor ({', '.join(shared)})"
    if a.actor1 and a.actor1 == b.actor1:  # the same unnamed group acts in both
        return True, SCORE_UNNAMED_ACTORS, True, f"same unnamed actor ({a.actor1})"
    if state:
        # (both actors 1 may be empty: coded as the state without a name)
        names = " / ".join(sorted({a.actor1, b.actor1}))
        return True, SCORE_STATE_FORCES, True, f"state forces on both sides ({names})"
    return True, SCORE_UNNAMED_ACTORS, False, "actors compatible (unnamed or not given)"


def compare(a: Event, b: Event, rules: MergeRules | None = None, *, same_document: bool | None = None) -> Verdict:
    """Whether ``a`` and ``b`` may be one incident, how alike they are, and why."""
    rules = rules or load_rules()
    if same_document is None:
        same_document = bool(set(a.document_ids) & set(b.document_ids))
    if same_document:
        return Verdict(False, 0.0, ("same report (the extractor kept them apart)",))
    if not a.country or a.country != b.country:
        return Verdict(False, 0.0, ("different or unknown countries",))
    parts = []
    ok_date, s_date, why_date = _date_part(a, b)
    parts.append(why_date)
    if not ok_date:
        return Verdict(False, 0.0, tuple(parts))
    ok_type, s_type, needs_agreement, why_type = _type_part(a, b, rules)
    parts.append(why_type)
    if not ok_type:
        return Verdict(False, 0.0, tuple(parts))
    ok_place, s_place, why_place = _place_part(a, b)
    parts.append(why_place)
    if not ok_place:
        return Verdict(False, 0.0, tuple(parts))
    ok_actors, s_actors, agree, why_actors = _actors_part(a, b, rules)
    parts.append(why_actors)
    if not ok_actors:
        return Verdict(False, 0.0, tuple(parts))
    if needs_agreement and not agree:
        parts.append("related types need a shared actor")
        return Verdict(False, 0.0, tuple(parts))
    score = WEIGHT_DATE * s_date + WEIGHT_PLACE * s_place + WEIGHT_TYPE * s_type + WEIGHT_ACTORS * s_actors
    return Verdict(True, round(score, 3), tuple(parts))
