"""Query parameters shared by every list endpoint and page: filters, paging, sort."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import HTTPException, Query

from marsad.cli.common import parse_date_bound
from marsad.store.review import REVIEW_STATUSES, ReviewFilter, SORTABLE
from marsad.store.sqlite import EventFilter

# The most events one page (or one API call) returns: a table of 500 rows is
# still quick to render and keeps a single request cheap for the server.
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50
# Longest free text accepted in a filter (a name or a few search words).
MAX_FILTER_CHARS = 200
MAX_TEXT_QUERY_CHARS = 500
# Deepest page a request may ask for: offsets beyond this are refused so a
# request cannot make SQLite skip through millions of rows.
MAX_PAGE = 100_000
DEFAULT_SORT = "-event_date"

FILTER_NAMES: tuple[str, ...] = (
    "date_from", "date_to", "event_type", "sub_event_type", "actor", "country", "admin1",
    "admin2", "bbox", "text", "status",
)

ShortText = Annotated[str | None, Query(max_length=MAX_FILTER_CHARS)]


def _blank(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _date(value: str | None, what: str, *, end: bool):
    if not _blank(value):
        return None
    try:
        return parse_date_bound(value, end=end)
    except ValueError as err:
        raise HTTPException(422, f"{what}: {err}") from None


def _bbox(value: str | None) -> tuple[float, float, float, float] | None:
    if not _blank(value):
        return None
    try:
        box = tuple(float(part) for part in value.split(","))
    except ValueError:
        box = ()
    if len(box) != 4 or not (-180 <= box[0] <= box[2] <= 180 and -90 <= box[1] <= box[3] <= 90):
        raise HTTPException(
            422, "bbox: expected min_lon,min_lat,max_lon,max_lat within -180..180 and -90..90")
    return box  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class Filters:
    """The parsed filters and the raw values (to refill a form, build links)."""

    review: ReviewFilter
    raw: dict[str, str]


def event_filters(
    date_from: Annotated[str | None, Query(max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD (inclusive)")] = None,
    date_to: Annotated[str | None, Query(max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD (inclusive)")] = None,
    event_type: ShortText = None,
    sub_event_type: ShortText = None,
    actor: Annotated[str | None, Query(max_length=MAX_FILTER_CHARS, description="part of actor1, actor2 or an associated actor")] = None,
    country: ShortText = None,
    admin1: ShortText = None,
    admin2: ShortText = None,
    bbox: Annotated[str | None, Query(max_length=100, description="min_lon,min_lat,max_lon,max_lat")] = None,
    text: Annotated[str | None, Query(max_length=MAX_TEXT_QUERY_CHARS, description="words in the notes or source text")] = None,
    status: Annotated[str | None, Query(max_length=20, description=" | ".join(REVIEW_STATUSES))] = None,
) -> Filters:
    """The filters every event list, export and aggregate accepts."""
    if _blank(status) and status.strip() not in REVIEW_STATUSES:
        raise HTTPException(422, f"status: choose from {', '.join(REVIEW_STATUSES)}")
    raw = {name: value.strip() for name, value in locals().items()
           if name in FILTER_NAMES and isinstance(value, str) and value.strip()}
    base = EventFilter(
        date_from=_date(date_from, "date_from", end=False),
        date_to=_date(date_to, "date_to", end=True),
        event_type=_blank(event_type), sub_event_type=_blank(sub_event_type),
        actor=_blank(actor), country=_blank(country), admin1=_blank(admin1), text=_blank(text),
    )
    review = ReviewFilter(base=base, admin2=_blank(admin2), bbox=_bbox(bbox), status=_blank(status))
    return Filters(review, raw)


@dataclass(frozen=True, slots=True)
class Paging:
    page: int
    per_page: int
    sort: str

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def paging(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
    sort: Annotated[str, Query(max_length=40, description="a column, '-' first for descending: "
                               + ", ".join(sorted(SORTABLE)))] = DEFAULT_SORT,
) -> Paging:
    if sort.lstrip("-") not in SORTABLE:
        raise HTTPException(422, f"sort: choose from {', '.join(sorted(SORTABLE))}")
    return Paging(page, per_page, sort)
