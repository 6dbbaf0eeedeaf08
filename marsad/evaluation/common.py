"""Metrics shared by the ``marsad eval`` scorers.

Everything here is a pure function of plain values (or ``Event`` records),
so the scorers for ACLED, GTD and CASE 2021 only decide *what* to compare.

Conventions:

* an accuracy is over *all* documents given to it: a document for which
  marsad produced no event counts as wrong for every field;
* ``weighted_f1`` is the support-weighted mean of per-label F1 over the
  gold labels (a missing prediction is the label ``NO_EVENT``, which is
  never a gold label, so it only ever costs recall);
* place agreement is haversine distance within ``WITHIN_KM`` of the gold
  point (a prediction without coordinates is a miss).
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from marsad.errors import InputError
from marsad.records import Event

# Gold and predicted places closer than this count as the same place. ACLED
# codes a village to its own point and a town to its centre; 10 km forgives
# a neighbouring village or a town's edge but not the next town over.
WITHIN_KM = 10.0
EARTH_RADIUS_KM = 6371.0088

# The label used for "marsad produced no event" in confusion tables and F1.
NO_EVENT = "(no event)"

# Callbacks a scorer takes: one error record per mismatching document, and
# the number of documents done so far.
ErrorSink = Callable[[dict], None]
Progress = Callable[[int], None]

# How many (gold, predicted) confusions a report shows by default.
TOP_CONFUSIONS = 15

# ACLED's running-period suffix on actor names: "(2000-)", "(2014-2022)".
_ACTOR_YEARS = re.compile(r"\(\s*\d{4}\s*-\s*(?:\d{4})?\s*\)")
_SPACES = re.compile(r"\s+")


# ----------------------------------------------------------------------
# text folding
# ----------------------------------------------------------------------

def fold(text: str | None) -> str:
    """Case- and diacritic-insensitive form: "Ḥalab  " -> "halab"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def normalize_actor(name: str | None) -> str:
    """Comparable actor name: years in parentheses dropped, case and
    diacritics folded. "Military Forces of Syria (2000-)" ->
    "military forces of syria"; "Protesters (Syria)" keeps its country."""
    return fold(_ACTOR_YEARS.sub(" ", name or ""))


def same_actor(gold: str | None, predicted: str | None) -> bool:
    """Exact actor agreement after ``normalize_actor`` (empty == empty)."""
    return normalize_actor(gold) == normalize_actor(predicted)


def same_actor_pair(gold1: str | None, gold2: str | None, pred1: str | None, pred2: str | None) -> bool:
    """actor1 and actor2 both agree (in order)."""
    return same_actor(gold1, pred1) and same_actor(gold2, pred2)


_ADMIN_PUNCT = re.compile(r"[-'’`ʿʾ.]+")


def same_admin(gold: str | None, predicted: str | None) -> bool:
    """admin1 agreement: case-, diacritic- and punctuation-insensitive
    ("Al-Hasakeh" == "Al Hasakeh", "Dar'a" == "Dara"); empty gold never matches."""
    g = fold(_ADMIN_PUNCT.sub(" ", gold or "")).replace(" ", "")
    return bool(g) and g == fold(_ADMIN_PUNCT.sub(" ", predicted or "")).replace(" ", "")


# ----------------------------------------------------------------------
# numbers and places
# ----------------------------------------------------------------------

def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def within_km(pred_lat: float | None, pred_lon: float | None, gold_lat: float | None,
              gold_lon: float | None, km: float = WITHIN_KM) -> bool:
    """Is the predicted point within ``km`` of the gold point? Any missing
    coordinate is a miss."""
    if None in (pred_lat, pred_lon, gold_lat, gold_lon):
        return False
    return haversine_km(pred_lat, pred_lon, gold_lat, gold_lon) <= km


def parse_float(value: str | None) -> float | None:
    """"33.3" -> 33.3; "", "nan" or junk -> None."""
    try:
        number = float(value) if value not in (None, "") else None
    except ValueError:
        return None
    return None if number is None or math.isnan(number) else number


def parse_int(value: str | None) -> int | None:
    """"6", "6.0" -> 6; "" or junk -> None."""
    number = parse_float(value)
    return None if number is None else int(number)


# ----------------------------------------------------------------------
# picking the predicted event to score
# ----------------------------------------------------------------------

def best_match(events: Sequence[Event], sub_event_types: Iterable[str] = (),
               event_types: Iterable[str] = ()) -> Event | None:
    """The predicted event to score against one gold record: the first with
    an acceptable sub-event type, else the first with an acceptable event
    type, else the first event; ``None`` when there is none."""
    if not events:
        return None
    subs, types = set(sub_event_types), set(event_types)
    for event in events:
        if event.sub_event_type in subs:
            return event
    for event in events:
        if event.event_type in types:
            return event
    return events[0]


# ----------------------------------------------------------------------
# label metrics
# ----------------------------------------------------------------------

def accuracy(correct: int, total: int) -> float:
    return correct / total if total else 0.0


def weighted_f1(pairs: Iterable[tuple[str, str]]) -> float:
    """Support-weighted F1 over the gold labels of (gold, predicted) pairs.

    Each gold label's F1 is weighted by how often it is the gold label;
    predicted labels never seen in gold lower the precision of nothing but
    do not add a class (as scikit-learn's ``average="weighted"``).
    """
    pairs = list(pairs)
    if not pairs:
        return 0.0
    support: Counter[str] = Counter(g for g, _ in pairs)
    predicted: Counter[str] = Counter(p for _, p in pairs)
    hits: Counter[str] = Counter(g for g, p in pairs if g == p)
    total = 0.0
    for label, n_gold in support.items():
        tp = hits[label]
        if not tp:
            continue
        precision, recall = tp / predicted[label], tp / n_gold
        total += n_gold * 2 * precision * recall / (precision + recall)
    return total / len(pairs)


def confusions(pairs: Iterable[tuple[str, str]], top: int = TOP_CONFUSIONS) -> list[tuple[str, str, int]]:
    """The most frequent (gold, predicted, count) disagreements."""
    counts = Counter((g, p) for g, p in pairs if g != p)
    return [(g, p, n) for (g, p), n in counts.most_common(top)]


# ----------------------------------------------------------------------
# accumulating per group
# ----------------------------------------------------------------------

@dataclass
class Tally:
    """Counts of agreeing documents per field for one group of documents."""

    documents: int = 0
    covered: int = 0
    extra_events: int = 0
    correct: Counter = field(default_factory=Counter)
    labels: list[tuple[str, str]] = field(default_factory=list)

    def add(self, n_events: int, agreement: dict[str, bool], label: tuple[str, str] | None = None) -> None:
        self.documents += 1
        self.covered += n_events > 0
        self.extra_events += max(0, n_events - 1)
        for name, ok in agreement.items():
            self.correct[name] += bool(ok)
        if label is not None:
            self.labels.append(label)

    def share(self, name: str) -> float:
        return accuracy(self.correct[name], self.documents)

    def metrics(self, fields: Sequence[str]) -> dict[str, float | int]:
        out: dict[str, float | int] = {
            "documents": self.documents,
            "coverage": accuracy(self.covered, self.documents),
            "extra_events": self.extra_events / self.documents if self.documents else 0.0,
        }
        for name in fields:
            out[name] = self.share(name)
        if self.labels:
            out["sub_event_f1"] = weighted_f1(self.labels)
        return out


# ----------------------------------------------------------------------
# reading gold files
# ----------------------------------------------------------------------

def read_table(path: Path, required: Sequence[str], *, what: str, delimiter: str = ",") -> Iterator[dict[str, str]]:
    """Rows of a CSV/TSV gold file as dicts; one-line ``InputError`` when the
    file is missing, unreadable or lacks a required column."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such {what} file (see --gold-dir)")
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh, delimiter=delimiter)
            missing = [c for c in required if c not in (reader.fieldnames or ())]
            if missing:
                raise InputError(f"{path}: not a {what} file: missing column(s) {', '.join(missing)}")
            yield from reader
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise InputError(f"{path}: cannot read {what} file: {err}") from err


def sample(rows: Iterable[dict[str, str]], *, every: int = 1, limit: int | None = None,
           keep: Callable[[dict[str, str]], bool] | None = None) -> Iterator[dict[str, str]]:
    """Every ``every``-th row (deterministic: rows 0, every, 2*every, ...),
    then those passing ``keep``, at most ``limit`` of them."""
    taken = 0
    for index, row in enumerate(rows):
        if every > 1 and index % every:
            continue
        if keep is not None and not keep(row):
            continue
        if limit is not None and taken >= limit:
            return
        taken += 1
        yield row


def event_summary(event: Event | None) -> dict | None:
    """The predicted event for an error record: its dict with evidence."""
    return None if event is None else event.to_dict()


# The codebook's taxonomy: sub-event type -> event type.
EVENT_TYPE_OF: dict[str, str] = {
    **dict.fromkeys(("Armed clash", "Government regains territory", "Non-state actor overtakes territory"),
                    "Battles"),
    **dict.fromkeys(("Chemical weapon", "Air/drone strike", "Suicide bomb", "Shelling/artillery/missile attack",
                     "Remote explosive/landmine/IED", "Grenade"), "Explosions/Remote violence"),
    **dict.fromkeys(("Sexual violence", "Attack", "Abduction/forced disappearance"), "Violence against civilians"),
    **dict.fromkeys(("Peaceful protest", "Protest with intervention", "Excessive force against protesters"),
                    "Protests"),
    **dict.fromkeys(("Violent demonstration", "Mob violence"), "Riots"),
    **dict.fromkeys(("Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
                     "Headquarters or base established", "Looting/property destruction",
                     "Non-violent transfer of territory", "Other"), "Strategic developments"),
}
