"""The members of one incident -> one merged event.

- id: the smallest member id, so any ingest order gives the same id; a
  single member is returned unchanged.
- date and place: from the member that knows them most precisely.
- type and actors: the sub-event type most members (weighted by their
  confidence) give; a named actor replaces an unnamed one in the same role.
- counts (fatalities, injuries, arrests), the codebook's conservative rule
  across sources: the lowest figure among the reports that give one, unless
  a report published on a later day revises it (then the lowest of the
  latest reports giving a figure counts). A report that gives no figure is
  not a report of zero.
- source: every outlet (sorted); source_scale: their scales combined;
  document_ids, evidence: every report's, each evidence span keeping its doc.
- confidence: independent sources corroborate: 1 - prod(1 - c_i).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from marsad.events.notes import write_notes
from marsad.merge.cluster import canonical_order
from marsad.merge.similarity import MergeRules, load_rules, time_precision
from marsad.merge.sources import combine_scales
from marsad.records import Event

# Merged confidence never claims certainty: text extraction can be wrong in
# every report the same way.
MAX_CONFIDENCE = 0.99

_PLACE_FIELDS = ("iso", "region", "country", "admin1", "admin2", "admin3", "location",
                 "latitude", "longitude", "geo_precision")


def _reported(event: Event, what: str) -> int | None:
    """The figure a report gives for ``what`` (None: it gives none)."""
    value = getattr(event, what)
    if what == "fatalities" and not value and not any(e.field == "fatalities" for e in event.evidence):
        return None
    return value


def conservative_count(members: Sequence[Event], what: str, published: Mapping[str, str]) -> int | None:
    """Lowest figure of the latest reports that give one (see the module doc)."""
    figures = [(published.get(m.document_ids[0] if m.document_ids else "", "") or "", v)
               for m in members if (v := _reported(m, what)) is not None]
    if not figures:
        return None
    latest = max(day for day, _ in figures)
    return min(v for day, v in figures if day == latest)


def _place_rank(e: Event) -> tuple:
    return (e.latitude is None, e.geo_precision or 4, -e.confidence, e.event_id)


def _date_rank(e: Event) -> tuple:
    return (not e.event_date, time_precision(e), -e.confidence, e.event_id)


def _choose_type(members: Sequence[Event]) -> Event:
    votes: dict[str, float] = {}
    for m in members:
        votes[m.sub_event_type] = votes.get(m.sub_event_type, 0.0) + max(m.confidence, 0.01)
    best = min(votes, key=lambda t: (-round(votes[t], 6), t))
    return min((m for m in members if m.sub_event_type == best), key=lambda e: (-e.confidence, e.event_id))


def _actors(lead: Event, members: Sequence[Event], rules: MergeRules) -> dict:
    out = {"actor1": lead.actor1, "inter1": lead.inter1, "assoc_actor_1": lead.assoc_actor_1,
           "actor2": lead.actor2, "inter2": lead.inter2, "assoc_actor_2": lead.assoc_actor_2}
    ranked = sorted(members, key=lambda e: (-e.confidence, e.event_id))
    for n in ("1", "2"):
        if out[f"actor{n}"] and not rules.is_generic(out[f"actor{n}"]):
            continue
        for m in ranked:
            name = getattr(m, f"actor{n}")
            if name and not rules.is_generic(name) and name not in (out["actor1"], out["actor2"]):
                out[f"actor{n}"], out[f"inter{n}"] = name, getattr(m, f"inter{n}")
                break
    i1, i2 = out["inter1"], out["inter2"]
    out["interaction"] = (int(f"{min(i1, i2)}{max(i1, i2)}") if i2 else i1 * 10) if i1 else None
    return out


def combine(
    members: Sequence[Event],
    published: Mapping[str, str] | None = None,
    rules: MergeRules | None = None,
) -> Event:
    """One event for the incident ``members`` describe (``published``: doc id -> ISO date)."""
    if not members:
        raise ValueError("combine: no members")
    ordered = canonical_order(members)
    if len(ordered) == 1:
        return ordered[0]
    rules = rules or load_rules()
    published = published or {}
    dated = min(ordered, key=_date_rank)
    precise = [m for m in ordered if time_precision(m) == time_precision(dated) and m.event_date]
    days = [m.event_date for m in precise] or [dated.event_date]
    event_date = min(set(days), key=lambda d: (-days.count(d), d))
    placed = min(ordered, key=_place_rank)
    typed = _choose_type(ordered)
    counts = {what: conservative_count(ordered, what, published) for what in ("fatalities", "injuries", "arrests")}
    sources = sorted({m.source for m in ordered if m.source})
    confidence = 1.0
    for m in ordered:
        confidence *= 1.0 - min(max(m.confidence, 0.0), 1.0)
    merged = replace(
        typed,
        event_id=min(m.event_id for m in ordered),
        event_date=event_date,
        time_precision=dated.time_precision,
        **{f: getattr(placed, f) for f in _PLACE_FIELDS},
        **_actors(typed, ordered, rules),
        source="; ".join(sources),
        source_scale=combine_scales([m.source_scale for m in ordered]),
        fatalities=counts["fatalities"] or 0,
        injuries=counts["injuries"],
        arrests=counts["arrests"],
        confidence=round(min(MAX_CONFIDENCE, 1.0 - confidence), 3),
        document_ids=tuple(dict.fromkeys(d for m in ordered for d in m.document_ids)),
        evidence=tuple(e for m in ordered for e in m.evidence),
        warnings=tuple(dict.fromkeys(w for m in ordered for w in m.warnings)),
    )
    return replace(merged, notes=write_notes(merged))
