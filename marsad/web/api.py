"""The JSON API under /api (OpenAPI at /docs).

Reads need the viewer role, review changes the editor role, user
management the admin role; every POST needs the session's CSRF token in
the ``X-CSRF-Token`` header (get it from ``GET /api/session``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import IO, Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from marsad.store import review as rv
from marsad.store import users as us
from marsad.web.auth import Access, check_csrf, csrf_token, require, sign_in, sign_out
from marsad.web.params import Filters, Paging, event_filters, paging
from marsad.web.service import (
    EXPORT_FORMATS,
    document_detail,
    document_json,
    event_detail,
    event_json,
    export_file,
    map_geojson,
    merge,
    merging,
    plain,
    split,
)

router = APIRouter(prefix="/api", tags=["api"])

Viewer = Annotated[Access, Depends(require("viewer"))]
Editor = Annotated[Access, Depends(require("editor"))]
Admin = Annotated[Access, Depends(require("admin"))]
EventFilters = Annotated[Filters, Depends(event_filters)]
CSRF = [Depends(check_csrf)]
# Bytes per chunk when streaming an export file.
EXPORT_CHUNK_BYTES = 64 * 1024
# Most events one merge request may join (a merge is an analyst's decision
# about a handful of reports of one incident).
MAX_MERGE_EVENTS = 50


def _store(request: Request):
    return request.app.state.open_store()


@router.get("/events", summary="List events (filters, paging, sorting)")
def list_events(request: Request, access: Viewer, filters: EventFilters,
                pages: Annotated[Paging, Depends(paging)]) -> dict:
    with _store(request) as store:
        total = rv.count_events(store, filters.review)
        found = rv.find_events(store, filters.review, limit=pages.per_page, offset=pages.offset,
                               sort=pages.sort)
        status = rv.statuses(store, [e.event_id for e in found])
    return {"total": total, "page": pages.page, "per_page": pages.per_page, "sort": pages.sort,
            "events": [event_json(e, status[e.event_id]) for e in found]}


def _stream(spool: IO[bytes]) -> Iterator[bytes]:
    with spool:
        while chunk := spool.read(EXPORT_CHUNK_BYTES):
            yield chunk


def _export(request: Request, filters: Filters, fmt: str, include_rejected: bool) -> StreamingResponse:
    wanted = rv.ReviewFilter(filters.review.base, filters.review.admin2, filters.review.bbox,
                             filters.review.status, include_rejected)
    with _store(request) as store:
        spool = export_file(store, wanted, fmt)
    return StreamingResponse(_stream(spool), media_type=EXPORT_FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="marsad-events.{fmt}"'})


EXPORT_SUMMARIES: Mapping[str, str] = MappingProxyType({
    "csv": "Export as CSV (ACLED column order, reviewed values)",
    "jsonl": "Export as JSON lines (with evidence)",
    "geojson": "Export placed events as GeoJSON points (the map's data)",
})


def _add_export_route(fmt: str) -> None:
    def endpoint(request: Request, access: Viewer, filters: EventFilters,
                 include_rejected: bool = False) -> StreamingResponse:
        """Rejected events are left out unless ``include_rejected=true``."""
        return _export(request, filters, fmt, include_rejected)

    endpoint.__name__ = f"export_{fmt}"
    router.add_api_route(f"/events.{fmt}", endpoint, methods=["GET"], summary=EXPORT_SUMMARIES[fmt])


for _format in EXPORT_SUMMARIES:
    _add_export_route(_format)
del _format


@router.get("/map.geojson", summary="The map's points: placed events, newest first, at most 20,000")
def map_points_geojson(request: Request, access: Viewer, filters: EventFilters) -> StreamingResponse:
    """What the map draws of each matching placed event (no evidence).
    ``total`` says how many matched and ``truncated`` whether the answer
    was cut at the newest 20,000."""
    with _store(request) as store:
        spool = map_geojson(store, filters.review)
    return StreamingResponse(_stream(spool), media_type=EXPORT_FORMATS["geojson"])


@router.get("/aggregate", summary="Counts per day/week/month and event type or admin1")
def aggregate(request: Request, access: Viewer, filters: EventFilters,
              by: Literal["day", "week", "month"] = "month",
              group: Literal["event_type", "admin1", "sub_event_type", "country"] = "event_type",
              ) -> dict:
    with _store(request) as store:
        buckets = rv.aggregate(store, filters.review, by=by, group=group)
    return {"by": by, "group": group,
            "buckets": [{"period": b.period, "key": b.key, "count": b.count} for b in buckets]}


@router.get("/events/{event_id}", summary="One event with its evidence, documents, review and audit log")
def get_event(request: Request, access: Viewer, event_id: str) -> dict:
    with _store(request) as store:
        detail = event_detail(store, event_id)
    return {
        "event": event_json(detail.event, detail.review.status),
        "review": plain(detail.review),
        "audit": plain(detail.audit),
        "documents": [
            document_json(s.document, text=False) if s.document else {"id": s.doc_id, "missing": True}
            for s in detail.sources
        ],
        "merge_history": plain(detail.history),
        "members": plain(detail.members),
    }


@router.get("/documents/{doc_id}", summary="One document: cleaned text and every event's spans in it")
def get_document(request: Request, access: Viewer, doc_id: str) -> dict:
    with _store(request) as store:
        detail = document_detail(store, doc_id)
    if detail is None:
        raise HTTPException(404, f"no document with id {doc_id[:80]!r}")
    return {
        "document": document_json(detail.document, text=True),
        "events": detail.event_ids,
        "spans": [{"event_id": s.event_id, "field": s.evidence.field, "start": s.evidence.start,
                   "end": s.evidence.end, "text": s.evidence.text,
                   "confidence": s.evidence.confidence} for s in detail.spans],
    }


class EditBody(BaseModel):
    changes: dict[str, Any] = Field(description="field -> corrected value", max_length=len(rv.EDITABLE_FIELDS))


class StatusBody(BaseModel):
    status: Literal["unreviewed", "verified", "rejected"]


class MergeBody(BaseModel):
    event_ids: list[Annotated[str, Field(max_length=100)]] = Field(min_length=2, max_length=MAX_MERGE_EVENTS)


class SplitBody(BaseModel):
    extraction_ids: list[Annotated[str, Field(max_length=100)]] = Field(min_length=1, max_length=500)


@router.post("/events/{event_id}/edit", dependencies=CSRF, summary="Correct fields of an event (audited)")
def edit_event(request: Request, access: Editor, event_id: str, body: EditBody) -> dict:
    with _store(request) as store:
        event = rv.edit_event(store, event_id, body.changes, user=access.name)
        status = rv.get_review(store, event_id).status
    return {"event": event_json(event, status)}


@router.post("/events/{event_id}/status", dependencies=CSRF, summary="Mark verified / rejected / unreviewed")
def set_status(request: Request, access: Editor, event_id: str, body: StatusBody) -> dict:
    with _store(request) as store:
        return {"review": plain(rv.set_status(store, event_id, body.status, user=access.name))}


def _merging_or_501() -> None:
    if merging() is None:
        raise HTTPException(501, "merging and splitting events is not available in this marsad")


@router.post("/events/merge", dependencies=CSRF, summary="Merge events into one incident")
def merge_events(request: Request, access: Editor, body: MergeBody) -> dict:
    _merging_or_501()
    with _store(request) as store:
        return {"event_id": merge(store, body.event_ids, user=access.name)}


@router.post("/events/{event_id}/split", dependencies=CSRF, summary="Split extractions off an event")
def split_event(request: Request, access: Editor, event_id: str, body: SplitBody) -> dict:
    _merging_or_501()
    with _store(request) as store:
        return {"event_ids": split(store, event_id, body.extraction_ids, user=access.name)}


class LoginBody(BaseModel):
    name: str = Field(max_length=64)
    password: str = Field(max_length=us.MAX_PASSWORD_CHARS)


class UserBody(LoginBody):
    role: Literal["viewer", "editor", "admin"]


def _user_json(user: us.User) -> dict:
    return {"id": user.id, "name": user.name, "role": user.role, "created_at": user.created_at}


@router.get("/session", summary="Who am I, and the CSRF token for POST requests")
def session(request: Request) -> dict:
    from marsad.web.auth import access_of

    access = access_of(request)
    return {"user": access.name or None, "role": access.role, "csrf_token": csrf_token(request)}


@router.post("/session", dependencies=CSRF, summary="Sign in (sets the session cookie)",
             description="401 on a wrong name or password; 429 (with Retry-After) while the"
                         " account or the client address is locked after too many failures.")
def login(request: Request, body: LoginBody) -> dict:
    user = sign_in(request, body.name, body.password)
    if user is None:
        raise HTTPException(401, "wrong name or password")
    return {"user": user.name, "role": user.role, "csrf_token": csrf_token(request)}


@router.post("/logout", dependencies=CSRF, summary="Sign out (ends every session of the user)")
def logout(request: Request) -> dict:
    sign_out(request)
    return {"user": None}


@router.get("/users", summary="List users (admin)")
def list_users(request: Request, access: Admin) -> dict:
    with _store(request) as store:
        return {"users": [_user_json(u) for u in us.list_users(store)]}


@router.post("/users", dependencies=CSRF, status_code=201, summary="Add a user (admin)")
def add_user(request: Request, access: Admin, body: UserBody) -> dict:
    with _store(request) as store:
        return {"user": _user_json(us.add_user(store, body.name, body.role, body.password,
                                               by=access.name))}
