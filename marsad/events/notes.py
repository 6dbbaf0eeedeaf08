"""The notes sentence: one neutral line saying what happened.

Style of the codebook: "On 5 May 2020, HTS arrested 6 foreign fighters in
Harim (Idleb)." Verb phrases per sub-event type are data
(``marsad/knowledge/data/notes.yaml``).
"""

from __future__ import annotations

from functools import lru_cache

from marsad.knowledge.lexicons import DATA_DIR, read_yaml
from marsad.records import Event


@lru_cache(maxsize=1)
def _phrases() -> dict[str, str]:
    data = read_yaml(DATA_DIR / "notes.yaml")
    return {str(k): str(v) for k, v in (data.get("phrases") or {}).items()}


def _date_words(iso: str) -> str:
    if not iso:
        return "On an unknown date"
    y, m, d = iso.split("-")
    months = ("January February March April May June July August September October November December").split()
    return f"On {int(d)} {months[int(m) - 1]} {y}"


def write_notes(event: Event) -> str:
    phrase = _phrases().get(event.sub_event_type, "{actor1} was involved in an incident")
    who = event.actor1 or "Unidentified actors"
    target = event.actor2 or "people"
    text = phrase.format(actor1=who, actor2=target)
    where = ""
    if event.location:
        where = f" in {event.location}"
        if event.admin1 and event.admin1 != event.location:
            where += f" ({event.admin1})"
    counts = []
    if event.fatalities:
        counts.append(f"{event.fatalities} killed")
    if event.injuries:
        counts.append(f"{event.injuries} injured")
    if event.arrests:
        counts.append(f"{event.arrests} arrested")
    tail = f" [{', '.join(counts)}]" if counts else ""
    return f"{_date_words(event.event_date)}, {text}{where}.{tail}"
