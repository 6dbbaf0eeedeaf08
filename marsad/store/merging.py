"""The store's side of merging: extractions in, incidents out.

Every document's extracted events are kept as *extractions*; the ``events``
table holds *incidents*, each the merge (``marsad.merge``) of one or more
extractions. After each saved batch the incidents touching the new
extractions are recomputed from the stored set, so the result does not
depend on the order or batching of the inputs:

1. from each new extraction, candidates are found by country, compatible
   sub-event type, date window and (for a town-precise place) a box around
   it, all from one index holding every field ``similarity.compare`` reads
   (migration 0007), and linked when ``compare`` says so (or a user
   must-linked them). An extraction reached brings its whole stored
   component of the link graph (``merge_blocks``), whose links did not
   change; the union is the region to recompute;
2. the region is clustered (``marsad.merge.cluster``) and every cluster
   whose members changed is combined (``marsad.merge.combine``, the only
   step that decodes stored events) into the incident stored under its
   smallest member id; incidents of the region that no longer exist are
   removed (their reviews and audit rows follow the new id), and each
   member's component is recorded.

So a saved batch costs what its new extractions and the components they
join cost, not what the store holds (benchmarks/RESULTS_web.md).

The web app's calls: ``merge_events``, ``split_event``, ``merge_history``,
``event_members``.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import combinations
from typing import TYPE_CHECKING, NamedTuple

from marsad.errors import MarsadError
from marsad.merge.cluster import Cluster, UnionFind, cluster_components, memo_key, pair
from marsad.merge.combine import combine
from marsad.merge.similarity import (
    ADJACENT_DAYS,
    DATE_HALF_WIDTH_DAYS,
    EARTH_RADIUS_KM,
    PLACE_RADIUS_KM,
    MergeRules,
    compare,
    date_span,
    load_rules,
)
from marsad.records import DocumentResult, Event
from marsad.store.sqlite import EVENT_COLUMNS, MAX_IN_PARAMETERS, _chunks, _now

if TYPE_CHECKING:
    from marsad.store.sqlite import Store

# A candidate's date_lo is at most this many days before the date_lo of an event
# it may merge with (the widest span two dates may stand for, plus a day): it
# bounds the indexed range scan on (country, sub_event_type, date_lo).
_LOOKBACK_DAYS = 2 * max(DATE_HALF_WIDTH_DAYS.values()) + ADJACENT_DAYS

# Geocoded to a town or "near" one: the precisions whose radius is small.
# Two such places are one only within the sum of their radii (no admin1 rule,
# which is for regions), so a town-precise event's candidates of these
# precisions are searched in a box around it; any other candidate is kept.
_LOCAL_PRECISIONS = (1, 2)
# The box is widened by this fraction so rounding never drops a place at the edge.
_BOX_MARGIN = 0.01

# Verdicts of pairs of extractions kept between saved batches (a component is
# reclustered whenever a new report joins it; its old pairs need no new
# compare). Emptied when it holds more: about 300 bytes each, so some 30 MB.
_VERDICT_MEMO_LIMIT = 100_000

ACTIONS = ("auto-merge", "manual-merge", "split")

# Reviewed values are copied onto the rebuilt incident row one column at a
# time; the statements are built here from the store's own column names.
_OVERRIDE_SQL = {c: f"UPDATE events SET {c} = ? WHERE event_id = ?" for c in EVENT_COLUMNS if c != "event_id"}


class UnknownEventError(MarsadError):
    """No stored event (incident) has this id."""


class MergeRequestError(MarsadError):
    """A manual merge or split that cannot be done as asked."""


@dataclass(frozen=True, slots=True)
class MergeRecord:
    at: str
    action: str  # auto-merge | manual-merge | split
    user: str
    members: tuple[str, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Member:
    extraction_id: str
    doc_id: str
    source: str
    event_date: str
    location: str
    sub_event_type: str
    fatalities: int


# ----------------------------------------------------------------------
# reading extractions
# ----------------------------------------------------------------------

class MergeKey(NamedTuple):
    """What ``similarity.compare`` reads of an event, kept as columns of
    ``extractions`` (migration 0007) so candidates are compared straight from
    the candidate index, without decoding stored events. Compared with
    ``same_document`` given, it stands in for the event."""

    event_id: str
    doc_id: str
    event_date: str
    time_precision: int | None
    country: str
    sub_event_type: str
    geo_precision: int | None
    latitude: float | None
    longitude: float | None
    admin1: str | None
    location: str | None
    actor1: str | None
    actor2: str | None
    inter1: int | None

    @property
    def document_ids(self) -> tuple[str, ...]:
        return (self.doc_id,) if self.doc_id else ()

    @property
    def compared(self) -> tuple:
        """Every field ``compare`` reads, without the ids: the same for copies of
        one report stored under new ids (their verdicts are memoised once)."""
        return self[2:]

    @classmethod
    def of(cls, event: Event, doc_id: str) -> "MergeKey":
        return cls(event.event_id, doc_id, event.event_date, event.time_precision, event.country,
                   event.sub_event_type, event.geo_precision, event.latitude, event.longitude,
                   event.admin1, event.location, event.actor1, event.actor2, event.inter1)


# The key's columns in extractions, in MergeKey order; all of them are in the
# extractions_candidates index, so the candidate search reads no table row.
_KEY_SELECT = (
    "SELECT extraction_id, doc_id, event_date, time_precision, country, sub_event_type, geo_precision,"
    " latitude, longitude, admin1, location, actor1, actor2, inter1 FROM extractions"
)


def place_box(key: MergeKey) -> tuple[float, float, float, float] | None:
    """(min lat, max lat, min lon, max lon) holding every place of local
    precision that ``compare`` may find compatible with ``key``'s place;
    None when the search cannot be narrowed by place (no coordinates, a
    region, or a box across a pole or the antimeridian)."""
    if key.latitude is None or key.longitude is None or key.geo_precision not in _LOCAL_PRECISIONS:
        return None
    km = PLACE_RADIUS_KM[key.geo_precision] + max(PLACE_RADIUS_KM[p] for p in _LOCAL_PRECISIONS)
    angle = (1 + _BOX_MARGIN) * km / EARTH_RADIUS_KM  # radians of arc
    lat_lo, lat_hi = key.latitude - math.degrees(angle), key.latitude + math.degrees(angle)
    widest = math.cos(math.radians(max(abs(lat_lo), abs(lat_hi))))
    if lat_hi >= 90 or lat_lo <= -90 or math.sin(angle) >= widest:
        return None
    # a circle of angular radius r around latitude p spans asin(sin r / cos p) of longitude
    half_lon = math.degrees(math.asin(math.sin(angle) / widest))
    lon_lo, lon_hi = key.longitude - half_lon, key.longitude + half_lon
    if lon_lo < -180 or lon_hi > 180:
        return None
    return lat_lo, lat_hi, lon_lo, lon_hi


# Candidates of local precision outside the place box are left out.
_PLACE_FILTER = (
    " AND (latitude IS NULL OR longitude IS NULL OR geo_precision IS NULL"
    f" OR geo_precision NOT IN ({', '.join(str(p) for p in _LOCAL_PRECISIONS)})"
    " OR (latitude BETWEEN ? AND ? AND longitude BETWEEN ? AND ?))"
)


class _Block:
    """Extractions read during one recompute: keys for linking and clustering,
    whole events (decoded once each) only for the incidents rewritten."""

    def __init__(self, conn: sqlite3.Connection, rules: MergeRules, memo: dict | None = None):
        self.conn = conn
        self.rules = rules
        self.memo = memo  # verdicts kept by the store between batches
        self.keys: dict[str, MergeKey] = {}
        self.doc_of: dict[str, str] = {}
        self.events: dict[str, Event] = {}
        self.published: dict[str, str] = {}
        # the web app's tables, when they exist and hold a row (checked once per
        # recompute, inside its write transaction: none can appear meanwhile)
        self.has_reviews = _has_rows(conn, "event_reviews")
        self.has_audit = _has_rows(conn, "audit_log")

    def know(self, event: Event, doc_id: str, published: str) -> None:
        """An extraction the caller has just stored (need not be read back)."""
        self._keep(MergeKey.of(event, doc_id))
        self.events[event.event_id] = event
        self.published[doc_id] = published

    def _keep(self, key: MergeKey) -> None:
        if key.event_id not in self.keys:
            self.keys[key.event_id] = key
            self.doc_of[key.event_id] = key.doc_id

    def load_keys(self, ids: Iterable[str]) -> None:
        missing = sorted({i for i in ids if i not in self.keys})  # not set(self.keys): once per region
        for chunk in _chunks(missing, MAX_IN_PARAMETERS):
            marks = ", ".join("?" for _ in chunk)
            for row in self.conn.execute(f"{_KEY_SELECT} WHERE extraction_id IN ({marks})", chunk):
                self._keep(MergeKey(*row))

    def load_events(self, ids: Iterable[str]) -> None:
        missing = sorted({i for i in ids if i not in self.events})
        for chunk in _chunks(missing, MAX_IN_PARAMETERS):
            marks = ", ".join("?" for _ in chunk)
            for extraction_id, doc_id, published, payload in self.conn.execute(
                f"SELECT extraction_id, doc_id, published, event FROM extractions WHERE extraction_id IN ({marks})",
                chunk,
            ):
                self.events[extraction_id] = Event.from_dict(json.loads(payload))
                self.published[doc_id] = published

    def forget(self, ids: Iterable[str]) -> None:
        """Drop decoded events once their incident is written: an extraction is
        in one region only, so a batch holds one region's events at a time,
        not every event of every component it touched (a report repeated
        many times grows a component of that many members)."""
        for i in ids:
            self.events.pop(i, None)

    def candidates(self, extraction_id: str) -> list[str]:
        """Stored extractions that may be linked to this one (country, dates, type, place)."""
        key = self.keys[extraction_id]
        span = date_span(key)
        types = sorted(self.rules.compatible_types(key.sub_event_type))
        if not key.country or span is None or not types:
            return []
        lo = span[0] - timedelta(days=ADJACENT_DAYS)
        hi = span[1] + timedelta(days=ADJACENT_DAYS)
        marks = ", ".join("?" for _ in types)
        box = place_box(key)
        rows = self.conn.execute(
            f"{_KEY_SELECT} INDEXED BY extractions_candidates"
            f" WHERE country = ? AND sub_event_type IN ({marks}) AND date_lo BETWEEN ? AND ? AND date_hi >= ?"
            " AND extraction_id <> ?" + (_PLACE_FILTER if box else ""),
            (key.country, *types, (lo - timedelta(days=_LOOKBACK_DAYS)).isoformat(), hi.isoformat(),
             lo.isoformat(), extraction_id, *(box or ())),
        ).fetchall()
        for row in rows:
            self._keep(MergeKey(*row))
        return [r[0] for r in rows]

    def linked(self, a: str, b: str) -> bool:
        """As ``cluster_components`` will find it: compared in id order (``compare``
        is symmetric), through the memo it keeps its verdicts in."""
        first, second = pair(a, b)
        x, y = self.keys[first], self.keys[second]
        same = x.doc_id == y.doc_id
        if self.memo is None:
            return compare(x, y, self.rules, same_document=same).linked
        key = memo_key(x, y, same)
        verdict = self.memo.get(key)
        if verdict is None:
            verdict = self.memo[key] = compare(x, y, self.rules, same_document=same)
        return verdict.linked


def _must_links(conn: sqlite3.Connection, ids: Sequence[str]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for chunk in _chunks(list(ids), MAX_IN_PARAMETERS):
        marks = ", ".join("?" for _ in chunk)
        out.update(conn.execute(
            f"SELECT a, b FROM merge_constraints WHERE kind = 'must' AND (a IN ({marks}) OR b IN ({marks}))",
            (*chunk, *chunk)).fetchall())
    return out


def _constraints(conn: sqlite3.Connection, ids: Sequence[str]) -> tuple[set, set]:
    must: set[tuple[str, str]] = set()
    cannot: set[tuple[str, str]] = set()
    wanted = set(ids)
    for chunk in _chunks(list(ids), MAX_IN_PARAMETERS):
        marks = ", ".join("?" for _ in chunk)
        for kind, a, b in conn.execute(
            f"SELECT kind, a, b FROM merge_constraints WHERE a IN ({marks})", chunk,
        ):
            if b in wanted:
                (must if kind == "must" else cannot).add((a, b))
    return must, cannot


def _lookup(conn: sqlite3.Connection, sql: str, ids: Iterable[str]) -> dict[str, str]:
    """``sql`` (selecting key, value WHERE x IN ({marks})) over ``ids`` in chunks."""
    out: dict[str, str] = {}
    for chunk in _chunks(sorted(set(ids)), MAX_IN_PARAMETERS):
        out.update(conn.execute(sql.format(marks=", ".join("?" for _ in chunk)), chunk))
    return out


def _incidents_of(conn: sqlite3.Connection, ids: Iterable[str]) -> dict[str, str]:
    """extraction id -> the incident it belongs to now."""
    return _lookup(conn, "SELECT extraction_id, event_id FROM event_members WHERE extraction_id IN ({marks})", ids)


def _blocks_of(conn: sqlite3.Connection, ids: Iterable[str]) -> dict[str, str]:
    """extraction id -> its component when last recomputed (none: stored before migration 0007)."""
    return _lookup(conn, "SELECT extraction_id, block_id FROM merge_blocks WHERE extraction_id IN ({marks})", ids)


def _grouped(conn: sqlite3.Connection, sql: str, keys: Iterable[str]) -> dict[str, list[str]]:
    """``sql`` (selecting member, group WHERE group IN ({marks})): group -> sorted members."""
    out: dict[str, list[str]] = {}
    for chunk in _chunks(sorted(set(keys)), MAX_IN_PARAMETERS):
        for member, group in conn.execute(sql.format(marks=", ".join("?" for _ in chunk)), chunk):
            out.setdefault(group, []).append(member)
    return {k: sorted(v) for k, v in out.items()}


def _members_of_incidents(conn: sqlite3.Connection, event_ids: Iterable[str]) -> dict[str, list[str]]:
    return _grouped(conn, "SELECT extraction_id, event_id FROM event_members WHERE event_id IN ({marks})", event_ids)


def _members_of_blocks(conn: sqlite3.Connection, block_ids: Iterable[str]) -> dict[str, list[str]]:
    return _grouped(conn, "SELECT extraction_id, block_id FROM merge_blocks WHERE block_id IN ({marks})", block_ids)


def _walk(block: _Block, ids: Sequence[str], uf: UnionFind) -> set[str]:
    """Link ``ids`` to their candidates and must-links; what they reached."""
    found: set[str] = set()
    for x in ids:
        for c in block.candidates(x):
            if block.linked(x, c):
                uf.union(x, c)
                found.add(c)
    for a, b in _must_links(block.conn, ids):
        uf.union(a, b)
        found.update((a, b))
    return found


def _reach(block: _Block, frontier: list[str], fresh: set[str], uf: UnionFind) -> set[str]:
    """One step out from ``frontier``: what its links, stored components and
    (for extractions without one) incidents bring in."""
    stored = _blocks_of(block.conn, frontier)
    walk = [x for x in frontier if x in fresh or x not in stored]
    found = _walk(block, walk, uf)
    unblocked = [x for x in frontier if x not in stored]
    for members in [*_members_of_blocks(block.conn, stored.values()).values(),
                    *_members_of_incidents(block.conn, _incidents_of(block.conn, unblocked).values()).values()]:
        uf.join(members)
        found.update(members)
    return found


def _regions(block: _Block, seeds: Iterable[str]) -> list[list[str]]:
    """The extractions to recompute around ``seeds``, in independent regions.

    A region is closed: every link (or must-link) of a member ends in the
    region, so recomputing it alone gives what recomputing the whole store
    would. Only the seeds (new or changed) are linked to their candidates;
    any other extraction reached comes with its whole stored component, whose
    links did not change. Extractions without a stored component (stored
    before migration 0007) are walked link by link and bring their whole
    incident (so no incident is left half recomputed)."""
    uf = UnionFind()
    fresh = set(seeds)
    frontier = sorted(fresh)
    seen: set[str] = set()
    while frontier:
        block.load_keys(frontier)
        frontier = [x for x in frontier if x in block.keys and x not in seen]
        seen.update(frontier)
        for x in frontier:
            uf.find(x)
        frontier = sorted(_reach(block, frontier, fresh, uf) - seen)
    return [g for g in ([x for x in group if x in seen] for group in uf.groups()) if g]


# ----------------------------------------------------------------------
# reviews and audit rows of the web app (when its tables exist)
# ----------------------------------------------------------------------

def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


# One statement per table of the web app that merging may have to update.
_ANY_ROW_SQL = {
    "event_reviews": "SELECT 1 FROM event_reviews LIMIT 1",
    "audit_log": "SELECT 1 FROM audit_log LIMIT 1",
}


def _has_rows(conn: sqlite3.Connection, name: str) -> bool:
    """The table exists and is not empty: an extract into a store nobody has
    reviewed in skips a look-up per rewritten incident (~10,000 per 1,000 articles)."""
    return _has_table(conn, name) and conn.execute(_ANY_ROW_SQL[name]).fetchone() is not None


def _move_reviews(conn: sqlite3.Connection, old: str, new: str, reviews: bool, audit: bool) -> None:
    """An incident renamed ``old`` -> ``new`` keeps its review and audit trail."""
    if reviews:
        moving = conn.execute("SELECT overrides FROM event_reviews WHERE event_id = ?", (old,)).fetchone()
        target = conn.execute("SELECT overrides FROM event_reviews WHERE event_id = ?", (new,)).fetchone()
        if moving is not None and target is None:
            conn.execute("UPDATE event_reviews SET event_id = ? WHERE event_id = ?", (new, old))
        elif moving is not None:  # both reviewed: keep the target's review, add fields only the old one set
            merged = {**_json_object(moving[0]), **_json_object(target[0])}
            conn.execute("UPDATE event_reviews SET overrides = ? WHERE event_id = ?",
                         (json.dumps(merged, ensure_ascii=False, sort_keys=True), new))
            conn.execute("DELETE FROM event_reviews WHERE event_id = ?", (old,))
    if audit:
        conn.execute("UPDATE audit_log SET event_id = ? WHERE event_id = ?", (new, old))


def _json_object(text: str | None) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _apply_review(conn: sqlite3.Connection, event_id: str) -> None:
    """Reviewed values win over machine values on the rebuilt row."""
    row = conn.execute("SELECT overrides FROM event_reviews WHERE event_id = ?", (event_id,)).fetchone()
    if row is None:
        return
    for column, value in sorted(_json_object(row[0]).items()):
        sql = _OVERRIDE_SQL.get(column)
        if sql is not None and (value is None or isinstance(value, (str, int, float))):
            conn.execute(sql, (value, event_id))


# ----------------------------------------------------------------------
# recomputing incidents
# ----------------------------------------------------------------------

def _log(conn: sqlite3.Connection, event_id: str, now: str, action: str, user: str,
         members: Sequence[str], reasons: Sequence[str]) -> None:
    cur = conn.execute(
        "INSERT INTO merge_log (event_id, at, action, user, members, reasons) VALUES (?, ?, ?, ?, ?, ?)",
        (event_id, now, action, user, json.dumps(list(members)), json.dumps(list(reasons), ensure_ascii=False)),
    )
    conn.executemany("INSERT INTO merge_log_members (log_id, extraction_id) VALUES (?, ?)",
                     [(cur.lastrowid, m) for m in members])


@dataclass
class _Before:
    """The stored state of the extractions being recomputed, read in bulk."""

    incident_of: dict[str, str]
    members: dict[str, list[str]]
    member_sets: set[tuple[str, ...]]
    must: set[tuple[str, str]]
    cannot: set[tuple[str, str]]
    blocks: dict[str, str]

    @classmethod
    def read(cls, conn: sqlite3.Connection, ids: list[str]) -> "_Before":
        incident_of = _incidents_of(conn, ids)
        members = _members_of_incidents(conn, incident_of.values())
        must, cannot = _constraints(conn, ids)
        return cls(incident_of, members, {tuple(v) for v in members.values()}, must, cannot, _blocks_of(conn, ids))

    def unchanged(self, c: Cluster, changed: set[str]) -> bool:
        """Same members as a stored incident, none of them new: the stored incident stands."""
        return c.members in self.member_sets and c.event_id in self.members and not changed.intersection(c.members)


def _block_rows(found: list[tuple[tuple[str, ...], list[Cluster]]], before: _Before) -> list[tuple[str, str]]:
    """Each extraction's component, named by its smallest member (rows that changed only)."""
    return [(m, ids[0]) for ids, _ in found for m in ids if before.blocks.get(m) != ids[0]]


class _Rows(NamedTuple):
    """merge_blocks and event_members rows of a recompute, written once at its
    end: a statement per region (most regions are one new report) cost more
    than the rows. Nothing reads these tables while the regions are written
    (``_Before`` read them), and each table gets its rows in the same order."""

    blocks: list[tuple[str, str]]
    members: list[tuple[str, str]]

    def write(self, conn: sqlite3.Connection) -> None:
        conn.executemany(
            "INSERT INTO merge_blocks (extraction_id, block_id) VALUES (?, ?)"
            " ON CONFLICT(extraction_id) DO UPDATE SET block_id = excluded.block_id", self.blocks)
        conn.executemany(
            "INSERT INTO event_members (extraction_id, event_id) VALUES (?, ?)"
            " ON CONFLICT(extraction_id) DO UPDATE SET event_id = excluded.event_id", self.members)


def _drop_gone(block: _Block, region: list[str], before: _Before, clusters: list[Cluster]) -> None:
    """Delete the region's incidents that no longer exist; their reviews and
    audit rows follow the incident their smallest member is in now."""
    home = {m: c.event_id for c in clusters for m in c.members}
    gone = {before.incident_of[x] for x in region if x in before.incident_of} - {c.event_id for c in clusters}
    for old_id in sorted(gone):
        block.conn.execute("DELETE FROM events WHERE event_id = ?", (old_id,))
        if old_id in home and (block.has_reviews or block.has_audit):
            _move_reviews(block.conn, old_id, home[old_id], block.has_reviews, block.has_audit)


def _write_incidents(store: "Store", block: _Block, rewrite: list[Cluster], before: _Before, now: str,
                     action: str | None, user: str, rows: list[tuple[str, str]]) -> tuple[int, int]:
    """Combine and store each cluster's incident; (inserted, updated). Its
    members' event_members rows are added to ``rows``."""
    conn = block.conn
    block.load_events(m for c in rewrite for m in c.members)
    inserted = updated = 0
    for c in rewrite:
        event = combine([block.events[m] for m in c.members], block.published, block.rules)
        if store._upsert_event(event, now):
            inserted += 1
        else:
            updated += 1
        if block.has_reviews:
            _apply_review(conn, c.event_id)
        rows.extend((m, c.event_id) for m in c.members)
        if action and len(c.members) > 1 and c.members not in before.member_sets:
            _log(conn, c.event_id, now, action, user, c.members, [link.explain() for link in c.links])
        block.forget(c.members)
    return inserted, updated


def _write_region(store: "Store", block: _Block, region: list[str], before: _Before, changed: set[str],
                  now: str, action: str | None, user: str, rows: _Rows) -> tuple[int, int]:
    if len(region) == 1:
        # linked to nothing: its own incident, as cluster_components would say
        # (most regions of a batch are new reports of new incidents)
        found = [((region[0],), [Cluster((region[0],))])]
    else:
        found = cluster_components([block.keys[x] for x in region], doc_of=block.doc_of, must_link=before.must,
                                   cannot_link=before.cannot, rules=block.rules, memo=block.memo)
    rows.blocks.extend(_block_rows(found, before))
    clusters = sorted((c for _, group in found for c in group), key=lambda c: c.members)
    _drop_gone(block, region, before, clusters)
    rewrite = [c for c in clusters if not before.unchanged(c, changed)]
    return _write_incidents(store, block, rewrite, before, now, action, user, rows.members)


def recompute(store: "Store", seeds: Iterable[str], now: str, *, action: str | None = "auto-merge",
              user: str = "", changed: Iterable[str] = (),
              known: Iterable[tuple[Event, str, str]] = ()) -> tuple[int, int]:
    """Recompute the incidents around ``seeds`` (extraction ids); (inserted, updated).

    ``known``: (event, doc id, published) of extractions the caller has just
    stored, so they need not be read back.
    """
    if len(store._merge_memo) > _VERDICT_MEMO_LIMIT:
        store._merge_memo.clear()
    block = _Block(store._conn, load_rules(), store._merge_memo)
    for event, doc_id, published in known:
        block.know(event, doc_id, published)
    regions = _regions(block, seeds)
    before = _Before.read(block.conn, [x for region in regions for x in region])
    changed_set = set(changed)
    inserted = updated = 0
    rows = _Rows([], [])
    for region in regions:
        i, u = _write_region(store, block, region, before, changed_set, now, action, user, rows)
        inserted += i
        updated += u
    rows.write(block.conn)
    return inserted, updated


# Columns written for an extraction; the JSON of the whole event last. The
# statements are built here from these fixed names.
_EXTRACTION_COLUMNS = (
    "extraction_id", "doc_id", "event_date", "date_lo", "date_hi", "country", "sub_event_type",
    "latitude", "longitude", "time_precision", "geo_precision", "admin1", "location", "actor1",
    "actor2", "inter1", "published", "event",
)
_UPSERT_EXTRACTION_SQL = (
    f"INSERT INTO extractions ({', '.join(_EXTRACTION_COLUMNS)}, created_at)"
    f" VALUES ({', '.join('?' for _ in _EXTRACTION_COLUMNS)}, ?)"
    " ON CONFLICT(extraction_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _EXTRACTION_COLUMNS[1:])
)


def _extraction_row(event: Event, doc_id: str, day: str, now: str) -> tuple:
    span = date_span(event)
    return (
        event.event_id, doc_id, event.event_date,
        span[0].isoformat() if span else None, span[1].isoformat() if span else None,
        event.country, event.sub_event_type, event.latitude, event.longitude,
        event.time_precision, event.geo_precision, event.admin1, event.location, event.actor1,
        event.actor2, event.inter1,
        day, json.dumps(event.to_dict(), ensure_ascii=False, sort_keys=True), now,
    )


def add_results(store: "Store", results: Sequence[DocumentResult], now: str) -> tuple[int, int]:
    """Keep the events of newly stored documents as extractions and recompute
    the incidents they touch; (incidents inserted, incidents updated)."""
    rows = []
    known: dict[str, tuple[Event, str, str]] = {}  # the last version of an id wins, as in the table
    for result in results:
        doc, clean = result.document, result.clean
        published = (clean.published if clean and clean.published else None) or doc.published
        day = published.isoformat() if isinstance(published, date) else ""
        for event in result.events:
            known[event.event_id] = (event, doc.id, day)
            rows.append(_extraction_row(event, doc.id, day, now))
    if not rows:
        return 0, 0
    store._conn.executemany(_UPSERT_EXTRACTION_SQL, rows)
    ids = [r[0] for r in rows]
    return recompute(store, ids, now, changed=ids, known=known.values())


# ----------------------------------------------------------------------
# the web app's calls
# ----------------------------------------------------------------------

def _members(conn: sqlite3.Connection, event_id: str) -> list[str]:
    found = [r[0] for r in conn.execute(
        "SELECT extraction_id FROM event_members WHERE event_id = ? ORDER BY extraction_id", (event_id,))]
    if not found:
        shown = event_id if len(event_id) <= 64 else event_id[:64] + "..."
        raise UnknownEventError(f"no event with id {shown!r}")
    return found


def _check_user(user: str) -> str:
    user = (user or "").strip()
    if not user:
        raise MergeRequestError("a manual merge or split needs the name of the user doing it")
    return user


def merge_events(store: "Store", event_ids: Sequence[str], *, user: str) -> str:
    """Merge stored events into one (a user's must-link); the resulting event id."""
    user = _check_user(user)
    if not event_ids:
        raise MergeRequestError("merge needs at least one event id")
    conn = store._conn
    now = _now()
    with store._transaction():
        everyone = sorted({m for e in dict.fromkeys(event_ids) for m in _members(conn, e)})
        conn.executemany(
            "INSERT INTO merge_constraints (kind, a, b, user, created_at) VALUES ('must', ?, ?, ?, ?)"
            " ON CONFLICT(a, b) DO UPDATE SET kind = 'must', user = excluded.user, created_at = excluded.created_at",
            [(a, b, user, now) for a, b in combinations(everyone, 2)])
        recompute(store, everyone, now, action="manual-merge", user=user)
        return _incidents_of(conn, everyone[:1])[everyone[0]]


def split_event(store: "Store", event_id: str, extraction_ids: Sequence[str], *, user: str) -> list[str]:
    """Split ``extraction_ids`` off ``event_id`` (a user's cannot-link between them
    and the other members); the resulting event ids."""
    user = _check_user(user)
    conn = store._conn
    now = _now()
    with store._transaction():
        members = _members(conn, event_id)
        apart = sorted(set(extraction_ids))
        strangers = [x for x in apart if x not in members]
        if strangers:
            raise MergeRequestError(f"{strangers[0]!r} is not a member of event {event_id!r}")
        rest = [m for m in members if m not in apart]
        if not apart or not rest:
            raise MergeRequestError("split needs some, but not all, of the event's members")
        conn.executemany(
            "INSERT INTO merge_constraints (kind, a, b, user, created_at) VALUES ('cannot', ?, ?, ?, ?)"
            " ON CONFLICT(a, b) DO UPDATE SET kind = 'cannot', user = excluded.user, created_at = excluded.created_at",
            [(*pair(x, y), user, now) for x in apart for y in rest])
        recompute(store, members, now, action=None, user=user)
        _log(conn, event_id, now, "split", user, members,
             [f"{user} split {', '.join(apart)} off from {', '.join(rest)}"])
        return sorted(set(_incidents_of(conn, members).values()))


def merge_history(store: "Store", event_id: str) -> list[MergeRecord]:
    """Every merge and split that touched the event's members, oldest first."""
    conn = store._conn
    members = _members(conn, event_id)
    seen: dict[int, MergeRecord] = {}
    for chunk in _chunks(members, MAX_IN_PARAMETERS):
        marks = ", ".join("?" for _ in chunk)
        for log_id, at, action, user, listed, reasons in conn.execute(
            "SELECT l.id, l.at, l.action, l.user, l.members, l.reasons FROM merge_log l"
            f" WHERE l.id IN (SELECT log_id FROM merge_log_members WHERE extraction_id IN ({marks}))",
            chunk,
        ):
            seen[log_id] = MergeRecord(at, action, user, tuple(json.loads(listed)), tuple(json.loads(reasons)))
    return [seen[k] for k in sorted(seen)]


def event_members(store: "Store", event_id: str) -> list[Member]:
    """The extractions (one per report) merged into the event."""
    conn = store._conn
    _members(conn, event_id)
    out = []
    for extraction_id, doc_id, payload in conn.execute(
        "SELECT x.extraction_id, x.doc_id, x.event FROM event_members m"
        " JOIN extractions x ON x.extraction_id = m.extraction_id"
        " WHERE m.event_id = ? ORDER BY x.event_date, x.extraction_id", (event_id,),
    ):
        data = json.loads(payload)
        out.append(Member(extraction_id, doc_id, data.get("source") or "", data.get("event_date") or "",
                          data.get("location") or "", data.get("sub_event_type") or "",
                          int(data.get("fatalities") or 0)))
    return out
