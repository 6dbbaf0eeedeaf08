"""The web app's JSON API through FastAPI's test client, over a store filled
by the real pipeline (see web_support.py)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import date

import pytest
from click.testing import CliRunner

from marsad.cli import cli
from marsad.export import CSV_COLUMNS
from marsad.store import Store
from marsad.store import review as rv
from marsad.web.params import MAX_PAGE_SIZE
from web_support import (  # noqa: F401  (fixtures)
    HOSTILE_EVENT_ID,
    PASSWORD,
    login,
    make_client,
    web_db,
    web_template_db,
)


@pytest.fixture
def viewer(web_db):
    client = make_client(web_db)
    login(client, "vera")
    return client


@pytest.fixture
def editor(web_db):
    client = make_client(web_db)
    client.headers["X-CSRF-Token"] = login(client, "edith")
    return client


def all_events(client, **params) -> list[dict]:
    response = client.get("/api/events", params={"per_page": MAX_PAGE_SIZE, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["events"])
    return body["events"]


def assert_error(response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]["message"]


def test_list_matches_the_store_and_every_filter_narrows(viewer, web_db):
    with Store.open(web_db) as store:
        stored = store.count_events()
    events = all_events(viewer)
    assert len(events) == stored >= 5
    syria = all_events(viewer, country="syria")
    assert syria and all(e["country"] == "Syria" for e in syria)
    assert len(syria) < len(events)
    battles = all_events(viewer, event_type="Battles")
    assert battles and {e["event_type"] for e in battles} == {"Battles"}
    assert {e["sub_event_type"] for e in all_events(viewer, sub_event_type="suicide bomb")} == {"Suicide bomb"}
    military = all_events(viewer, actor="military forces")
    assert military and all("Military Forces" in e["actor1"] + e["actor2"] for e in military)
    in_2021 = all_events(viewer, date_from="2021", date_to="2021-12")
    assert in_2021 and all(e["event_date"].startswith("2021") for e in in_2021)
    assert all(e["admin1"] == "Baghdad" for e in all_events(viewer, admin1="baghdad"))
    admin2 = next(e["admin2"] for e in events if e["admin2"])
    assert {e["admin2"] for e in all_events(viewer, admin2=admin2.upper())} == {admin2}
    iraq_box = all_events(viewer, bbox="38.7,29.0,48.6,37.4")
    assert {e["country"] for e in iraq_box} == {"Iraq"}
    assert {e["event_id"] for e in all_events(viewer, text="suicide bombers")} == \
        {e["event_id"] for e in events if e["country"] == "Iraq"}


def test_paging_sorting_and_limits(viewer):
    events = all_events(viewer)
    first = viewer.get("/api/events", params={"per_page": 2, "page": 1, "sort": "-fatalities"}).json()
    second = viewer.get("/api/events", params={"per_page": 2, "page": 2, "sort": "-fatalities"}).json()
    assert first["total"] == len(events)
    ids = [e["event_id"] for e in first["events"] + second["events"]]
    assert len(set(ids)) == 4
    deaths = [e["fatalities"] for e in first["events"] + second["events"]]
    assert deaths == sorted(deaths, reverse=True)
    assert deaths[0] == max(e["fatalities"] for e in events)
    by_date = [e["event_date"] for e in all_events(viewer, sort="event_date")]
    assert by_date == sorted(by_date)
    assert "per_page" in assert_error(viewer.get("/api/events", params={"per_page": MAX_PAGE_SIZE + 1}), 422)
    assert_error(viewer.get("/api/events", params={"page": 0}), 422)
    assert "sort" in assert_error(viewer.get("/api/events", params={"sort": "password_hash"}), 422)
    assert_error(viewer.get("/api/events", params={"date_from": "May 2022"}), 422)
    assert_error(viewer.get("/api/events", params={"status": "approved"}), 422)
    assert_error(viewer.get("/api/events", params={"text": "x" * 501}), 422)


def test_one_event_has_evidence_documents_and_review(viewer):
    event = next(e for e in all_events(viewer) if e["country"] == "Iraq")
    body = viewer.get(f"/api/events/{event['event_id']}").json()
    assert body["event"]["event_id"] == event["event_id"]
    assert body["event"]["evidence"], "the pipeline's evidence is returned"
    assert [d["id"] for d in body["documents"]] == ["doc-baghdad"]
    assert body["review"]["status"] == "unreviewed" and body["audit"] == []
    assert "no event" in assert_error(viewer.get("/api/events/does-not-exist"), 404)


def test_document_has_its_text_and_the_spans_of_every_event(viewer):
    body = viewer.get("/api/documents/doc-homs").json()
    text = body["document"]["text"]
    assert "arrested six protesters" in text
    assert len(body["events"]) >= 1  # the protest and its arrests (one Protest with intervention)
    assert {s["event_id"] for s in body["spans"]} == set(body["events"])
    for span in body["spans"]:
        assert text[span["start"]:span["end"]] == span["text"]
    assert_error(viewer.get("/api/documents/nope"), 404)


def test_map_points_are_slim_counted_and_capped(viewer, monkeypatch):
    events = all_events(viewer)
    placed = [e for e in events if e["latitude"] is not None]
    geo = viewer.get("/api/map.geojson").json()
    assert geo["total"] == len(placed) and geo["truncated"] is False
    assert sorted(f["id"] for f in geo["features"]) == sorted(e["event_id"] for e in placed)
    props = geo["features"][0]["properties"]
    assert "evidence" not in props and props["url"] == f"/events/{props['event_id']}"
    assert {"event_type", "actor1", "location", "fatalities", "review_status"} <= set(props)
    from marsad.web import service
    monkeypatch.setattr(service, "MAP_MAX_POINTS", 1)
    monkeypatch.setattr(service.map_geojson, "__kwdefaults__", {"limit": 1})
    cut = viewer.get("/api/map.geojson").json()
    assert len(cut["features"]) == 1 and cut["truncated"] is (len(placed) > 1)
    newest = max(e["event_date"] for e in placed)
    assert cut["features"][0]["properties"]["event_date"] == newest


def test_exports_csv_geojson_jsonl(viewer):
    events = all_events(viewer)
    rows = list(csv.reader(io.StringIO(viewer.get("/api/events.csv").text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert sorted(r[0] for r in rows[1:]) == sorted(e["event_id"] for e in events)
    response = viewer.get("/api/events.geojson", params={"country": "Syria"})
    assert response.headers["content-type"].startswith("application/geo+json")
    geo = response.json()
    assert geo["type"] == "FeatureCollection" and geo["features"]
    placed = [e for e in events if e["country"] == "Syria" and e["latitude"] is not None]
    assert len(geo["features"]) == len(placed)
    for feature in geo["features"]:
        assert feature["geometry"]["type"] == "Point"
        props = feature["properties"]
        assert {"event_id", "event_date", "event_type", "sub_event_type", "actor1", "actor2",
                "location", "admin1", "country", "fatalities", "url"} <= set(props)
        assert props["url"] == f"/events/{props['event_id']}"
        assert feature["geometry"]["coordinates"] == [props["longitude"], props["latitude"]]
    lines = viewer.get("/api/events.jsonl").text.splitlines()
    assert sorted(json.loads(line)["event_id"] for line in lines) == sorted(e["event_id"] for e in events)


def test_aggregate_counts_add_up(viewer):
    events = all_events(viewer)
    dated = [e for e in events if e["event_date"]]
    for by, width in (("day", 10), ("month", 7), ("week", 8)):
        body = viewer.get("/api/aggregate", params={"by": by}).json()
        assert body["by"] == by and body["group"] == "event_type"
        assert sum(b["count"] for b in body["buckets"]) == len(dated)
        assert all(len(b["period"]) == width for b in body["buckets"])
    weeks = viewer.get("/api/aggregate", params={"by": "week", "country": "Iraq"}).json()["buckets"]
    assert weeks == [{"period": "2021-W03", "key": "Explosions/Remote violence", "count": 1}]
    months = viewer.get("/api/aggregate", params={"group": "admin1"}).json()["buckets"]
    expected: dict[tuple[str, str], int] = {}
    for e in dated:
        key = (e["event_date"][:7], e["admin1"])
        expected[key] = expected.get(key, 0) + 1
    assert {(b["period"], b["key"]): b["count"] for b in months} == expected
    assert_error(viewer.get("/api/aggregate", params={"by": "year"}), 422)


def test_an_edit_goes_to_the_event_the_overrides_and_the_audit_log(editor, web_db):
    event = next(e for e in all_events(editor) if e["country"] == "Iraq")
    event_id = event["event_id"]
    response = editor.post(f"/api/events/{event_id}/edit",
                           json={"changes": {"fatalities": 35, "location": "Baghdad - Tayaran Square",
                                             "notes": "Twin bombing at Tayaran Square.",
                                             "actor1": event["actor1"]}})
    assert response.status_code == 200, response.text
    assert response.json()["event"]["fatalities"] == 35
    with Store.open(web_db) as store:
        assert store.get_event(event_id).fatalities == 35
        review = rv.get_review(store, event_id)
        assert dict(review.overrides) == {"fatalities": 35, "location": "Baghdad - Tayaran Square",
                                          "notes": "Twin bombing at Tayaran Square."}
        assert review.updated_by == "edith"
        audit = rv.audit_entries(store, event_id)
    # the unchanged actor1 left no trace
    assert [(a.field, a.before, a.after, a.user) for a in audit] == [
        ("fatalities", event["fatalities"], 35, "edith"),
        ("location", event["location"], "Baghdad - Tayaran Square", "edith"),
        ("notes", event["notes"], "Twin bombing at Tayaran Square.", "edith")]
    # filters, the event page and exports see the reviewed value
    assert [e["event_id"] for e in all_events(editor, text="Tayaran")] == [event_id]
    assert editor.get(f"/api/events/{event_id}").json()["audit"][0]["after"] == 35
    rows = list(csv.DictReader(io.StringIO(editor.get("/api/events.csv", params={"country": "Iraq"}).text)))
    assert rows[0]["fatalities"] == "35" and rows[0]["location"] == "Baghdad - Tayaran Square"


def test_the_machine_summary_follows_a_corrected_field(editor, web_db):
    # an event whose notes are the machine's summary ("On <date>, <actor> ... in <place>.")
    event = next(e for e in all_events(editor) if e["notes"].startswith("On ") and e["fatalities"] != 41)
    event_id = event["event_id"]
    response = editor.post(f"/api/events/{event_id}/edit", json={"changes": {"fatalities": 41}})
    assert response.status_code == 200, response.text
    notes = response.json()["event"]["notes"]
    assert "41 killed" in notes and notes != event["notes"]
    with Store.open(web_db) as store:
        fields = [a.field for a in rv.audit_entries(store, event_id)]
    assert fields == ["fatalities", "notes"]


def test_bad_edits_are_refused_whole(editor, web_db):
    event_id = all_events(editor)[0]["event_id"]
    for changes, words in (({"fatalities": "many"}, "whole number"), ({"latitude": 123}, "outside"),
                           ({"event_date": "yesterday"}, "YYYY-MM-DD"), ({"event_id": "x"}, "can be changed"),
                           ({"password_hash": "x"}, "can be changed"), ({}, "no field"),
                           ({"notes": "ok", "fatalities": -1}, "outside")):
        message = assert_error(editor.post(f"/api/events/{event_id}/edit", json={"changes": changes}), 400)
        assert words in message
    with Store.open(web_db) as store:
        assert rv.audit_entries(store, event_id) == []
        assert rv.get_review(store, event_id).overrides == {}
    assert_error(editor.post("/api/events/nope/edit", json={"changes": {"notes": "x"}}), 404)


def test_status_and_rejected_events_leave_exports(editor):
    events = all_events(editor)
    target = events[0]["event_id"]
    assert editor.post(f"/api/events/{target}/status", json={"status": "rejected"}).status_code == 200
    assert [e["event_id"] for e in all_events(editor, status="rejected")] == [target]
    assert len(all_events(editor, status="unreviewed")) == len(events) - 1
    exported = [json.loads(line)["event_id"] for line in editor.get("/api/events.jsonl").text.splitlines()]
    assert target not in exported and len(exported) == len(events) - 1
    everything = editor.get("/api/events.jsonl", params={"include_rejected": "true"}).text.splitlines()
    assert len(everything) == len(events)
    audit = editor.get(f"/api/events/{target}").json()["audit"]
    assert [(a["action"], a["before"], a["after"]) for a in audit] == [("status", "unreviewed", "rejected")]
    assert_error(editor.post(f"/api/events/{target}/status", json={"status": "approved"}), 422)


def test_roles(web_db):
    client = make_client(web_db)
    token = login(client, "vera")
    event_id = all_events(client)[0]["event_id"]
    message = assert_error(client.post(f"/api/events/{event_id}/edit", json={"changes": {"notes": "x"}},
                                       headers={"X-CSRF-Token": token}), 403)
    assert "editor" in message
    token = login(client, "edith")
    assert_error(client.get("/api/users"), 403)
    assert_error(client.post("/api/users", json={"name": "eve", "role": "admin", "password": PASSWORD},
                             headers={"X-CSRF-Token": token}), 403)
    token = login(client, "ada")
    created = client.post("/api/users", json={"name": "nora", "role": "editor", "password": PASSWORD},
                          headers={"X-CSRF-Token": token})
    assert created.status_code == 201 and created.json()["user"]["role"] == "editor"
    assert "nora" in [u["name"] for u in client.get("/api/users").json()["users"]]
    assert "already" in assert_error(client.post(
        "/api/users", json={"name": "nora", "role": "viewer", "password": PASSWORD},
        headers={"X-CSRF-Token": token}), 400)
    with Store.open(web_db) as store:
        stored = store._conn.execute("SELECT password_hash FROM users WHERE name = 'nora'").fetchone()[0]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_sign_in_and_session_cookie(web_db):
    client = make_client(web_db)
    token = client.get("/api/session").json()["csrf_token"]
    assert_error(client.post("/api/session", json={"name": "edith", "password": "wrong password"},
                             headers={"X-CSRF-Token": token}), 401)
    assert_error(client.post("/api/session", json={"name": "nobody", "password": PASSWORD},
                             headers={"X-CSRF-Token": token}), 401)
    response = client.post("/api/session", json={"name": "edith", "password": PASSWORD},
                           headers={"X-CSRF-Token": token})
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert response.json()["csrf_token"] != token, "a new session (and token) after sign-in"
    assert client.get("/api/session").json()["role"] == "editor"
    client.post("/api/logout", headers={"X-CSRF-Token": response.json()["csrf_token"]})
    assert client.get("/api/session").json()["role"] is None
    assert_error(client.get("/api/events"), 401)


def test_without_users_the_app_is_read_only_on_localhost(tmp_path, web_template_db):
    db = tmp_path / "nousers.db"
    with Store.open(web_template_db) as source, sqlite3.connect(db) as target:
        source._conn.backup(target)
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM users")
    local = make_client(db, host="127.0.0.1", base_url="http://localhost:8000")
    events = all_events(local)
    assert events
    assert local.get("/api/events.csv").status_code == 200
    token = local.get("/api/session").json()["csrf_token"]
    response = local.post(f"/api/events/{events[0]['event_id']}/edit",
                          json={"changes": {"notes": "x"}}, headers={"X-CSRF-Token": token})
    assert response.status_code in (401, 403)
    assert "no users" in assert_error(make_client(db, host="192.0.2.7").get("/api/events"), 403)
    assert make_client(db, host="127.0.0.1", base_url="http://[::1]:8000").get("/api/events").status_code == 200
    # a page of another site rebound to 127.0.0.1 still names that site in Host
    rebound = make_client(db, host="127.0.0.1", base_url="http://attacker.example:8000")
    assert "no users" in assert_error(rebound.get("/api/events"), 403)


def test_merge_and_split_answer_501_without_the_merging_module(editor):
    from marsad.web.service import merging

    if merging() is not None:
        pytest.skip("marsad.store.merging is present; see test_merge_and_split_routes")
    ids = [e["event_id"] for e in all_events(editor)[:2]]
    assert "not available" in assert_error(editor.post("/api/events/merge", json={"event_ids": ids}), 501)
    assert_error(editor.post(f"/api/events/{ids[0]}/split", json={"extraction_ids": ["x"]}), 501)


def test_merge_and_split_routes(editor, web_db):
    merging = pytest.importorskip("marsad.store.merging")
    iraq_like = [e["event_id"] for e in all_events(editor, country="Syria")[:2]]
    response = editor.post("/api/events/merge", json={"event_ids": iraq_like})
    assert response.status_code == 200, response.text
    merged = response.json()["event_id"]
    body = editor.get(f"/api/events/{merged}").json()
    assert body["merge_history"] and len(body["members"]) >= 2
    with Store.open(web_db) as store:
        members = merging.event_members(store, merged)
    split = editor.post(f"/api/events/{merged}/split",
                        json={"extraction_ids": [members[0].extraction_id]})
    assert split.status_code == 200, split.text
    assert len(split.json()["event_ids"]) >= 1


def test_users_cli(tmp_path):
    db = tmp_path / "cli.db"
    runner = CliRunner()
    result = runner.invoke(cli, ["users", "add", "olga", "--role", "editor", "--password-stdin",
                                 "--db", str(db)], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["users", "list", "--db", str(db)])
    assert result.output.split() [:2] == ["olga", "editor"]
    result = runner.invoke(cli, ["users", "add", "olga", "--password-stdin", "--db", str(db)],
                           input=PASSWORD + "\n")
    assert result.exit_code != 0
    with Store.open(db) as store:
        from marsad.store.users import authenticate

        assert authenticate(store, "olga", PASSWORD).role == "editor"
        assert authenticate(store, "olga", "not the password") is None


def test_period_of_iso_weeks():
    assert rv.period_of("2021-01-03", "week") == "2020-W53"
    assert rv.period_of("2022-01-03", "week") == "2022-W01"
    assert rv.period_of(date(2022, 5, 31).isoformat(), "month") == "2022-05"


def test_openapi_and_its_offline_reference_page(web_db):
    client = make_client(web_db)
    spec = client.get("/openapi.json").json()
    assert {"/api/events", "/api/events.csv", "/api/aggregate", "/api/events/{event_id}/edit"} <= set(spec["paths"])
    page = client.get("/docs")
    assert page.status_code == 200
    for path in spec["paths"]:
        assert f"<code>GET {path}</code>" in page.text or f"<code>POST {path}</code>" in page.text
    assert "<script" not in page.text, "works offline under the strict CSP"


def test_pages_answer_while_an_extraction_holds_the_write_lock(viewer, web_db):
    import time

    writer = sqlite3.connect(web_db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # what `marsad extract` does for each batch
    try:
        started = time.monotonic()
        response = viewer.get("/api/events")
        assert response.status_code == 200
        assert time.monotonic() - started < 2.0, "a read waited for the writer"
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_merge_and_split_through_the_pages(web_db):
    pytest.importorskip("marsad.store.merging")
    import re

    client = make_client(web_db)
    login(client, "edith")
    page = client.get("/events", params={"country": "Syria"}).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    ids = re.findall(r'name="event_id" value="([^"]+)"', page)[:2]
    assert len(ids) == 2, "editors get a checkbox per event"
    merged = client.post("/events/merge", data={"csrf_token": token, "event_id": ids})
    assert merged.status_code == 303
    target = merged.headers["location"]
    page = client.get(target).text
    assert "Reports merged into this event" in page and "manual-merge" in page
    members = re.findall(r'name="extraction_id" value="([^"]+)"', page)
    assert len(members) >= 2
    assert re.search(r"<td>edith</td><td>merge</td>", page)
    split = client.post(f"{target}/split", data={"csrf_token": token, "extraction_id": members[:1]})
    assert split.status_code == 303
    assert "split into" in client.get(split.headers["location"]).text
