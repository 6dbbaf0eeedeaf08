"""What the API and the pages both need: one event with everything around it,
a document with its spans, exports into a temporary file, the optional
merge module."""

from __future__ import annotations

import importlib
import math
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, is_dataclass
from types import MappingProxyType, ModuleType
from typing import IO, Any

from marsad.export import WRITERS, geojson_feature, json_text
from marsad.records import Event
from marsad.store.review import (
    AuditEntry,
    DocumentSpan,
    Review,
    ReviewFilter,
    UnknownEvent,
    audit_entries,
    document_event_ids,
    document_spans,
    get_review,
    iter_events,
    map_points,
    record_audit,
    statuses,
)
from marsad.store.sqlite import Store, StoredDocument
from marsad.web.render import Piece, evidence_passages, valid_span

MERGING_MODULE = "marsad.store.merging"
# Exports are written to memory up to this size, then to a temporary file.
EXPORT_MEMORY_BYTES = 8 * 1024 * 1024
# Events whose review status is looked up in one query while exporting.
STATUS_BATCH = 500
# Most points one map answer carries: a browser draws 20,000 clustered
# markers in a few seconds, 100,000 in tens of seconds. The answer says how
# many matched, so the page can ask for a narrower filter.
MAP_MAX_POINTS = 20_000
EXPORT_FORMATS: Mapping[str, str] = MappingProxyType({
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
    "geojson": "application/geo+json; charset=utf-8",
})


def merging() -> ModuleType | None:
    """``marsad.store.merging`` when this marsad has it, else None."""
    try:
        return importlib.import_module(MERGING_MODULE)
    except ModuleNotFoundError as err:
        if err.name and MERGING_MODULE.startswith(err.name):
            return None
        raise


def merge(store: Store, event_ids: list[str], *, user: str) -> str:
    """Merge events (the merge module's rule) and note it in the audit log."""
    module = merging()
    if module is None:
        raise LookupError("merging is not available")
    merged = module.merge_events(store, event_ids, user=user)
    with store._transaction():
        record_audit(store, merged, user=user, action="merge", before=event_ids, after=merged)
    return merged


def split(store: Store, event_id: str, extraction_ids: list[str], *, user: str) -> list[str]:
    """Split reports off an event and note it in the audit log of every result."""
    module = merging()
    if module is None:
        raise LookupError("splitting is not available")
    new_ids = list(module.split_event(store, event_id, extraction_ids, user=user))
    with store._transaction():
        for new_id in new_ids:
            record_audit(store, new_id, user=user, action="split", field="members",
                         before=event_id, after=new_ids)
    return new_ids


def plain(value: Any) -> Any:
    """Dataclasses (merge records, members) as JSON-ready values."""
    if is_dataclass(value) and not isinstance(value, type):
        return {k: plain(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def event_json(event: Event, status: str) -> dict:
    out = event.to_dict()
    out["review_status"] = status
    out["url"] = f"/events/{event.event_id}"
    return out


def document_json(doc: StoredDocument, *, text: bool) -> dict:
    out = {"id": doc.id, "title": doc.title, "url": doc.url, "source": doc.source or doc.site_name,
           "published": doc.published.isoformat() if doc.published else None,
           "published_from": doc.published_from, "kind": doc.kind, "ingested_at": doc.ingested_at}
    if text:
        out["text"] = doc.text
        out["removed"] = list(doc.removed)
    return out


@dataclass(frozen=True, slots=True)
class SourcePassages:
    """One source document of an event and its sentences with the evidence marked."""

    doc_id: str
    document: StoredDocument | None
    passages: list[list[Piece]]
    unplaced: list[str]  # evidence whose offsets do not fit the stored text


@dataclass(frozen=True, slots=True)
class EventDetail:
    event: Event
    review: Review
    audit: list[AuditEntry]
    sources: list[SourcePassages]
    history: list[Any] | None  # None: merging not available in this marsad
    members: list[Any] | None


def event_detail(store: Store, event_id: str) -> EventDetail:
    event = store.get_event(event_id)
    if event is None:
        raise UnknownEvent(f"no event with id {event_id[:80]!r}")
    doc_ids = list(dict.fromkeys([*event.document_ids, *(e.doc_id for e in event.evidence if e.doc_id)]))
    sources = []
    for doc_id in doc_ids:
        doc = store.get_document(doc_id)
        mine = [e for e in event.evidence if e.doc_id == doc_id]
        fits = [e for e in mine if doc is not None and valid_span(doc.text, e.start, e.end, e.text)]
        spans = [(e.start, e.end, e.field) for e in fits]
        passages = evidence_passages(doc.text, spans) if doc is not None and spans else []
        unplaced = [f"{e.field}: {e.text}" for e in mine if e not in fits]
        sources.append(SourcePassages(doc_id, doc, passages, unplaced))
    module = merging()
    history = members = None
    if module is not None:
        history = list(module.merge_history(store, event_id))
        members = list(module.event_members(store, event_id))
    return EventDetail(event, get_review(store, event_id), audit_entries(store, event_id), sources,
                       history, members)


@dataclass(frozen=True, slots=True)
class DocumentDetail:
    document: StoredDocument
    spans: list[DocumentSpan]
    event_ids: list[str]
    pieces: list[Piece]


def document_detail(store: Store, doc_id: str) -> DocumentDetail | None:
    from marsad.web.render import pieces

    doc = store.get_document(doc_id)
    if doc is None:
        return None
    spans = [s for s in document_spans(store, doc_id)
             if valid_span(doc.text, s.evidence.start, s.evidence.end, s.evidence.text)]
    marks = [(s.evidence.start, s.evidence.end, f"{s.evidence.field} ({s.event_id[:12]})")
             for s in spans]
    return DocumentDetail(doc, spans, document_event_ids(store, doc_id), pieces(doc.text, marks))


def _with_status(store: Store, events: Iterable[Event]) -> Iterator[tuple[Event, str]]:
    batch: list[Event] = []
    for event in events:
        batch.append(event)
        if len(batch) >= STATUS_BATCH:
            yield from _statused(store, batch)
            batch = []
    yield from _statused(store, batch)


def _statused(store: Store, batch: list[Event]) -> Iterator[tuple[Event, str]]:
    found = statuses(store, [e.event_id for e in batch])
    for event in batch:
        yield event, found[event.event_id]


def write_export_geojson(store: Store, events: Iterable[Event], fp: IO[str]) -> int:
    """Every placed event as a Point feature with all its fields but the
    evidence, and its review status (the GeoJSON export)."""
    fp.write('{"type": "FeatureCollection", "features": [')
    count = 0
    for event, status in _with_status(store, events):
        feature = geojson_feature(event)
        if feature["geometry"] is None:
            continue
        props = feature["properties"]
        props.pop("evidence", None)
        props["review_status"] = status
        props["url"] = f"/events/{event.event_id}"
        fp.write(",\n" if count else "\n")
        fp.write(json_text(feature))
        count += 1
    fp.write("\n]}\n")
    return count


def map_geojson(store: Store, filters: ReviewFilter, *, limit: int = MAP_MAX_POINTS) -> IO[bytes]:
    """The map's points in a (spooled) temporary file, rewound."""
    spool = tempfile.SpooledTemporaryFile(max_size=EXPORT_MEMORY_BYTES, mode="w+b")
    write_map_geojson(store, filters, _TextSink(spool), limit=limit)
    spool.seek(0)
    return spool


def write_map_geojson(store: Store, filters: ReviewFilter, fp: IO[str], *, limit: int = MAP_MAX_POINTS) -> int:
    """Placed events as Point features with what the map shows (no evidence),
    newest first, at most ``limit``; the collection says how many matched
    (``total``) and whether it was cut (``truncated``)."""
    points, total = map_points(store, filters, limit=limit)
    fp.write(f'{{"type": "FeatureCollection", "total": {total}, '
             f'"truncated": {"true" if total > len(points) else "false"}, "features": [')
    for i, props in enumerate(points):
        lat, lon = props.pop("latitude"), props.pop("longitude")
        if not (math.isfinite(lat) and math.isfinite(lon)):
            continue
        props["url"] = f"/events/{props['event_id']}"
        feature = {"type": "Feature", "id": props["event_id"],
                   "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}
        fp.write(",\n" if i else "\n")
        fp.write(json_text(feature))
    fp.write("\n]}\n")
    return len(points)


def export_file(store: Store, filters: ReviewFilter, fmt: str) -> IO[bytes]:
    """The export of the matching events, rewound, in a (spooled) temporary file."""
    spool = tempfile.SpooledTemporaryFile(max_size=EXPORT_MEMORY_BYTES, mode="w+b")
    text = _TextSink(spool)
    events = iter_events(store, filters)
    if fmt == "geojson":
        write_export_geojson(store, events, text)
    else:
        WRITERS[fmt](events, text)
    spool.seek(0)
    return spool


class _TextSink:
    """Text written as UTF-8 into a binary file (csv/json writers want ``write(str)``)."""

    def __init__(self, fp: IO[bytes]) -> None:
        self._fp = fp

    def write(self, text: str) -> int:
        self._fp.write(text.encode("utf-8"))
        return len(text)
