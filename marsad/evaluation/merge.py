"""``marsad eval merge [DIR]``: how well reports of one incident are merged.

A corpus folder holds ``reports.yaml`` (documents: id, source, url,
published, text) and ``expected.yaml`` (the true incidents, each a list of
members: a document id and, where the report tells of several incidents,
the place meant). The reports go through the whole path a user's would:
pipeline, store, merging. Each extracted event is matched to an expected
member (same document; same place where one is given); an extracted event
matching none is an *extra* event and counts as an incident of its own.

Metrics over all pairs of extracted events, and again over the pairs of
*well-extracted* events only (country, place and kind of incident as the
expected incident has them), which measures the merging stage apart from
extraction errors (docs/evaluation.md):
pairwise precision, recall and F1 of "same incident"; the wrong-merge rate,
the share of extracted events whose merged incident also holds an event of
another true incident. The corpus is also ingested in reverse order and
the two sets of stored events compared (``order_independent``).
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from pathlib import Path

from marsad.errors import InputError
from marsad.knowledge.lexicons import read_yaml
from marsad.records import Document, DocumentResult, Event

REPORTS_FILE = "reports.yaml"
EXPECTED_FILE = "expected.yaml"
# The corpus written for the tests, in a source checkout.
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "tests" / "data" / "merge_corpus"


@dataclass(frozen=True, slots=True)
class ExpectedMember:
    incident: str
    doc: str
    places: tuple[str, ...] = ()
    # the incident as a careful coder codes it: an extracted event that agrees
    # (country, one of the place names, a sub-event type merging accepts for it)
    # is "well extracted"
    country: str = ""
    true_places: tuple[str, ...] = ()
    sub_event_type: str = ""


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return re.sub(r"[^a-z0-9]+", "", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _date(value: object, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{where}: 'published' is not a date YYYY-MM-DD") from None


def load_corpus(folder: Path | str) -> tuple[list[Document], list[ExpectedMember]]:
    folder = Path(folder)
    for name in (REPORTS_FILE, EXPECTED_FILE):
        if not (folder / name).is_file():
            raise InputError(f"{folder / name}: merge corpus file not found")
    documents = []
    for i, raw in enumerate(read_yaml(folder / REPORTS_FILE).get("reports") or []):
        where = f"{folder / REPORTS_FILE}: reports[{i}]"
        if not isinstance(raw, dict) or not raw.get("id") or not raw.get("text"):
            raise InputError(f"{where}: needs 'id' and 'text'")
        documents.append(Document(
            id=str(raw["id"]), raw=str(raw["text"]), published=_date(raw.get("published"), where),
            published_from="input", source=str(raw.get("source") or ""), url=str(raw.get("url") or ""),
            origin=f"{folder.name}/{raw['id']}"))
    members = []
    for incident in read_yaml(folder / EXPECTED_FILE).get("incidents") or []:
        truth = (str(incident.get("country") or ""), tuple(str(p) for p in incident.get("place") or ()),
                 str(incident.get("type") or ""))
        for m in incident.get("members") or []:
            members.append(ExpectedMember(str(incident["id"]), str(m["doc"]),
                                          tuple(str(p) for p in m.get("place") or ()), *truth))
    return documents, members


def match(extracted: Sequence[tuple[str, str, Event]], expected: Sequence[ExpectedMember]) -> tuple[dict[str, str], list[str], list[ExpectedMember]]:
    """Gold incident of every extracted event (extraction id -> incident id).

    ``extracted`` holds (extraction id, doc id, event). Returns the labels
    (extra events labelled by their own id), the extra ids and the members
    no event matched.
    """
    by_doc: dict[str, list[tuple[str, Event]]] = {}
    for xid, doc, event in extracted:
        by_doc.setdefault(doc, []).append((xid, event))
    labels: dict[str, str] = {}
    missed = []
    for member in sorted(expected, key=lambda m: (not m.places, m.doc, m.incident)):
        free = [(x, e) for x, e in by_doc.get(member.doc, []) if x not in labels]
        if member.places:
            names = {_fold(p) for p in member.places}
            free = [(x, e) for x, e in free if _fold(e.location) in names]
        if not free:
            missed.append(member)
            continue
        chosen = min(free, key=lambda xe: (-xe[1].confidence, xe[0]))
        labels[chosen[0]] = member.incident
    extra = sorted(x for x, _, _ in extracted if x not in labels)
    for x in extra:
        labels[x] = f"extra:{x}"
    return labels, extra, missed


def well_extracted(extracted: Sequence[tuple[str, str, Event]], labels: dict[str, str],
                   expected: Sequence[ExpectedMember]) -> set[str]:
    """Extraction ids whose event agrees with its true incident on what merging
    looks at: country, place and (a compatible) sub-event type."""
    from marsad.merge.similarity import load_rules

    rules = load_rules()
    truth = {m.incident: m for m in expected}
    out = set()
    for xid, _, event in extracted:
        m = truth.get(labels.get(xid, ""))
        if m is None:
            continue
        place_ok = _fold(event.location) in {_fold(p) for p in m.true_places}
        type_ok = event.sub_event_type in rules.compatible_types(m.sub_event_type) or not m.sub_event_type
        if event.country == m.country and place_ok and type_ok:
            out.add(xid)
    return out


def pairwise(predicted: dict[str, str], gold: dict[str, str]) -> dict:
    """Pairwise precision / recall / F1 of "same incident" and the wrong-merge rate."""
    ids = sorted(gold)
    tp = fp = fn = 0
    for a, b in combinations(ids, 2):
        same_pred, same_gold = predicted[a] == predicted[b], gold[a] == gold[b]
        tp += same_pred and same_gold
        fp += same_pred and not same_gold
        fn += same_gold and not same_pred
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    truths: dict[str, set[str]] = {}
    for x in ids:
        truths.setdefault(predicted[x], set()).add(gold[x])
    wrong = sum(1 for x in ids if len(truths[predicted[x]]) > 1)
    return {"events": len(ids), "true_pairs": tp + fn, "merged_pairs": tp + fp, "tp": tp, "fp": fp, "fn": fn,
            "precision": precision, "recall": recall, "f1": f1,
            "wrongly_merged_events": wrong, "wrong_merge_rate": wrong / len(ids) if ids else 0.0,
            "incidents_predicted": len(truths), "incidents_true": len(set(gold.values()))}


def ingest(results: Sequence[DocumentResult], batch_size: int = 200):
    """Save results into a fresh in-memory store; (store, extracted, extraction -> incident)."""
    import json

    from marsad.store import Store

    store = Store.open(":memory:")
    store.save_results(results, batch_size=batch_size)
    rows = store._conn.execute(
        "SELECT x.extraction_id, x.doc_id, x.event, m.event_id FROM extractions x"
        " JOIN event_members m ON m.extraction_id = x.extraction_id ORDER BY x.extraction_id").fetchall()
    extracted = [(x, doc, Event.from_dict(json.loads(payload))) for x, doc, payload, _ in rows]
    return store, extracted, {x: incident for x, _, _, incident in rows}


def _pair_errors(extracted, predicted: dict[str, str], gold: dict[str, str]) -> list[dict]:
    from marsad.merge.similarity import compare

    events = {x: (doc, e) for x, doc, e in extracted}
    out = []
    for a, b in combinations(sorted(gold), 2):
        same_pred, same_gold = predicted[a] == predicted[b], gold[a] == gold[b]
        if same_pred == same_gold:
            continue
        (doc_a, ea), (doc_b, eb) = events[a], events[b]
        verdict = compare(ea, eb, same_document=doc_a == doc_b)
        out.append({"kind": "wrong merge" if same_pred else "missed merge", "a": f"{doc_a}:{ea.location}",
                    "b": f"{doc_b}:{eb.location}", "incident": gold[a] if not same_pred else f"{gold[a]} / {gold[b]}",
                    "score": verdict.score, "reasons": list(verdict.reasons)})
    return out


def evaluate(folder: Path | str | None = None, pipeline=None, *,
             progress: Callable[[int], None] | None = None) -> dict:
    """Score merging on the corpus in ``folder`` (default: the test corpus)."""
    folder = Path(folder) if folder else DEFAULT_CORPUS
    if not folder.is_dir():
        raise InputError(f"{folder}: no merge corpus folder (give DIR)")
    documents, expected = load_corpus(folder)
    started = time.perf_counter()
    results = []
    for i, doc in enumerate(documents, 1):
        results.append(pipeline.process(doc))
        if progress:
            progress(i)
    store, extracted, predicted = ingest(results)
    try:
        stored = store.events(limit=None, order_by="event_id")
    finally:
        store.close()
    reverse_store, _, _ = ingest(list(reversed(results)), batch_size=7)
    try:
        order_independent = reverse_store.events(limit=None, order_by="event_id") == stored
    finally:
        reverse_store.close()
    gold, extra, missed = match(extracted, expected)
    metrics = pairwise(predicted, gold)
    good = well_extracted(extracted, gold, expected)
    stage = pairwise(predicted, {x: g for x, g in gold.items() if x in good})
    badly = sorted(f"{doc}: {e.sub_event_type} in {e.location or '?'} ({e.country or '?'})"
                   for x, doc, e in extracted if x not in good)
    seconds = time.perf_counter() - started
    return {
        "dataset": "merge", "file": str(folder), "documents": len(documents), "seconds": seconds,
        "docs_per_s": len(documents) / seconds if seconds > 0 else 0.0,
        "overall": {**metrics, "extracted_events": len(extracted), "extra_events": len(extra),
                    "missed_members": len(missed), "order_independent": order_independent},
        "merge_stage": stage, "badly_extracted": badly,
        "extra": extra, "missed": [f"{m.doc} ({m.incident})" for m in missed],
        "errors": _pair_errors(extracted, predicted, gold),
    }


MERGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("events", "events"), ("incidents_true", "true inc"), ("incidents_predicted", "merged inc"),
    ("precision", "P"), ("recall", "R"), ("f1", "F1"), ("wrong_merge_rate", "wrong-merge"),
    ("extra_events", "extra"), ("missed_members", "missed"),
)


def render(result: dict) -> str:
    from marsad.evaluation.report import _metric_table, _timing, table

    overall = result["overall"]
    errors = [[e["kind"], e["a"], e["b"], e["score"], "; ".join(e["reasons"])[:120]] for e in result["errors"]]
    parts = [
        f"Merging: {result['file']}",
        _metric_table([("end to end", overall), ("well-extracted events", result["merge_stage"])],
                      MERGE_COLUMNS, "group"),
        f"pairs: {overall['tp']} merged right, {overall['fp']} merged wrongly, {overall['fn']} missed;"
        f" same events in reverse order: {'yes' if overall['order_independent'] else 'NO'}",
        "Pair errors:\n" + (table(["error", "event", "other event", "score", "why"], errors) if errors else "(none)"),
    ]
    if result["badly_extracted"]:
        parts.append("Events the extractor coded wrongly (place, country or kind), left out of"
                     " \"well-extracted events\":\n" + "\n".join(f"  {b}" for b in result["badly_extracted"]))
    if result["extra"] or result["missed"]:
        parts.append("Extraction mismatches: extra " + (", ".join(result["extra"]) or "none")
                     + "; missed " + (", ".join(result["missed"]) or "none"))
    parts.append(_timing(result))
    return "\n\n".join(parts)
