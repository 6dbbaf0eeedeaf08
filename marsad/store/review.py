"""Review of stored events: richer filters, reviewed values, audit log, counts.

An editor's change is written three times in one transaction: into the
``events`` row (so every filter and export sees the reviewed value), into
``event_reviews.overrides`` (so a recompute of merged events can re-apply
it) and as a row of ``audit_log`` (who, when, before, after).

This module works on a ``Store`` from inside the store package: it reuses
the store's connection, transaction helper and WHERE builder. Like the
store, it composes SQL only from constant fragments and column names that
are constants of this module or of ``marsad.store.sqlite``; every value is
a bound parameter.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from types import MappingProxyType
from typing import Any

from marsad.events.notes import write_notes
from marsad.errors import MarsadError
from marsad.records import Event, Evidence
from marsad.store.sqlite import (
    _EVENT_SELECT,
    EVENT_COLUMNS,
    ITER_PAGE_SIZE,
    MAX_IN_PARAMETERS,
    ORDERABLE_COLUMNS,
    EventFilter,
    Store,
    _now,
    _year,
)

REVIEW_STATUSES: tuple[str, ...] = ("unreviewed", "verified", "rejected")
DEFAULT_STATUS = "unreviewed"

# Every stored column of an event may be corrected except its id.
EDITABLE_FIELDS: tuple[str, ...] = tuple(c for c in EVENT_COLUMNS if c != "event_id")

# Longest value an editor may type into one field: far above any real note
# (ACLED notes are a few hundred characters) yet small enough that a form
# cannot be used to bloat the database.
MAX_FIELD_CHARS = 5000

# Values a field with a numeric range may take (everything else: any value
# of the field's type).
_RANGES: Mapping[str, tuple[float, float]] = MappingProxyType({
    "time_precision": (1, 3),
    "geo_precision": (1, 3),
    "latitude": (-90.0, 90.0),
    "longitude": (-180.0, 180.0),
    "fatalities": (0, 1_000_000),
    "injuries": (0, 1_000_000),
    "arrests": (0, 1_000_000),
    "confidence": (0.0, 1.0),
})

_STATUS_SQL = (
    "coalesce((SELECT r.status FROM event_reviews r WHERE r.event_id = e.event_id),"
    " 'unreviewed')"
)

# Sort keys accepted from users -> SQL expression; nothing else reaches ORDER BY.
SORTABLE: Mapping[str, str] = MappingProxyType({
    **ORDERABLE_COLUMNS,
    "actor1": "e.actor1",
    "actor2": "e.actor2",
    "location": "e.location",
    "admin2": "e.admin2",
    "status": _STATUS_SQL,
})

# Columns an aggregate can group by -> SQL expression.
_GROUPS: Mapping[str, str] = MappingProxyType({
    "event_type": "e.event_type",
    "admin1": "e.admin1",
    "sub_event_type": "e.sub_event_type",
    "country": "e.country",
})
GROUPS: tuple[str, ...] = tuple(_GROUPS)
PERIODS: tuple[str, ...] = ("day", "week", "month")


class ReviewError(MarsadError):
    """A change an editor asked for cannot be made (bad value, unknown field)."""


class UnknownEvent(ReviewError):
    """No event with the given id."""


def _field_kinds() -> Mapping[str, tuple[type, bool]]:
    """field -> (python type, may be empty) from the Event annotations."""
    kinds: dict[str, tuple[type, bool]] = {}
    for f in fields(Event):
        if f.name not in EDITABLE_FIELDS:
            continue
        annotation = str(f.type)
        kind: type = int if "int" in annotation else float if "float" in annotation else str
        kinds[f.name] = (kind, "None" in annotation)
    return MappingProxyType(kinds)


FIELD_KINDS = _field_kinds()


@dataclass(frozen=True, slots=True)
class ReviewFilter:
    """``EventFilter`` plus the web app's filters.

    ``bbox`` is (min_lon, min_lat, max_lon, max_lat); ``status`` one of
    ``REVIEW_STATUSES``; ``admin2`` matches the whole value ignoring case.
    With ``include_rejected=False`` events marked rejected are left out.
    """

    base: EventFilter = field(default_factory=EventFilter)
    admin2: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    status: str | None = None
    include_rejected: bool = True


@dataclass(frozen=True, slots=True)
class Review:
    event_id: str
    status: str = DEFAULT_STATUS
    overrides: Mapping[str, Any] = field(default_factory=dict)
    updated_at: str | None = None
    updated_by: str | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    event_id: str
    user: str
    at: str
    action: str
    field: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class Bucket:
    period: str
    key: str
    count: int


@dataclass(frozen=True, slots=True)
class DocumentSpan:
    """A piece of evidence of one event inside a document."""

    event_id: str
    evidence: Evidence


# ----------------------------------------------------------------------
# queries
# ----------------------------------------------------------------------


def _where(store: Store, filters: ReviewFilter) -> tuple[str, list[object]]:
    where, params = store._where(filters.base)
    clauses = [where[len(" WHERE "):]] if where else []
    if filters.admin2 and filters.admin2.strip():
        clauses.append("e.admin2 = ? COLLATE NOCASE")
        params.append(filters.admin2.strip())
    if filters.bbox is not None:
        min_lon, min_lat, max_lon, max_lat = filters.bbox
        clauses.append("e.latitude BETWEEN ? AND ? AND e.longitude BETWEEN ? AND ?")
        params.extend([min_lat, max_lat, min_lon, max_lon])
    if filters.status:
        if filters.status not in REVIEW_STATUSES:
            raise ReviewError(
                f"unknown review status {filters.status!r}; choose from {', '.join(REVIEW_STATUSES)}")
        clauses.append(f"{_STATUS_SQL} = ?")
        params.append(filters.status)
    if not filters.include_rejected:
        clauses.append(f"{_STATUS_SQL} <> 'rejected'")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _order(sort: str) -> str:
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    if name not in SORTABLE:
        raise ReviewError(f"cannot sort events by {sort!r}; choose from {', '.join(sorted(SORTABLE))}")
    direction = "DESC" if descending else "ASC"
    return f" ORDER BY {SORTABLE[name]} {direction}, e.event_id {direction}"


def find_events(
    store: Store, filters: ReviewFilter, *, limit: int, offset: int = 0,
    sort: str = "-event_date",
) -> list[Event]:
    """One page of matching events."""
    if limit < 0 or offset < 0:
        raise ReviewError("limit and offset must not be negative")
    where, params = _where(store, filters)
    with store.read_snapshot():
        rows = store._conn.execute(
            f"SELECT {_EVENT_SELECT} FROM events e" + where + _order(sort) + " LIMIT ? OFFSET ?",
            (*params, limit, offset),
        ).fetchall()
        return store._events_from_rows(rows)


def count_events(store: Store, filters: ReviewFilter) -> int:
    where, params = _where(store, filters)
    return int(store._conn.execute("SELECT count(*) FROM events e" + where, params).fetchone()[0])


def iter_events(store: Store, filters: ReviewFilter, *, sort: str = "event_date") -> Iterator[Event]:
    """Every matching event, a page at a time inside one read transaction."""
    conn = store._conn
    owned = not conn.in_transaction
    if owned:
        conn.execute("BEGIN")
    try:
        offset = 0
        while True:
            page = find_events(store, filters, limit=ITER_PAGE_SIZE, offset=offset, sort=sort)
            yield from page
            if len(page) < ITER_PAGE_SIZE:
                return
            offset += ITER_PAGE_SIZE
    finally:
        if owned and conn.in_transaction:
            conn.execute("COMMIT")


# What the map shows of an event (popup and colour), in this order.
MAP_FIELDS: tuple[str, ...] = ("event_id", "event_date", "event_type", "sub_event_type", "actor1", "actor2",
                               "location", "admin1", "country", "fatalities", "notes", "latitude", "longitude")


def map_points(store: Store, filters: ReviewFilter, *, limit: int) -> tuple[list[dict], int]:
    """The placed matching events as plain dicts of ``MAP_FIELDS`` plus
    ``review_status``, newest first, at most ``limit``; and how many match.

    One query over the event columns only (no evidence, no documents): the
    map of a year of events must not build every event in full."""
    if limit < 0:
        raise ReviewError("limit must not be negative")
    where, params = _where(store, filters)
    placed = "e.latitude IS NOT NULL AND e.longitude IS NOT NULL"
    where = f"{where} AND {placed}" if where else f" WHERE {placed}"
    columns = ", ".join(f"e.{c}" for c in MAP_FIELDS)
    conn = store._conn
    total = int(conn.execute("SELECT count(*) FROM events e" + where, params).fetchone()[0])
    rows = conn.execute(
        f"SELECT {columns}, {_STATUS_SQL} FROM events e" + where
        + " ORDER BY e.event_date DESC, e.event_id DESC LIMIT ?", (*params, limit),
    ).fetchall()
    names = (*MAP_FIELDS, "review_status")
    return [dict(zip(names, row)) for row in rows], total


def statuses(store: Store, event_ids: Sequence[str]) -> dict[str, str]:
    """event id -> review status for each id (unreviewed when never reviewed)."""
    found = {i: DEFAULT_STATUS for i in event_ids}
    for start in range(0, len(event_ids), MAX_IN_PARAMETERS):
        chunk = list(event_ids[start:start + MAX_IN_PARAMETERS])
        marks = ", ".join("?" for _ in chunk)
        for event_id, status in store._conn.execute(
            f"SELECT event_id, status FROM event_reviews WHERE event_id IN ({marks})", chunk
        ):
            found[event_id] = status
    return found


def get_review(store: Store, event_id: str) -> Review:
    row = store._conn.execute(
        "SELECT status, overrides, updated_at, updated_by FROM event_reviews WHERE event_id = ?",
        (event_id,),
    ).fetchone()
    if row is None:
        return Review(event_id)
    return Review(event_id, row[0], json.loads(row[1]), row[2], row[3])


def audit_entries(store: Store, event_id: str) -> list[AuditEntry]:
    """The audit log of one event, oldest first."""
    return [
        AuditEntry(r[0], r[1], r[2], r[3], r[4], r[5], _decode(r[6]), _decode(r[7]))
        for r in store._conn.execute(
            "SELECT id, event_id, user, at, action, field, before, after FROM audit_log"
            " WHERE event_id = ? ORDER BY id", (event_id,),
        )
    ]


def _decode(value: str | None) -> Any:
    return None if value is None else json.loads(value)


def document_spans(store: Store, doc_id: str) -> list[DocumentSpan]:
    """Every piece of evidence that points into one document, in text order."""
    return [
        DocumentSpan(r[0], Evidence(r[1], r[2], r[3], r[4], doc_id, r[5]))
        for r in store._conn.execute(
            'SELECT event_id, field, "start", "end", text, confidence FROM evidence'
            ' WHERE doc_id = ? ORDER BY "start", "end", event_id', (doc_id,),
        )
    ]


def document_event_ids(store: Store, doc_id: str) -> list[str]:
    return [r[0] for r in store._conn.execute(
        "SELECT DISTINCT event_id FROM event_documents WHERE doc_id = ? ORDER BY event_id", (doc_id,))]


# ----------------------------------------------------------------------
# aggregates for charts
# ----------------------------------------------------------------------


def period_of(event_date: str, by: str) -> str:
    """The bucket of an ISO date: YYYY-MM-DD, ISO week YYYY-Www, or YYYY-MM."""
    if by == "day":
        return event_date
    if by == "month":
        return event_date[:7]
    year, week, _ = date.fromisoformat(event_date).isocalendar()
    return f"{year:04d}-W{week:02d}"


def aggregate(store: Store, filters: ReviewFilter, *, by: str, group: str) -> list[Bucket]:
    """Counts of matching events per period and group value (dated events only)."""
    if by not in PERIODS:
        raise ReviewError(f"cannot count by {by!r}; choose from {', '.join(PERIODS)}")
    if group not in _GROUPS:
        raise ReviewError(f"cannot group by {group!r}; choose from {', '.join(GROUPS)}")
    where, params = _where(store, filters)
    dated = "e.event_date <> ''"
    where = f"{where} AND {dated}" if where else f" WHERE {dated}"
    counts: dict[tuple[str, str], int] = {}
    for event_date, key, count in store._conn.execute(
        f"SELECT e.event_date, {_GROUPS[group]}, count(*) FROM events e{where} GROUP BY 1, 2", params
    ):
        try:
            bucket = (period_of(event_date, by), key or "")
        except ValueError:  # a malformed stored date: not countable in a period
            continue
        counts[bucket] = counts.get(bucket, 0) + int(count)
    return [Bucket(p, k, c) for (p, k), c in sorted(counts.items())]


# ----------------------------------------------------------------------
# changes
# ----------------------------------------------------------------------


def coerce_value(name: str, value: Any) -> Any:
    """An editor's value for ``name`` as the type the store keeps.

    Text from a form is accepted for numbers ("12", "36.2"); an empty value
    clears a field that may be empty. Raises ``ReviewError`` otherwise.
    """
    if name not in FIELD_KINDS:
        raise ReviewError(f"{name!r} is not an event field that can be changed")
    kind, nullable = FIELD_KINDS[name]
    if isinstance(value, str):
        # Browsers send a textarea's line breaks as CRLF; the store keeps LF.
        value = value.replace("\r\n", "\n").strip()
        if len(value) > MAX_FIELD_CHARS:
            raise ReviewError(f"{name}: longer than {MAX_FIELD_CHARS} characters")
    if value is None or value == "":
        if nullable:
            return None
        if kind is str:
            return ""
        raise ReviewError(f"{name} needs a value")
    if kind is str:
        if not isinstance(value, str):
            raise ReviewError(f"{name}: expected text")
        if name == "event_date":
            _check_date(value)
        return value
    converted = _number(name, value, kind)
    low, high = _RANGES.get(name, (-math.inf, math.inf))
    if not low <= converted <= high:
        raise ReviewError(f"{name}: {converted} is outside {low:g}..{high:g}")
    return converted


def _number(name: str, value: Any, kind: type) -> int | float:
    if isinstance(value, bool):
        raise ReviewError(f"{name}: expected a number")
    try:
        if kind is int:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            return int(value) if not isinstance(value, str) else int(value, 10)
        number = float(value)
    except (TypeError, ValueError):
        raise ReviewError(f"{name}: expected {'a whole number' if kind is int else 'a number'},"
                          f" got {str(value)[:40]!r}") from None
    if not math.isfinite(number):
        raise ReviewError(f"{name}: expected a finite number")
    return number


def _check_date(value: str) -> None:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ReviewError(f"event_date: expected YYYY-MM-DD, got {value[:40]!r}") from None


def _same(stored: Any, value: Any) -> bool:
    """Equal, ignoring whitespace around stored text (a form trims what it sends)."""
    if isinstance(stored, str) and isinstance(value, str):
        return stored.strip() == value
    return stored == value


def _require_event(store: Store, event_id: str) -> Event:
    event = store.get_event(event_id)
    if event is None:
        raise UnknownEvent(f"no event with id {event_id[:80]!r}")
    return event


def _save_review(store: Store, review: Review, user: str, now: str) -> None:
    store._conn.execute(
        "INSERT INTO event_reviews (event_id, status, overrides, updated_at, updated_by)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT(event_id) DO UPDATE SET status = excluded.status,"
        " overrides = excluded.overrides, updated_at = excluded.updated_at,"
        " updated_by = excluded.updated_by",
        (review.event_id, review.status, json.dumps(dict(review.overrides), ensure_ascii=False),
         now, user),
    )


def record_audit(
    store: Store, event_id: str, *, user: str, action: str, field: str = "",
    before: Any = None, after: Any = None, at: str | None = None,
) -> None:
    """Append one audit row (call inside the caller's transaction)."""
    store._conn.execute(
        "INSERT INTO audit_log (event_id, user, at, action, field, before, after)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (event_id, user, at or _now(), action, field,
         json.dumps(before, ensure_ascii=False), json.dumps(after, ensure_ascii=False)),
    )


def edit_event(store: Store, event_id: str, changes: Mapping[str, Any], *, user: str) -> Event:
    """Correct fields of one event; returns the event as now stored.

    Values equal to the stored ones are ignored. Every real change is
    written to the event row, the review overrides and the audit log in one
    transaction: either all of it is stored or none.
    """
    if not changes:
        raise ReviewError("no field to change")
    coerced = {name: coerce_value(name, value) for name, value in changes.items()}
    with store._transaction():
        event = _require_event(store, event_id)
        changed = {n: v for n, v in coerced.items() if not _same(getattr(event, n), v)}
        if not changed:
            return event
        review = get_review(store, event_id)
        if "notes" not in changed and "notes" not in review.overrides and event.notes == write_notes(event):
            # the machine's summary sentence follows the corrected fields (a
            # reviewer's own notes are never rewritten)
            notes = write_notes(replace(event, **changed))
            if notes != event.notes:
                changed["notes"] = notes
        now = _now()
        assignments = ", ".join(f"{name} = ?" for name in changed)  # names are EDITABLE_FIELDS
        params: list[object] = list(changed.values())
        if "event_date" in changed:
            assignments += ", year = ?"
            params.append(_year(changed["event_date"]))
        store._conn.execute(
            f"UPDATE events SET {assignments}, updated_at = ? WHERE event_id = ?",
            (*params, now, event_id),
        )
        _save_review(store, replace(review, overrides={**review.overrides, **changed}), user, now)
        for name, value in changed.items():
            record_audit(store, event_id, user=user, action="edit", field=name,
                         before=getattr(event, name), after=value, at=now)
    return _require_event(store, event_id)


def set_status(store: Store, event_id: str, status: str, *, user: str) -> Review:
    """Mark an event verified, rejected or back to unreviewed (audited)."""
    if status not in REVIEW_STATUSES:
        raise ReviewError(f"unknown review status {status!r}; choose from {', '.join(REVIEW_STATUSES)}")
    with store._transaction():
        _require_event(store, event_id)
        review = get_review(store, event_id)
        if review.status != status:
            now = _now()
            _save_review(store, replace(review, status=status), user, now)
            record_audit(store, event_id, user=user, action="status", field="status",
                         before=review.status, after=status, at=now)
    return get_review(store, event_id)
