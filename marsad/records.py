"""Typed records that flow between pipeline stages.

document -> cleaned text -> sentences -> mentions -> events -> merged events

Every record is a frozen dataclass: a stage never mutates its input, it
returns new records (``dataclasses.replace`` where a field changes).
Offsets (``start``/``end``) always index the *cleaned* text of the document
(``CleanDocument.text``), half-open like Python slices.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from operator import attrgetter


def _pickled_by_fields(cls):
    """Pickle instances as (class, field values): ``cls(*values)`` rebuilds one.

    Records cross process boundaries by the thousand (``--workers``: every
    document's events and evidence come back to the parent). A frozen slots
    dataclass otherwise pickles through Python-level __getstate__ /
    __setstate__ calls per object, about three times slower to write (a
    worker spent ~0.3 s per 1,000 articles pickling its results).
    """
    values = attrgetter(*(f.name for f in fields(cls)))

    def __reduce__(self):
        return cls, values(self)

    cls.__reduce__ = __reduce__
    return cls

# --------------------------------------------------------------------------
# Stage 0: input documents
# --------------------------------------------------------------------------


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Document:
    """A raw input document, before cleaning.

    ``kind`` is "text" or "html". ``published_from`` says where
    ``published`` came from: "input" (the JSONL record / feed item),
    "page" (found in the HTML), "flag" (--published), "file-mtime"
    (the file's own date), "crawl" (a WARC record's date), or "" when unknown.
    """

    id: str
    raw: str
    kind: str = "text"
    published: date | None = None
    published_from: str = ""
    title: str = ""
    url: str = ""
    source: str = ""
    origin: str = ""  # where it was read from: "path", "path:line", "<stdin>"
    content_hash: str = ""


@dataclass(frozen=True, slots=True)
class InputProblem:
    """An input that could not become a Document: one line for the user."""

    origin: str
    reason: str

    def __str__(self) -> str:  # the one-line message shown on stderr
        return f"{self.origin}: {self.reason}"


# --------------------------------------------------------------------------
# Stage 1: cleaning
# --------------------------------------------------------------------------


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class CleanDocument:
    """Main text of a document with boilerplate removed.

    ``removed`` lists what the cleaner dropped (e.g. "cookie banner",
    "repeated title") so a user can see why text is missing.
    """

    doc_id: str
    text: str
    title: str = ""
    site_name: str = ""
    published: date | None = None
    published_from: str = ""
    url: str = ""
    source: str = ""
    removed: tuple[str, ...] = ()


# --------------------------------------------------------------------------
# Stage 2: sentences
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str
    paragraph: int = 0


# --------------------------------------------------------------------------
# Stage 3: mentions
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class ActorMention:
    span: Span
    canonical: str  # canonical name, possibly with "{country}" still open
    inter: int
    kind: str = "named"  # named | generic | role
    country: str = ""  # ISO alpha-2 when the actor is tied to a country
    sentence: int = 0


@dataclass(frozen=True, slots=True)
class TriggerMention:
    span: Span
    sub_event_type: str
    event_type: str
    weight: float = 1.0
    sentence: int = 0
    negated: bool = False


@dataclass(frozen=True, slots=True)
class CountMention:
    span: Span
    value: int
    what: str  # killed | injured | arrested | people | split (value: how many events share the deaths)
    sentence: int = 0
    # How the text gives the figure: "reported" (a count in the report),
    # "stated" (the note's own total: "3 fatalities"), "coded" (a coder's
    # figure for this event: "fatalities coded as 10") or "elsewhere" (the
    # deaths were coded to another event, named in ``other_event``: value 0)
    kind: str = "reported"
    other_event: str = ""


@dataclass(frozen=True, slots=True)
class DateMention:
    span: Span
    value: date
    precision: int  # 1 day, 2 week, 3 month
    sentence: int = 0


@dataclass(frozen=True, slots=True)
class PlaceMention:
    span: Span
    name: str
    cue: str = ""  # town | village | city | near | outskirts | countryside | region | ...
    sentence: int = 0
    orientation: bool = False  # mentioned only to orient ("near the border with X")
    holds_previous: bool = False  # names the area the place before it is in ("Ali in Deir ez Zor")


@dataclass(frozen=True, slots=True)
class ResolvedPlace:
    """A place mention resolved against the gazetteer."""

    location: str
    country: str = ""
    iso: int | None = None
    country_code: str = ""  # ISO alpha-2
    admin1: str = ""
    admin2: str = ""
    admin3: str = ""
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int = 3
    score: float = 0.0
    place_id: str = ""
    span: Span | None = None
    warning: str = ""


# --------------------------------------------------------------------------
# Stage 4: events
# --------------------------------------------------------------------------


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a field has its value: words of the cleaned text of one document."""

    field: str
    start: int
    end: int
    text: str
    doc_id: str = ""
    confidence: float = 1.0


# ACLED's column order, used by exports and the store. Fields marked *ours*
# in the codebook follow.
ACLED_COLUMNS: tuple[str, ...] = (
    "event_id", "event_date", "year", "time_precision", "disorder_type",
    "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1",
    "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location",
    "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
)
OUR_COLUMNS: tuple[str, ...] = ("injuries", "arrests", "confidence", "document_ids")


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Event:
    event_id: str
    event_date: str  # ISO YYYY-MM-DD ("" when unknown)
    time_precision: int
    disorder_type: str
    event_type: str
    sub_event_type: str
    actor1: str = ""
    assoc_actor_1: str = ""
    inter1: int | None = None
    actor2: str = ""
    assoc_actor_2: str = ""
    inter2: int | None = None
    interaction: int | None = None
    civilian_targeting: str = ""
    iso: int | None = None
    region: str = ""
    country: str = ""
    admin1: str = ""
    admin2: str = ""
    admin3: str = ""
    location: str = ""
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int | None = None
    source: str = ""
    source_scale: str = ""
    notes: str = ""
    fatalities: int = 0
    injuries: int | None = None
    arrests: int | None = None
    confidence: float = 0.0
    document_ids: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def year(self) -> int | None:
        return int(self.event_date[:4]) if self.event_date else None

    def to_dict(self) -> dict:
        """Plain JSON-ready dict (evidence as a list of dicts)."""
        out = {name: getattr(self, name) for name in self.__dataclass_fields__}
        out["year"] = self.year
        out["document_ids"] = list(self.document_ids)
        out["warnings"] = list(self.warnings)
        out["evidence"] = [
            {"field": e.field, "start": e.start, "end": e.end, "text": e.text,
             "doc_id": e.doc_id, "confidence": e.confidence}
            for e in self.evidence
        ]
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "Event":
        known = cls.__dataclass_fields__
        kwargs = {k: v for k, v in data.items() if k in known}
        kwargs["document_ids"] = tuple(data.get("document_ids") or ())
        kwargs["warnings"] = tuple(data.get("warnings") or ())
        kwargs["evidence"] = tuple(
            Evidence(**{k: e[k] for k in ("field", "start", "end", "text", "doc_id", "confidence") if k in e})
            for e in (data.get("evidence") or ())
        )
        return cls(**kwargs)


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """What the pipeline made of one document: its events, or why none.

    ``rejected`` is a reason ("empty after cleaning", "time budget
    exceeded", ...) when the document could not be processed at all; a
    document that was processed but describes no incident has
    ``events == ()`` and ``rejected == ""``.
    """

    document: Document
    clean: CleanDocument | None
    events: tuple[Event, ...] = ()
    rejected: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)
