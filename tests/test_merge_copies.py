"""Copies of reports stored under new ids (a feed re-sending its items, the
100,000-document benchmark): their verdicts are memoised by what ``compare``
reads, so a copy costs no new comparisons and the memo stops growing, while
the incidents are exactly those computed without any memo."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from marsad.evaluation import merge as merge_eval
from marsad.records import DocumentResult
from marsad.store import Store, merging

CORPUS = Path(__file__).parent / "data" / "merge_corpus"


@pytest.fixture(scope="module")
def corpus_results(bundled_pipeline):
    documents, _ = merge_eval.load_corpus(CORPUS)
    return [bundled_pipeline.process(d) for d in documents]


def copy_of(result: DocumentResult, n: int) -> DocumentResult:
    """The same report under a new document id (its events get new ids too)."""
    doc_id = f"{result.document.id}-copy{n}"
    events = tuple(
        replace(e, event_id=f"{e.event_id}-c{n}", document_ids=(doc_id,),
                evidence=tuple(replace(ev, doc_id=doc_id) for ev in e.evidence))
        for e in result.events)
    return DocumentResult(replace(result.document, id=doc_id), replace(result.clean, doc_id=doc_id), events,
                          rejected=result.rejected, warnings=result.warnings)


def passes(results: list[DocumentResult], count: int) -> list[list[DocumentResult]]:
    return [list(results)] + [[copy_of(r, n) for r in results] for n in range(1, count)]


def stored(store: Store) -> tuple:
    events = store.events(limit=None, order_by="event_id")
    history = {e.event_id: merging.merge_history(store, e.event_id) for e in events}
    return events, {k: [(r.action, r.members, r.reasons) for r in v] for k, v in history.items()}


def test_copies_merge_exactly_as_without_a_memo(corpus_results, monkeypatch, tmp_path):
    with Store.open(tmp_path / "memo.db") as store:
        for batch in passes(corpus_results, 3):
            store.save_results(batch)
        with_memo = stored(store)
    monkeypatch.setattr(merging, "_VERDICT_MEMO_LIMIT", -1)  # emptied before every recompute
    with Store.open(tmp_path / "fresh.db") as store:
        for batch in passes(corpus_results, 3):
            store.save_results(batch)
        without = stored(store)
    assert with_memo == without
    events = with_memo[0]
    # copies of a town-precise report join its incident (region-only places never merge)
    assert any(len(e.document_ids) >= 3 and any("-copy" in d for d in e.document_ids) for e in events)


def test_the_memo_stops_growing_once_every_kind_of_copy_was_seen(corpus_results, tmp_path):
    sizes = []
    with Store.open(tmp_path / "m.db") as store:
        for batch in passes(corpus_results, 4):
            store.save_results(batch)
            sizes.append(len(store._merge_memo))
    # the second pass compares copies with originals (new kinds of pairs);
    # later passes repeat those pairs exactly
    assert sizes[1] > sizes[0]
    assert sizes[3] == sizes[2] == sizes[1]
