"""Writers for coded events: CSV (ACLED column order), JSONL and GeoJSON.

All writers stream: they take any iterable of events, write as they go and
return how many events they wrote.

CSV and spreadsheet formula injection
-------------------------------------
Event text comes from untrusted articles. A spreadsheet opening the CSV runs
a cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return
before one) as a formula, so such *text* cells get a leading apostrophe
(``'=HYPERLINK(...)``), which spreadsheets display as text. Numeric columns
(latitude, fatalities, ...) are written by us from numbers and are never
prefixed, so ``-3.7`` stays a number for pandas. A text cell starting with
``-`` is prefixed unless the whole cell is a plain number: the brief's
"``-`` followed by a non-digit" rule would let the well-known payload
``-2+3+cmd|' /C calc'!A0`` through. pandas users reading a prefixed cell see
the apostrophe; such values are rare and never legitimate ACLED values.

JSON output escapes DEL and the C1 control characters (and U+2028/U+2029) as
``\\uXXXX`` on top of what ``json`` already escapes: still the same JSON
value, but never raw terminal control codes.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TextIO

from marsad.records import ACLED_COLUMNS, OUR_COLUMNS, Event

CSV_COLUMNS: tuple[str, ...] = ACLED_COLUMNS + OUR_COLUMNS
DOCUMENT_ID_SEPARATOR = ";"

# First characters that make a spreadsheet treat a cell as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029]")


def defuse_formula(value: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would run as a formula."""
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # not expected, but never "True" in a number column
        return str(int(value))
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    if isinstance(value, int):
        return str(value)
    return defuse_formula(str(value))


def csv_row(event: Event) -> list[str]:
    """One event as CSV cells in ``CSV_COLUMNS`` order."""
    row: list[str] = []
    for column in CSV_COLUMNS:
        if column == "year":
            value: object = event.year
        elif column in ("tags", "timestamp"):
            value = ""  # ACLED columns marsad does not fill (no tags; no ACLED upload time)
        elif column == "document_ids":
            value = DOCUMENT_ID_SEPARATOR.join(event.document_ids)
        else:
            value = getattr(event, column)
        row.append(_csv_cell(value))
    return row


def write_csv(events: Iterable[Event], fp: TextIO) -> int:
    """ACLED columns in ACLED order, then injuries, arrests, confidence, document_ids.

    Open ``fp`` with ``newline=""``. Rows end with ``\\n``.
    """
    writer = csv.writer(fp, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for event in events:
        writer.writerow(csv_row(event))
        count += 1
    return count


def _finite(value: object) -> object:
    """JSON has no NaN/Infinity: such floats become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def json_text(value: object, *, indent: int | None = None) -> str:
    """JSON with unicode kept readable but control characters escaped."""
    text = json.dumps(_finite(value), ensure_ascii=False, allow_nan=False, indent=indent)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def write_jsonl(events: Iterable[Event], fp: TextIO) -> int:
    """One ``Event.to_dict()`` (evidence included) per line."""
    count = 0
    for event in events:
        fp.write(json_text(event.to_dict()))
        fp.write("\n")
        count += 1
    return count


def geojson_feature(event: Event) -> dict:
    lat, lon = event.latitude, event.longitude
    if lat is not None and lon is not None and math.isfinite(lat) and math.isfinite(lon):
        geometry: dict | None = {"type": "Point", "coordinates": [lon, lat]}
    else:
        geometry = None
    return {"type": "Feature", "id": event.event_id, "geometry": geometry,
            "properties": event.to_dict()}


def write_geojson(events: Iterable[Event], fp: TextIO) -> int:
    """A FeatureCollection, one Point [lon, lat] per event (null geometry when unplaced)."""
    fp.write('{"type": "FeatureCollection", "features": [')
    count = 0
    for event in events:
        fp.write(",\n" if count else "\n")
        fp.write(json_text(geojson_feature(event)))
        count += 1
    fp.write("\n]}\n")
    return count


WRITERS: Mapping[str, Callable[[Iterable[Event], TextIO], int]] = MappingProxyType(
    {"csv": write_csv, "jsonl": write_jsonl, "geojson": write_geojson}
)
FORMATS: tuple[str, ...] = tuple(WRITERS)
