"""End to end in real headless Chromium: sign in, filter, open an event,
correct a field, see the audit entry, find the correction in the CSV export;
screenshots of the map, timeline and event pages are kept as artefacts.

Needs Debian's ``chromium`` at /usr/bin/chromium (``.ci/run`` installs it with
apt-get when missing) and the ``playwright`` package; never ``playwright
install``. The app runs as ``marsad serve`` in a subprocess on a free port.
"""

from __future__ import annotations

import csv
import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browser_support import CHROMIUM, launched_browser

from web_support import (  # noqa: F401  (fixtures)
    HOSTILE_EVENT_ID,
    PASSWORD,
    web_db,
    web_template_db,
)

REPO = Path(__file__).resolve().parents[1]
MAP_SCRIPT = REPO / "marsad" / "web" / "static" / "js" / "map.js"
# How long the server may take to start, and a page or map to settle.
SERVER_START_SECONDS = 30
MAP_MARKERS_TIMEOUT_MS = 15_000

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="no /usr/bin/chromium (install Debian's chromium: .ci/run does it with apt-get)"),
    pytest.mark.slow,
]


def artifacts_dir() -> Path:
    folder = Path(os.environ.get("MARSAD_TEST_ARTIFACTS") or REPO / "test-artifacts" / "web")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(web_db, marsad_home):
    """``marsad serve`` on the test database (the real command, in a subprocess)."""
    port = free_port()
    env = {**os.environ, "MARSAD_HOME": str(marsad_home)}
    process = subprocess.Popen(
        [sys.executable, "-m", "marsad", "serve", "--db", str(web_db), "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"marsad serve did not start: {process.communicate()[0][-2000:]}")
            time.sleep(0.1)
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def browser():
    yield from launched_browser()


def api_add_editor(page, base: str) -> None:
    """Create the editor "erin" through the users API, signed in as the admin."""
    session = page.request.get(f"{base}/api/session").json()
    signed = page.request.post(f"{base}/api/session", data={"name": "ada", "password": PASSWORD},
                               headers={"X-CSRF-Token": session["csrf_token"]})
    assert signed.ok, signed.text()
    token = signed.json()["csrf_token"]
    created = page.request.post(f"{base}/api/users", headers={"X-CSRF-Token": token},
                                data={"name": "erin", "role": "editor", "password": PASSWORD})
    assert created.status == 201, created.text()
    page.request.post(f"{base}/api/logout", headers={"X-CSRF-Token": token})


def test_sign_in_filter_open_correct_audit_export(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    csp_errors: list[str] = []
    page.on("console", lambda m: csp_errors.append(m.text)
            if "Content Security Policy" in m.text else None)
    api_add_editor(page, server)

    page.goto(f"{server}/events")
    assert "/login" in page.url
    page.fill("input[name=name]", "erin")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_load_state()
    assert page.url == f"{server}/events", page.inner_text("body")
    assert "signed in as erin" in page.inner_text(".flash")
    total = int(page.inner_text("#count strong"))

    page.fill("#filters input[name=country]", "Syria")
    page.fill("#filters input[name=event_type]", "Battles")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**/events?*country=Syria*")
    filtered = int(page.inner_text("#count strong"))
    assert 0 < filtered < total
    rows = page.locator("table.events tbody tr")
    assert rows.count() == filtered
    assert all(t == "Battles" for t in rows.locator("td.col-event_type").all_inner_texts())
    page.click("table.events th a:text('Fatalities')")  # sort by a column header
    page.wait_for_url("**sort=fatalities*")
    assert rows.count() == filtered
    page.screenshot(path=str(artifacts_dir() / "events.png"), full_page=True)

    rows.first.locator("td.col-event_date a").click()
    page.wait_for_url("**/events/*")
    event_id = page.url.rsplit("/", 1)[1]
    assert page.locator("blockquote.passage mark").count() >= 1, "evidence highlighted"
    before = page.input_value("#f-fatalities")
    corrected = str(int(before) + 5)
    page.fill("#f-fatalities", corrected)
    page.click("#edit-form button[type=submit]")
    page.wait_for_url(f"**/events/{event_id}")
    assert page.inner_text(".flash") == "saved"
    assert page.input_value("#f-fatalities") == corrected
    audit = page.locator("#audit tbody tr").first.locator("td").all_inner_texts()
    assert audit[1:] == ["erin", "edit", "fatalities", before, corrected]
    page.click("#status-form button[value=verified]")
    page.wait_for_url(f"**/events/{event_id}")
    assert page.inner_text("#review-status") == "verified"
    page.screenshot(path=str(artifacts_dir() / "event.png"), full_page=True)

    export = page.request.get(f"{server}/api/events.csv?country=Syria")
    assert export.ok
    row = next(r for r in csv.DictReader(io.StringIO(export.text())) if r["event_id"] == event_id)
    assert row["fatalities"] == corrected

    page.goto(f"{server}/events/{HOSTILE_EVENT_ID}")
    assert "<script>" in page.inner_text("h1") or "javascript:" in page.inner_text("h1")
    page.screenshot(path=str(artifacts_dir() / "event-hostile.png"), full_page=True)
    page.goto(f"{server}/documents/doc-hostile")
    assert "<script>alert('xss')</script>" in page.inner_text(".doctext")
    assert dialogs == [], "a script from an article ran"
    assert csp_errors == [], csp_errors
    context.close()


def test_map_and_timeline_pages(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    session = page.request.get(f"{server}/api/session").json()
    signed = page.request.post(f"{server}/api/session", data={"name": "vera", "password": PASSWORD},
                               headers={"X-CSRF-Token": session["csrf_token"]})
    assert signed.ok
    page.goto(f"{server}/map?country=Syria")
    container = page.locator("#map[data-marsad-map]")
    assert container.count() == 1
    source = container.get_attribute("data-geojson")
    assert source == "/api/map.geojson?country=Syria"
    assert container.bounding_box()["height"] >= 300, "the map has a height"
    features = page.request.get(server + source).json()["features"]
    assert features and all(f["properties"]["country"] == "Syria" for f in features)
    if MAP_SCRIPT.exists():
        page.wait_for_selector("#map[data-marsad-state=ready]", state="attached", timeout=MAP_MARKERS_TIMEOUT_MS)
        # points are circle markers, dense ones clusters (marsad/web/static/js/map.js)
        drawn = page.locator("#map .marsad-point, #map .marsad-cluster").count()
        assert drawn >= 1 and page.locator("#map").get_attribute("data-marsad-points") == str(len(features))
    page.screenshot(path=str(artifacts_dir() / "map.png"), full_page=True)
    page.goto(f"{server}/timeline")
    assert page.locator("[data-marsad-timeline]").get_attribute("data-url").startswith(
        "/api/aggregate?by=month&group=event_type")
    page.screenshot(path=str(artifacts_dir() / "timeline.png"), full_page=True)
    context.close()


def csp_violations(page) -> list[str]:
    """Console messages about refused content, collected while the page lives."""
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text)
            if "Content Security Policy" in m.text or "Refused to" in m.text else None)
    page.on("pageerror", lambda err: found.append(f"page error: {err}"))
    return found


def test_map_renders_under_the_strict_csp(server, browser):
    """No 'unsafe-inline' for styles, and Leaflet still lays out and draws the
    map (it styles elements through the CSSOM, which CSP does not block)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    violations = csp_violations(page)
    session = page.request.get(f"{server}/api/session").json()
    assert page.request.post(f"{server}/api/session", data={"name": "vera", "password": PASSWORD},
                             headers={"X-CSRF-Token": session["csrf_token"]}).ok
    response = page.goto(f"{server}/map")
    csp = response.headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "style-src 'self';" in csp
    page.wait_for_selector("#map[data-marsad-state=ready]", state="attached",
                           timeout=MAP_MARKERS_TIMEOUT_MS)
    assert page.locator("#map .marsad-point, #map .marsad-cluster").count() >= 1
    # Leaflet positions its panes and the basemap with inline transforms: set, not refused.
    transform = page.eval_on_selector("#map .leaflet-map-pane", "el => el.style.transform")
    assert transform.startswith("translate3d("), transform
    assert page.locator("#map .leaflet-overlay-pane path").count() >= 1, "basemap drawn"
    # A style the page itself does not bring is refused: the policy is in force.
    page.evaluate("""() => { const s = document.createElement('style');
        s.textContent = 'body { background: red }'; document.head.appendChild(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
    refused = [v for v in violations if "style" in v]
    assert len(refused) == 1 and len(violations) == 1, violations
    page.goto(f"{server}/timeline")
    page.goto(f"{server}/events")
    assert len(violations) == 1, violations
    context.close()


def test_lockout_message_on_the_login_page(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/login")
    for attempt in range(5):
        page.fill("input[name=name]", "edith")
        page.fill("input[name=password]", f"not the password {attempt}")
        page.click("form.login button[type=submit]")
        page.wait_for_load_state()
        assert "/login" in page.url
    notice = page.locator(".flash.locked")
    assert notice.count() == 1, page.inner_text("body")
    assert "too many failed sign-ins" in notice.inner_text() and "15 minutes" in notice.inner_text()
    # the right password is refused too while the lock lasts
    page.fill("input[name=name]", "edith")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_load_state()
    assert "/login" in page.url and "try again in" in page.inner_text(".flash.locked")
    page.screenshot(path=str(artifacts_dir() / "login-locked.png"), full_page=True)
    context.close()
