"""Where ``marsad extract`` ends a stored batch (one transaction).

The parent process alone stores: with ``--workers N`` it saves batch after
batch while the workers extract, but the last batch can only be saved once
its last document is back, on one core, after every worker is done. With
batches of ``SAVE_BATCH_SIZE`` (200) articles that tail was the last 200
documents' save (about 1.2 s of a 1,000-article run, issue 7). So the last
``TAIL_DOCS`` documents of the input are saved in batches of
``TAIL_BATCH_SIZE``: the parent keeps up with the workers to the end and
what is left after the last chunk is a small batch.

Boundaries are a function of the input alone (each item's position and how
many items there are), never of timing, so ``--workers 1`` and
``--workers N`` store exactly the same (incidents do not depend on batching
at all; the merge log's rows do). Knowing that the end is near takes
reading the input ahead (``Lookahead``), not extracting it: the parallel
runner reads that far ahead anyway (``READ_AHEAD_DOCS``); one process reads
at most ``TAIL_DOCS`` raw documents ahead of the one it stores.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Generic, TypeVar

from marsad.store.sqlite import SAVE_BATCH_SIZE

# The input's last TAIL_DOCS items are stored in smaller batches. A batch of
# SAVE_BATCH_SIZE articles takes the parent about a second to store, and it
# is the one batch whose documents all arrive last: one batch's worth is
# enough for the smaller batches to reach it.
TAIL_DOCS = SAVE_BATCH_SIZE
# ... of this many documents each (~0.3 s of storing articles each), and the
# last END_DOCS in batches of END_BATCH_SIZE (~0.1 s each): what is left to
# store after the last chunk is then about a tenth of a second instead of
# ~1.2 s. Smaller costs more in all (an incident a batch adds to is rewritten
# once per batch, one commit each), also for one worker: these batches cost
# 0.3 to 0.5 CPU-s more than one batch of the last 200 articles (1,000-article
# run; benchmarks/README.md).
TAIL_BATCH_SIZE = 40
END_DOCS = 40
END_BATCH_SIZE = 10

T = TypeVar("T")


class Lookahead(Generic[T]):
    """An iterator over ``items`` that can tell, by reading ahead, whether
    the input ends soon. Items read ahead are kept and handed out in order."""

    def __init__(self, items: Iterable[T]) -> None:
        self._items = iter(items)
        self._ahead: deque[T] = deque()
        self._handed = 0  # items handed out by __next__
        self._ended = False

    def __iter__(self) -> "Lookahead[T]":
        return self

    def __next__(self) -> T:
        if self._ahead:
            item = self._ahead.popleft()
        else:
            item = next(self._items)
        self._handed += 1
        return item

    def ends_within(self, position: int, count: int) -> bool:
        """True when at most ``count`` items follow item ``position`` (0-based)."""
        wanted = position + count + 2 - self._handed  # items to hold for "more than count follow"
        while len(self._ahead) < wanted and not self._ended:
            try:
                self._ahead.append(next(self._items))
            except StopIteration:
                self._ended = True
        return len(self._ahead) < wanted


def save_batches(results: Iterable[tuple[int, T]], ends_within: Callable[[int, int], bool],
                 size: int | None = None,
                 tiers: Sequence[tuple[int, int]] | None = None) -> Iterator[list[T]]:
    """(input position, result) pairs, in input order, grouped into the
    batches to store: ``size`` results each; ``tiers`` are (items left,
    batch size) pairs, widest first: once at most that many items follow
    (``ends_within``), batches are of that size. By default this module's
    constants, as they are when called."""
    size = size or SAVE_BATCH_SIZE
    tiers = ((TAIL_DOCS, TAIL_BATCH_SIZE), (END_DOCS, END_BATCH_SIZE)) if tiers is None else tiers
    batch: list[T] = []
    for position, result in results:
        batch.append(result)
        limit = size
        for left, tier_size in tiers:
            if not ends_within(position, left):
                break
            limit = tier_size
        if len(batch) >= limit:
            yield batch
            batch = []
    if batch:
        yield batch
