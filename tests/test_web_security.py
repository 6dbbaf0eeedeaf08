"""Security of the web app (issue 8, web part): stored XSS, CSRF on every
state-changing route, authentication and roles on every route (a sweep over
the app's route table), SQL injection through every filter, path traversal
through the one file-serving route, and security headers."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount

from marsad.store import Store
from marsad.store.users import ROLES
from marsad.web.params import FILTER_NAMES
from web_support import (  # noqa: F401  (fixtures)
    HOSTILE_EVENT_ID,
    IMG,
    JS_URL,
    SCRIPT,
    LiveServer,
    login,
    make_client,
    web_db,
    web_template_db,
)

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# Routes anyone may call: sign-in/out and the session probe, the redirect
# from "/" and the API reference (/docs; /openapi.json is not an APIRoute). Everything else must declare a role.
PUBLIC = {("/login", "GET"), ("/login", "POST"), ("/logout", "POST"), ("/api/session", "GET"),
          ("/api/session", "POST"), ("/api/logout", "POST"), ("/", "GET"), ("/docs", "GET")}
USER_OF_ROLE = {"viewer": "vera", "editor": "edith", "admin": "ada"}


def all_routes(routes) -> list:
    """The app's routes, included routers opened up (FastAPI wraps them)."""
    flat = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        flat.extend(all_routes(inner.routes) if inner is not None else [route])
    return flat


def api_routes(app) -> list[tuple[APIRoute, str]]:
    return sorted(((r, m) for r in all_routes(app.routes) if isinstance(r, APIRoute) for m in r.methods),
                  key=lambda rm: (rm[0].path, rm[1]))


def dependency_names(route: APIRoute) -> set[str]:
    names: set[str] = set()
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        names.add(getattr(dep.call, "__name__", ""))
        stack.extend(dep.dependencies)
    return names


def required_role(route: APIRoute) -> str | None:
    roles = [n.removeprefix("require_") for n in dependency_names(route) if n.startswith("require_")]
    assert len(roles) <= 1, (route.path, roles)
    return roles[0] if roles else None


def concrete(path: str, event_id: str) -> str:
    """A route path with its parameters filled: real ids, a user that does not exist."""
    return (path.replace("{event_id}", event_id).replace("{doc_id}", "doc-homs")
            .replace("{name}", "nobody-here"))


def call(client, method: str, path: str, token: str | None = None, html: bool = False):
    headers = {"accept": "text/html"} if html else {}
    if token:
        headers["X-CSRF-Token"] = token
    if method == "GET":
        return client.get(path, headers=headers)
    return client.request(method, path, headers=headers, data={})


@pytest.fixture
def app_and_event(web_db):
    client = make_client(web_db)
    with Store.open(web_db) as store:
        event_id = store.events(limit=1)[0].event_id
    return client, event_id


def test_every_route_is_public_by_decision_or_declares_a_role(app_and_event):
    client, _ = app_and_event
    routes = api_routes(client.app)
    assert len(routes) > 20
    public = {(r.path, m) for r, m in routes if required_role(r) is None}
    assert public == PUBLIC
    mounts = [r for r in all_routes(client.app.routes) if isinstance(r, Mount)]
    assert [m.path for m in mounts] == ["/static"], "no file-serving route but /static"


def test_anonymous_callers_are_refused_everywhere(app_and_event):
    client, event_id = app_and_event
    token = client.get("/api/session").json()["csrf_token"]
    for route, method in api_routes(client.app):
        if (route.path, method) in PUBLIC:
            continue
        path = concrete(route.path, event_id)
        for html in (False, True):
            response = call(client, method, path, token, html=html)
            if html and method == "GET" and not path.startswith("/api/"):
                assert response.status_code == 303, (path, response.status_code)
                assert response.headers["location"].startswith("/login?next=")
            else:
                assert response.status_code in (401, 403), (method, path, response.status_code)


def test_each_role_reaches_exactly_its_routes(app_and_event):
    client, event_id = app_and_event
    checked = 0
    for role in ROLES:
        token = login(client, USER_OF_ROLE[role])
        for route, method in api_routes(client.app):
            needed = required_role(route)
            if needed is None:
                continue
            path = concrete(route.path, event_id)
            response = call(client, method, path, token, html=not path.startswith("/api"))
            allowed = ROLES.index(role) >= ROLES.index(needed)
            if allowed:
                assert response.status_code not in (401, 403), (role, method, path, response.text[:200])
            else:
                assert response.status_code == 403, (role, method, path, response.status_code)
            checked += 1
    assert checked > 3 * 20


def test_every_state_changing_route_needs_the_csrf_token(app_and_event):
    client, event_id = app_and_event
    good = login(client, "ada")
    changing = [(r, m) for r, m in api_routes(client.app) if m in STATE_CHANGING]
    assert len(changing) >= 10
    for route, method in changing:
        assert "check_csrf" in dependency_names(route), route.path
        path = concrete(route.path, event_id)
        for token, extra in ((None, {}), ("forged-token", {}), (good, {"origin": "https://evil.example"})):
            headers = {"X-CSRF-Token": token, **extra} if token else extra
            response = client.request(method, path, headers=headers, data={"csrf_token": "forged"})
            assert response.status_code == 403, (method, path, token, response.status_code)
            assert "CSRF" in response.text or "another site" in response.text
    # the same token in a form field is accepted
    response = client.post(f"/events/{event_id}/status", data={"csrf_token": good, "status": "verified"})
    assert response.status_code == 303
    assert client.get(f"/api/events/{event_id}").json()["review"]["status"] == "verified"


class PageAudit(HTMLParser):
    """Collects what would make a page run script: inline scripts, handlers, URLs."""

    URL_ATTRS = {"href", "src", "action", "formaction", "data", "xlink:href", "poster"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in self.URL_ATTRS and value and re.match(r"\s*(javascript|data|vbscript):", value, re.I):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.problems.append(f"<{tag} style=...>")
        if tag in ("iframe", "object", "embed", "svg", "img", "base", "meta") and tag != "meta":
            self.problems.append(f"<{tag}>")
        if tag == "script":
            src = values.get("src") or ""
            self.scripts.append(src)
            if not src.startswith("/static/"):
                self.problems.append(f"<script src={src!r}>")
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append(f"inline script {data[:40]!r}")


def audit_page(html: str) -> list[str]:
    parser = PageAudit()
    parser.feed(html)
    problems = list(parser.problems)
    for payload in (SCRIPT, IMG, "<svg onload"):
        if payload in html:
            problems.append(f"raw payload {payload!r}")
    return problems


def test_hostile_text_titles_actors_and_urls_render_inert(web_db):
    client = make_client(web_db)
    token = login(client, "edith")
    hostile_doc_events = client.get("/api/documents/doc-hostile").json()["events"]
    assert hostile_doc_events, "the pipeline found the shelling in the hostile report"
    # a reviewer can also type markup into any field
    edited = client.post(f"/api/events/{hostile_doc_events[0]}/edit", headers={"X-CSRF-Token": token},
                         json={"changes": {"actor1": "<svg onload=alert(1)>", "notes": SCRIPT}})
    assert edited.status_code == 200
    pages = ["/events", "/events?sort=actor1", f"/events?actor={SCRIPT}", "/map?text=%3Cscript%3E",
             "/timeline?country=%22%3E%3Cscript%3E", f"/events/{HOSTILE_EVENT_ID}",
             f"/events/{hostile_doc_events[0]}", "/documents/doc-hostile", f"/events/{SCRIPT}",
             f"/documents/{IMG}", "/login?next=javascript:alert(1)"]
    for path in pages:
        response = client.get(path, headers={"accept": "text/html"})
        assert response.status_code in (200, 404), (path, response.status_code)
        assert response.headers["content-type"].startswith("text/html")
        assert audit_page(response.text) == [], path
    page = client.get(f"/events/{HOSTILE_EVENT_ID}").text
    assert "&lt;script&gt;" in page, "the payload is shown as text"
    assert f'href="{JS_URL}"' not in page and JS_URL in page  # the javascript: URL is only text
    document = client.get("/documents/doc-hostile").text
    assert "<mark" in document and "&lt;a href=" in document
    ada = make_client(web_db)
    login(ada, "ada")
    assert audit_page(ada.get("/users").text) == []


def test_json_answers_are_never_sniffed_as_html(web_db):
    client = make_client(web_db)
    login(client, "vera")
    for path in (f"/api/events/{HOSTILE_EVENT_ID}", "/api/documents/doc-hostile", "/api/events.csv",
                 "/api/events.geojson", "/api/events.jsonl", f"/api/events/{SCRIPT}"):
        response = client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert not response.headers["content-type"].startswith("text/html"), path


INJECTIONS = ("' OR '1'='1", "x'; DROP TABLE events; --", '" OR 1=1 --', "%", "_", "*",
              "1) UNION SELECT password_hash FROM users --", "NEAR(a b)", "\\", "\x00")


def test_sql_injection_through_every_filter_finds_nothing_and_breaks_nothing(web_db):
    client = make_client(web_db)
    login(client, "vera")
    with Store.open(web_db) as store:
        before = store.count_events()
    params = [*FILTER_NAMES, "sort", "page", "per_page", "by", "group", "include_rejected"]
    for name in params:
        for payload in INJECTIONS:
            for path in ("/api/events", "/api/aggregate", "/api/events.csv", "/events"):
                response = client.get(path, params={name: payload})
                assert response.status_code in (200, 422), (name, payload, path, response.status_code)
                if path == "/api/events" and response.status_code == 200 and name in FILTER_NAMES:
                    assert response.json()["total"] == 0, (name, payload)
                assert "$argon2" not in response.text, (name, payload)
    with Store.open(web_db) as store:
        assert store.count_events() == before
        assert store._conn.execute("SELECT count(*) FROM users").fetchone()[0] == 3


def test_path_traversal_through_static_files(web_db):
    client = make_client(web_db)
    secret = (Path(__file__).resolve().parents[1] / "marsad" / "web" / "app.py").read_text()
    with LiveServer(client.app) as server:
        assert server.raw_get("/static/css/app.css")[0] == 200
        for path in ("/static/../app.py", "/static/../../web/app.py", "/static/%2e%2e/app.py",
                     "/static/..%2fapp.py", "/static/%2e%2e%2f%2e%2e%2fpyproject.toml",
                     "/static/css/../../app.py", "/static//etc/passwd", "/static/..\\app.py",
                     f"/static/{web_db}", "/documents/..%2f..%2fetc%2fpasswd"):
            status, body = server.raw_get(path)
            assert status in (303, 400, 401, 404), (path, status)
            assert b"def create_app" not in body and b"root:" not in body, path
    assert "def create_app" in secret


def test_security_headers_on_every_page_and_error(app_and_event):
    client, event_id = app_and_event
    login(client, "ada")
    paths = [concrete(r.path, event_id) for r, m in api_routes(client.app) if m == "GET"]
    for path in [*paths, "/static/css/app.css", "/nope", "/api/nope"]:
        response = client.get(path, headers={"accept": "text/html"})
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff", path
        csp = headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
        assert directives["script-src"] == "'self'", path
        assert "unsafe-inline" not in directives["script-src"]
        assert directives["frame-ancestors"] == "'none'"
        assert directives["object-src"] == "'none'"
        assert headers["x-frame-options"] == "DENY"


def test_request_limits_and_redirects(web_db):
    client = make_client(web_db)
    token = login(client, "edith")
    response = client.post("/api/events/x/edit", headers={"X-CSRF-Token": token},
                           content=b"{" + b" " * 300_000 + b"}")
    assert response.status_code == 413 and response.json()["error"]["status"] == 413
    fresh = make_client(web_db)
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', fresh.get("/login").text).group(1)
    for target in ("//evil.example/x", "https://evil.example", "/\\evil.example", "javascript:alert(1)"):
        response = fresh.post("/login", data={"csrf_token": form_token, "name": "edith",
                                              "password": "correct horse battery", "next": target})
        assert response.status_code == 303 and response.headers["location"] == "/events", target
        form_token = re.search(r'name="csrf_token" value="([^"]+)"',
                               fresh.get("/login").text).group(1)
