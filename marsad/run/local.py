"""``marsad extract --workers N``: the pipeline in N local processes.

Each worker process builds one ``Pipeline`` (dictionaries, matchers,
gazetteer) when it starts and then processes chunks of documents. The
parent reads the inputs, sends chunks, and receives the results **in input
order**: it alone writes to the store, so the store ends up exactly as
with ``--workers 1`` and a re-run adds nothing (writes are idempotent by
document id). At most ``IN_FLIGHT_PER_WORKER`` chunks per worker, or
``READ_AHEAD_DOCS`` documents, are outstanding, so memory stays flat however
long the input is.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import TYPE_CHECKING

from marsad.records import Document, DocumentResult, InputProblem

if TYPE_CHECKING:  # multiprocessing is imported only when a pool is started
    import multiprocessing.context
    from concurrent.futures import Future

    from marsad.pipeline import Pipeline

# Documents sent to a worker at once. Large enough that pickling and
# inter-process overhead (~0.1 ms a document) is small against the ~2 ms
# (notes) to ~20 ms (articles) a document takes; small enough that the
# first results come back quickly and an interrupted run loses little.
CHUNK_SIZE = 32
# ... or fewer, once a chunk holds this many characters of raw input: long
# articles (~20 ms each) then travel in chunks of a dozen or so, so the
# last chunks of a run finish close together instead of one worker
# finishing a long chunk alone.
CHUNK_CHARS = 64_000
# ... and over the input's last END_CHUNK_DOCS documents, chunks of
# END_CHUNK_SIZE: a worker that takes the last long chunk finishes it alone
# while the other one waits (half a chunk, ~0.1 s of articles, on average;
# up to a whole one). Small chunks there let both workers end within a
# small chunk of each other. Two workers' in-flight chunks of the usual
# size (IN_FLIGHT_PER_WORKER each, a dozen to 32 documents) are 50 to 130
# documents, so 64 small ones cover what both workers are still on at the
# end; a chunk costs ~1 ms of sending and receiving, so 16 of them cost
# less than what they save.
# Knowing the end is near takes reading ahead (marsad.run.batches.Lookahead),
# which the parent does anyway (READ_AHEAD_DOCS).
END_CHUNK_DOCS = 64
END_CHUNK_SIZE = 4
# Chunks queued per worker: two keeps every worker busy while the parent
# stores the results of a finished chunk, without reading ahead unboundedly.
IN_FLIGHT_PER_WORKER = 2
# ... and at least this many documents: the parent stores results in
# transactions of 200 documents (store.sqlite.SAVE_BATCH_SIZE), and while
# it saves one (merging included, about a second for articles) it sends no
# work. With fewer documents queued the workers ran dry and waited for the
# parent at every batch (2 workers were 1.5x one instead of ~1.9x); with
# more than a batch queued they keep working meanwhile. Memory stays flat:
# a few hundred documents and their results are a few MB. It also covers the
# read-ahead that tells where the input's last, smaller batches begin
# (marsad.run.batches.TAIL_DOCS), so that costs the parallel run no extra read.
READ_AHEAD_DOCS = 400
# Workers run at this lower priority (Unix nice). The parent is the one
# serial stage (it alone stores and merges, ~40% of the work for articles):
# at equal priority three busy processes on two cores get 2/3 of a core
# each, the parent falls behind, and at the end it stores its backlog
# alone on one core. Niced workers leave the parent a whole core and use
# everything it does not.
WORKER_NICENESS = 2
# Documents the parent extracts itself before it forks the workers. The
# first documents load what the pipeline loads lazily (the HTML extractor's
# and the date parser's modules, some tables: ~0.17 CPU-s for an article
# and an HTML page) and fill the memos of the commonest names; forked
# workers inherit all that instead of each loading it again. Two documents
# cover a text and an HTML one in mixed input; more would be extracted on
# one core while the other waits.
WARM_DOCS = 2
# A worker's youngest-generation collection threshold (Python's default is
# 700). After gc.freeze() nearly everything a worker allocates is garbage
# within a document and freed by reference counting; at 700 the collector
# still ran ~1,600 times per 1,000 articles, 3.4% of a worker's CPU (gc
# callbacks over 400 articles: 0.25 of 7.3 CPU-s); at 10,000 it is 0.8%
# (~0.5 CPU-s less per 1,000 articles over both workers). Cyclic garbage
# waits for at most this many more allocations: memory is not affected.
WORKER_GC_THRESHOLD = 10_000
# With the default worker count, an input of fewer documents than this is
# processed in the parent alone: starting worker processes (each loading
# its own pipeline, ~0.3 s) costs more than it saves on a handful of files.
SERIAL_BELOW = 2 * CHUNK_SIZE

Item = Document | InputProblem
# (position of an item, count) -> True when at most ``count`` items follow it
EndsWithin = Callable[[int, int], bool]


@dataclass(frozen=True, slots=True)
class PipelineOptions:
    """What a worker needs to build its own Pipeline (picklable)."""

    gazetteer_path: str | None = None
    country_hint: str | None = None

    def build(self):  # -> marsad.pipeline.Pipeline
        from marsad.pipeline import Pipeline

        return Pipeline(gazetteer_path=self.gazetteer_path, country_hint=self.country_hint)


def cpu_count() -> int:
    """CPUs this process may run on (the default number of workers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@lru_cache(maxsize=1)
def worker_pipeline(options: PipelineOptions):
    """The one Pipeline of this worker process, built on first use."""
    return options.build()


# How often a worker checks that its parent is alive. A parent killed with
# SIGKILL never closes the work queue (sibling workers hold its write end), so
# without this check its workers would wait on the queue forever.
PARENT_CHECK_SECONDS = 1.0


def _exit_with_parent(parent: int) -> None:
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        if os.getppid() != parent:
            os._exit(1)  # the parent is gone: nothing will read what we compute


def _init_worker(options: PipelineOptions) -> None:
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True,
                     name="marsad-parent-watch").start()
    if hasattr(os, "nice"):
        try:
            os.nice(WORKER_NICENESS)
        except OSError:  # not permitted here: run at the parent's priority
            pass
    # load before the first chunk arrives (forked: already loaded by the
    # parent, gazetteer included, which then needs a connection of its own)
    worker_pipeline(options).after_fork()
    # What is loaded now (dictionaries, matchers, modules; with fork, all
    # the parent's objects) lives as long as the worker: out of the cyclic
    # collector, whose full collections would otherwise walk it again and
    # again, writing to pages shared with the parent (copy-on-write).
    # What a worker allocates after that lives for one document or one
    # chunk: collect it less often (see WORKER_GC_THRESHOLD).
    _collect_for_documents()


def _collect_for_documents() -> tuple[int, int, int]:
    """Freeze what this process holds out of the cyclic collector and raise
    its youngest-generation threshold to WORKER_GC_THRESHOLD; returns the
    threshold it had."""
    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(WORKER_GC_THRESHOLD, *old[1:])
    return old


# What a worker sends back for one document: the DocumentResult without its
# Document, which the parent still holds (no need to pickle the raw text
# twice): (clean, events, rejected, warnings), or None for an InputProblem.
_Sent = tuple | None


def _process_chunk(options: PipelineOptions, chunk: list[Item]) -> list[_Sent]:
    return [None if result is None else (result.clean, result.events, result.rejected, result.warnings)
            for _item, result in extracted(worker_pipeline(options), chunk)]


def _context() -> multiprocessing.context.BaseContext:
    import multiprocessing

    # fork starts a worker in milliseconds and shares the already imported
    # modules; elsewhere (macOS, Windows) spawn is the safe choice.
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")


def _chunks(items: Iterator[Item], size: int, max_chars: int = CHUNK_CHARS,
            ends_within: EndsWithin | None = None, start: int = 0) -> Iterator[list[Item]]:
    """Chunks of ``size`` items or ``max_chars`` of raw input; with
    ``ends_within`` (position, count -> whether at most ``count`` items follow
    that position), chunks of END_CHUNK_SIZE over the last END_CHUNK_DOCS.
    ``start``: the position of the first of ``items``."""
    chunk: list[Item] = []
    chars = 0
    for position, item in enumerate(items, start):
        chunk.append(item)
        chars += len(item.raw) if isinstance(item, Document) else 0
        limit = size
        if ends_within is not None and size > END_CHUNK_SIZE and ends_within(position, END_CHUNK_DOCS):
            limit = END_CHUNK_SIZE
        if len(chunk) >= limit or chars >= max_chars:
            yield chunk
            chunk, chars = [], 0
    if chunk:
        yield chunk


def extracted(pipeline: Pipeline, items: Iterable[Item]) -> Iterator[tuple[Item, DocumentResult | None]]:
    """(item, result) in order, extracted by ``pipeline`` in this process;
    result is None for an InputProblem."""
    for item in items:
        yield item, (None if isinstance(item, InputProblem) else pipeline.process(item))


def process_serial(items: Iterable[Item], options: PipelineOptions) -> Iterator[tuple[Item, DocumentResult | None]]:
    """(item, result) in order, in this process; result is None for an InputProblem."""
    with options.build() as pipeline, _CollectorForDocuments() as collector:
        for pair in extracted(pipeline, items):
            yield pair
            collector.after_document()


class _CollectorForDocuments:
    """The cyclic collector set as in a worker (see WORKER_GC_THRESHOLD) once
    the first document has loaded what documents load lazily (the
    gazetteer's table, the HTML extractor): that is kept out of it and young
    objects are collected less often. Restored on exit, as this process may
    be a user's own program."""

    def __init__(self) -> None:
        self._old: tuple[int, int, int] | None = None

    def __enter__(self) -> "_CollectorForDocuments":
        return self

    def after_document(self) -> None:
        if self._old is None:
            self._old = _collect_for_documents()

    def __exit__(self, *exc) -> None:
        if self._old is not None:
            gc.set_threshold(*self._old)
            gc.unfreeze()


def process_parallel(items: Iterable[Item], options: PipelineOptions, workers: int,
                     chunk_size: int = CHUNK_SIZE, read_ahead: int = READ_AHEAD_DOCS,
                     ends_within: EndsWithin | None = None) -> Iterator[tuple[Item, DocumentResult | None]]:
    """(item, result) in input order, computed by ``workers`` processes.
    ``ends_within`` (see ``_chunks``) is asked about positions in ``items``
    counted from 0: pass it only with ``items`` read from the start."""
    from concurrent.futures import ProcessPoolExecutor

    context = _context()
    forked = context.get_start_method() == "fork"
    iterator = iter(items)
    warmed: list[tuple[Item, DocumentResult | None]] = []
    if forked:
        # Load the dictionaries, matchers and the gazetteer's lookup table
        # once, here: forked workers inherit them (copy-on-write) instead of
        # each spending ~0.7 s of CPU loading its own pipeline and ~0.15 s
        # its own lookup table (~90 MB each). Each worker then opens its own
        # connection to the gazetteer (Pipeline.after_fork), as SQLite
        # requires across a fork.
        pipeline = worker_pipeline(options).load()
        # ... and extract the input's first documents here: what the first
        # documents load (lazy imports, loaders, the commonest names' memos)
        # is then loaded once and inherited, not once in every worker.
        warmed = list(extracted(pipeline, islice(iterator, WARM_DOCS)))
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                               initializer=_init_worker, initargs=(options,))
    pending: deque[tuple[list[Item], Future]] = deque()
    queued = 0  # documents in pending
    closing: threading.Thread | None = None
    try:
        for chunk in _chunks(iterator, chunk_size, ends_within=ends_within, start=len(warmed)):
            pending.append((chunk, pool.submit(_process_chunk, options, chunk)))
            queued += len(chunk)
            if forked and len(pending) == 1:
                # With fork every worker starts on the first submit: the
                # parent's copy is no longer needed; the workers extract
                # while the caller stores what the parent extracted.
                worker_pipeline.cache_clear()
                yield from warmed
                warmed = []
            while len(pending) >= workers * IN_FLIGHT_PER_WORKER and queued >= read_ahead:
                done, future = pending.popleft()
                queued -= len(done)
                yield from _pairs(done, future.result())
        yield from warmed  # (an input of no more documents than those)
        while pending:
            done, future = pending.popleft()
            sent = future.result()
            if not pending:
                # Every result is in: the workers exit and are joined (~0.1 s)
                # while the caller stores the last results, not after.
                closing = threading.Thread(target=pool.shutdown, name="marsad-pool-shutdown")
                closing.start()
            yield from _pairs(done, sent)
    finally:
        if closing is not None:
            closing.join()  # one shutdown at a time; the workers are joined when this returns
        # On an error or an interrupt in the parent, queued chunks are
        # dropped; the workers finish their current chunk and exit.
        pool.shutdown(wait=True, cancel_futures=True)
        if forked:
            worker_pipeline.cache_clear()


def _pairs(chunk: list[Item], results: list[_Sent]) -> Iterator[tuple[Item, DocumentResult | None]]:
    for item, sent in zip(chunk, results):
        yield item, (None if sent is None else DocumentResult(item, *sent))


def process(items: Iterable[Item], options: PipelineOptions, workers: int | None = None,
            ends_within: EndsWithin | None = None) -> Iterator[tuple[Item, DocumentResult | None]]:
    """(item, result) in input order. ``workers=None`` means one per CPU, but
    a short input (under ``SERIAL_BELOW`` items) stays in this process;
    ``workers=1`` never starts a process; ``workers>=2`` always does.
    ``ends_within`` (e.g. ``marsad.run.batches.Lookahead.ends_within`` of
    ``items``) lets the workers' last chunks be small."""
    if workers == 1:
        yield from process_serial(items, options)
        return
    iterator = iter(items)
    if workers is None:
        workers = cpu_count()
        head = list(islice(iterator, SERIAL_BELOW))
        iterator = _chain(head, iterator)
        if len(head) < SERIAL_BELOW or workers == 1:
            yield from process_serial(iterator, options)
            return
    yield from process_parallel(iterator, options, workers, ends_within=ends_within)


def _chain(head: list[Item], rest: Iterator[Item]) -> Iterator[Item]:
    yield from head
    yield from rest
