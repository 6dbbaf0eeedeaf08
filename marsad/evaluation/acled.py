"""Score marsad on ACLED events (``marsad eval acled``).

Each gold row is one document: its ``notes`` are the text, its
``event_date`` the publication date. marsad's events for the document are
compared with the row through the best-matching predicted event (same
sub-event type, else same event type, else the first). Every accuracy is
over all documents: a document without any event is wrong on every field.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from marsad.evaluation.common import (
    NO_EVENT,
    ErrorSink,
    Progress,
    Tally,
    best_match,
    confusions,
    event_summary,
    fold,
    parse_float,
    parse_int,
    read_table,
    same_actor,
    same_actor_pair,
    same_admin,
    sample,
    within_km,
)
from marsad.records import Document, Event

FILE_NAME = "acled_2022h1.csv"
REQUIRED_COLUMNS = (
    "event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1",
    "actor2", "region", "country", "admin1", "location", "latitude", "longitude", "notes", "fatalities",
)
# Fields scored per document, in report order.
FIELDS = (
    "event_type", "sub_event_type", "actor1", "actor_pair", "admin1", "location_10km",
    "fatalities", "event_date", "time_precision",
)
# The country reported on its own row besides the overall and regional rows.
FOCUS_COUNTRY = "Syria"
# Gold fields copied into an error record.
GOLD_FIELDS = (
    "event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1",
    "assoc_actor_1", "actor2", "assoc_actor_2", "country", "admin1", "admin2", "location",
    "latitude", "longitude", "geo_precision", "fatalities",
)


def document_for(row: dict[str, str]) -> Document:
    """The input document a gold row stands for."""
    try:
        published = date.fromisoformat(row["event_date"])
    except ValueError:
        published = None
    return Document(
        id="acled-" + row["event_id_cnty"],
        raw=row["notes"],
        kind="text",
        published=published,
        published_from="input" if published else "",
        origin="acled:" + row["event_id_cnty"],
    )


def agreement(row: dict[str, str], event: Event | None) -> dict[str, bool]:
    """Per field: does the predicted event agree with the gold row?"""
    if event is None:
        return dict.fromkeys(FIELDS, False)
    return {
        "event_type": event.event_type == row["event_type"],
        "sub_event_type": event.sub_event_type == row["sub_event_type"],
        "actor1": same_actor(row["actor1"], event.actor1),
        "actor_pair": same_actor_pair(row["actor1"], row["actor2"], event.actor1, event.actor2),
        "admin1": same_admin(row["admin1"], event.admin1),
        "location_10km": within_km(event.latitude, event.longitude,
                                   parse_float(row["latitude"]), parse_float(row["longitude"])),
        "fatalities": parse_int(row["fatalities"]) == event.fatalities,
        "event_date": event.event_date == row["event_date"],
        "time_precision": parse_int(row["time_precision"]) == event.time_precision,
    }


def evaluate(path: Path | str, pipeline, limit: int | None = None, country: str | None = None, *,
             every: int = 1, errors: ErrorSink | None = None, progress: Progress | None = None) -> dict:
    """Run ``pipeline`` over the ACLED gold file at ``path`` and score it.

    ``country`` keeps only that country's rows (case-insensitive); ``every``
    keeps every n-th row (a deterministic sample); ``limit`` caps the
    number of documents. ``errors`` receives one dict per document with a
    mismatch; ``progress`` the number of documents done so far.

    Returns ``{"dataset", "file", "documents", "seconds", "docs_per_s",
    "overall", "focus", "by_region", "confusions"}`` where each group is a
    dict of metrics (see ``FIELDS``, plus coverage, extra_events and
    sub_event_f1).
    """
    wanted = fold(country) if country else ""
    rows = sample(read_table(Path(path), REQUIRED_COLUMNS, what="ACLED"), every=every, limit=limit,
                  keep=(lambda r: fold(r["country"]) == wanted) if wanted else None)
    overall, focus = Tally(), Tally()
    by_region: dict[str, Tally] = {}
    started = time.perf_counter()
    for row in rows:
        result = pipeline.process(document_for(row))
        events = result.events
        event = best_match(events, [row["sub_event_type"]], [row["event_type"]])
        scores = agreement(row, event)
        label = (row["sub_event_type"], event.sub_event_type if event else NO_EVENT)
        groups = [overall, by_region.setdefault(row["region"] or "(none)", Tally())]
        if fold(row["country"]) == fold(FOCUS_COUNTRY):
            groups.append(focus)
        for tally in groups:
            tally.add(len(events), scores, label)
        if errors is not None and not all(scores.values()):
            errors({
                "dataset": "acled",
                "id": row["event_id_cnty"],
                "text": row["notes"],
                "gold": {k: row.get(k, "") for k in GOLD_FIELDS},
                "n_events": len(events),
                "rejected": result.rejected,
                "predicted": event_summary(event),
                "mismatched": [k for k, ok in scores.items() if not ok],
            })
        if progress is not None:
            progress(overall.documents)
    seconds = time.perf_counter() - started
    return {
        "dataset": "acled",
        "file": str(path),
        "country": country or "",
        "documents": overall.documents,
        "seconds": seconds,
        "docs_per_s": overall.documents / seconds if seconds > 0 else 0.0,
        "overall": overall.metrics(FIELDS),
        "focus_country": FOCUS_COUNTRY,
        "focus": focus.metrics(FIELDS),
        "by_region": {name: t.metrics(FIELDS) for name, t in sorted(by_region.items())},
        "confusions": [list(c) for c in confusions(overall.labels)],
    }
