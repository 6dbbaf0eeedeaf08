"""The web app's offline map and timeline assets (marsad/web/static).

Static checks (files, licences, versions against the npm lock file, JS syntax, the
basemap) and a real headless-Chromium run of the test pages in tests/data/web served
from localhost with a strict Content-Security-Policy: the map draws the basemap and
clustered points, a popup shows hostile article text literally, the timeline draws
stacked bars. Screenshots go to tests/artifacts/ (or $MARSAD_TEST_ARTIFACTS).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import random
import re
import shutil
import subprocess
import threading
import tomllib
from pathlib import Path

import pytest
from browser_support import launched_browser

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "marsad" / "web" / "static"
PAGES = Path(__file__).resolve().parent / "data" / "web"
WEB_SRC = ROOT / "web-src"
# What the test server sends with every answer: no inline script, no eval, nothing from
# another origin (stricter than the app needs, so a violation anywhere shows up).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
       " connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
OUR_JS = ("palette.js", "map.js", "timeline.js")
ACLED_TYPES = (
    "Battles", "Explosions/Remote violence", "Violence against civilians", "Protests",
    "Riots", "Strategic developments",
)
HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_KEY = "<svg onload=alert(2)>"
BROWSER_TIMEOUT_MS = 20_000


# ---------------------------------------------------------------------------
# the files
# ---------------------------------------------------------------------------

def _lock_version(package: str) -> str:
    lock = json.loads((WEB_SRC / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"][f"node_modules/{package}"]["version"]


@pytest.mark.parametrize("folder, package, files", [
    ("leaflet", "leaflet", ("leaflet.js", "leaflet.css", "LICENSE", "images/marker-icon.png",
                            "images/layers.png")),
    ("leaflet.markercluster", "leaflet.markercluster",
     ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css", "LICENSE")),
])
def test_vendored_library_matches_the_lock_file(folder, package, files):
    vendor = STATIC / "vendor" / folder
    for name in files:
        assert (vendor / name).is_file() and (vendor / name).stat().st_size > 0, name
    licence = (vendor / "LICENSE").read_text(encoding="utf-8")
    assert "Copyright" in licence
    assert "Redistribution and use" in licence or "Permission is hereby granted" in licence
    built = (vendor / "VERSION").read_text(encoding="utf-8").split()
    assert built == [package, _lock_version(package)]
    manifest = json.loads((WEB_SRC / "package.json").read_text(encoding="utf-8"))
    assert manifest["devDependencies"][package] == built[1], "package.json pins another version"


def test_build_is_reproducible_from_pinned_packages():
    manifest = json.loads((WEB_SRC / "package.json").read_text(encoding="utf-8"))
    for package, version in manifest["devDependencies"].items():
        assert version[0].isdigit(), f"{package} is not pinned to one version: {version}"
        assert _lock_version(package) == version
    assert "build" in manifest["scripts"]
    assert (WEB_SRC / manifest["scripts"]["build"].split()[-1]).is_file()


def _glob_regex(pattern: str) -> re.Pattern:
    """setuptools' package-data glob: ``*`` within a folder, ``**/`` any folders (or none)."""
    text = re.escape(pattern).replace(r"\*\*/", "\0").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
    return re.compile(text.replace("\0", "(?:[^/]+/)*") + r"\Z")


def _packaged(path: Path, package_data: dict[str, list[str]]) -> bool:
    """Whether some package above ``path`` (folders named like identifiers: namespace
    packages count) names it in its package-data ("*" applies to every package)."""
    parts = path.relative_to(ROOT).parts
    for depth in range(1, len(parts)):
        if not parts[depth - 1].isidentifier():
            break
        package, rest = ".".join(parts[:depth]), "/".join(parts[depth:])
        patterns = package_data.get("*", []) + package_data.get(package, [])
        if any(_glob_regex(p).match(rest) for p in patterns):
            return True
    return False


def test_static_files_are_package_data():
    """Every file of the static folder matches a package-data pattern (or a wheel lacks it)."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = pyproject["tool"]["setuptools"]["package-data"]
    shipped = [p for p in STATIC.rglob("*") if p.is_file()]
    assert len(shipped) >= 15
    missing = [str(p.relative_to(STATIC)) for p in shipped if not _packaged(p, package_data)]
    assert not missing, f"not in [tool.setuptools.package-data]: {missing}"
    # the emulation itself: a file in a folder no pattern names is reported
    assert not _packaged(ROOT / "marsad" / "web" / "elsewhere" / "x.js", {"*": ["*.yaml"]})
    assert _packaged(ROOT / "marsad" / "knowledge" / "data" / "actors.yaml", package_data)


def test_countries_basemap():
    path = STATIC / "data" / "countries.geojson"
    assert path.stat().st_size < 1_500_000, "the basemap should stay small enough to send"
    collection = json.loads(path.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert len(features) >= 200
    names = {f["properties"]["name"] for f in features}
    assert {"Syria", "Iraq", "Lebanon", "Yemen", "Ukraine", "Brazil"} <= names
    for feature in features:
        geometry = feature["geometry"]
        assert geometry["type"] in {"Polygon", "MultiPolygon"}
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for ring in (r for polygon in polygons for r in polygon):
            assert len(ring) >= 4 and ring[0] == ring[-1]
            assert all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in ring)
            # a step across the antimeridian would be drawn as a line across the world
            # (one along the South Pole, closing Antarctica, is off the Mercator map)
            assert all(abs(a[0] - b[0]) <= 180 or a[1] == b[1] == -90 for a, b in zip(ring, ring[1:]))
    syria = next(f for f in features if f["properties"]["name"] == "Syria")
    xs = [x for ring in syria["geometry"]["coordinates"] for x, _ in ring]
    assert 35 < min(xs) < 36.5 and 42 < max(xs) < 42.5  # Mediterranean coast to the Iraqi border
    readme = (STATIC / "data" / "README.md").read_text(encoding="utf-8")
    assert "Natural Earth" in readme and "public domain" in readme.lower()
    assert _lock_version("world-atlas") in readme


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("name", OUR_JS)
def test_javascript_parses(name):
    done = subprocess.run(["node", "--check", str(STATIC / "js" / name)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("name", OUR_JS)
def test_javascript_never_parses_data_as_html(name):
    source = (STATIC / "js" / name).read_text(encoding="utf-8")
    for sink in ("innerHTML =", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                 "new Function", "setTimeout(\"", "bindTooltip(props"):
        assert sink not in source, f"{name} uses {sink}"
    assert "http://" not in source.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in source


# ---------------------------------------------------------------------------
# the browser
# ---------------------------------------------------------------------------

PLACES = (  # (lat, lon) of towns the sample events are spread around
    (36.20, 37.16), (35.93, 36.63), (34.73, 36.72), (33.51, 36.29),
    (35.33, 40.14), (35.95, 39.01), (36.34, 43.13), (33.31, 44.36),
)


def _event(i: int, lat: float, lon: float, **props) -> dict:
    properties = {
        "event_id": f"ev{i:05d}", "event_date": f"2022-{i % 12 + 1:02d}-{i % 27 + 1:02d}",
        "event_type": ACLED_TYPES[i % len(ACLED_TYPES)], "sub_event_type": "Armed clash",
        "actor1": "Military Forces of Syria (2000-)", "actor2": "HTS: Hayat Tahrir al Sham",
        "location": f"Town {i}", "admin1": "Idleb", "country": "Syria",
        "fatalities": i % 5, "url": f"/events/ev{i:05d}",
    }
    properties.update(props)
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": properties}


def _sample_events() -> dict:
    rng = random.Random(20221)
    features = []
    for i in range(300):
        lat, lon = PLACES[i % len(PLACES)]
        kind = "Something new" if i % 50 == 7 else rng.choice(ACLED_TYPES)
        day = f"2022-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        features.append(_event(i, lat + rng.uniform(-0.3, 0.3), lon + rng.uniform(-0.3, 0.3),
                               event_type=kind, event_date=day))
    # Alone, far from the others, so each is its own marker: hostile text and a script URL
    # in Sanaa, an ordinary link in Cairo.
    features.append(_event(900, 15.37, 44.19, event_id="hostile", location=HOSTILE, actor1=HOSTILE,
                           sub_event_type=HOSTILE, notes=f"On 3 May, {HOSTILE} " + "x" * 400,
                           url="javascript:alert(1)"))
    features.append(_event(901, 30.04, 31.24, event_id="linked", location="Cairo",
                           url="/events/linked"))
    # Not drawable: no geometry, and a point off the globe.
    features.append({"type": "Feature", "geometry": None, "properties": {"event_id": "nowhere"}})
    features.append(_event(902, 123.0, 44.0, event_id="offglobe"))
    return {"type": "FeatureCollection", "features": features}


def _aggregate(events: dict, group: str) -> dict:
    counts: dict[tuple[str, str], int] = {}
    for feature in events["features"]:
        props = feature["properties"]
        if "event_date" not in props:
            continue
        key = (props["event_date"][:7], props[group])
        counts[key] = counts.get(key, 0) + 1
    counts.pop(("2022-06", ACLED_TYPES[0]), None)  # uneven stacks
    return {"by": "month", "group": group, "buckets": [
        {"period": p, "key": k, "count": n} for (p, k), n in sorted(counts.items())]}


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the test pages, /static/ from the package and /data/ from the test's folder."""

    def __init__(self, *args, data_dir: Path, **kwargs):
        self._data_dir = data_dir
        super().__init__(*args, directory=str(PAGES), **kwargs)

    def translate_path(self, path):
        clean = path.split("?", 1)[0].split("#", 1)[0]
        for prefix, base in (("/static/", STATIC), ("/data/", self._data_dir)):
            if clean.startswith(prefix):
                relative = http.server.SimpleHTTPRequestHandler.translate_path(self, "/" + clean[len(prefix):])
                return str(base / Path(relative).relative_to(PAGES))
        return super().translate_path(path)

    def end_headers(self):
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data = tmp_path_factory.mktemp("web-data")
    events = _sample_events()
    (data / "events.geojson").write_text(json.dumps(events), encoding="utf-8")
    (data / "aggregate.json").write_text(json.dumps(_aggregate(events, "event_type")), encoding="utf-8")
    (data / "empty.geojson").write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    (data / "empty-aggregate.json").write_text('{"by": "month", "group": "event_type", "buckets": []}',
                                               encoding="utf-8")
    for_country = _aggregate(events, "country")
    for_country["buckets"].append({"period": "2022-03", "key": HOSTILE_KEY, "count": 4})
    (data / "aggregate-country.json").write_text(json.dumps(for_country), encoding="utf-8")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Handler, data_dir=data))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"base": f"http://127.0.0.1:{server.server_address[1]}/", "events": events,
               "aggregate": json.loads((data / "aggregate.json").read_text(encoding="utf-8"))}
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    yield from launched_browser()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    folder = Path(os.environ.get("MARSAD_TEST_ARTIFACTS") or ROOT / "tests" / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# Run in the page before any of its scripts (through the DevTools protocol, so the CSP
# does not apply to it): record CSP violations.
_RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


class _Watched:
    """A page with everything that should never happen recorded."""

    def __init__(self, browser, base: str, width: int = 1000, height: int = 1300):
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.page.set_default_timeout(BROWSER_TIMEOUT_MS)
        self.base = base
        self.console_errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.page.add_init_script(_RECORD_VIOLATIONS)
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.console_errors.append(f"uncaught: {e}"))
        self.page.on("dialog", self._on_dialog)
        self.page.on("request", lambda r: self.requests.append(r.url))

    def _on_dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, name: str) -> None:
        self.page.goto(self.base + name)

    def violations(self) -> list[str]:
        return self.page.evaluate("window.__cspViolations")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser, site):
    page = _Watched(browser, site["base"])
    yield page
    page.close()


def _wait_ready(page, selector: str) -> str:
    page.wait_for_selector(f"{selector}[data-marsad-state]", state="attached")
    return page.get_attribute(selector, "data-marsad-state")


def _click_event(page, event_id: str) -> None:
    """Click the marker of one event where it is drawn on the screen (a real mouse click)."""
    point = page.evaluate("""(id) => {
        const box = document.getElementById('map');
        const map = box.marsadMap, cluster = box.marsadCluster;
        const layer = cluster.getLayers().find((l) => l.marsadEventId === id);
        if (!map.hasLayer(layer)) return null;  // hidden in a cluster
        const p = map.latLngToContainerPoint(layer.getLatLng());
        const r = box.getBoundingClientRect();
        return {x: r.left + p.x, y: r.top + p.y};
    }""", event_id)
    assert point is not None, f"marker {event_id} is inside a cluster"
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector(".leaflet-popup-content .marsad-popup")


def _wait_opaque(page, selector: str) -> None:
    """Wait for a fade-in to end (page.wait_for_function would need eval, which the CSP forbids)."""
    for _ in range(100):
        if page.locator(selector).evaluate("(e) => getComputedStyle(e).opacity") == "1":
            return
        page.wait_for_timeout(20)
    raise AssertionError(f"{selector} never became opaque")


def _close_popup(page) -> None:
    page.locator(".leaflet-popup-close-button").click()
    page.wait_for_selector(".leaflet-popup", state="detached")  # after its fade-out


def test_map_and_timeline_in_chromium(watched, site, artifacts):
    page = watched.page
    watched.open("map.html")
    assert _wait_ready(page, "#map") == "ready"
    drawable = sum(1 for f in site["events"]["features"]
                   if f["geometry"] and abs(f["geometry"]["coordinates"][1]) <= 90)
    assert page.get_attribute("#map", "data-marsad-points") == str(drawable)
    assert page.locator("#map .marsad-message").count() == 0  # "Loading the map…" is gone

    # the basemap: one SVG path per country polygon, drawn without any tile server
    basemap_paths = page.locator("#map .leaflet-overlay-pane path:not(.marsad-point)").count()
    assert basemap_paths >= 200
    assert page.locator("#map .leaflet-tile").count() == 0
    # dense points are clustered; the lone ones are markers coloured by event type
    page.wait_for_selector("#map .marsad-cluster")
    assert page.locator("#map .marsad-cluster").count() >= 2
    assert page.locator("#map path.marsad-point").count() >= 2
    cluster_total = sum(int(t) for t in page.locator("#map .marsad-cluster-count").all_inner_texts())
    assert cluster_total + page.locator("#map path.marsad-point").count() == drawable
    legend = page.locator("#map .marsad-map-legend .marsad-legend-label").all_inner_texts()
    assert legend == [*ACLED_TYPES, "Other"]

    # hostile article text in a popup stays text; a javascript: URL is no link
    _click_event(page, "hostile")
    popup = page.locator(".leaflet-popup-content")
    assert HOSTILE in popup.inner_text()
    notes = popup.locator(".marsad-popup-notes").inner_text()
    assert notes.startswith(f"On 3 May, {HOSTILE} xxx") and len(notes) == 280  # cut short
    assert popup.locator("img, svg, script").count() == 0
    assert popup.locator("a").count() == 0
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    _wait_opaque(page, ".leaflet-popup")
    page.screenshot(path=str(artifacts / "map-popup-hostile.png"))

    # an event page URL is a link
    _close_popup(page)
    _click_event(page, "linked")
    link = page.locator(".leaflet-popup-content a.marsad-popup-link")
    assert link.get_attribute("href") == "/events/linked"
    assert "Cairo" in page.locator(".leaflet-popup-content").inner_text()
    _close_popup(page)
    page.locator("#map").screenshot(path=str(artifacts / "map.png"))

    # the timeline: stacked bars whose counts add up to the data, axis labels, legend, title
    assert _wait_ready(page, "#timeline") == "ready"
    assert page.locator("#timeline .marsad-message").count() == 0
    bars = page.locator("#timeline svg rect.marsad-bar")
    titles = bars.evaluate_all("(rects) => rects.map((r) => r.querySelector('title').textContent)")
    expected = sum(b["count"] for b in site["aggregate"]["buckets"])
    assert sum(int(t.rsplit(": ", 1)[1]) for t in titles) == expected
    stacks = {(b["period"], b["key"] if b["key"] in ACLED_TYPES else "Other")
              for b in site["aggregate"]["buckets"]}
    assert len(titles) == len(stacks)  # one rectangle per period and type; unknown types fold
    periods = {b["period"] for b in site["aggregate"]["buckets"]}
    ticks = page.locator("#timeline .marsad-axis-x text").all_text_contents()
    assert ticks[0] == min(periods) and "Period (month)" in ticks
    assert set(ticks) - {"Period (month)"} <= periods
    assert page.locator("#timeline .marsad-axis-y text").count() >= 3
    assert page.locator("#timeline svg > title").text_content() == "Events per month by event type"
    assert page.get_attribute("#timeline svg", "role") == "img"
    timeline_legend = page.locator("#timeline .marsad-legend-label").all_inner_texts()
    assert timeline_legend == [*ACLED_TYPES, "Other"]
    page.locator("#timeline").screenshot(path=str(artifacts / "timeline.png"))

    assert watched.dialogs == []
    assert watched.violations() == []
    assert watched.console_errors == []
    offsite = [u for u in watched.requests if not u.startswith(site["base"])]
    assert offsite == [], "the page must work offline"


def _visible(page) -> int:
    return page.locator("#map .marsad-cluster, #map path.marsad-point").count()


def test_clicking_a_cluster_zooms_into_it(watched, site):
    page = watched.page
    watched.open("map.html")
    assert _wait_ready(page, "#map") == "ready"
    page.wait_for_selector("#map .marsad-cluster")
    zoom = page.evaluate("document.getElementById('map').marsadMap.getZoom()")
    before = _visible(page)
    biggest = max(page.locator("#map .marsad-cluster").all(),
                  key=lambda c: int(c.locator(".marsad-cluster-count").inner_text()))
    biggest.click()
    for _ in range(100):  # the zoom is animated
        if page.evaluate("document.getElementById('map').marsadMap.getZoom()") > zoom and _visible(page) > before:
            break
        page.wait_for_timeout(50)
    assert page.evaluate("document.getElementById('map').marsadMap.getZoom()") > zoom
    assert _visible(page) > before
    assert watched.console_errors == [] and watched.violations() == []


def test_optional_tile_layer_and_its_attribution_stays_text(watched, site):
    page = watched.page
    watched.open("tiles.html")
    assert _wait_ready(page, "#map") == "ready"
    page.wait_for_selector("#map img.leaflet-tile")
    assert page.locator("#map img.leaflet-tile").count() >= 4
    attribution = page.locator("#map .leaflet-control-attribution")
    assert "Tiles <b>test</b> server" in attribution.inner_text()
    assert attribution.locator("b").count() == 0
    # over tiles the basemap is outlines only, or it would hide them
    fills = page.locator("#map .leaflet-overlay-pane path:not(.marsad-point)").evaluate_all(
        "(paths) => paths.map((p) => p.getAttribute('fill-opacity'))")
    assert len(fills) >= 200 and set(fills) == {"0"}
    assert watched.console_errors == [] and watched.violations() == []


def test_failures_and_empty_data_say_so(watched, site, artifacts):
    page = watched.page
    watched.open("errors.html")
    assert _wait_ready(page, "#map-missing") == "error"
    assert "could not be loaded" in page.locator("#map-missing .marsad-message").inner_text()
    assert "404" in page.locator("#map-missing .marsad-message").inner_text()
    assert _wait_ready(page, "#map-empty") == "empty"
    assert "No events" in page.locator("#map-empty .marsad-map-notice").inner_text()
    assert page.locator("#map-empty .leaflet-overlay-pane path").count() >= 200  # basemap still drawn
    assert _wait_ready(page, "#timeline-missing") == "error"
    assert "could not be loaded" in page.locator("#timeline-missing .marsad-message").inner_text()
    assert page.locator("#timeline-missing .marsad-message").count() == 1  # not also "Loading…"
    assert _wait_ready(page, "#timeline-empty") == "empty"
    assert page.locator("#timeline-empty svg").count() == 0
    page.screenshot(path=str(artifacts / "errors.png"), full_page=True)
    assert watched.violations() == []
    assert all("404" in e for e in watched.console_errors), watched.console_errors


def test_timeline_of_other_groups_keeps_hostile_keys_as_text(watched, site):
    page = watched.page
    watched.open("timeline-country.html")
    assert _wait_ready(page, "#timeline") == "ready"
    labels = page.locator("#timeline .marsad-legend-label").all_inner_texts()
    assert sorted(labels) == sorted(["Syria", HOSTILE_KEY])
    assert page.locator("#timeline svg > title").text_content() == "Events per month by country"
    assert page.locator("#timeline svg svg, #timeline .marsad-legend svg").count() == 0
    assert watched.dialogs == [] and watched.violations() == [] and watched.console_errors == []
