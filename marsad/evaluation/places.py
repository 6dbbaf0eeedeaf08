"""Place-resolution scoring on UCDP GED rows (used by ``marsad eval-places``).

Each gold row names a place in ``where_coordinates`` ("Teir Maaleh village")
with the governorate in ``adm_1`` ("Homs Governorate") and coordinates. We
resolve the name (cue word stripped, ``adm_1`` as admin hint, country SY or
the row's country) and report:

* ``within_10km``: share resolved within 10 km of the gold point;
* ``admin1``: share whose admin1 folds to the gold ``adm_1``;
* ``coverage``: the matcher's ceiling: share whose name has *some*
  candidate (the same lookup, 50 candidates) within 10 km: no choice among
  candidates could do better, but better matching (spelling variants) can;
* ``nearby``: the data's bound: share with any place of the country in the
  index within 10 km, whatever its name (a gold place farther than that
  from every entry cannot be placed by any matching);
* ``resolved``: share that got coordinates at all.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from marsad.errors import InputError
from marsad.evaluation.common import ErrorSink
from marsad.geo import normalize
from marsad.geo.index import Gazetteer, distance_km
from marsad.geo.resolve import resolve
from marsad.records import PlaceMention, Span

WITHIN_KM = 10.0
# UCDP where_prec: 1 exact place, 2 within ~25 km of a named place. Coarser
# rows name districts/governorates/country, not places.
PLACE_PRECISIONS = ("1", "2")
# Candidates examined for the coverage ceiling.
CEILING_CANDIDATES = 50
_PAREN = re.compile(r"\s*\(([^)]*)\)")
_COUNTRY = {"Syria": "SY", "Iraq": "IQ", "Turkey": "TR", "Lebanon": "LB", "Jordan": "JO", "Yemen": "YE"}


def _rows(path: Path) -> Iterator[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            yield from csv.DictReader(fh)
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise InputError(f"{path}: cannot read UCDP file: {err}") from err


def gold_place(where: str) -> tuple[str, str]:
    """("Teir Maaleh", "village") from "Teir Maaleh village"; parentheses dropped."""
    text = _PAREN.sub("", where).strip()
    return normalize.strip_descriptors(text)


_admin = normalize.admin_key


def evaluate_ucdp(path: Path, gazetteer: Gazetteer, precisions: tuple[str, ...] = PLACE_PRECISIONS,
                  limit: int | None = None, errors: ErrorSink | None = None) -> dict[str, float | int]:
    """Score resolution of the rows' place names; ``errors`` receives one
    record per row not placed within 10 km."""
    total = within = admin_ok = covered = resolved_n = nearby = 0
    grids: dict[str, _Grid] = {}
    for row in _rows(Path(path)):
        if row.get("where_prec") not in precisions:
            continue
        try:
            lat, lon = float(row["latitude"]), float(row["longitude"])
        except (KeyError, ValueError):
            continue
        name, cue = gold_place(row.get("where_coordinates", ""))
        if not name:
            continue
        cc = _COUNTRY.get(row.get("country", ""), "SY")
        mention = PlaceMention(span=Span(0, len(name), name), name=name, cue=cue)
        place = resolve([mention], gazetteer, country_hint=cc,
                        admin_hints=[row["adm_1"]] if row.get("adm_1") else [])[0]
        total += 1
        km = distance_km(place.latitude, place.longitude, lat, lon) if place.latitude is not None else None
        resolved_n += km is not None
        within += km is not None and km <= WITHIN_KM
        if errors is not None and (km is None or km > WITHIN_KM):
            errors({"dataset": "places", "id": row.get("id", ""), "where_coordinates": row.get("where_coordinates", ""),
                    "name": name, "cue": cue, "gold": {"latitude": lat, "longitude": lon, "adm_1": row.get("adm_1", "")},
                    "predicted": {"location": place.location, "admin1": place.admin1, "country_code": place.country_code,
                                  "latitude": place.latitude, "longitude": place.longitude, "warning": place.warning},
                    "km": None if km is None else round(km, 1)})
        if row.get("adm_1") and place.admin1 and _admin(place.admin1) == _admin(row["adm_1"]):
            admin_ok += 1
        # (a row placed within 10 km by the resolver's fallbacks is covered too)
        if (km is not None and km <= WITHIN_KM) or any(
                distance_km(c.latitude, c.longitude, lat, lon) <= WITHIN_KM
                for c in gazetteer.lookup(name, cc, limit=CEILING_CANDIDATES)):
            covered += 1
        if cc not in grids:
            grids[cc] = _Grid(gazetteer.coordinates(cc))
        nearby += grids[cc].any_within(lat, lon, WITHIN_KM)
        if limit and total >= limit:
            break
    share = (lambda n: n / total) if total else (lambda n: 0.0)
    return {"rows": total, "resolved": share(resolved_n), "within_10km": share(within),
            "admin1": share(admin_ok), "coverage": share(covered), "nearby": share(nearby)}


# Grid cell size in degrees: 0.1 degree is at least 10 km of latitude (and
# of longitude near the equator (less farther north: see GRID_REACH),
# so the neighbouring cells searched cover more than 10 km at Syria's latitude.
GRID_DEGREES = 0.1
# Cells searched each way around the point's own (2 covers 10 km of longitude
# up to ~60 degrees north).
GRID_REACH = 2


class _Grid:
    """Points bucketed by GRID_DEGREES cells, for "any point within X km"."""

    def __init__(self, points: list[tuple[float, float]]):
        self._cells: dict[tuple[int, int], list[tuple[float, float]]] = {}
        for lat, lon in points:
            self._cells.setdefault((int(lat // GRID_DEGREES), int(lon // GRID_DEGREES)), []).append((lat, lon))

    def any_within(self, lat: float, lon: float, km: float) -> bool:
        row, col = int(lat // GRID_DEGREES), int(lon // GRID_DEGREES)
        return any(distance_km(lat, lon, p_lat, p_lon) <= km
                   for dr in range(-GRID_REACH, GRID_REACH + 1) for dc in range(-GRID_REACH, GRID_REACH + 1)
                   for p_lat, p_lon in self._cells.get((row + dr, col + dc), ()))
