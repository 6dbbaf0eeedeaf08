"""The full-text index of event notes while merging rewrites incidents
(migration 0008): a rewrite that keeps the notes leaves the index alone, one
that changes them re-indexes them, and the index always matches the table."""

from __future__ import annotations

import pytest

from marsad.ingest import iter_inputs
from marsad.pipeline import Pipeline
from marsad.records import Document
from marsad.store import EventFilter, Store
from scale_helpers import report_records, write_jsonl


def _index_state(store: Store) -> list[tuple]:
    return store._conn.execute("SELECT id, block FROM events_fts_data ORDER BY id").fetchall()


def _integrity(store: Store) -> None:
    # FTS5 compares the index with the content table (events) and raises when they differ
    store._conn.execute("INSERT INTO events_fts(events_fts, rank) VALUES ('integrity-check', 1)")


@pytest.fixture(scope="module")
def results(bundled_gazetteer, tmp_path_factory):
    corpus = write_jsonl(tmp_path_factory.mktemp("search") / "corpus.jsonl", report_records(60, prefix="fts"))
    with Pipeline(gazetteer_path=str(bundled_gazetteer)) as pipeline:
        return [pipeline.process(d) for d in iter_inputs([str(corpus)]) if isinstance(d, Document)]


@pytest.fixture
def store(tmp_path, results):
    with Store.open(tmp_path / "fts.db") as s:
        if not s._has_fts:
            pytest.skip("this SQLite has no FTS5")
        s.save_results(results, batch_size=7)  # many batches: incidents rewritten again and again
        yield s


def _search_rowids(store: Store, word: str) -> set[int]:
    return {r[0] for r in store._conn.execute(
        "SELECT rowid FROM events_fts WHERE events_fts MATCH ?", ('"' + word + '"',))}


def test_the_index_matches_the_events_after_many_rewrites(store) -> None:
    # the corpus repeats its reports: merging joined them and rewrote incidents batch after batch
    assert store._conn.execute("SELECT count(*) FROM merge_log").fetchone()[0] > 0
    _integrity(store)


def test_a_rewrite_that_keeps_the_notes_does_not_touch_the_index(store) -> None:
    before = _index_state(store)
    with store._transaction():
        changed = store._conn.execute("UPDATE events SET notes = notes, fatalities = fatalities + 1").rowcount
    assert changed > 0
    assert _index_state(store) == before
    _integrity(store)


def test_new_notes_are_searchable_and_the_old_words_are_gone(store) -> None:
    event_id, rowid, notes = store._conn.execute(
        "SELECT event_id, search_rowid, notes FROM events ORDER BY event_id LIMIT 1").fetchone()
    old_word = max((w.strip(".,;:()'\"") for w in notes.split()), key=len)
    assert rowid in _search_rowids(store, old_word)
    with store._transaction():
        store._conn.execute("UPDATE events SET notes = ? WHERE event_id = ?", ("Zanzibarquux sighting.", event_id))
    assert [e.event_id for e in store.events(EventFilter(text="Zanzibarquux"))] == [event_id]
    assert rowid not in _search_rowids(store, old_word)
    _integrity(store)
