"""Reports and stores for the web app tests (API, security sweep, browser).

The reports are written for these tests; one of them is hostile: markup, a
``javascript:`` link and a script in its text, title and URL. The store is
filled by running the real pipeline on them, plus one event whose every
text field is an XSS payload (as an importer or a reviewer could store).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from marsad.records import Document, Event, Evidence
from marsad.store import Store
from marsad.store.users import add_user

SCRIPT = "<script>alert('xss')</script>"
JS_URL = "javascript:alert(document.cookie)"
IMG = '<img src=x onerror="alert(1)">'

REPORTS: tuple[Document, ...] = (
    Document(
        id="doc-homs", published=date(2022, 5, 5), source="Local outlet",
        title="Arrests in Homs", url="https://example.org/homs",
        raw="On 3 May 2022, police arrested six protesters in Homs after a demonstration "
            "against rising prices. Residents said the arrests lasted two hours.",
    ),
    Document(
        id="doc-hostile", published=date(2022, 6, 9), source=f"Outlet {IMG}",
        title=f"Shelling {SCRIPT} report", url=JS_URL,
        raw=f"On 7 June 2022, regime forces shelled the town of Atmeh in Idlib, killing three "
            f"civilians. {SCRIPT} A witness posted <a href=\"{JS_URL}\">photos</a> and "
            f"{IMG} of the damage.",
    ),
    Document(
        id="doc-baghdad", published=date(2021, 1, 22), source="Wire",
        title="Baghdad bombing", url="https://example.org/baghdad",
        raw="On 21 January 2021, two suicide bombers blew themselves up in a market in "
            "Baghdad, killing 32 people and wounding 110.",
    ),
    Document(
        id="doc-daraa", published=date(2022, 2, 15), source="Local outlet",
        title="Clashes near Daraa", url="https://example.org/daraa",
        raw="On 14 February 2022, clashes broke out between regime forces and local gunmen "
            "in the city of Daraa. Two fighters were killed.",
    ),
)

HOSTILE_EVENT_ID = "feedfacefeedface0001"


def hostile_event() -> Event:
    """An event whose text fields are all attack payloads."""
    text = REPORTS[1].raw
    words = text[text.index("shelled"):text.index("shelled") + len("shelled")]
    return Event(
        event_id=HOSTILE_EVENT_ID, event_date="2022-06-08", time_precision=1,
        disorder_type="Political violence", event_type="Explosions/Remote violence",
        sub_event_type="Shelling/artillery/missile attack", actor1=f"Actor {SCRIPT}",
        actor2=f"Victims {IMG}", country="Syria", admin1=f"Idlib{SCRIPT}", admin2="Harim", location=JS_URL,
        latitude=36.33, longitude=36.65, geo_precision=1, source=f"src {IMG}",
        notes=f"Notes {SCRIPT} and <a href=\"{JS_URL}\">link</a>", fatalities=3,
        confidence=0.5, document_ids=("doc-hostile",),
        evidence=(Evidence("sub_event_type", text.index(words), text.index(words) + len(words),
                           words, "doc-hostile", 0.9),),
    )


def build_store(path: Path, pipeline) -> Store:
    """A store filled by the real pipeline from REPORTS, plus ``hostile_event``."""
    from marsad.records import DocumentResult

    results = [pipeline.process(doc) for doc in REPORTS]
    store = Store.open(path)
    store.save_results(results)
    hostile = next(r for r in results if r.document.id == "doc-hostile")
    store.save_results([DocumentResult(
        document=Document(id="doc-hostile-import", raw="imported"),
        clean=hostile.clean and type(hostile.clean)(doc_id="doc-hostile-import", text="imported"),
        events=(hostile_event(),),
    )])
    return store


PASSWORD = "correct horse battery"


def add_users(store: Store) -> None:
    for name, role in (("vera", "viewer"), ("edith", "editor"), ("ada", "admin")):
        add_user(store, name, role, PASSWORD)


# ----------------------------------------------------------------------
# fixtures shared by the web test modules (import them by name)
# ----------------------------------------------------------------------

import shutil
import warnings

import pytest


@pytest.fixture(scope="module")
def web_template_db(tmp_path_factory, bundled_pipeline) -> Path:
    """A database built once per module: pipeline events, hostile event, three users."""
    path = tmp_path_factory.mktemp("web") / "template.db"
    store = build_store(path, bundled_pipeline)
    add_users(store)
    store.close()
    return path


@pytest.fixture
def web_db(web_template_db, tmp_path) -> Path:
    """A private copy of the template database for one test (tests change it)."""
    path = tmp_path / "marsad.db"
    shutil.copy(web_template_db, path)
    return path


def make_client(db: Path, host: str = "192.0.2.10", base_url: str = "http://testserver"):
    """A test client for a fresh app over ``db``, seen as coming from ``host``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's notice about httpx vs httpx2
        from fastapi.testclient import TestClient
    from marsad.web.app import create_app

    return TestClient(create_app(str(db)), base_url=base_url, client=(host, 50000),
                      follow_redirects=False)


def login(client, name: str, password: str = PASSWORD) -> str:
    """Sign in through the API; returns the session's CSRF token."""
    token = client.get("/api/session").json()["csrf_token"]
    response = client.post("/api/session", json={"name": name, "password": password},
                           headers={"X-CSRF-Token": token})
    assert response.status_code == 200, response.text
    return response.json()["csrf_token"]


class LiveServer:
    """The app served by uvicorn in a thread on a free localhost port."""

    def __init__(self, app) -> None:
        import socket
        import threading

        import uvicorn

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                     log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        import time

        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def raw_get(self, path: str) -> tuple[int, bytes]:
        """GET with the path sent exactly as given (no dot-segment clean-up)."""
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.putrequest("GET", path, skip_accept_encoding=True)
            conn.endheaders()
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()
