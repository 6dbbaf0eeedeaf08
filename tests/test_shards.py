"""Parquet shards hold exactly the DocumentResults the pipeline produced."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marsad.records import CleanDocument, Document, DocumentResult, Event, Evidence, InputProblem
from marsad.shards import check_shard, read_shard, write_shard
from scale_helpers import report_records, write_jsonl

# Parquet strings are UTF-8: text that Python cannot encode (lone
# surrogates) is not something ingest produces.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
DATES = st.none() | st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
INTS = st.none() | st.integers(min_value=-(2 ** 62), max_value=2 ** 62)
FLOATS = st.none() | st.floats(allow_nan=False, allow_infinity=False)

evidence = st.builds(Evidence, field=TEXT, start=st.integers(0, 10 ** 6), end=st.integers(0, 10 ** 6),
                     text=TEXT, doc_id=TEXT, confidence=st.floats(0, 1))
events = st.builds(
    Event, event_id=TEXT, event_date=st.sampled_from(["", "2022-05-03", "1999-12-31"]),
    time_precision=st.integers(1, 3), disorder_type=TEXT, event_type=TEXT, sub_event_type=TEXT,
    actor1=TEXT, inter1=INTS, actor2=TEXT, inter2=INTS, interaction=INTS, iso=INTS, country=TEXT,
    admin1=TEXT, location=TEXT, latitude=FLOATS, longitude=FLOATS, geo_precision=INTS, notes=TEXT,
    fatalities=st.integers(0, 10 ** 6), injuries=INTS, arrests=INTS, confidence=st.floats(0, 1),
    document_ids=st.tuples(TEXT) | st.tuples(TEXT, TEXT), evidence=st.lists(evidence, max_size=3).map(tuple),
    warnings=st.lists(TEXT, max_size=2).map(tuple),
)
documents = st.builds(Document, id=TEXT, raw=TEXT, kind=st.sampled_from(["text", "html"]), published=DATES,
                      published_from=TEXT, title=TEXT, url=TEXT, source=TEXT, origin=TEXT, content_hash=TEXT)
cleans = st.builds(CleanDocument, doc_id=TEXT, text=TEXT, title=TEXT, site_name=TEXT, published=DATES,
                   published_from=TEXT, url=TEXT, source=TEXT, removed=st.lists(TEXT, max_size=3).map(tuple))
results = st.builds(DocumentResult, document=documents, clean=st.none() | cleans,
                    events=st.lists(events, max_size=3).map(tuple), rejected=st.sampled_from(["", "too long"]),
                    warnings=st.lists(TEXT, max_size=2).map(tuple))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(results, max_size=6))
def test_results_round_trip_through_parquet(tmp_path_factory, batch) -> None:
    out = tmp_path_factory.mktemp("rt")
    info = write_shard(out, 7, "input.jsonl", [(r.document, r) for r in batch])
    assert info.documents.rows == len(batch) and info.events.rows == sum(len(r.events) for r in batch)
    assert check_shard(out, info) == ""
    assert list(read_shard(out, info)) == batch


def test_real_results_and_problems_round_trip(bundled_pipeline, tmp_path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", report_records(12), bad_line_at=3)
    from marsad.ingest import iter_inputs

    pairs = [(item, None if isinstance(item, InputProblem) else bundled_pipeline.process(item))
             for item in iter_inputs([str(path)])]
    info = write_shard(tmp_path, 0, str(path), pairs)
    assert [p[0] for p in info.problems] == [f"{path}:4"]
    produced = [r for _, r in pairs if r is not None]
    assert sum(len(r.events) for r in produced) >= 12
    assert list(read_shard(tmp_path, info)) == produced
    # what the manifest records survives JSON
    assert json.loads(json.dumps(info.to_dict())) == info.to_dict()
    assert sorted(p.name for p in Path(tmp_path).glob("*.parquet")) == ["documents-00000.parquet",
                                                                        "events-00000.parquet"]
    assert not list(Path(tmp_path).glob(".*.tmp"))
