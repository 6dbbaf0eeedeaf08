"""Where `marsad extract` ends its stored batches: smaller batches over the
input's last documents (so little is left to store after the workers are
done), at boundaries that depend on the input alone, so one worker and two
store exactly the same."""

from __future__ import annotations

import pytest

import marsad.run.batches as batches
from marsad.cli import main as cli_main
from marsad.run.batches import Lookahead, save_batches
from marsad.store.sqlite import Store
from scale_helpers import merge_snapshot, report_records, snapshot, write_jsonl


@pytest.mark.parametrize("total", [0, 1, 2, 5, 12])
@pytest.mark.parametrize("count", [0, 1, 3, 20])
def test_lookahead_knows_how_many_items_follow_without_handing_them_out(total, count) -> None:
    for position in range(total):
        items = Lookahead(f"item-{i}" for i in range(total))
        handed = [next(items) for _ in range(position + 1)]  # as one process takes them
        assert items.ends_within(position, count) == (total - 1 - position <= count)
        # what was read ahead is still handed out, in order, once
        assert handed + list(items) == [f"item-{i}" for i in range(total)]


def test_lookahead_answers_the_same_when_the_input_was_read_far_ahead() -> None:
    total, count = 30, 6
    lazy = Lookahead(range(total))
    eager = Lookahead(range(total))
    taken = list(eager)  # as the parallel runner reads ahead of what it stores
    assert taken == list(range(total))
    for position in range(total):
        next(lazy)
        assert lazy.ends_within(position, count) == eager.ends_within(position, count) == (position >= 23)


def test_batches_shrink_over_the_last_documents_of_the_input() -> None:
    total = 23
    items = Lookahead(range(total))
    pairs = ((position, f"doc-{position}") for position in items)
    sizes = [len(b) for b in save_batches(pairs, items.ends_within, size=5, tiers=((7, 2),))]
    # positions 0-14 are followed by more than 7 items: batches of 5; from 15 on, of 2
    assert sizes == [5, 5, 5, 2, 2, 2, 2]


def test_batches_shrink_again_at_the_very_end() -> None:
    total = 30
    items = Lookahead(range(total))
    pairs = ((position, position) for position in items)
    got = list(save_batches(pairs, items.ends_within, size=8, tiers=((12, 4), (5, 1))))
    # 0-16 are followed by more than 12: batches of 8 end at 7 and 15; 16 waits for
    # the tail (17-29), where batches of 4 end at 19 and 23 (23 is followed by 6);
    # 24-29 are followed by at most 5: stored one by one
    assert [b[-1] for b in got] == [7, 15, 19, 23, 24, 25, 26, 27, 28, 29]
    assert [x for b in got for x in b] == list(range(total))


def test_skipped_inputs_count_as_input_but_are_not_stored() -> None:
    total = 12
    items = Lookahead(range(total))
    pairs = ((position, f"doc-{position}") for position in items if position % 4 != 1)  # 1, 5, 9 unreadable
    got = list(save_batches(pairs, items.ends_within, size=3, tiers=((4, 1),)))
    assert got == [["doc-0", "doc-2", "doc-3"], ["doc-4", "doc-6", "doc-7"], ["doc-8"], ["doc-10"], ["doc-11"]]


def _extract(corpus, db, workers: int) -> int:
    try:
        return cli_main(["extract", str(corpus), "--db", str(db), "--workers", str(workers), "--format", "none"])
    except SystemExit as done:
        return int(done.code or 0)


def test_one_and_two_workers_store_the_same_batches(tmp_path, marsad_home, monkeypatch) -> None:
    records = report_records(90, prefix="tail")
    records.insert(30, {"id": "empty", "text": "  "})  # an input problem: never reaches the store
    corpus = write_jsonl(tmp_path / "corpus.jsonl", records, bad_line_at=50)  # unreadable: an input problem
    monkeypatch.setenv("MARSAD_HOME", str(marsad_home))
    monkeypatch.delenv("MARSAD_DB", raising=False)
    monkeypatch.setattr(batches, "SAVE_BATCH_SIZE", 25)
    monkeypatch.setattr(batches, "TAIL_DOCS", 30)
    monkeypatch.setattr(batches, "TAIL_BATCH_SIZE", 7)
    monkeypatch.setattr(batches, "END_DOCS", 9)
    monkeypatch.setattr(batches, "END_BATCH_SIZE", 3)
    saved: dict[int, list[int]] = {1: [], 2: []}
    save_batch = Store._save_batch
    for workers in (1, 2):
        def spy(store, batch, run_id, sizes=saved[workers]):
            sizes.append(len(batch))
            return save_batch(store, batch, run_id)

        monkeypatch.setattr(Store, "_save_batch", spy)
        assert _extract(corpus, tmp_path / f"w{workers}.db", workers) == 1  # two inputs skipped
    # 92 inputs: 90 reports and two problems (the empty record at position 30, the bad
    # line at 50), which count as input but are not stored. Inputs 0-60 are followed by
    # more than 30: batches of 25 (positions 0-24, 25-51 without 30 and 50), then 52-61
    # (the tail begins at 61: 10), then 7 each (62-68, 69-75, 76-82); from 82 on at
    # most 9 follow: 3 each (83-85, 86-88, 89-91)
    assert saved[1] == [25, 25, 10, 7, 7, 7, 3, 3, 3]
    assert saved[2] == saved[1]
    one, two = tmp_path / "w1.db", tmp_path / "w2.db"
    assert snapshot(one) == snapshot(two) and len(snapshot(one)["documents"]) == 90
    merged = merge_snapshot(one)
    assert merged["merge_log"] and merge_snapshot(two) == merged
