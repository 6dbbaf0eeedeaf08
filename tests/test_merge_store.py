"""Merging in the store: the written corpus end to end, order independence,
incremental saving, manual merge/split/history, reviews, migration, CLI."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marsad.cli import cli
from marsad.evaluation import merge as merge_eval
from marsad.records import CleanDocument, Document, DocumentResult, Event, Evidence
from marsad.store import EventFilter, Store
from marsad.store import merging
from marsad.store.merging import MergeRequestError, UnknownEventError

CORPUS = Path(__file__).parent / "data" / "merge_corpus"


# ----------------------------------------------------------------------
# the written corpus, through the real pipeline
# ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus_results(bundled_pipeline):
    documents, _ = merge_eval.load_corpus(CORPUS)
    return [bundled_pipeline.process(d) for d in documents]


def stored_events(results, batch_size=200) -> list[Event]:
    with Store.open(":memory:") as store:
        store.save_results(results, batch_size=batch_size)
        return store.events(limit=None, order_by="event_id")


def incident_of(events: list[Event], doc_id: str, location: str | None = None) -> Event:
    found = [e for e in events if doc_id in e.document_ids
             and (location is None or location in {ev.text for ev in e.evidence if ev.field == "location"}
                  or e.location == location)]
    assert len(found) == 1, (doc_id, location, found)
    return found[0]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_ingest_order_and_batching_gives_the_same_events(corpus_results, data):
    expected = stored_events(corpus_results)
    order = data.draw(st.permutations(corpus_results))
    batch = data.draw(st.integers(min_value=1, max_value=40))
    assert stored_events(list(order), batch_size=batch) == expected


def test_incremental_saving_equals_one_batch(corpus_results, tmp_path):
    with Store.open(tmp_path / "inc.db") as store:
        for result in reversed(corpus_results):  # one report at a time, a new run each
            store.save_results([result], store.begin_run({}))
        incremental = store.events(limit=None, order_by="event_id")
    assert incremental == stored_events(corpus_results)
    assert len(incremental) < sum(len(r.events) for r in corpus_results)  # something was merged


def test_a_report_of_two_incidents_is_not_glued(corpus_results):
    events = stored_events(corpus_results)
    both = [e for e in events if "sohr-ariha-saraqib" in e.document_ids]
    assert sorted(e.location for e in both) == ["Ariha", "Saraqib"]
    ariha = next(e for e in both if e.location == "Ariha")
    saraqib = next(e for e in both if e.location == "Saraqib")
    assert set(ariha.document_ids) == {"sohr-ariha-saraqib", "afp-ariha-strike", "sohr-ariha-toll"}
    assert set(saraqib.document_ids) == {"sohr-ariha-saraqib", "stepnews-saraqib-shelling"}


def test_different_incidents_same_day_same_town_stay_apart(corpus_results):
    events = stored_events(corpus_results)
    killing = incident_of(events, "horan-daraa-assassination")
    protest = incident_of(events, "horan-daraa-protest")
    assert killing.event_id != protest.event_id
    assert "npa-daraa-demonstration" in protest.document_ids and "sohr-deraa-gunmen" in killing.document_ids
    mortars = incident_of(events, "garowe-mogadishu-mortars")
    arrests = incident_of(events, "dalsan-mogadishu-journalists")
    assert mortars.event_id != arrests.event_id
    assert "sonna-mogadishu-journalists" in arrests.document_ids


def test_merged_incident_has_every_source_and_the_revised_toll(corpus_results):
    ariha = incident_of(stored_events(corpus_results), "afp-ariha-strike")
    # SOHR said 3 and AFP 4 on the day; SOHR's report of the next day revised it to 5
    assert ariha.fatalities == 5
    assert ariha.source == "Agence France-Presse; Syrian Observatory for Human Rights"
    assert ariha.source_scale == "Other-International"
    assert {e.doc_id for e in ariha.evidence} == set(ariha.document_ids)
    idlib = incident_of(stored_events(corpus_results), "step-idlib-bulletin")
    assert idlib.arrests == 5 and idlib.source_scale == "Other-National"
    assert idlib.event_id == min(idlib_member_ids(corpus_results))


def idlib_member_ids(results) -> list[str]:
    docs = {"sohr-idlib-arrests", "enab-idleb-detentions", "step-idlib-bulletin"}
    return [e.event_id for r in results if r.document.id in docs for e in r.events]


@pytest.mark.slow
def test_merge_quality_on_the_corpus(bundled_pipeline):
    result = merge_eval.evaluate(CORPUS, bundled_pipeline)
    stage, overall = result["merge_stage"], result["overall"]
    assert stage["f1"] >= 0.95 and stage["wrong_merge_rate"] <= 0.01, stage
    assert stage["events"] >= 25  # most of the corpus is extracted well enough to count
    assert overall["wrong_merge_rate"] <= 0.01 and overall["precision"] >= 0.95, overall
    assert overall["order_independent"]


def test_pairwise_metrics_by_hand():
    gold = {"a": "1", "b": "1", "c": "1", "d": "2"}
    predicted = {"a": "x", "b": "x", "c": "y", "d": "y"}
    m = merge_eval.pairwise(predicted, gold)
    assert (m["tp"], m["fp"], m["fn"]) == (1, 1, 2)
    assert m["precision"] == 0.5 and m["recall"] == pytest.approx(1 / 3)
    assert m["wrongly_merged_events"] == 2 and m["wrong_merge_rate"] == 0.5


# ----------------------------------------------------------------------
# hand-made events: manual decisions, reviews, migration
# ----------------------------------------------------------------------

def arrest(event_id: str, doc: str, **changes) -> Event:
    event = Event(
        event_id=event_id, event_date="2022-03-14", time_precision=1,
        disorder_type="Strategic developments", event_type="Strategic developments",
        sub_event_type="Arrests", actor1="Hayat Tahrir al-Sham", inter1=2, country="Syria",
        admin1="Idlib", location="Idlib", latitude=35.9306, longitude=36.6339, geo_precision=1,
        source="Syrian Observatory for Human Rights", source_scale="Other", arrests=5, confidence=0.8,
        document_ids=(doc,), evidence=(Evidence("arrests", 0, 4, "five", doc, 0.9),),
    )
    return replace(event, **changes)


def result(doc: str, *events: Event, published: date = date(2022, 3, 14)) -> DocumentResult:
    document = Document(id=doc, raw="five", published=published, published_from="input")
    clean = CleanDocument(doc_id=doc, text="five", published=published)
    return DocumentResult(document, clean, events)


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "m.db") as s:
        yield s


def test_new_report_joins_an_existing_incident_and_history_says_why(store):
    store.save_results([result("d1", arrest("e5", "d1"))])
    store.save_results([result("d2", arrest("e3", "d2", source="Enab Baladi", source_scale="National",
                                            actor1="Unidentified Armed Group (Syria)"))])
    assert store.get_event("e5") is None
    merged = store.get_event("e3")
    assert merged.document_ids == ("d2", "d1")  # members in (date, id) order
    assert merged.actor1 == "Hayat Tahrir al-Sham"  # the named actor wins over "gunmen"
    members = merging.event_members(store, "e3")
    assert [(m.extraction_id, m.doc_id, m.source) for m in members] == [
        ("e3", "d2", "Enab Baladi"), ("e5", "d1", "Syrian Observatory for Human Rights")]
    [record] = merging.merge_history(store, "e3")
    assert record.action == "auto-merge" and record.members == ("e3", "e5")
    assert any("same day (2022-03-14)" in r and "same place (Idlib)" in r for r in record.reasons)


def test_manual_split_and_merge(store):
    store.save_results([result("d1", arrest("e1", "d1")), result("d2", arrest("e2", "d2")),
                        result("d3", arrest("e3", "d3"))])
    assert store.count_events() == 1
    ids = merging.split_event(store, "e1", ["e3"], user="analyst")
    assert ids == ["e1", "e3"]
    assert store.get_event("e1").document_ids == ("d1", "d2")
    # a new report of the same arrest may join either, never both
    store.save_results([result("d4", arrest("e4", "d4"))])
    assert store.count_events() == 2
    assert merging.merge_events(store, ["e3", "e1"], user="lead") == "e1"
    assert store.count_events() == 1 and len(store.get_event("e1").document_ids) == 4
    actions = [(r.action, r.user) for r in merging.merge_history(store, "e1")]
    assert ("split", "analyst") in actions and actions[-1] == ("manual-merge", "lead")


def test_manual_merge_of_events_the_rules_keep_apart(store):
    store.save_results([result("d1", arrest("e1", "d1")),
                        result("d2", arrest("e2", "d2", event_date="2022-03-20"))])
    assert store.count_events() == 2
    assert merging.merge_events(store, ["e2", "e1"], user="analyst") == "e1"
    # the decision survives a recompute caused by a later report, which does not
    # join: it is six days away from one of the members
    store.save_results([result("d3", arrest("e0", "d3", event_date="2022-03-20"))])
    assert store.get_event("e1").document_ids == ("d1", "d2")
    assert store.get_event("e0").document_ids == ("d3",)


def test_unknown_ids_and_bad_requests_are_one_line_errors(store):
    store.save_results([result("d1", arrest("e1", "d1")), result("d2", arrest("e2", "d2"))])
    with pytest.raises(UnknownEventError, match="no event with id 'nope'"):
        merging.merge_history(store, "nope")
    with pytest.raises(UnknownEventError):
        merging.merge_events(store, ["e1", "nope"], user="a")
    with pytest.raises(UnknownEventError):
        merging.event_members(store, "nope")
    with pytest.raises(MergeRequestError, match="not a member"):
        merging.split_event(store, "e1", ["zz"], user="a")
    with pytest.raises(MergeRequestError, match="some, but not all"):
        merging.split_event(store, "e1", ["e1", "e2"], user="a")
    with pytest.raises(MergeRequestError, match="name of the user"):
        merging.merge_events(store, ["e1"], user=" ")


def test_reviews_follow_a_renamed_incident_and_win_over_machine_values(store):
    # the web app's review tables (migration 0005)
    conn = store._conn
    store.save_results([result("d1", arrest("e5", "d1"))])
    conn.execute("INSERT INTO event_reviews (event_id, status, overrides, updated_at, updated_by)"
                 " VALUES ('e5', 'verified', ?, 'now', 'ana')",
                 (json.dumps({"location": "Idlib city", "fatalities": 1, "event_id": "evil",
                              "no_such_column; DROP TABLE events": 1}),))
    conn.execute("INSERT INTO audit_log (event_id, user, at, action, field, before, after)"
                 " VALUES ('e5', 'ana', 'now', 'edit', 'location', 'Idlib', 'Idlib city')")
    store.save_results([result("d2", arrest("e2", "d2"))])  # a smaller id joins: the incident is renamed
    assert store.get_event("e5") is None
    merged = store.get_event("e2")
    assert (merged.location, merged.fatalities) == ("Idlib city", 1)
    assert conn.execute("SELECT event_id, status FROM event_reviews").fetchall() == [("e2", "verified")]
    assert conn.execute("SELECT event_id FROM audit_log").fetchall() == [("e2",)]
    assert store.count_events() == 1


def test_review_look_ups_only_when_the_web_app_has_reviewed_or_audited(store):
    conn = store._conn
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    store.save_results([result("d1", arrest("e5", "d1")), result("d3", arrest("e7", "d3"))])
    assert store.count_events() == 1 and statements
    assert not [s for s in statements if "event_reviews WHERE" in s or "UPDATE audit_log" in s]
    # an audit row only (no review): a renamed incident's row follows it
    conn.execute("INSERT INTO audit_log (event_id, user, at, action, field, before, after)"
                 " VALUES ('e5', 'ana', 'now', 'edit', 'location', 'Idlib', 'Idlib city')")
    statements.clear()
    store.save_results([result("d2", arrest("e2", "d2"))])  # a smaller id joins: the incident is renamed
    conn.set_trace_callback(None)
    assert [s for s in statements if s.startswith("UPDATE audit_log")]
    assert not [s for s in statements if "event_reviews WHERE" in s]
    assert conn.execute("SELECT event_id FROM audit_log").fetchall() == [("e2",)]
    assert store.get_event("e2").document_ids == ("d2", "d1", "d3")


def test_old_database_events_become_extractions_and_singletons(tmp_path):
    path = tmp_path / "old.db"
    events = [arrest("e1", "d1"), arrest("e2", "d2", event_date="2022-05-01", location="Homs")]
    with Store.open(path) as s:
        s.save_results([result("d1", events[0]), result("d2", events[1])])
    conn = sqlite3.connect(path)  # make it look like a database from before 0004
    for table in ("merge_log_members", "merge_log", "merge_constraints", "event_members", "extractions",
                  "merge_blocks"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("DELETE FROM schema_migrations WHERE name IN ('0004_merging', '0007_merge_scale')")
    conn.commit()
    conn.close()
    with Store.open(path) as s:
        assert {"0004_merging", "0007_merge_scale"} <= set(s.applied_migrations())
        assert s.events(limit=None, order_by="event_id") == events
        assert [m.extraction_id for m in merging.event_members(s, "e1")] == ["e1"]
        s.save_results([result("d3", arrest("e0", "d3"))])  # joins the migrated incident
        assert s.get_event("e0").document_ids == ("d3", "d1")
        assert s.count_events(EventFilter(document_id="d2")) == 1


# ----------------------------------------------------------------------
# command line
# ----------------------------------------------------------------------

def run(*args: str):
    return CliRunner().invoke(cli, list(args), standalone_mode=False, catch_exceptions=True)


def test_show_lists_sources_and_why_merged(tmp_path):
    db = tmp_path / "cli.db"
    with Store.open(db) as s:
        s.save_results([result("d1", arrest("e1", "d1")),
                        result("d2", arrest("e2", "d2", source="Reuters", source_scale="International"))])
    out = run("show", "e1", "--db", str(db))
    assert out.exception is None, out.output
    assert "Sources (2 reports):" in out.output
    assert "Reuters: d2 (e2): Arrests in Idlib on 2022-03-14" in out.output
    assert "auto-merge: e1, e2" in out.output and "same day (2022-03-14)" in out.output


def test_cli_eval_merge_on_the_corpus(marsad_home, monkeypatch):
    monkeypatch.setenv("MARSAD_HOME", str(marsad_home))
    out = run("eval", "merge", str(CORPUS))
    assert out.exception is None, out.output
    assert "well-extracted events" in out.output and "same events in reverse order: yes" in out.output
    bad = run("eval", "acled", str(CORPUS))
    assert bad.exception is not None
