"""Readers for gazetteer files; the format is recognised from the content.

* GeoNames dumps: ``XX.txt`` / ``XX.zip`` / ``allCountries.*`` / ``cities500.txt``
  (19 tab-separated columns, no header), plus ``admin1CodesASCII.txt`` and
  ``admin2Codes.txt`` to name the admin codes (given among the same files, or
  remembered from an earlier import; admin1 falls back to the bundled names).
* OCHA/HDX populated places (``syr_locations.csv``: ``LocationName_en``,
  ``LocationName_ar``, ``admin1Name_en`` ..., ``Latitude_y``, ``Longitude_x``).
  Governorates, districts and sub-districts become places too (at the
  centroid of their communities).
* Plain CSV, header (order free, extra columns ignored)::

      name,alternate_names,latitude,longitude,admin1,admin2,country

  ``alternate_names`` is ``|``-separated; ``country`` is ISO alpha-2 or a
  name; ``name``, ``latitude``, ``longitude`` and ``country`` are required.

Every problem is a ``GazetteerError`` naming the file (and line).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pycountry

from marsad.errors import GazetteerError
from marsad.geo import normalize
from marsad.geo.index import PlaceRow

GEONAMES_COLUMNS = 19
# GeoNames feature classes kept from dumps: populated places, admin areas,
# spots (bases, airports, dams), terrain, areas, water.
GEONAMES_CLASSES = frozenset("PASTLH")
# Bytes read to recognise a file's format.
SNIFF_BYTES = 8192
OCHA_PRIORITY = 2  # OCHA rows win ties for their country (finer, local spellings)
IMPORT_PRIORITY = 1
_LATIN_OR_ARABIC = re.compile(r"^[\sA-Za-z\u00C0-\u024F\u1E00-\u1EFF'’‘ʿʾ`´.\-()\u0600-\u06FF\u0750-\u077F]+$")
_CODE_LIKE = re.compile(r"^[A-Z]{2,4}$")
MAX_NAME_LENGTH = 60
_PAREN = re.compile(r"\s*\([^)]*\)\s*")


def keep_alternate(name: str) -> bool:
    """Latin- or Arabic-script names only; no airport/postal codes."""
    return (0 < len(name) <= MAX_NAME_LENGTH and not _CODE_LIKE.match(name)
            and bool(_LATIN_OR_ARABIC.match(name)))


@dataclass(frozen=True)
class ParsedFile:
    path: Path
    kind: str  # geonames | admin1codes | admin2codes | ocha | csv
    priority: int = IMPORT_PRIORITY


def _fail(path: Path, message: str, line: int | None = None) -> GazetteerError:
    where = f"{path}:{line}" if line else str(path)
    return GazetteerError(f"{where}: {message}")


def _open_text(path: Path) -> io.TextIOBase:
    """The text of ``path`` (the main .txt inside a GeoNames zip)."""
    if not path.exists():
        raise _fail(path, "no such file")
    if path.is_dir():
        raise _fail(path, "is a folder, not a gazetteer file")
    if zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        members = [n for n in archive.namelist() if n.endswith(".txt") and "readme" not in n.lower()]
        if len(members) != 1:
            raise _fail(path, "zip file should hold exactly one GeoNames .txt file")
        raw: io.BufferedIOBase = archive.open(members[0])
    else:
        raw = path.open("rb")
    head = raw.peek(SNIFF_BYTES)[:SNIFF_BYTES] if hasattr(raw, "peek") else b""
    if b"\x00" in head:
        raise _fail(path, "binary file, not a gazetteer (expected GeoNames .txt/.zip or CSV)")
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")


def _first_line(path: Path) -> str:
    with _open_text(path) as fh:
        try:
            for line in fh:
                if line.strip() and not line.startswith("#"):
                    return line.rstrip("\r\n")
        except UnicodeDecodeError as err:
            raise _fail(path, f"not UTF-8 text ({err.reason})") from err
    raise _fail(path, "empty file")


def detect(path: Path) -> ParsedFile:
    """Recognise the format of ``path`` from its first line."""
    line = _first_line(path)
    fields = line.split("\t")
    if len(fields) == GEONAMES_COLUMNS and fields[0].isdigit():
        return ParsedFile(path, "geonames")
    if len(fields) == 4 and re.fullmatch(r"[A-Z]{2}\.[^.]+", fields[0]):
        return ParsedFile(path, "admin1codes")
    if len(fields) == 4 and re.fullmatch(r"[A-Z]{2}\.[^.]+\.[^.]+", fields[0]):
        return ParsedFile(path, "admin2codes")
    header = {h.strip().lower() for h in next(csv.reader([line]))}
    if {"locationname_en", "latitude_y", "longitude_x", "admin1name_en"} <= header:
        return ParsedFile(path, "ocha", OCHA_PRIORITY)
    if {"admin1pcode", "admin1name_en"} <= header and "locationname_en" not in header:
        raise _fail(path, "OCHA admin boundary tables carry no coordinates; import the "
                          "populated-places file (e.g. syr_locations.csv): it yields the admin areas too")
    if {"name", "latitude", "longitude", "country"} <= header:
        return ParsedFile(path, "csv")
    raise _fail(path, "unrecognised gazetteer format (expected a GeoNames dump, admin code table, "
                      "OCHA populated places, or CSV with name,latitude,longitude,country)")


def _coord(value: str, low: float, high: float, path: Path, line: int, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _fail(path, f"{what} {value!r} is not a number", line) from None
    if not low <= number <= high:
        raise _fail(path, f"{what} {number} out of range", line)
    return number


def read_admin_codes(parsed: ParsedFile) -> dict[tuple[str, ...], str]:
    """admin1CodesASCII.txt -> {(cc, a1): name}; admin2Codes.txt -> {(cc, a1, a2): name}."""
    out: dict[tuple[str, ...], str] = {}
    with _open_text(parsed.path) as fh:
        for number, line in enumerate(fh, 1):
            fields = line.rstrip("\r\n").split("\t")
            if not line.strip():
                continue
            if len(fields) != 4:
                raise _fail(parsed.path, f"expected 4 tab-separated fields, got {len(fields)}", number)
            out[tuple(fields[0].split("."))] = fields[1]
    return out


def read_geonames(parsed: ParsedFile, admin1: dict, admin2: dict) -> Iterator[PlaceRow]:
    path = parsed.path
    with _open_text(path) as fh:
        try:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                f = line.rstrip("\r\n").split("\t")
                if len(f) != GEONAMES_COLUMNS:
                    raise _fail(path, f"expected {GEONAMES_COLUMNS} tab-separated fields, got {len(f)}", number)
                fclass, fcode, cc = f[6], f[7], f[8]
                if fclass not in GEONAMES_CLASSES or not cc:
                    continue
                lat = _coord(f[4], -90, 90, path, number, "latitude")
                lon = _coord(f[5], -180, 180, path, number, "longitude")
                a1, a2 = f[10], f[11]
                alternates = tuple(n for n in f[3].split(",") if n and n != f[1] and keep_alternate(n))
                if f[2] and f[2] != f[1]:
                    alternates = (f[2], *alternates)
                yield PlaceRow(
                    place_id=f"gn:{f[0]}", name=f[1], country_code=cc, latitude=lat, longitude=lon,
                    alternate_names=alternates, admin1=admin1.get((cc, a1), ""),
                    admin2=admin2.get((cc, a1, a2), ""), feature=_geonames_feature(fclass, fcode),
                    population=int(f[14]) if f[14].isdigit() else 0, admin1_code=a1, admin2_code=a2)
        except UnicodeDecodeError as err:
            raise _fail(path, f"not UTF-8 text ({err.reason})") from err


def _geonames_feature(fclass: str, fcode: str) -> str:
    if fclass == "P":
        return "neighbourhood" if fcode == "PPLX" else "populated"
    if fclass == "A" and fcode in ("ADM1", "ADM2", "ADM3"):
        return "admin" + fcode[-1]
    if fclass == "A" and fcode.startswith("PCL"):
        return "country"
    return f"feature:{fclass}.{fcode}"


def _dict_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with _open_text(path) as fh:
        try:
            reader = csv.DictReader(fh)
            reader.fieldnames = [h.strip().lower() for h in reader.fieldnames or []]
            for row in reader:
                if any((v or "").strip() for v in row.values() if isinstance(v, str)):
                    yield reader.line_num, row
        except csv.Error as err:
            raise _fail(path, f"bad CSV: {err}") from err
        except UnicodeDecodeError as err:
            raise _fail(path, f"not UTF-8 text ({err.reason})") from err


def country_code(value: str) -> str:
    """ISO alpha-2 for an ISO2/ISO3 code or a country name; "" when unknown."""
    text = value.strip()
    if not text:
        return ""
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        try:
            return pycountry.countries.search_fuzzy(text)[0].alpha_2
        except LookupError:
            return ""


def read_csv(parsed: ParsedFile) -> Iterator[PlaceRow]:
    path = parsed.path
    stem = path.name
    for number, row in _dict_rows(path):
        name = (row.get("name") or "").strip()
        if not name:
            raise _fail(path, "empty name", number)
        cc = country_code(row.get("country") or "")
        if not cc:
            raise _fail(path, f"unknown country {row.get('country')!r}", number)
        yield PlaceRow(
            place_id=f"csv:{stem}:{number}", name=name, country_code=cc,
            latitude=_coord(row.get("latitude"), -90, 90, path, number, "latitude"),
            longitude=_coord(row.get("longitude"), -180, 180, path, number, "longitude"),
            alternate_names=tuple(a.strip() for a in (row.get("alternate_names") or "").split("|") if a.strip()),
            admin1=(row.get("admin1") or "").strip(), admin2=(row.get("admin2") or "").strip(),
            feature=(row.get("feature") or "populated").strip() or "populated",
            population=int(row["population"]) if (row.get("population") or "").isdigit() else 0)


def _name_variants(*names: str) -> tuple[str, ...]:
    """Names plus their forms without a parenthesis or a " - " suffix."""
    out: list[str] = []
    for name in names:
        name = (name or "").strip()
        if not name:
            continue
        out.append(name)
        bare = _PAREN.sub(" ", name).strip()
        if bare and bare != name:
            out.append(bare)
        head = name.split(" - ")[0].strip()
        if head and head != name:
            out.append(head)
    return tuple(dict.fromkeys(out))


# OCHA's Arabic names join the two names of a merged community with "_"
# ("المحسنة_محسنلي", English "Mahsana - Mahsanli"), where a " - " suffix
# is the community's area ("اعبد - تل الضمان").
_OCHA_ALTERNATIVES = "_"
# ... and their English names with " - " or, for neighbourhoods, "_" ("Al Thawra_ Al Jourah")
_OCHA_EN_ALTERNATIVES = re.compile(r"\s+-\s+|_")


def _ocha_variants(en: str, ar: str) -> tuple[str, ...]:
    """The names of an OCHA row: both languages' names and their forms
    (``_name_variants``), plus each name of a merged community by itself
    (the English " - " tail is a second name only when the Arabic name
    says so)."""
    out = list(_name_variants(en, ar))
    head = ar.split(" - ")[0]
    if _OCHA_ALTERNATIVES in head:
        out.extend(part.strip() for part in head.split(_OCHA_ALTERNATIVES) if part.strip())
        out.extend(part.strip() for part in _OCHA_EN_ALTERNATIVES.split(_PAREN.sub(" ", en)) if part.strip())
    # "Upper Baqras", "بقرص فوقاني": also the base name a report writes ("Buqrus")
    out.extend(base for base in map(normalize.strip_qualifiers, list(out)) if base)
    return tuple(dict.fromkeys(out))


def read_ocha(parsed: ParsedFile) -> Iterator[PlaceRow]:
    path = parsed.path
    areas: dict[tuple[int, str], dict] = {}
    members: dict[tuple[int, str], list[tuple[float, float]]] = defaultdict(list)
    for number, row in _dict_rows(path):
        g = lambda key: (row.get(key.lower()) or "").strip()  # noqa: E731
        name = g("LocationName_en") or g("LocationName_ar")
        if not name:
            raise _fail(path, "row has no LocationName_en/LocationName_ar", number)
        cc = (g("admin0Pcode") or "")[:2].upper() or country_code(g("admin0Name_en"))
        lat = _coord(g("Latitude_y"), -90, 90, path, number, "Latitude_y")
        lon = _coord(g("Longitude_x"), -180, 180, path, number, "Longitude_x")
        kind = g("location_type").lower()
        yield PlaceRow(
            place_id=f"ocha:{g('Location_Pcode') or number}", name=_PAREN.sub(" ", name).strip() or name,
            country_code=cc, latitude=lat, longitude=lon,
            alternate_names=_ocha_variants(g("LocationName_en"), g("LocationName_ar")),
            admin1=g("admin1Name_en"), admin2=g("admin2Name_en"), admin3=g("admin3Name_en"),
            feature="neighbourhood" if kind.startswith("neighbo") else "populated",
            admin1_code=g("admin1Pcode"), admin2_code=g("admin2Pcode"))
        for level in (1, 2, 3):
            pcode = g(f"admin{level}Pcode")
            if not pcode:
                continue
            members[(level, pcode)].append((lat, lon))
            areas.setdefault((level, pcode), {
                "cc": cc, "en": g(f"admin{level}Name_en"), "ar": g(f"admin{level}Name_ar"),
                "admin": tuple(g(f"admin{i}Name_en") for i in (1, 2, 3))})
    for (level, pcode), info in areas.items():
        points = members[(level, pcode)]
        admin = tuple(info["admin"][i] if i < level else "" for i in range(3))
        yield PlaceRow(
            place_id=f"ocha:{pcode}", name=info["en"] or info["ar"], country_code=info["cc"],
            latitude=sum(p[0] for p in points) / len(points),
            longitude=sum(p[1] for p in points) / len(points),
            alternate_names=_name_variants(info["en"], info["ar"]),
            admin1=admin[0], admin2=admin[1], admin3=admin[2], feature=f"admin{level}",
            admin1_code=pcode if level == 1 else "")


def import_files(paths: list[str | Path], index_path: Path | None = None) -> list[tuple[str, str, int]]:
    """Import gazetteer files into the index (building the bundled index first
    when there is none). Each file is one source, named by its file name;
    importing it again replaces it. Returns [(source, kind, places)]."""
    from marsad.geo import index as idx

    parsed = [detect(Path(p)) for p in paths]  # every file is checked before anything is written
    target = Path(index_path) if index_path else idx.default_path()
    if not target.exists():
        idx.build_bundled(target)
    conn = idx._connect(target, readonly=False)
    results: list[tuple[str, str, int]] = []
    try:
        admin1: dict = {}
        admin2: dict = {}
        for item in parsed:
            if item.kind == "admin1codes":
                codes = read_admin_codes(item)
                admin1.update(codes)
                with conn:
                    conn.executemany("INSERT OR REPLACE INTO admin_names VALUES (?,?,?,?)",
                                     [(k[0], 1, k[1], v) for k, v in codes.items()])
                results.append((item.path.name, item.kind, len(codes)))
            elif item.kind == "admin2codes":
                codes = read_admin_codes(item)
                admin2.update(codes)
                with conn:
                    conn.executemany("INSERT OR REPLACE INTO admin_names VALUES (?,?,?,?)",
                                     [(k[0], 2, ".".join(k[1:]), v) for k, v in codes.items()])
                results.append((item.path.name, item.kind, len(codes)))
        if any(item.kind == "admin1codes" for item in parsed):
            _rename_bundled_admin1(conn, admin1)
        for cc, level, code, name in conn.execute("SELECT cc, level, code, name FROM admin_names"):
            if level == 1:
                admin1.setdefault((cc, code), name)
            else:
                admin2.setdefault((cc, *code.split(".", 1)), name)
        for item in parsed:
            if item.kind in ("admin1codes", "admin2codes"):
                continue
            if item.kind == "geonames":
                rows = read_geonames(item, admin1, admin2)
            elif item.kind == "ocha":
                rows = read_ocha(item)
            else:
                rows = read_csv(item)
            count = idx.write_source(conn, item.path.name, item.kind, str(item.path.resolve()),
                                     item.priority, rows, bulk=item.kind == "geonames")
            if count == 0:
                idx.write_source(conn, item.path.name, item.kind, "", item.priority, [])
                conn.execute("DELETE FROM sources WHERE name=?", (item.path.name,))
                conn.commit()
                raise _fail(item.path, "no places in file")
            results.append((item.path.name, item.kind, count))
        idx.compile_table(conn)
    except OSError as err:
        raise GazetteerError(f"cannot import into {target}: {err.strerror or err}") from err
    finally:
        conn.close()
    return results


def _rename_bundled_admin1(conn, admin1: dict[tuple[str, ...], str]) -> None:
    """Name the bundled places that have no admin1 name yet from an
    imported code table, and make every admin1 area findable under the
    table's name too. Names the bundled index already has (GeoNames' city
    table with the conflict datasets' spellings, data/admin1_names.yaml)
    are kept: GeoNames' code table writes "Muḩāfaz̧at Idlib" where reports
    and coders write "Idleb".
    """
    from marsad.geo import index as idx

    with conn:
        conn.executemany(
            "UPDATE places SET admin1=? WHERE source=? AND cc=? AND admin1_code=? AND admin1=''",
            [(name, idx.BUNDLED_SOURCE, key[0], key[1]) for key, name in admin1.items()],
        )
        rows = []
        for (cc, code), name in admin1.items():
            found = conn.execute("SELECT id FROM places WHERE source=? AND place_id=?",
                                 (idx.BUNDLED_SOURCE, f"adm1:{cc}.{code}")).fetchone()
            if found is None:
                continue
            exact, skeleton = normalize.keys(name)
            if exact:
                rows.append((exact, 0, found[0], cc))
            if skeleton:
                rows.append((skeleton, 1, found[0], cc))
        conn.executemany("INSERT INTO keys(key, tier, place, cc) VALUES (?,?,?,?)", rows)
