"""The SQLite store: migrations, saving, idempotence, rollback, queries, filters."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import fields, replace
from datetime import date, timedelta
from itertools import count
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marsad.errors import StoreError
from marsad.records import CleanDocument, Document, DocumentResult, Event, Evidence
from marsad.store import EventFilter, SaveStats, Store
from marsad.store.migrations import load_migrations
from marsad.store.sqlite import EVENT_COLUMNS

HARIM_TEXT = (
    "Idlib, 6 May 2020. Hayat Tahrir al-Sham arrested six foreign fighters in Harim town "
    "on Tuesday. Residents said the raid lasted two hours."
)
DARAA_TEXT = (
    "Unidentified gunmen shot dead a former opposition commander near Tafas in Daraa "
    "countryside on 12 March 2021; two civilians were wounded."
)
PROTEST_TEXT = (
    "Hundreds protested in Atmeh against rising bread prices on 3 June 2020. "
    "Police fired tear gas and detained 4 people."
)


def harim_event(**changes) -> Event:
    start = HARIM_TEXT.index("Hayat Tahrir al-Sham")
    trig = HARIM_TEXT.index("arrested")
    event = Event(
        event_id="ev-3f9a1c0d7e2b44aa",
        event_date="2020-05-05",
        time_precision=1,
        disorder_type="Strategic developments",
        event_type="Strategic developments",
        sub_event_type="Arrests",
        actor1="Hayat Tahrir al-Sham",
        inter1=2,
        actor2="Civilians (Syria)",
        assoc_actor_2="Foreign fighters",
        inter2=7,
        interaction=27,
        iso=760,
        region="Middle East",
        country="Syria",
        admin1="Idleb",
        admin2="Harim",
        admin3="Harim",
        location="Harim",
        latitude=36.2076,
        longitude=36.5192,
        geo_precision=1,
        source="Enab Baladi",
        source_scale="National",
        notes="On 5 May 2020, HTS arrested 6 foreign fighters in Harim (Idleb).",
        fatalities=0,
        injuries=None,
        arrests=6,
        confidence=0.82,
        document_ids=("doc-harim",),
        evidence=(
            Evidence("actor1", start, start + len("Hayat Tahrir al-Sham"), "Hayat Tahrir al-Sham",
                     "doc-harim", 0.95),
            Evidence("sub_event_type", trig, trig + len("arrested"), "arrested", "doc-harim", 0.9),
        ),
        warnings=("date resolved from 'on Tuesday'",),
    )
    return replace(event, **changes)


def daraa_event(**changes) -> Event:
    event = Event(
        event_id="ev-a07c55e1d2f34b10",
        event_date="2021-03-12",
        time_precision=1,
        disorder_type="Political violence",
        event_type="Violence against civilians",
        sub_event_type="Attack",
        actor1="Unidentified Armed Group (Syria)",
        inter1=3,
        actor2="Civilians (Syria)",
        inter2=7,
        interaction=37,
        civilian_targeting="Civilian targeting",
        iso=760,
        country="Syria",
        admin1="Dar'a",
        location="Tafas",
        latitude=32.7394,
        longitude=35.9722,
        geo_precision=2,
        source="Horan Free League",
        source_scale="Local",
        notes="On 12 March 2021, unidentified gunmen killed a former opposition commander near Tafas (Dar'a).",
        fatalities=1,
        injuries=2,
        confidence=0.7,
        document_ids=("doc-daraa",),
    )
    return replace(event, **changes)


def protest_event(**changes) -> Event:
    event = Event(
        event_id="ev-5512bb90c4e8aa01",
        event_date="2020-06-03",
        time_precision=1,
        disorder_type="Demonstrations",
        event_type="Protests",
        sub_event_type="Protest with intervention",
        actor1="Protesters (Syria)",
        inter1=6,
        actor2="Police Forces of Syria (2000-)",
        inter2=1,
        interaction=16,
        iso=760,
        country="Syria",
        admin1="Idleb",
        location="Atma",
        geo_precision=1,
        source="SOHR",
        source_scale="Other",
        notes="On 3 June 2020, hundreds protested against bread prices in Atma (Idleb); police used tear gas.",
        arrests=4,
        confidence=0.65,
        document_ids=("doc-protest",),
    )
    return replace(event, **changes)


def result(doc_id: str, text: str, events: tuple[Event, ...] = (), rejected: str = "") -> DocumentResult:
    document = Document(id=doc_id, raw=f"<p>{text}</p>", kind="html", published=date(2020, 5, 6),
                        published_from="page", title=f"Report {doc_id}", url=f"https://example.org/{doc_id}",
                        source="Enab Baladi", origin=f"reports/{doc_id}.html", content_hash=f"sha1-{doc_id}")
    clean = None if rejected else CleanDocument(
        doc_id=doc_id, text=text, title=f"Report {doc_id}", site_name="Enab Baladi",
        published=date(2020, 5, 6), published_from="page", url=f"https://example.org/{doc_id}",
        source="Enab Baladi", removed=("cookie banner",))
    return DocumentResult(document=document, clean=clean, events=events, rejected=rejected)


def sample_results() -> list[DocumentResult]:
    return [
        result("doc-harim", HARIM_TEXT, (harim_event(),)),
        result("doc-daraa", DARAA_TEXT, (daraa_event(),)),
        result("doc-protest", PROTEST_TEXT, (protest_event(),)),
    ]


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "marsad.db") as s:
        yield s


@pytest.fixture
def filled(store: Store) -> Store:
    run = store.begin_run({"inputs": ["reports/"]})
    store.save_results(sample_results(), run)
    return store


def table_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("documents", "events", "event_documents", "evidence", "problems")}
    finally:
        conn.close()


# ----------------------------------------------------------------------
# opening and migrations
# ----------------------------------------------------------------------

def test_open_creates_parent_folders_and_applies_all_migrations(tmp_path):
    path = tmp_path / "deep" / "er" / "marsad.db"
    with Store.open(path) as s:
        assert s.applied_migrations() == [m.name for m in load_migrations()]
    assert path.exists()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_reopening_does_not_reapply_migrations(tmp_path):
    path = tmp_path / "m.db"
    with Store.open(path) as s:
        first = s._conn.execute("SELECT name, applied_at FROM schema_migrations").fetchall()
        s.save_results(sample_results())
    with Store.open(path) as s:
        again = s._conn.execute("SELECT name, applied_at FROM schema_migrations").fetchall()
        assert again == first
        assert s.count_events() == 3


def test_interrupted_migration_is_completed_on_next_open(tmp_path):
    path = tmp_path / "m.db"
    Store.open(path).close()
    # Simulate a database created before the search migration existed.
    conn = sqlite3.connect(path)
    conn.executescript("""
        DELETE FROM schema_migrations WHERE name = '0002_search';
        DROP TABLE events_fts; DROP TABLE documents_fts;
        DROP TRIGGER IF EXISTS events_fts_insert; DROP TRIGGER IF EXISTS events_fts_delete;
        DROP TRIGGER IF EXISTS events_fts_update; DROP TRIGGER IF EXISTS documents_fts_insert;
        DROP TRIGGER IF EXISTS documents_fts_delete; DROP TRIGGER IF EXISTS documents_fts_update;
    """)
    conn.close()
    with Store.open(path) as s:
        assert "0002_search" in s.applied_migrations()


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "m.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_migrations VALUES ('9999_from_the_future', '2030-01-01')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer marsad"):
        Store.open(path)


def test_non_database_file_is_a_store_error(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("These are my notes, not a database.\n" * 50)
    with pytest.raises(StoreError) as err:
        Store.open(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)
    assert path.read_text().startswith("These are my notes")


def test_foreign_sqlite_database_is_left_alone(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a marsad one"):
        Store.open(path)


def test_path_under_a_file_is_a_store_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError) as err:
        Store.open(blocker / "sub" / "marsad.db")
    assert str(blocker / "sub" / "marsad.db") in str(err.value)


def test_unwritable_folder_is_a_store_error(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user who can write anyway (root)")
        with pytest.raises(StoreError) as err:
            Store.open(locked / "marsad.db")
        assert "marsad.db" in str(err.value)
    finally:
        locked.chmod(0o700)


def test_directory_path_is_a_store_error(tmp_path):
    with pytest.raises(StoreError, match="directory"):
        Store.open(tmp_path)


def test_create_false_refuses_missing_file(tmp_path):
    with pytest.raises(StoreError, match="no database"):
        Store.open(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


def test_default_path_comes_from_paths(tmp_path, monkeypatch):
    monkeypatch.setenv("MARSAD_DB", str(tmp_path / "env" / "x.db"))
    with Store.open() as s:
        assert Path(s.path) == tmp_path / "env" / "x.db"
    assert (tmp_path / "env" / "x.db").exists()


def test_every_event_field_has_a_column(store):
    columns = {r[1] for r in store._conn.execute("PRAGMA table_info(events)")}
    scalar = {f.name for f in fields(Event)} - {"document_ids", "evidence", "warnings"}
    assert scalar <= columns
    assert set(EVENT_COLUMNS) == scalar


# ----------------------------------------------------------------------
# saving
# ----------------------------------------------------------------------

def test_save_and_get_event_round_trip(filled):
    assert filled.get_event(harim_event().event_id) == harim_event()
    assert filled.get_event(daraa_event().event_id) == daraa_event()
    assert filled.get_event("ev-missing") is None


def test_get_document_keeps_clean_text_and_metadata(filled):
    doc = filled.get_document("doc-harim")
    assert doc.text == HARIM_TEXT
    assert doc.raw == f"<p>{HARIM_TEXT}</p>"
    assert doc.published == date(2020, 5, 6)
    assert doc.removed == ("cookie banner",)
    assert doc.as_clean().text == HARIM_TEXT
    assert doc.as_document().content_hash == "sha1-doc-harim"
    assert filled.has_document("doc-harim") and not filled.has_document("doc-x")
    assert filled.get_document("doc-x") is None


def test_saving_the_same_results_twice_adds_nothing(tmp_path):
    path = tmp_path / "m.db"
    with Store.open(path) as s:
        first = s.save_results(sample_results(), s.begin_run({}))
        before = table_counts(path)
        second = s.save_results(sample_results(), s.begin_run({}))
    assert first == SaveStats(3, 3, 0, 0, 3, 0)
    assert second == SaveStats(3, 0, 3, 0, 0, 0)
    assert table_counts(path) == before


def test_stored_document_skips_its_events_even_if_changed(filled):
    changed = harim_event(fatalities=99)
    stats = filled.save_results([result("doc-harim", HARIM_TEXT, (changed,))])
    assert stats.documents_skipped == 1
    assert filled.get_event(changed.event_id).fatalities == 0


def test_event_from_a_new_document_upserts_by_event_id(filled):
    merged = harim_event(document_ids=("doc-harim", "doc-harim-2"), source="Enab Baladi; SOHR",
                         evidence=(), warnings=())
    stats = filled.save_results([result("doc-harim-2", HARIM_TEXT, (merged,))])
    assert (stats.events_inserted, stats.events_updated) == (0, 1)
    assert filled.get_event(merged.event_id) == merged
    assert filled.count_events() == 3
    assert [e.event_id for e in filled.events(EventFilter(document_id="doc-harim-2"))] == [merged.event_id]


def test_rejected_documents_become_problems_not_documents(store):
    run = store.begin_run({"inputs": ["a"]})
    stats = store.save_results([result("doc-empty", "", rejected="empty after cleaning")], run)
    store.record_problem(run, "inputs/broken.jsonl:7", "not valid JSON")
    store.finish_run(run, "partial", {**stats.run_counts(), "problems": 1})
    assert stats.documents_rejected == 1 and not store.has_document("doc-empty")
    info = store.get_run(run)
    assert info.status == "partial" and info.finished_at
    assert info.documents_seen == 1 and info.documents_rejected == 1
    assert info.args == {"inputs": ["a"]} and info.problem_count == 1
    assert [(p.origin, p.reason) for p in info.problems] == [
        ("reports/doc-empty.html", "empty after cleaning"),
        ("inputs/broken.jsonl:7", "not valid JSON"),
    ]


def test_finish_run_rejects_unknown_counts(store):
    run = store.begin_run()
    with pytest.raises(ValueError):
        store.finish_run(run, "ok", {"bogus; DROP TABLE runs": 1})


def _numbered_results(n: int, fail_at: int | None = None):
    for i in range(n):
        if i == fail_at:
            raise RuntimeError("extractor crashed")
        doc_id = f"doc-{i:04d}"
        # one day each: the same arrest reported by several documents is one incident
        day = (date(2020, 5, 5) + timedelta(days=3 * i)).isoformat()
        yield result(doc_id, HARIM_TEXT, (harim_event(event_id=f"ev-{i:04d}", event_date=day,
                                                      document_ids=(doc_id,)),))


def test_failure_mid_batch_keeps_earlier_batches(tmp_path):
    path = tmp_path / "m.db"
    with Store.open(path) as s:
        with pytest.raises(RuntimeError, match="extractor crashed"):
            s.save_results(_numbered_results(12, fail_at=7), batch_size=5)
        assert s.count_events() == 5  # first batch committed, second rolled back
        assert s.has_document("doc-0004") and not s.has_document("doc-0005")
        # Re-running completes the work without duplicates.
        stats = s.save_results(_numbered_results(12), batch_size=5)
        assert stats.documents_skipped == 5 and stats.documents_stored == 7
        assert s.count_events() == 12


def test_database_error_mid_batch_rolls_back_that_batch(tmp_path):
    path = tmp_path / "m.db"
    with Store.open(path) as s:
        s.save_results(_numbered_results(3), batch_size=3)
        bad = [result("doc-new-1", HARIM_TEXT, (harim_event(event_id="ev-new-1", document_ids=("doc-new-1",)),)),
               result("doc-new-2", HARIM_TEXT, (harim_event(event_id="ev-new-2", time_precision=None,
                                                                 event_date="2021-01-01"),))]
        with pytest.raises(StoreError, match="cannot write"):
            s.save_results(bad, batch_size=3)
        assert not s.has_document("doc-new-1") and s.get_event("ev-new-1") is None
        assert s.count_events() == 3


def test_default_batch_size_is_one_transaction_per_200(store, monkeypatch):
    commits = []
    from marsad.store import sqlite as store_module

    original = store_module._Transaction.__exit__

    def counting_exit(self, exc_type, *rest):
        commits.append(exc_type)
        return original(self, exc_type, *rest)

    monkeypatch.setattr(store_module._Transaction, "__exit__", counting_exit)
    store.save_results(_numbered_results(450))
    assert len(commits) == 3 and store.count_events() == 450


# ----------------------------------------------------------------------
# queries and filters
# ----------------------------------------------------------------------

def ids(events) -> list[str]:
    return [e.event_id for e in events]


H, D, P = harim_event().event_id, daraa_event().event_id, protest_event().event_id


@pytest.mark.parametrize("flt, expected", [
    (EventFilter(), [D, P, H]),
    (EventFilter(date_from="2020-06-01"), [D, P]),
    (EventFilter(date_to=date(2020, 6, 3)), [P, H]),
    (EventFilter(date_from="2020-05-05", date_to="2020-05-05"), [H]),
    (EventFilter(event_type="protests"), [P]),
    (EventFilter(sub_event_type="ARRESTS"), [H]),
    (EventFilter(actor="tahrir"), [H]),
    (EventFilter(actor="police forces"), [P]),  # actor2
    (EventFilter(actor="FOREIGN FIGHTERS"), [H]),  # associated actor
    (EventFilter(actor="civilians (syria)"), [D, H]),
    (EventFilter(country="syria"), [D, P, H]),
    (EventFilter(country="Iraq"), []),
    (EventFilter(admin1="Idleb"), [P, H]),
    (EventFilter(admin1="dar'a"), [D]),
    (EventFilter(text="tear gas"), [P]),  # notes
    (EventFilter(text="Residents raid"), [H]),  # document text only, all words
    (EventFilter(text="raid bread"), []),
    (EventFilter(document_id="doc-daraa"), [D]),
    (EventFilter(country="Syria", admin1="Idleb", event_type="Protests"), [P]),
])
def test_filters(filled, flt, expected):
    assert ids(filled.events(flt)) == expected
    assert filled.count_events(flt) == len(expected)


def test_text_filter_without_fts_falls_back_to_substring(filled):
    filled._has_fts = False
    assert ids(filled.events(EventFilter(text="TEAR GAS"))) == [P]
    assert ids(filled.events(EventFilter(text="lasted two"))) == [H]
    assert ids(filled.events(EventFilter(text="%"))) == []
    assert ids(filled.events(EventFilter(actor="_"))) == []


def test_fts_syntax_in_user_text_is_searched_as_words(filled):
    for text in ('"', "tear AND", "NEAR(tear gas)", "notes:tear", "*", "tear OR", "(", "-gas"):
        filled.events(EventFilter(text=text))  # must not raise
    assert ids(filled.events(EventFilter(text="tear OR bread"))) == []  # OR is a word here


@pytest.mark.parametrize("value", [
    "' OR 1=1 --",
    "Syria'; DROP TABLE events; --",
    '" OR ""="',
    "%",
    "_",
    "x') UNION SELECT * FROM documents --",
])
def test_injection_looking_values_match_nothing_and_change_nothing(filled, tmp_path, value):
    before = table_counts(Path(filled.path))
    for flt in (EventFilter(country=value), EventFilter(actor=value), EventFilter(text=value),
                EventFilter(event_type=value), EventFilter(admin1=value),
                EventFilter(document_id=value), EventFilter(sub_event_type=value)):
        assert filled.events(flt) == []
        assert filled.count_events(flt) == 0
    assert table_counts(Path(filled.path)) == before


def test_bad_dates_and_orders_are_refused(filled):
    with pytest.raises(ValueError):
        filled.events(EventFilter(date_from="yesterday"))
    with pytest.raises(ValueError):
        filled.events(order_by="event_date; DROP TABLE events")


def test_order_limit_offset_and_iteration(filled):
    assert ids(filled.events(order_by="event_date")) == [H, P, D]
    assert ids(filled.events(order_by="-fatalities", limit=1)) == [D]
    assert ids(filled.events(limit=2, offset=1)) == [P, H]
    assert ids(filled.events(limit=None)) == [D, P, H]
    assert ids(filled.iter_events(page_size=2)) == [H, P, D]


def test_prefix_lookup(filled):
    assert filled.event_ids_with_prefix("ev-3f9") == [H]
    assert sorted(filled.event_ids_with_prefix("ev-")) == sorted([H, D, P])
    assert filled.event_ids_with_prefix("ev-%") == []


def test_events_without_date_are_listed_but_not_date_filtered(store):
    undated = daraa_event(event_id="ev-undated", event_date="", document_ids=("doc-u",))
    store.save_results([result("doc-u", DARAA_TEXT, (undated,))])
    assert ids(store.events()) == ["ev-undated"]
    assert store.events(EventFilter(date_to="2030-01-01")) == []
    assert store.get_event("ev-undated") == undated


# ----------------------------------------------------------------------
# round trip
# ----------------------------------------------------------------------

_text = st.text(max_size=40)
_small = st.integers(min_value=-(2**31), max_value=2**31)
_opt_int = st.none() | _small
_float = st.floats(allow_nan=False)
_evidence = st.builds(Evidence, field=_text, start=st.integers(0, 10**6), end=st.integers(0, 10**6),
                      text=_text, doc_id=_text, confidence=_float)
_events = st.builds(
    Event,
    event_id=st.text(min_size=1, max_size=30),
    event_date=st.one_of(st.just(""), st.dates().map(date.isoformat)),
    time_precision=st.integers(1, 3),
    disorder_type=_text, event_type=_text, sub_event_type=_text,
    actor1=_text, assoc_actor_1=_text, inter1=_opt_int,
    actor2=_text, assoc_actor_2=_text, inter2=_opt_int, interaction=_opt_int,
    civilian_targeting=_text, iso=_opt_int, region=_text, country=_text,
    admin1=_text, admin2=_text, admin3=_text, location=_text,
    latitude=st.none() | _float, longitude=st.none() | _float,
    geo_precision=st.none() | st.integers(1, 3), source=_text, source_scale=_text,
    notes=st.text(max_size=200), fatalities=st.integers(0, 10**6),
    injuries=_opt_int, arrests=_opt_int, confidence=_float,
    document_ids=st.lists(_text, max_size=4).map(tuple),
    evidence=st.lists(_evidence, max_size=4).map(tuple),
    warnings=st.lists(_text, max_size=3).map(tuple),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event=_events)
def test_any_event_round_trips_losslessly(event):
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "rt.db") as s:
        s.save_results([result("doc-rt", "some text", (event,))])
        assert s.get_event(event.event_id) == event
        assert s.events(EventFilter(document_id=event.document_ids[0]) if event.document_ids
                        else EventFilter(), limit=None) == [event]


def test_round_trip_against_one_long_lived_store(store):
    # Upserting the same id over and over keeps exactly the latest version.
    counter = count()

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(event=_events)
    def check(event):
        doc_id = f"doc-{next(counter)}"
        store.save_results([result(doc_id, "text", (event,))])
        assert store.get_event(event.event_id) == event

    check()


def test_old_database_is_upgraded_by_new_migrations(tmp_path):
    path = tmp_path / "old.db"
    with Store.open(path) as s:
        s.save_results(sample_results())
    # Make it look like a database written before 0003 existed.
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE runs DROP COLUMN problems")
    conn.execute("DELETE FROM schema_migrations WHERE name = '0003_run_problem_count'")
    conn.commit()
    conn.close()
    with Store.open(path) as s:
        assert "0003_run_problem_count" in s.applied_migrations()
        run = s.begin_run()
        s.finish_run(run, "ok", {"problems": 2})
        assert s.get_run(run).problem_count == 2
        assert s.count_events() == 3  # data kept


def test_iteration_is_a_consistent_snapshot(tmp_path):
    path = tmp_path / "snap.db"
    with Store.open(path) as reader, Store.open(path) as writer:
        writer.save_results(_numbered_results(6))
        pages = reader.iter_events(page_size=2, order_by="event_id")
        first = [next(pages), next(pages)]
        # Another connection adds events that sort before the ones already read.
        writer.save_results([result("doc-a", HARIM_TEXT, (harim_event(event_id="ev-0000a", event_date="2019-01-01"),))])
        rest = list(pages)
        assert len(first) + len(rest) == 6
        assert len({e.event_id for e in first + rest}) == 6
        assert reader.count_events() == 7  # the snapshot ended with the iteration
