"""Coders' note conventions (``marsad/knowledge/data/conventions.yaml``).

Loaded once, the shipped file first and then a ``conventions.yaml`` in a
folder of MARSAD_KNOWLEDGE (its entries add to, or replace, the shipped
ones); an empty list compiles to a pattern that never matches.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from marsad.errors import KnowledgeError
from marsad.events.classify import EVENT_TYPE_OF
from marsad.knowledge.lexicons import _files, read_yaml

_NEVER = r"(?!x)x"


# the event types a hallmark may be limited to
EVENT_TYPES = frozenset(EVENT_TYPE_OF.values())


def _any_of(patterns) -> str:
    """One alternation of the patterns, each in its own group; a pattern
    that never matches when there are none."""
    return "|".join(f"(?:{p})" for p in patterns) or _NEVER

# The trigger class that stands for each sub-event type a heading may name
# (its span, the heading, is the evidence of the type).
CLASS_OF_SUB: dict[str, str] = {
    "Looting/property destruction": "looting",
    "Change to group/activity": "change",
    "Disrupted weapons use": "disrupted",
    "Other": "other",
    "Agreement": "agreement",
    "Arrests": "arrest",
    "Headquarters or base established": "base",
    "Non-violent transfer of territory": "withdraw",
}


@dataclass(frozen=True)
class Heading:
    start: int
    end: int
    text: str
    sub_event_type: str


@dataclass(frozen=True)
class Hallmark:
    """A way of killing whose perpetrators coders name by country."""

    pattern: re.Pattern[str]
    actors: dict[str, str]  # ISO2 -> actor name ("{country}" filled later)
    event_types: frozenset[str] = frozenset()  # only events of these types (empty: any the caller allows)


@dataclass(frozen=True)
class Perpetrator:
    """The actor a hallmark names, and the words that showed it."""

    actor: str
    start: int
    end: int
    text: str


def _hallmarks(path, data: dict) -> list[Hallmark]:
    out: list[Hallmark] = []
    for entry in data.get("perpetrator_hallmarks") or []:
        pattern, actors = str((entry or {}).get("pattern") or ""), (entry or {}).get("actors")
        if not pattern or not isinstance(actors, dict) or not actors:
            raise KnowledgeError(f"{path}: perpetrator_hallmarks: each entry needs a pattern and actors by country")
        try:
            compiled = re.compile(pattern, re.I)
        except re.error as err:
            raise KnowledgeError(f"{path}: perpetrator_hallmarks: bad pattern {pattern!r} ({err})") from err
        types = entry.get("event_types") or []
        if not isinstance(types, list) or not set(map(str, types)) <= EVENT_TYPES:
            raise KnowledgeError(f"{path}: perpetrator_hallmarks: event_types must list ACLED event types "
                                 f"({', '.join(sorted(EVENT_TYPES))}), not {types!r}")
        types = frozenset(map(str, types))
        out.append(Hallmark(compiled, {str(cc).upper(): str(name) for cc, name in actors.items()}, types))
    return out


def _patterns(path, data: dict, section: str, key: str | None = None) -> list[str]:
    """The regular expressions listed under ``section`` (or ``section.key``), each checked."""
    listed = data.get(section) or ([] if key is None else {})
    if key is not None:
        listed = listed.get(key) or [] if isinstance(listed, dict) else []
    out = []
    for pattern in (str(p) for p in listed):
        try:
            re.compile(pattern)
        except re.error as err:
            where = section if key is None else f"{section}: {key}"
            raise KnowledgeError(f"{path}: {where}: bad pattern {pattern!r} ({err})") from err
        out.append(pattern)
    return out


@dataclass(frozen=True)
class FrontLine:
    """A front line between two sides, told by the places each held: an
    observer's report of fire near a place on it ("the OSCE SMM observed 14
    explosions near X") names no side, so the fire came from the side that
    did not hold X, and an exchange there was between that side and the
    holder."""

    name: str
    country: str  # ISO2
    reports: re.Pattern[str]  # the reports the convention is for
    until: _dt.date | None  # the last day the line held
    max_km: float  # a place farther than this from every anchor is off the line
    sides: dict[str, tuple[str, int]]  # side -> (actor name, inter)
    anchors: tuple[tuple[str, float, float, str], ...]  # (place, latitude, longitude, side)
    areas: tuple[str, ...] = ()  # admin areas the line runs through (where its reports' places are)


@dataclass(frozen=True)
class FrontSides:
    """Who fired at a place on a front line, and who held it."""

    fired_from: tuple[str, int]  # (actor name, inter)
    holder: tuple[str, int]
    anchor: str  # the nearest place whose holder is known
    km: float
    start: int  # the report's words that made the convention apply
    end: int
    text: str


def _inter_code(value) -> bool:
    """An ACLED inter code: 1 to 8 (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 8


def _front_lines(path, data: dict) -> list[FrontLine]:
    out: list[FrontLine] = []
    for i, entry in enumerate(data.get("front_lines") or [], 1):
        where = f"{path}: front_lines entry {i}"
        if not isinstance(entry, dict):
            raise KnowledgeError(f"{where}: expected a mapping")
        sides, anchors = entry.get("sides"), entry.get("anchors")
        if not isinstance(sides, dict) or len(sides) != 2 or not all(
                isinstance(v, dict) and isinstance(v.get("name"), str) and _inter_code(v.get("inter"))
                for v in sides.values()):
            raise KnowledgeError(f"{where}: 'sides' must name two sides, each with a name and an inter code (1-8)")
        reports = _patterns(path, entry, "reports")
        if not reports:
            raise KnowledgeError(f"{where}: 'reports' must list patterns of the reports it is for")
        rows: list[tuple[str, float, float, str]] = []
        for row in anchors or []:
            try:
                place, lat, lon, side = row
                lat, lon = float(lat), float(lon)
            except (TypeError, ValueError):
                raise KnowledgeError(f"{where}: each anchor is [place, latitude, longitude, side], not {row!r}") from None
            if side not in sides or not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise KnowledgeError(f"{where}: anchor {place!r}: unknown side {side!r} or bad coordinates")
            rows.append((str(place), lat, lon, str(side)))
        if not {side for *_, side in rows} == set(sides):
            raise KnowledgeError(f"{where}: 'anchors' must hold places of both sides")
        until = entry.get("until")
        if until is not None and not isinstance(until, _dt.date):
            raise KnowledgeError(f"{where}: 'until' must be a date (YYYY-MM-DD)")
        out.append(FrontLine(str(entry.get("name") or f"front line {i}"), str(entry.get("country") or "").upper(),
                             re.compile(_any_of(reports), re.I), until, float(entry.get("max_km") or 30),
                             {str(k): (" ".join(v["name"].split()), v["inter"]) for k, v in sides.items()},
                             tuple(rows), tuple(_str_list(where, entry.get("areas"), "areas"))))
    return out


def _str_list(where: str, value, key: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise KnowledgeError(f"{where}: '{key}' must be a list of names")
    return [" ".join(v.split()) for v in value if v.strip()]


def report_areas(text: str) -> tuple[str, str, tuple[str, ...]] | None:
    """For an observer's report on a front line (``text`` matches its
    reports): the line's country (ISO2), name and the admin areas its places
    are in, so that the places are looked for there first ("Vodiane" near
    the line, not its namesakes elsewhere)."""
    for line in _entries().front_lines:
        if line.areas and line.reports.search(text):
            return line.country, line.name, line.areas
    return None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in km (equirectangular: exact enough within a front's width
    or a region's, the scales the conventions compare)."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6371.0 * math.hypot(x, math.radians(lat2 - lat1))


def front_line_sides(text: str, cc: str, when: _dt.date | None, lat: float | None,
                     lon: float | None) -> FrontSides | None:
    """The sides of an observer's report of fire at a place on a front line,
    when ``text`` is such a report, the place (``lat``, ``lon``) is near the
    line, and the line still held on ``when``."""
    if lat is None or lon is None:
        return None
    for line in _entries().front_lines:
        if line.country != cc or (line.until is not None and when is not None and when > line.until):
            continue
        m = line.reports.search(text)
        if m is None:
            continue
        km, place, side = min((distance_km(lat, lon, a_lat, a_lon), name, s) for name, a_lat, a_lon, s in line.anchors)
        if km > line.max_km:
            continue
        other = next(s for s in line.sides if s != side)
        return FrontSides(line.sides[other], line.sides[side], place, km, m.start(), m.end(), m.group(0))
    return None


@dataclass(frozen=True)
class LabelActors:
    """The actors a note's label names ("Displacement:" -> the displaced civilians)."""

    actor1: str
    inter1: int
    actor2: str = ""
    inter2: int | None = None


def _label_actors(path, data: dict) -> dict[str, LabelActors]:
    out: dict[str, LabelActors] = {}
    for label, spec in (data.get("label_actors") or {}).items():
        actor2 = spec.get("actor2", "") if isinstance(spec, dict) else ""
        if not (isinstance(spec, dict) and isinstance(spec.get("actor1"), str) and _inter_code(spec.get("inter1"))
                and isinstance(actor2, str) and (not actor2 or _inter_code(spec.get("inter2")))):
            raise KnowledgeError(f"{path}: label_actors: {label!r} needs actor1 and inter1 (1-8), and inter2 "
                                 f"with an actor2")
        out[str(label).strip().lower()] = LabelActors(spec["actor1"], spec["inter1"], actor2,
                                                      spec.get("inter2") if actor2 else None)
    return out


class _Entries(NamedTuple):
    markers: tuple[str, ...]  # demonstration markers
    headings: dict[str, str]  # lowered label -> sub-event type
    hallmarks: tuple[Hallmark, ...]
    separate: tuple[str, ...]  # "(coded separately)" markers
    openers: tuple[str, ...]  # words opening the clause such a marker closes
    state_first: frozenset[str]  # ISO2 codes where the state's forces are written first in a fight
    started: tuple[str, ...]  # words telling that the other side started the fight
    authorities: frozenset[str]  # canonical names of groups that govern the area they hold
    front_lines: tuple[FrontLine, ...] = ()
    label_actors: dict[str, LabelActors] = {}
    # (ISO2, first-level area) -> the parts coders split it into
    admin1_parts: dict[tuple[str, str], tuple[str, ...]] = {}


def _admin1_parts(path, data: dict) -> dict[tuple[str, str], tuple[str, ...]]:
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    spec = data.get("admin1_parts") or {}
    if not isinstance(spec, dict):
        raise KnowledgeError(f"{path}: admin1_parts: expected countries, each mapping an area to its parts")
    for cc, areas in spec.items():
        if not isinstance(areas, dict):
            raise KnowledgeError(f"{path}: admin1_parts: {cc}: expected an area mapped to a list of its parts")
        for area, parts in areas.items():
            out[(str(cc).upper(), str(area))] = tuple(_str_list(f"{path}: admin1_parts: {cc}: {area}", parts, "parts"))
    return out


def admin1_part(cc: str, admin1: str, text: str) -> str | None:
    """The part of ``admin1`` the text writes out ("Namhkan township (Muse
    district, Shan-North)" -> "Shan-North"), when it writes exactly one."""
    parts = _entries().admin1_parts.get((cc, admin1))
    if not parts:
        return None
    written = {p for p in parts if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", text)}
    return written.pop() if len(written) == 1 else None


@lru_cache(maxsize=1)
def _entries() -> _Entries:
    """The markers, headings, hallmarks and separately-coded markers and
    clause openers of every conventions file, read once."""
    markers: list[str] = []
    headings: dict[str, str] = {}
    hallmarks: list[Hallmark] = []
    separate: list[str] = []
    openers: list[str] = []
    state_first: set[str] = set()
    started: list[str] = []
    authorities: set[str] = set()
    front_lines: list[FrontLine] = []
    label_actors: dict[str, LabelActors] = {}
    admin1_parts: dict[tuple[str, str], tuple[str, ...]] = {}
    for path in _files("conventions.yaml"):  # shipped, then the user's (MARSAD_KNOWLEDGE)
        data = read_yaml(path)
        label_actors.update(_label_actors(path, data))
        admin1_parts.update(_admin1_parts(path, data))
        hallmarks.extend(_hallmarks(path, data))
        front_lines.extend(_front_lines(path, data))
        first = data.get("state_forces_first") or {}
        if not isinstance(first, dict):
            raise KnowledgeError(f"{path}: state_forces_first: expected countries and unless")
        state_first.update(str(cc).upper() for cc in first.get("countries") or [])
        started.extend(_patterns(path, data, "state_forces_first", "unless"))
        listed = data.get("de_facto_authorities") or []
        if not isinstance(listed, list):
            raise KnowledgeError(f"{path}: de_facto_authorities: expected a list of actor names")
        authorities.update(" ".join(str(name).split()) for name in listed)
        markers.extend(_patterns(path, data, "demonstration_markers"))
        separate.extend(_patterns(path, data, "separately_coded", "markers"))
        openers.extend(_patterns(path, data, "separately_coded", "clause_openers"))
        for label, sub in (data.get("headings") or {}).items():
            if str(sub) not in CLASS_OF_SUB:
                raise KnowledgeError(f"{path}: headings: {label!r} names {sub!r}, not one of "
                                     f"{', '.join(sorted(CLASS_OF_SUB))}")
            headings[str(label).strip().lower()] = str(sub)
    return _Entries(tuple(markers), headings, tuple(hallmarks), tuple(separate), tuple(openers),
                    frozenset(state_first), tuple(started), frozenset(authorities), tuple(front_lines), label_actors,
                    admin1_parts)


@lru_cache(maxsize=1)
def _separately_coded() -> tuple[re.Pattern[str], re.Pattern[str]]:
    entries = _entries()
    marker = re.compile(_any_of(entries.separate), re.I)
    opener = re.compile(r"(?:,|\b(?:" + _any_of(entries.openers) + r")\b)", re.I)
    return marker, opener


def separately_coded(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that tell of another event the note coded apart
    ("... after armed clashes had taken place in the area (coded
    separately)"): from the opener of the clause the marker closes (or the
    text's start) to the marker."""
    marker, opener = _separately_coded()
    spans: list[tuple[int, int]] = []
    for m in marker.finditer(text):
        start = max((o.start() for o in opener.finditer(text, 0, m.start())), default=0)
        spans.append((start, m.start()))
    return spans


def perpetrator(text: str, cc: str, event_type: str = "",
                default_types: frozenset[str] = frozenset()) -> Perpetrator | None:
    """The actor coders name for unidentified killers in country ``cc`` when
    ``text`` tells the hallmark of its usual perpetrators ("a drive-by
    shooting" in Mexico: a gang), if any. A hallmark written for some event
    types is read in events of those types only; one written for none, in
    events of ``default_types`` (any type when that is empty)."""
    for hallmark in _entries().hallmarks:
        actor = hallmark.actors.get(cc)
        if event_type not in (hallmark.event_types or default_types or (event_type,)):
            continue
        if actor is not None and (m := hallmark.pattern.search(text)) is not None:
            return Perpetrator(actor, m.start(), m.end(), m.group(0))
    return None


@lru_cache(maxsize=1)
def _started() -> re.Pattern[str]:
    return re.compile(_any_of(_entries().started), re.I)


def state_forces_first(text: str, cc: str) -> bool:
    """Whether coders in country ``cc`` write the state's forces as the
    first actor of the fight ``text`` tells of: where the convention holds
    and nothing in the text says the other side started it."""
    return cc in _entries().state_first and _started().search(text) is None


def governs(actor: str) -> bool:
    """Whether the group named ``actor`` governs the area it holds (its
    detentions are arrests, not abductions)."""
    return actor in _entries().authorities


@lru_cache(maxsize=1)
def demonstration_marker() -> re.Pattern[str]:
    """A pattern for the tags that mark a note as a demonstration event."""
    patterns = _entries().markers  # (each checked there, with its file)
    try:
        return re.compile(_any_of(patterns), re.I)
    except re.error as err:  # valid alone, not together ("(?i)" inside an alternation)
        raise KnowledgeError(f"conventions.yaml: demonstration_markers: bad pattern ({err})") from err


@lru_cache(maxsize=1)
def _headings() -> tuple[re.Pattern[str], dict[str, str]]:
    headings = _entries().headings
    labels = sorted((re.escape(label) for label in headings), key=len, reverse=True)
    alternation = "|".join(labels) or _NEVER
    return re.compile(rf"^\W{{0,3}}(?P<label>{alternation})\s*:\s", re.I), headings


def actors_of_label(label: str) -> LabelActors | None:
    """The actors a note's opening ``label`` names, if the conventions say so."""
    return _entries().label_actors.get(label.strip().lower())


def heading(text: str) -> Heading | None:
    """The label opening a note and the sub-event type it names, if any."""
    pattern, headings = _headings()
    m = pattern.match(text)
    if m is None:
        return None
    return Heading(m.start("label"), m.end("label"), m.group("label"), headings[m.group("label").lower()])


def load_conventions() -> None:
    """Compile the conventions now, so a bad file is reported when knowledge loads."""
    demonstration_marker()
    _headings()
    _separately_coded()
    _started()


def clear_caches() -> None:
    """Forget the loaded conventions (after MARSAD_KNOWLEDGE changes)."""
    _entries.cache_clear()
    demonstration_marker.cache_clear()
    _headings.cache_clear()
    _separately_coded.cache_clear()
    _started.cache_clear()
