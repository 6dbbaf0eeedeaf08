"""Score marsad on Global Terrorism Database incidents (``marsad eval gtd``).

Each row is one document: ``summary`` is the text, ``date`` the
publication date. GTD attack types are not ACLED sub-event types, so each
attack type maps to a *set* of acceptable sub-event types
(``ACCEPTABLE``; documented in docs/evaluation.md). Rows whose attack
type is "Unknown" have no type to agree with: they count for coverage,
place and counts but not for type agreement.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import date
from pathlib import Path

from marsad.evaluation.common import (
    EVENT_TYPE_OF,
    NO_EVENT,
    ErrorSink,
    Progress,
    Tally,
    accuracy,
    best_match,
    event_summary,
    parse_float,
    parse_int,
    read_table,
    sample,
    within_km,
)
from marsad.records import Document, Event

FILE_NAME = "gtd_iraq_2012_2017.csv"
REQUIRED_COLUMNS = ("date", "attack_type", "weapon_type", "suicide", "summary", "latitude", "longitude",
                    "killed", "wounded", "city", "state")
UNKNOWN_ATTACK = "Unknown"

_IED = "Remote explosive/landmine/IED"
_SUICIDE = "Suicide bomb"
# GTD attack type -> sub-event types that agree with it. "Bombing/Explosion"
# covers planted bombs, car bombs, grenades and (in GTD) mortar/rocket fire
# by non-state groups, so all of those are acceptable; suicide attacks: see
# ``acceptable``.
ACCEPTABLE: dict[str, frozenset[str]] = {
    "Bombing/Explosion": frozenset({_IED, "Grenade", "Shelling/artillery/missile attack"}),
    "Armed Assault": frozenset({"Attack", "Armed clash"}),
    # assassinations in Iraq are shootings or "sticky" bombs under a car
    "Assassination": frozenset({"Attack", _IED, "Grenade"}),
    "Hostage Taking (Kidnapping)": frozenset({"Abduction/forced disappearance"}),
    # Iraqi barricade incidents are raids that hold people inside a building
    "Hostage Taking (Barricade Incident)": frozenset({"Abduction/forced disappearance", "Armed clash", "Attack"}),
    "Hijacking": frozenset({"Abduction/forced disappearance"}),
    "Facility/Infrastructure Attack": frozenset({"Looting/property destruction", _IED}),
    "Unarmed Assault": frozenset({"Attack"}),
}
# With suicide=1 a suicide bombing is acceptable for every attack type, and
# for a bombing it is the only acceptable code (ACLED codes a suicide
# bombing "Suicide bomb", never IED).
SUICIDE_ONLY = frozenset({"Bombing/Explosion"})
FIELDS = ("type_agreement", "place_10km", "killed", "wounded")
GOLD_FIELDS = ("date", "attack_type", "weapon_type", "suicide", "target_type", "group_name", "state", "city",
               "latitude", "longitude", "killed", "wounded")


# GTD records the highest attack type of its hierarchy (a kidnapping ranks
# above an armed assault), ACLED the most severe violence: people killed
# beside those taken (or a captive killed) make an ACLED Attack. A GTD
# kidnapping with deaths therefore also agrees with Attack.
KIDNAPPING = "Hostage Taking (Kidnapping)"


def acceptable(attack_type: str, suicide: bool, killed: int | None = None) -> frozenset[str]:
    """Sub-event types that agree with a GTD attack type ("" -> none)."""
    base = ACCEPTABLE.get(attack_type, frozenset())
    if attack_type == KIDNAPPING and killed:
        base = base | {"Attack"}
    if not suicide or not base:
        return base
    return frozenset({_SUICIDE}) if attack_type in SUICIDE_ONLY else base | {_SUICIDE}


def document_for(row: dict[str, str], index: int) -> Document:
    try:
        published = date.fromisoformat(row["date"])
    except ValueError:
        published = None
    return Document(id=f"gtd-{index}", raw=row["summary"], kind="text", published=published,
                    published_from="input" if published else "", origin=f"gtd:{index}")


def agreement(row: dict[str, str], event: Event | None, subs: frozenset[str]) -> dict[str, bool]:
    if event is None:
        return dict.fromkeys(FIELDS, False)
    injuries = event.injuries or 0
    return {
        "type_agreement": event.sub_event_type in subs,
        "place_10km": within_km(event.latitude, event.longitude,
                                parse_float(row["latitude"]), parse_float(row["longitude"])),
        "killed": parse_int(row["killed"]) == event.fatalities,
        "wounded": parse_int(row["wounded"]) == injuries,
    }


def evaluate(path: Path | str, pipeline, limit: int | None = None, *, every: int = 1,
             errors: ErrorSink | None = None, progress: Progress | None = None) -> dict:
    """Run ``pipeline`` over the GTD file and score it (see module doc).

    Type agreement is over the rows with a known attack type (a row
    without an event counts as wrong); the other fields over all rows.
    """
    rows = sample(read_table(Path(path), REQUIRED_COLUMNS, what="GTD"), every=every, limit=limit)
    overall = Tally()
    typed = typed_ok = 0
    by_attack: Counter[tuple[str, str]] = Counter()
    started = time.perf_counter()
    for index, row in enumerate(rows):
        attack = row["attack_type"]
        subs = acceptable(attack, row["suicide"] == "1", parse_int(row.get("killed", "")))
        result = pipeline.process(document_for(row, index))
        events = result.events
        event = best_match(events, subs, {EVENT_TYPE_OF[s] for s in subs})
        scores = agreement(row, event, subs)
        known = attack != UNKNOWN_ATTACK and bool(subs)
        if known:
            typed += 1
            typed_ok += scores["type_agreement"]
            by_attack[(attack, event.sub_event_type if event else NO_EVENT)] += 1
        overall.add(len(events), {k: v for k, v in scores.items() if k != "type_agreement"})
        if errors is not None and not all(v for k, v in scores.items() if known or k != "type_agreement"):
            errors({
                "dataset": "gtd",
                "id": f"gtd-{index}",
                "text": row["summary"],
                "gold": {k: row.get(k, "") for k in GOLD_FIELDS},
                "acceptable_sub_event_types": sorted(subs),
                "n_events": len(events),
                "rejected": result.rejected,
                "predicted": event_summary(event),
                "mismatched": [k for k, ok in scores.items() if not ok and (known or k != "type_agreement")],
            })
        if progress is not None:
            progress(overall.documents)
    seconds = time.perf_counter() - started
    metrics = overall.metrics([f for f in FIELDS if f != "type_agreement"])
    metrics["typed_documents"] = typed
    metrics["type_agreement"] = accuracy(typed_ok, typed)
    return {
        "dataset": "gtd",
        "file": str(path),
        "documents": overall.documents,
        "seconds": seconds,
        "docs_per_s": overall.documents / seconds if seconds > 0 else 0.0,
        "overall": metrics,
        "by_attack_type": [[a, p, n] for (a, p), n in by_attack.most_common()],
    }
