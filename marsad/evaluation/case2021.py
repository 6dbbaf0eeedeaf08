"""Score marsad on CASE 2021 task 2 snippets (``marsad eval case2021``).

Snippets carry one label each: one of 25 ACLED-derived sub-event types
(listed in ``case2021_task2_event_types.txt``) or a non-political type
(NATURAL_DISASTER, DIPLO, ...) for which marsad should output no event.

Two numbers matter: the support-weighted sub-event F1 over the political
snippets, and the share of non-political snippets for which marsad wrongly
outputs at least one event (``non_political_fp``; lower is better).

The snippets carry no date; every one is given ``PUBLISHED`` as its
publication date (only the event date depends on it, and it is not scored).
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import date
from pathlib import Path

from marsad.errors import InputError
from marsad.evaluation.common import (
    EVENT_TYPE_OF,
    NO_EVENT,
    ErrorSink,
    Progress,
    Tally,
    accuracy,
    best_match,
    confusions,
    event_summary,
    read_table,
    sample,
)
from marsad.records import Document

FILE_NAME = "case2021_task2.tsv"
LABELS_FILE = "case2021_task2_event_types.txt"
REQUIRED_COLUMNS = ("id", "EventSnippet", "SubType")
# Fixed publication date for every snippet (the data gives none); mid-2020
# lies inside the period the CASE 2021 snippets were collected from.
PUBLISHED = date(2020, 6, 15)

# CASE 2021 label -> our sub-event type.
SUB_EVENT_OF: dict[str, str] = {
    "ABDUCT_DISSAP": "Abduction/forced disappearance",
    "AGREEMENT": "Agreement",
    "AIR_STRIKE": "Air/drone strike",
    "ARMED_CLASH": "Armed clash",
    "ARREST": "Arrests",
    "ART_MISS_ATTACK": "Shelling/artillery/missile attack",
    "ATTACK": "Attack",
    "CHANGE_TO_GROUP_ACT": "Change to group/activity",
    "CHEM_WEAP": "Chemical weapon",
    "DISR_WEAP": "Disrupted weapons use",
    "FORCE_AGAINST_PROTEST": "Excessive force against protesters",
    "GOV_REGAINS_TERIT": "Government regains territory",
    "GRENADE": "Grenade",
    "HQ_ESTABLISHED": "Headquarters or base established",
    "MOB_VIOL": "Mob violence",
    "NON_STATE_ACTOR_OVERTAKES_TER": "Non-state actor overtakes territory",
    "NON_VIOL_TERRIT_TRANSFER": "Non-violent transfer of territory",
    "OTHER": "Other",
    "PEACE_PROTEST": "Peaceful protest",
    "PROPERTY_DISTRUCT": "Looting/property destruction",
    "PROTEST_WITH_INTER": "Protest with intervention",
    "REM_EXPLOS": "Remote explosive/landmine/IED",
    "SEX_VIOL": "Sexual violence",
    "SUIC_BOMB": "Suicide bomb",
    "VIOL_DEMONSTR": "Violent demonstration",
}
FIELDS = ("event_type", "sub_event_type")


def political_labels(path: Path) -> frozenset[str]:
    """The 25 ACLED-derived labels, checked against ``SUB_EVENT_OF``."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such CASE 2021 label file (see --gold-dir)")
    try:
        labels = frozenset(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read CASE 2021 label file: {err}") from err
    unknown = sorted(labels - SUB_EVENT_OF.keys())
    if unknown:
        raise InputError(f"{path}: label(s) with no sub-event type mapping: {', '.join(unknown)}")
    return labels


def evaluate(path: Path | str, pipeline, limit: int | None = None, *, labels_path: Path | str | None = None,
             every: int = 1, errors: ErrorSink | None = None, progress: Progress | None = None) -> dict:
    """Run ``pipeline`` over the CASE 2021 snippets at ``path`` and score them.

    ``labels_path`` defaults to the label file beside ``path``.
    """
    path = Path(path)
    political = political_labels(Path(labels_path) if labels_path else path.with_name(LABELS_FILE))
    rows = sample(read_table(path, REQUIRED_COLUMNS, what="CASE 2021", delimiter="\t"), every=every, limit=limit)
    scored = Tally()
    non_political = false_positive = 0
    fp_labels: Counter[str] = Counter()
    started = time.perf_counter()
    done = 0
    for row in rows:
        label = row["SubType"].strip()
        document = Document(id=f"case2021-{row['id']}", raw=row["EventSnippet"], kind="text",
                            published=PUBLISHED, published_from="input", origin=f"case2021:{row['id']}")
        result = pipeline.process(document)
        events = result.events
        record: dict | None = None
        if label in political:
            gold_sub = SUB_EVENT_OF[label]
            event = best_match(events, [gold_sub], [EVENT_TYPE_OF[gold_sub]])
            scores = {"event_type": bool(event) and event.event_type == EVENT_TYPE_OF[gold_sub],
                      "sub_event_type": bool(event) and event.sub_event_type == gold_sub}
            scored.add(len(events), scores, (gold_sub, event.sub_event_type if event else NO_EVENT))
            if not all(scores.values()):
                record = {"gold": {"label": label, "sub_event_type": gold_sub}, "predicted": event_summary(event),
                          "mismatched": [k for k, ok in scores.items() if not ok]}
        else:
            non_political += 1
            if events:
                false_positive += 1
                fp_labels[label] += 1
                record = {"gold": {"label": label, "sub_event_type": ""}, "predicted": event_summary(events[0]),
                          "mismatched": ["non_political_event"]}
        if errors is not None and record is not None:
            errors({"dataset": "case2021", "id": row["id"], "text": row["EventSnippet"], "n_events": len(events),
                    "rejected": result.rejected, **record})
        done += 1
        if progress is not None:
            progress(done)
    seconds = time.perf_counter() - started
    metrics = scored.metrics(FIELDS)
    metrics["political_documents"] = metrics.pop("documents")
    if "sub_event_f1" not in metrics:
        metrics["sub_event_f1"] = 0.0
    metrics["non_political_documents"] = non_political
    metrics["non_political_fp"] = accuracy(false_positive, non_political)
    return {
        "dataset": "case2021",
        "file": str(path),
        "documents": done,
        "seconds": seconds,
        "docs_per_s": done / seconds if seconds > 0 else 0.0,
        "overall": metrics,
        "false_positives_by_label": dict(fp_labels.most_common()),
        "confusions": [list(c) for c in confusions(scored.labels)],
    }
