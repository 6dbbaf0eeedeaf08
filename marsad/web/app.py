"""The app factory: ``create_app(db_path, tile_url=...)`` -> a FastAPI app.

Every response carries security headers (a CSP without inline scripts or
styles, nosniff, frame-ancestors 'none'; HSTS over HTTPS); errors have one JSON shape under /api,
``{"error": {"status": 404, "message": "..."}}``, and an error page
elsewhere. Request bodies are capped.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from marsad import paths
from marsad.errors import MarsadError, StoreError
from marsad.store import Store
from marsad.store.logins import SignInLocked
from marsad.store.review import ReviewError, UnknownEvent
from marsad.store.users import UserError, session_secret
from marsad.web.auth import SESSION_ABSOLUTE_SECONDS, LoginRequired

# Largest request body accepted: forms and JSON edits are a few KB; this
# leaves room for a long note and refuses anything meant to exhaust memory.
MAX_BODY_BYTES = 256 * 1024
SESSION_COOKIE = "marsad_session"
# Browsers that reached the app over HTTPS keep to HTTPS for a year (the
# usual value; short ones leave a gap each time they lapse).
HSTS_MAX_AGE_SECONDS = 365 * 24 * 3600
# A "secure" attribute in a Set-Cookie header (not inside the cookie's value).
_SECURE_ATTRIBUTE = re.compile(rb";\s*secure\s*(;|$)", re.IGNORECASE)


def content_security_policy(tile_url: str | None) -> str:
    """No inline script or style: Leaflet and our scripts style elements
    through the CSSOM (``element.style``), which CSP does not restrict."""
    images = "'self' data:"
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "a"))
        if parts.scheme in ("http", "https") and parts.netloc:
            host = parts.netloc.replace("a.", "*.", 1) if "{s}" in tile_url else parts.netloc
            images += f" {parts.scheme}://{host}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self';"
        f" img-src {images}; connect-src 'self'; font-src 'self'; object-src 'none';"
        " base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def _security_headers(csp: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",  # no-referrer would make browsers send "Origin: null" on our own forms
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
    }



# Errors of the optional merge module (marsad.store.merging) meaning "no such event".
_NOT_FOUND_ERRORS = ("UnknownEventError",)


def _error_status(err: Exception) -> int:
    if isinstance(err, SignInLocked):
        return 429
    if isinstance(err, UnknownEvent) or type(err).__name__ in _NOT_FOUND_ERRORS:
        return 404
    if isinstance(err, (ReviewError, UserError)):
        return 400
    if isinstance(err, StoreError):
        return 503
    return 400


def create_app(db_path: str | None = None, *, tile_url: str | None = None,
               secure_cookies: bool = False, trusted_proxies: str | None = None) -> FastAPI:
    """The marsad web app over the database at ``db_path`` (default: the usual one).

    ``secure_cookies``: mark the session cookie Secure on every response (the
    app is reached over HTTPS only); it is marked Secure anyway on requests
    that came over HTTPS. ``trusted_proxies``: comma-separated addresses of
    reverse proxies whose X-Forwarded-Proto and X-Forwarded-For are believed
    (the client's address and scheme then come from them); None: none is.
    """
    path = str(Path(db_path).expanduser()) if db_path else str(paths.default_db())
    with Store.open(path) as store:  # creates / migrates it once, up front
        secret = session_secret(store)

    app = FastAPI(title="marsad", summary="Conflict events coded from reports, with their evidence.",
                  version="0.1.0", docs_url=None, redoc_url=None)
    app.state.db_path = path
    app.state.tile_url = tile_url or ""
    app.state.open_store = lambda: _open(path)
    templates = Jinja2Templates(env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.files("marsad.web") / "templates")),
        autoescape=True,  # every value is escaped; article text is hostile
    ))
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=str(resources.files("marsad.web") / "static")),
              name="static")

    from marsad.web import api, apidocs, pages

    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(apidocs.router)
    _install_errors(app)
    _install_middleware(app, secret, content_security_policy(tile_url), secure_cookies)
    if trusted_proxies:
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        # Outermost: every layer below sees the client's own scheme and address.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=trusted_proxies)
    return app


def _open(path: str) -> AbstractContextManager[Store]:
    return Store.open(path)


class SecureCookiesOverHttps:
    """ASGI middleware: on a request that came over HTTPS, every cookie set
    in the response is marked Secure (so it never travels over plain HTTP)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or scope.get("scheme") != "https":
            await self.app(scope, receive, send)
            return

        async def send_secure(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [
                    (name, value + b"; secure") if name.lower() == b"set-cookie"
                    and not _SECURE_ATTRIBUTE.search(value) else (name, value)
                    for name, value in message.get("headers", [])]}
            await send(message)

        await self.app(scope, receive, send_secure)


def _install_middleware(app: FastAPI, secret: str, csp: str, secure_cookies: bool) -> None:
    headers = _security_headers(csp)

    @app.middleware("http")
    async def limits_and_headers(request: Request,
                                 call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            response: Response = _error(request, 413, f"request body over {MAX_BODY_BYTES} bytes")
        elif length is None and request.headers.get("transfer-encoding"):
            response = _error(request, 411, "send a Content-Length with the request body")
        else:
            response = await call_next(request)
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        if request.url.scheme == "https":  # HSTS is only heeded over HTTPS (RFC 6797)
            response.headers.setdefault("Strict-Transport-Security",
                                        f"max-age={HSTS_MAX_AGE_SECONDS}")
        return response

    # Added last = outermost: the session is there for every handler above.
    # The cookie lives no longer than a session may (marsad.web.auth ends it
    # earlier when idle or signed out).
    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie=SESSION_COOKIE,
                       max_age=SESSION_ABSOLUTE_SECONDS, same_site="lax", https_only=secure_cookies)
    app.add_middleware(SecureCookiesOverHttps)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", "")


def _error(request: Request, status: int, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": {"status": status, "message": message}}, status_code=status)
    templates = request.app.state.templates
    return templates.TemplateResponse(request, "error.html", {
        "status": status, "message": message, "access": getattr(request.state, "access", None),
        "csrf_token": "", "flash": None}, status_code=status)


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, err: LoginRequired) -> Response:
        if _wants_json(request) or request.method != "GET":
            return _error(request, 401, str(err.detail))
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException) -> Response:
        message = err.detail if isinstance(err.detail, str) else "request failed"
        response = _error(request, err.status_code, message)
        for name, value in (err.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, err: RequestValidationError) -> Response:
        problems = []
        for item in err.errors()[:5]:
            where = ".".join(str(p) for p in item.get("loc", ()) if p not in ("query", "body"))
            problems.append(f"{where}: {item.get('msg', 'invalid')}" if where else item.get("msg", ""))
        return _error(request, 422, "; ".join(problems) or "invalid request")

    @app.exception_handler(MarsadError)
    async def marsad_error(request: Request, err: MarsadError) -> Response:
        response = _error(request, _error_status(err), str(err))
        if isinstance(err, SignInLocked):
            response.headers["Retry-After"] = str(err.retry_after)
        return response
