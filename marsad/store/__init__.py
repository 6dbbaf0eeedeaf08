"""The marsad store: documents, coded events with their evidence, runs.

    from marsad.store import Store, EventFilter
    with Store.open(path) as store:
        run = store.begin_run({"inputs": [...]})
        stats = store.save_results(results, run)
        store.finish_run(run, "ok", stats)
        store.events(EventFilter(country="Syria"), limit=20)
"""

from marsad.store.sqlite import (
    DEFAULT_ORDER,
    ORDERABLE_COLUMNS,
    SAVE_BATCH_SIZE,
    EventFilter,
    Problem,
    RunInfo,
    SaveStats,
    Store,
    StoredDocument,
)

__all__ = [
    "DEFAULT_ORDER", "ORDERABLE_COLUMNS", "SAVE_BATCH_SIZE", "EventFilter", "Problem",
    "RunInfo", "SaveStats", "Store", "StoredDocument",
]
