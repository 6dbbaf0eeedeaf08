"""Who is asking and what they may do: sessions, roles and CSRF tokens.

* A session is a signed cookie (Starlette's SessionMiddleware: HttpOnly,
  SameSite=Lax, Secure over HTTPS) holding the user's id, the user's
  session key, when it was issued and last used, and a CSRF token; the
  signing key is kept in the database so sessions survive a restart.
* A session ends after ``SESSION_IDLE_SECONDS`` without a request, after
  ``SESSION_ABSOLUTE_SECONDS`` in all, and when the user's session key
  changes (sign-out, new password, new role): an old cookie then stops
  working even if someone kept a copy.
* Sign-in is throttled per account name and per client address
  (``marsad.store.logins``).
* Roles are ordered viewer < editor < admin. With no user configured at all
  the app is read-only and answers only requests from this computer that
  name it (loopback client and a localhost Host header: no DNS rebinding).
* Every state-changing request carries the session's CSRF token, in the form
  field ``csrf_token`` or the ``X-CSRF-Token`` header, and when the browser
  sends an ``Origin`` it must be this site.
"""

from __future__ import annotations

import ipaddress
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

from marsad.store import logins
from marsad.store.sqlite import Store
from marsad.errors import MarsadError
from marsad.store.users import (
    ROLES,
    User,
    check_password,
    count_users,
    end_sessions,
    get_user,
    session_key,
    set_password,
)

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SESSION_USER = "uid"
SESSION_KEY = "key"
SESSION_ISSUED = "iat"
SESSION_SEEN = "seen"
SESSION_CSRF = "csrf"
# The one-line notice shown on the next page (kept in the session).
FLASH = "flash"
# A session unused this long ends: a lunch break or a long read keeps it, a
# laptop left open overnight does not.
SESSION_IDLE_SECONDS = 2 * 3600
# A session ends this long after sign-in whatever happens: analysts sign in
# once a working day, and a stolen cookie is worth at most that much.
SESSION_ABSOLUTE_SECONDS = 12 * 3600
SESSION_ENDED = "your session has ended (signed out, expired or changed); sign in again"


class LoginRequired(HTTPException):
    """401: the page needs a signed-in user (pages redirect to the login form)."""

    def __init__(self, detail: str = "sign in to use this") -> None:
        super().__init__(status_code=401, detail=detail)


@dataclass(frozen=True, slots=True)
class Access:
    """The requester: a user, or anonymous read access on localhost (no users)."""

    user: User | None
    role: str | None  # effective role; None: nothing allowed yet
    users_configured: bool

    def can(self, role: str) -> bool:
        return self.role is not None and ROLES.index(self.role) >= ROLES.index(role)

    @property
    def name(self) -> str:
        return self.user.name if self.user else ""


def is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def addressed_locally(request: Request) -> bool:
    """The Host header names this computer (a DNS-rebinding page names its own site)."""
    host = request.headers.get("host", "")
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name.strip("[]").lower() == "localhost" or is_loopback(name.strip("[]"))


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use)."""
    token = request.session.get(SESSION_CSRF)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return token


def client_address(request: Request) -> str:
    """The client's address (the proxy's X-Forwarded-For only when trusted)."""
    return request.client.host if request.client else ""


def _live(session: dict, key: str | None, now: float) -> bool:
    """The session carries the user's current key and has not expired."""
    sent, issued, seen = session.get(SESSION_KEY), session.get(SESSION_ISSUED), session.get(SESSION_SEEN)
    return (isinstance(key, str) and bool(key) and isinstance(sent, str)
            and secrets.compare_digest(key.encode(), sent.encode())
            and isinstance(issued, (int, float)) and isinstance(seen, (int, float))
            and 0 <= now - issued < SESSION_ABSOLUTE_SECONDS
            and 0 <= now - seen < SESSION_IDLE_SECONDS)


def _session_user(request: Request, store: Store) -> User | None:
    """The signed-in user, or None; a session that has ended is cleared."""
    uid = request.session.get(SESSION_USER)
    if not isinstance(uid, int):
        return None
    now = time.time()
    user = get_user(store, uid) if _live(request.session, session_key(store, uid), now) else None
    if user is None:
        request.session.clear()
        request.session[FLASH] = {"kind": "error", "message": SESSION_ENDED}
        return None
    request.session[SESSION_SEEN] = int(now)
    return user


def access_of(request: Request) -> Access:
    """Look the requester up (runs in a worker thread: it opens the database)."""
    with request.app.state.open_store() as store:
        configured = count_users(store) > 0
        user = _session_user(request, store)
    if user is not None:
        return Access(user, user.role, configured)
    if not configured and is_loopback(request.client.host if request.client else None) \
            and addressed_locally(request):
        return Access(None, "viewer", configured)
    return Access(None, None, configured)


def require(role: str) -> Callable[[Request], Access]:
    """A dependency: the requester, who must hold ``role`` (401 / 403 otherwise)."""

    def dependency(request: Request) -> Access:
        access = access_of(request)
        request.state.access = access
        if access.role is None:
            if not access.users_configured:
                raise HTTPException(403, "no users are configured: the app is read-only on"
                                         " localhost only (add one with `marsad users add`)")
            raise LoginRequired()
        if not access.can(role):
            if access.user is None:
                raise LoginRequired(f"sign in as {role} to do this")
            raise HTTPException(403, f"this needs the {role} role; {access.name} is {access.role}")
        return access

    dependency.__name__ = f"require_{role}"
    return dependency


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = request.headers.get("host", "")
    return urlsplit(origin).netloc == host


async def check_csrf(request: Request) -> None:
    """A dependency for every state-changing route: valid token, same origin."""
    expected = request.session.get(SESSION_CSRF)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not (isinstance(expected, str) and expected and sent
            and secrets.compare_digest(expected.encode(), sent.encode())):
        raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")
    if not _same_origin(request):
        raise HTTPException(403, "request from another site refused")


def sign_in(request: Request, name: str, password: str) -> User | None:
    """Check the password (throttled) and start a fresh session for the user
    (new CSRF token: no session fixation); None when it is wrong. Raises
    ``logins.SignInLocked``. Runs in a worker thread: it opens the database."""
    with request.app.state.open_store() as store:
        user = logins.sign_in(store, name, password, client_address(request))
        key = session_key(store, user.id) if user is not None else None
    if user is None:
        return None
    now = int(time.time())
    request.session.clear()
    request.session.update({SESSION_USER: user.id, SESSION_KEY: key, SESSION_ISSUED: now,
                            SESSION_SEEN: now, SESSION_CSRF: secrets.token_urlsafe(32)})
    return user


class WrongPassword(MarsadError):
    """The current password given to change it is not the user's."""


def change_password(request: Request, current: str, new: str) -> None:
    """The signed-in user's new password, after their current one (checked
    and throttled like a sign-in). Their other sessions end; this one goes on
    with the new session key. Runs in a worker thread."""
    uid = request.session.get(SESSION_USER)
    with request.app.state.open_store() as store:
        user = get_user(store, uid) if isinstance(uid, int) else None
        if user is None:
            raise LoginRequired()
        check_password(user.name, new)  # before spending a password check
        if logins.sign_in(store, user.name, current, client_address(request)) is None:
            raise WrongPassword("the current password is wrong")
        set_password(store, user.name, new, by=user.name)
        request.session[SESSION_KEY] = session_key(store, user.id)


def sign_out(request: Request) -> None:
    """End this session and, through a new session key, every other session
    of the user (a copied cookie stops working too)."""
    uid = request.session.get(SESSION_USER)
    if isinstance(uid, int):
        with request.app.state.open_store() as store:
            if _live(request.session, session_key(store, uid), time.time()):
                end_sessions(store, uid)
    request.session.clear()
