"""Memory a process gets back (issue 7): pipelines are reopened in one
process (the benchmark's cold runs, a long-lived service), and a closed
gazetteer's memory must be freed when it is closed, not whenever the cycle
collector gets to it (its memos hold bound methods of it, a cycle): else a
new gazetteer loads its own table while the old one's is still held."""

from __future__ import annotations

import gc
import tracemalloc

from marsad.geo import Gazetteer

NAMES = ("Aleppo", "Homs", "Kharkiv", "Idlib", "Lagos", "Kabul", "Mosul")


def test_closing_a_gazetteer_frees_its_table_and_memos_at_once(bundled_gazetteer):
    gc.collect()
    gc.disable()  # only what closing does counts
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        gazetteer = Gazetteer.open(bundled_gazetteer)
        for name in NAMES:
            assert gazetteer.lookup(name, None)
            gazetteer.lookup(name, "SY", fuzzy=True)
        held = tracemalloc.get_traced_memory()[0] - base
        gazetteer.close()
        left = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
        gc.enable()
    assert held > 5_000_000, held  # the lookup table alone is tens of MB
    assert left < held / 10, (held, left)


def test_a_dropped_pipeline_is_freed_without_the_cycle_collector(bundled_gazetteer):
    """Its matchers and dictionaries (tens of MB) go when the last reference
    does: nothing in it holds the pipeline itself (its country namer reaches
    it through a weak reference)."""
    import weakref
    from datetime import date

    from marsad.pipeline import Pipeline, extract

    gc.collect()
    gc.disable()
    try:
        pipeline = Pipeline(gazetteer_path=str(bundled_gazetteer))
        extract("On 3 May 2022, Syrian government forces shelled Kafr Nabudah in Hama.", date(2022, 5, 5),
                pipeline=pipeline)
        pipeline.close()
        ref = weakref.ref(pipeline)
        del pipeline
        assert ref() is None
    finally:
        gc.enable()
