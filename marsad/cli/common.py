"""Pieces shared by the click commands: the --db option, event filters,
terminal-safe text and the events table.

Stored text comes from articles, i.e. from anyone: everything shown on a
terminal goes through ``terminal_safe`` so that an article cannot send
escape sequences (cursor moves, title changes, hyperlinks) to the user's
terminal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import click

from marsad import paths
from marsad.errors import StoreError
from marsad.records import Event

F = TypeVar("F", bound=Callable[..., Any])

# C0 controls except tab and newline, DEL, and C1 controls (0x9b is a
# one-byte CSI on some terminals).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\n\u2028\u2029]+")

# An id is a long stable hash; this many characters identify one among
# millions of events, and `marsad show` accepts any unique prefix.
SHORT_ID_LENGTH = 12

DB_HELP = (
    "SQLite database to use. Default: $MARSAD_DB if set, else marsad.db in "
    "$MARSAD_HOME (default ~/.local/share/marsad/marsad.db)."
)


def terminal_safe(value: object) -> str:
    """Text without control characters other than newline and tab."""
    return _CONTROL.sub("", "" if value is None else str(value))


def one_line(value: object) -> str:
    """``terminal_safe`` text on one line (for table cells)."""
    return _LINE_BREAKS.sub(" ", terminal_safe(value)).strip()


def _default_db() -> str:
    return str(paths.default_db())


def db_option(func: F | None = None) -> Any:
    """``--db PATH`` (envvar MARSAD_DB). Use as ``@db_option`` or ``@db_option()``.

    The command receives ``db: Path``.
    """
    option = click.option(
        "--db", "db",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="MARSAD_DB",
        default=_default_db,
        metavar="PATH",
        help=DB_HELP,
    )
    return option(func) if func is not None else option


def open_existing_store(db: Path | str):  # -> marsad.store.Store (imported lazily)
    """Open a database that must already exist (browse commands never create one)."""
    from marsad.store import Store

    path = Path(db).expanduser()
    if not path.exists():
        raise StoreError(f"no database at {path} (run marsad extract first)")
    return Store.open(path, create=False)


# ----------------------------------------------------------------------
# filters shared by `events` and `export`
# ----------------------------------------------------------------------

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def parse_date_bound(value: str, *, end: bool) -> date:
    """YYYY, YYYY-MM or YYYY-MM-DD; a partial date is its first (or, for
    ``end``, last) day."""
    match = _PARTIAL_DATE.match(value.strip())
    if not match:
        raise ValueError(f"expected YYYY-MM-DD, YYYY-MM or YYYY, got {value!r}")
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is None:
        return date(year, 12, 31) if end else date(year, 1, 1)
    if day is None:
        first = date(year, month, 1)
        if not end:
            return first
        return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return date(year, month, day)


def _date_callback(end: bool) -> Callable[[click.Context, click.Parameter, str | None], date | None]:
    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
        if value is None:
            return None
        try:
            return parse_date_bound(value, end=end)
        except ValueError as err:
            raise click.BadParameter(str(err)) from None
    return callback


_FILTER_OPTIONS: tuple[Callable[[F], F], ...] = (
    click.option("--from", "date_from", metavar="DATE", callback=_date_callback(False),
                 help="Events on or after DATE (YYYY-MM-DD, YYYY-MM or YYYY)."),
    click.option("--to", "date_to", metavar="DATE", callback=_date_callback(True),
                 help="Events on or before DATE (YYYY-MM-DD, YYYY-MM or YYYY)."),
    click.option("--type", "event_type", metavar="T", help='Event type, e.g. "Battles".'),
    click.option("--sub-type", "sub_event_type", metavar="S",
                 help='Sub-event type, e.g. "Armed clash".'),
    click.option("--actor", metavar="A",
                 help="Part of an actor's name (actor1, actor2 or associated), any case."),
    click.option("--country", metavar="C", help="Country name."),
    click.option("--admin1", metavar="A", help="Governorate / province."),
    click.option("--text", metavar="Q",
                 help="Words in the event notes or in the source documents' text."),
)

FILTER_PARAMS: tuple[str, ...] = (
    "date_from", "date_to", "event_type", "sub_event_type", "actor", "country", "admin1", "text",
)


def filter_options(func: F) -> F:
    """Add the event filter options (see ``event_filter``)."""
    for option in reversed(_FILTER_OPTIONS):
        func = option(func)
    return func


def event_filter(options: dict[str, Any]):  # -> marsad.store.EventFilter
    """Build an EventFilter from the keyword arguments of ``filter_options``."""
    from marsad.store import EventFilter

    return EventFilter(**{name: options.get(name) for name in FILTER_PARAMS})


# ----------------------------------------------------------------------
# the events table
# ----------------------------------------------------------------------

# (header, max width). Widths keep a row within ~180 columns; longer
# values are cut with an ellipsis.
_TABLE_COLUMNS: tuple[tuple[str, int], ...] = (
    ("ID", SHORT_ID_LENGTH),
    ("DATE", 10),
    ("TYPE / SUB-TYPE", 44),
    ("ACTOR1", 30),
    ("ACTOR2", 30),
    ("LOCATION (ADMIN1)", 32),
    ("LAT,LON", 17),
    ("F/I/A", 11),
)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


def _table_cells(event: Event) -> list[str]:
    type_cell = event.event_type + (f" / {event.sub_event_type}" if event.sub_event_type else "")
    where = event.location
    if event.admin1 and event.admin1 != event.location:
        where = f"{where} ({event.admin1})" if where else event.admin1
    if event.latitude is not None and event.longitude is not None:
        coords = f"{event.latitude:.4f},{event.longitude:.4f}"
    else:
        coords = "-"
    counts = f"{event.fatalities}/{_count(event.injuries)}/{_count(event.arrests)}"
    return [one_line(v) for v in (
        event.event_id[:SHORT_ID_LENGTH], event.event_date or "?", type_cell, event.actor1,
        event.actor2, where, coords, counts,
    )]


def render_events_table(events: Sequence[Event]) -> str:
    """A plain-text table of events (no trailing newline); "" when there are none.

    Columns: short id, date, type / sub-type, actor1, actor2, location
    (admin1), lat,lon, fatalities/injuries/arrests ("-" = not reported).
    Values are stripped of control characters.
    """
    if not events:
        return ""
    rows = [[_cut(cell, width) for cell, (_, width) in zip(_table_cells(e), _TABLE_COLUMNS)]
            for e in events]
    headers = [h for h, _ in _TABLE_COLUMNS]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)
