"""Server-rendered pages: events table, map, timeline, event and document
pages, review forms, sign-in and user management.

Forms post back with the session's CSRF token; after a change the browser
is redirected (303) to a page showing the result and a one-line notice.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from marsad.errors import MarsadError
from marsad.store import logins
from marsad.store import review as rv
from marsad.store import users as us
from marsad.web.auth import (
    FLASH,
    SESSION_ABSOLUTE_SECONDS,
    SESSION_IDLE_SECONDS,
    Access,
    access_of,
    change_password,
    check_csrf,
    csrf_token,
    require,
    sign_in,
    sign_out,
)
from marsad.web.params import DEFAULT_SORT, Filters, Paging, event_filters, paging
from marsad.web.render import safe_url
from marsad.web.service import document_detail, event_detail, merge, merging, split

router = APIRouter(include_in_schema=False)

Viewer = Annotated[Access, Depends(require("viewer"))]
Editor = Annotated[Access, Depends(require("editor"))]
Admin = Annotated[Access, Depends(require("admin"))]
EventFilters = Annotated[Filters, Depends(event_filters)]
CSRF = [Depends(check_csrf)]


def with_query(path: str, query: dict[str, Any], **changes: Any) -> str:
    """``path`` with ``query`` (minus empty values) updated by ``changes``."""
    merged = {**query, **changes}
    pairs = [(k, str(v)) for k, v in merged.items() if v not in (None, "")]
    return path + ("?" + urlencode(pairs) if pairs else "")


def render(request: Request, name: str, access: Access | None, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    templates = request.app.state.templates
    flash = request.session.pop(FLASH, None)
    return templates.TemplateResponse(request, name, {
        "access": access, "csrf_token": csrf_token(request), "flash": flash,
        "tile_url": request.app.state.tile_url, "with_query": with_query, "safe_url": safe_url,
        "statuses": rv.REVIEW_STATUSES, **context,
    }, status_code=status_code)


def _notice(request: Request, message: str, kind: str = "ok") -> None:
    request.session[FLASH] = {"kind": kind, "message": message}


def _back(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _local_path(value: str | None) -> str:
    """Only same-site paths are followed after sign-in (no open redirect)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/events"


@router.get("/")
def home() -> RedirectResponse:
    return _back("/events")


@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request, access: Viewer, filters: EventFilters,
                pages: Annotated[Paging, Depends(paging)]) -> HTMLResponse:
    with request.app.state.open_store() as store:
        total = rv.count_events(store, filters.review)
        found = rv.find_events(store, filters.review, limit=pages.per_page, offset=pages.offset,
                               sort=pages.sort)
        status = rv.statuses(store, [e.event_id for e in found])
    query = {**filters.raw, "sort": pages.sort if pages.sort != DEFAULT_SORT else "",
             "per_page": pages.per_page if pages.per_page != 50 else ""}
    last_page = max(1, -(-total // pages.per_page))
    return render(request, "events.html", access, events=found, status=status, total=total,
                  pages=pages, last_page=last_page, filters=filters.raw, query=query,
                  can_merge=merging() is not None)


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, access: Viewer, filters: EventFilters) -> HTMLResponse:
    return render(request, "map.html", access, filters=filters.raw, query=filters.raw)


@router.get("/timeline", response_class=HTMLResponse)
def timeline_page(request: Request, access: Viewer, filters: EventFilters) -> HTMLResponse:
    return render(request, "timeline.html", access, filters=filters.raw, query=filters.raw)


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(request: Request, access: Viewer, event_id: str) -> HTMLResponse:
    with request.app.state.open_store() as store:
        detail = event_detail(store, event_id)
    values = {name: getattr(detail.event, name) for name in rv.EDITABLE_FIELDS}
    return render(request, "event.html", access, d=detail, e=detail.event, values=values,
                  editable=rv.EDITABLE_FIELDS, long_fields=("notes",))


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document_page(request: Request, access: Viewer, doc_id: str) -> HTMLResponse:
    with request.app.state.open_store() as store:
        detail = document_detail(store, doc_id)
    if detail is None:
        raise HTTPException(404, f"no document with id {doc_id[:80]!r}")
    return render(request, "document.html", access, d=detail, doc=detail.document)


def _form_text(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


async def _run(request: Request, back: str, done: str, work: Any, *args: Any) -> RedirectResponse:
    """Run a store change in a worker thread; notice of success or of the error."""
    try:
        await run_in_threadpool(work, *args)
    except rv.UnknownEvent:
        raise
    except MarsadError as err:
        _notice(request, str(err), "error")
        return _back(back)
    _notice(request, done)
    return _back(back)


def _edit(request: Request, event_id: str, changes: dict[str, str], user: str) -> None:
    with request.app.state.open_store() as store:
        rv.edit_event(store, event_id, changes, user=user)


@router.post("/events/{event_id}/edit", dependencies=CSRF)
async def edit_form(request: Request, access: Editor, event_id: str) -> Response:
    form = await request.form()
    changes = {name: _form_text(form, name) for name in rv.EDITABLE_FIELDS if name in form}
    return await _run(request, f"/events/{event_id}", "saved", _edit, request, event_id, changes,
                      access.name)


def _status(request: Request, event_id: str, status: str, user: str) -> None:
    with request.app.state.open_store() as store:
        rv.set_status(store, event_id, status, user=user)


@router.post("/events/{event_id}/status", dependencies=CSRF)
async def status_form(request: Request, access: Editor, event_id: str) -> Response:
    form = await request.form()
    status = _form_text(form, "status")
    return await _run(request, f"/events/{event_id}", f"marked {status}", _status, request,
                      event_id, status, access.name)


def _need_merging() -> None:
    if merging() is None:
        raise HTTPException(501, "merging and splitting events is not available in this marsad")


@router.post("/events/merge", dependencies=CSRF)
async def merge_form(request: Request, access: Editor) -> Response:
    _need_merging()
    form = await request.form()
    ids = [v for v in form.getlist("event_id") if isinstance(v, str)][:50]
    if len(ids) < 2:
        _notice(request, "choose at least two events to merge", "error")
        return _back("/events")

    def work() -> str:
        with request.app.state.open_store() as store:
            return merge(store, ids, user=access.name)

    try:
        merged = await run_in_threadpool(work)
    except MarsadError as err:
        _notice(request, str(err), "error")
        return _back("/events")
    _notice(request, f"merged {len(ids)} events")
    return _back(f"/events/{merged}")


@router.post("/events/{event_id}/split", dependencies=CSRF)
async def split_form(request: Request, access: Editor, event_id: str) -> Response:
    _need_merging()
    form = await request.form()
    chosen = [v for v in form.getlist("extraction_id") if isinstance(v, str)][:500]

    def work() -> list[str]:
        with request.app.state.open_store() as store:
            return split(store, event_id, chosen, user=access.name)

    try:
        new_ids = await run_in_threadpool(work)
    except MarsadError as err:
        _notice(request, str(err), "error")
        return _back(f"/events/{event_id}")
    _notice(request, f"split into {len(new_ids)} events")
    return _back(f"/events/{new_ids[0]}" if new_ids else "/events")


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    throttle = {"failures": logins.MAX_ACCOUNT_FAILURES,
                "window": logins.FAILURE_WINDOW_SECONDS // 60, "lock": logins.LOCKOUT_SECONDS // 60,
                "idle": SESSION_IDLE_SECONDS // 3600, "absolute": SESSION_ABSOLUTE_SECONDS // 3600}
    return render(request, "login.html", access_of(request), next=_local_path(next),
                  throttle=throttle)


@router.post("/login", dependencies=CSRF)
async def login_form(request: Request) -> Response:
    form = await request.form()
    name, password = _form_text(form, "name")[:64], _form_text(form, "password")
    target = _local_path(_form_text(form, "next"))
    try:
        user = await run_in_threadpool(sign_in, request, name, password)
    except logins.SignInLocked as err:
        _notice(request, str(err), "error locked")
        return _back(with_query("/login", {"next": target}))
    if user is None:
        _notice(request, "wrong name or password", "error")
        return _back(with_query("/login", {"next": target}))
    _notice(request, f"signed in as {user.name} ({user.role})")
    return _back(target)


@router.post("/logout", dependencies=CSRF)
def logout_form(request: Request) -> Response:
    sign_out(request)
    return _back("/login")


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, access: Viewer) -> HTMLResponse:
    return render(request, "account.html", access, min_password=us.MIN_PASSWORD_CHARS)


@router.post("/account/password", dependencies=CSRF)
async def password_form(request: Request, access: Viewer) -> Response:
    form = await request.form()
    new = _form_text(form, "new_password")
    if new != _form_text(form, "confirm_password"):
        _notice(request, "the new passwords do not match", "error")
        return _back("/account")
    return await _run(request, "/account", "password changed; your other sessions have ended",
                      change_password, request, _form_text(form, "password"), new)


# Rows of the security log shown on the users page.
SECURITY_LOG_ROWS = 50


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, access: Admin) -> HTMLResponse:
    with request.app.state.open_store() as store:
        users = us.list_users(store)
        locks = logins.active_locks(store)
        log = logins.security_entries(store, SECURITY_LOG_ROWS)
    return render(request, "users.html", access, users=users, roles=us.ROLES, locks=locks,
                  log=log, min_password=us.MIN_PASSWORD_CHARS)


def _add_user(request: Request, name: str, role: str, password: str, by: str) -> None:
    with request.app.state.open_store() as store:
        us.add_user(store, name, role, password, by=by)


@router.post("/users", dependencies=CSRF)
async def add_user_form(request: Request, access: Admin) -> Response:
    form = await request.form()
    name = _form_text(form, "name")
    return await _run(request, "/users", f"added {name}", _add_user, request, name,
                      _form_text(form, "role"), _form_text(form, "password"), access.name)


def _set_role(request: Request, name: str, role: str, by: str) -> None:
    with request.app.state.open_store() as store:
        us.set_role(store, name, role, by=by)


@router.post("/users/{name}/role", dependencies=CSRF)
async def role_form(request: Request, access: Admin, name: str) -> Response:
    form = await request.form()
    role = _form_text(form, "role")
    return await _run(request, "/users", f"{name} is now {role}", _set_role, request, name, role,
                      access.name)


def _unlock(request: Request, kind: str, key: str, by: str) -> None:
    if kind not in logins.KINDS:
        raise us.UserError(f"nothing to unlock: {kind[:20]!r} is neither account nor address")
    name, address = (key, None) if kind == "account" else (None, key)
    with request.app.state.open_store() as store:
        logins.unlock(store, name=name, address=address, by=by)


@router.post("/users/unlock", dependencies=CSRF)
async def unlock_form(request: Request, access: Admin) -> Response:
    form = await request.form()
    key = _form_text(form, "key")[:100]
    return await _run(request, "/users", f"unlocked {key}", _unlock, request,
                      _form_text(form, "kind"), key, access.name)


def _remove_user(request: Request, name: str, by: str) -> None:
    if name == by:
        raise us.UserError("you cannot remove yourself")
    with request.app.state.open_store() as store:
        us.remove_user(store, name, by=by)


@router.post("/users/{name}/delete", dependencies=CSRF)
async def remove_user_form(request: Request, access: Admin, name: str) -> Response:
    return await _run(request, "/users", f"removed {name}", _remove_user, request, name, access.name)
