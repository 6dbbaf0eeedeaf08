"""Countries and actors: YAML data compiled once into typed, frozen tables.

``data/countries.yaml`` lists every country and territory ACLED codes, with
its ACLED name, ISO codes, region, demonyms and the years used in state-force
names. ``data/actors.yaml`` lists actors (see the comments at its top):
generic actors resolved to the event's country, state-force templates
expanded for every country, ethnic militias, named organisations and roles.

Users extend both without editing Python: any ``countries*.yaml`` and
``actors*.yaml`` in a directory passed as ``extra_dirs`` or listed in
``MARSAD_KNOWLEDGE`` (``os.pathsep``-separated) is merged over the shipped
files. An entry whose name (or, for countries, ``iso2``) matches a shipped one
extends it: its aliases, demonyms and countries are added and any other field
it gives replaces the shipped value; other entries are added.

A malformed file raises :class:`marsad.errors.KnowledgeError` with one line
naming the file and the entry.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from marsad.errors import KnowledgeError

DATA_DIR = Path(__file__).parent / "data"
ENV_VAR = "MARSAD_KNOWLEDGE"

try:  # the C loader is ~10x faster; fall back where libyaml is missing
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader

KINDS = ("named", "generic", "state", "role")
# inter 0 is allowed for roles only: they become associated actors, whose
# inter code ACLED does not record.
ROLE_INTER = 0
FOREIGN_STATE_INTER = 8  # state forces acting outside their own country
_PLACEHOLDER = re.compile(r"\{(country|state|military_since|police_since)\}")
_UNKNOWN_PLACEHOLDER = re.compile(r"\{(?!country\}|state\}|military_since\}|police_since\})[^}]*\}")


# --------------------------------------------------------------------------
# records
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Country:
    name: str  # ACLED's country name
    iso2: str
    iso3: str
    iso: int  # ISO 3166 numeric, as ACLED's iso column (Kosovo 0)
    region: str
    demonyms: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    military_since: int | None = None
    police_since: int | None = None
    article: str = ""  # "the" for "Military Forces of the Philippines"
    # words only this country's notes use (its currency, institutions):
    # signs of where the note is set
    words: tuple[str, ...] = ()

    @property
    def state_name(self) -> str:
        """The name as it reads after "Forces of": "the Philippines", "Syria"."""
        return f"{self.article} {self.name}" if self.article else self.name

    @property
    def has_state_forces(self) -> bool:
        return self.military_since is not None


@dataclass(frozen=True, slots=True)
class ActorEntry:
    """One canonical actor and the words that name it.

    ``kind``: "named" (an organisation), "state" (a state force or unit;
    ``state_of`` is its country), "generic" (name still holds ``{country}``
    or other placeholders, filled per event by :meth:`Knowledge.fill_name`)
    or "role" (an associated actor such as "Women ({country})").
    ``aliases`` holds every alias; those also in ``case_sensitive_aliases``
    must match the text's case exactly.
    """

    name: str
    inter: int
    kind: str = "named"
    countries: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    case_sensitive_aliases: tuple[str, ...] = ()
    state_of: str = ""

    def tied_to(self, iso2: str) -> bool:
        """Is this a force of ``iso2`` or a group that operates there?"""
        return self.state_of == iso2 or iso2 in self.countries


@dataclass(frozen=True, slots=True, eq=False)
class NamePattern:
    """Names made of a place and a group's word, as coders write them
    ("Banmauk PDF" -> "People's Defense Force - Banmauk"): a pattern with a
    ``place`` group, matched case-sensitively, and the canonical name with
    ``{place}`` filled in. ``not_places``: words that open such a phrase
    without being a place ("Local PDF", "Joint PDF"); an optional ``lead``
    group, a word before the place, makes the phrase a longer name unless it
    is one of them ("Black Wolf PDF")."""

    pattern: re.Pattern[str]
    name: str
    inter: int
    countries: tuple[str, ...] = ()
    not_places: frozenset[str] = frozenset()
    # words a text must hold (any case) for the pattern to be tried at all
    requires: tuple[str, ...] = ()

    def entry(self, place: str) -> "ActorEntry":
        name = self.name.replace("{place}", place)
        # a name still holding {country} is completed per event, as generic names are
        return ActorEntry(name=name, inter=self.inter, kind="generic" if "{country}" in name else "named",
                          countries=self.countries)


@dataclass(frozen=True, slots=True)
class IntroducedNames:
    """An organisation a text introduces with its acronym, "the Zomi
    Revolutionary Army (ZRA)", is an actor even when the dictionary does not
    list it, named as ACLED names organisations: "ZRA: Zomi Revolutionary
    Army". Only names whose last word is one of ``heads`` (lower case:
    "army", "front", "force"...) so that offices and companies introduced the
    same way ("the National Electoral Institute (INE)") stay no actors."""

    heads: frozenset[str]
    inter: int = 2

    def entry(self, acronym: str, name: str) -> "ActorEntry":
        return ActorEntry(name=f"{acronym}: {name}", inter=self.inter, kind="named")


@dataclass(frozen=True, slots=True, eq=False)
class UnitRule:
    """Where ACLED names a state force's unit ("... Air Force") and where not.

    ``named_where``: state ISO2 -> the countries where the unit's name is
    used for it; elsewhere its words name the state's forces alone. ``bases``:
    the state's force name -> its ISO2 (the names the suffix is added to).
    ``for_sub_events``: in these sub-event types a state of ``named_where``
    acting where its unit is named gets the unit's name even when the report
    only says "Russian forces" (an air strike is the air force's).
    """

    suffix: str
    named_where: dict[str, tuple[str, ...]]
    bases: dict[str, str]
    for_sub_events: frozenset[str] = frozenset()

    def name(self, actor: str, event_iso2: str, sub_event_type: str) -> str:
        tail = " " + self.suffix
        if actor.endswith(tail):
            state = self.bases.get(actor[: -len(tail)])
            if state is not None and event_iso2 not in self.named_where.get(state, ()):
                return actor[: -len(tail)]
            return actor
        state = self.bases.get(actor)
        if state is not None and sub_event_type in self.for_sub_events and event_iso2 in self.named_where.get(state, ()):
            return actor + tail
        return actor


def fold(text: str) -> str:
    """Lower-case, accents and typographic apostrophes removed, spaces collapsed."""
    if text.isascii():
        return " ".join(text.lower().split())
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u00a0", " ")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.lower().split())


def is_case_sensitive(alias: str) -> bool:
    """ALL-CAPS abbreviations (HTS, IS, M23, U.S.) match case-sensitively."""
    return alias.upper() == alias and alias.lower() != alias


class CountryTable:
    """Countries by ISO code, name, alias or demonym."""

    def __init__(self, countries: Iterable[Country]):
        self._all = tuple(countries)
        self._iso2 = {c.iso2.upper(): c for c in self._all}
        self._iso3 = {c.iso3.upper(): c for c in self._all}
        self._names: dict[str, Country] = {}
        self._demonyms: dict[str, Country] = {}
        # Precedence: ACLED names, then aliases, then demonyms; first listed wins.
        for c in self._all:
            self._names.setdefault(fold(c.name), c)
        for c in self._all:
            for alias in c.aliases:
                self._names.setdefault(fold(alias), c)
        for c in self._all:
            for dem in c.demonyms:
                self._demonyms.setdefault(fold(dem), c)

    def by_iso2(self, code: str) -> Country | None:
        return self._iso2.get((code or "").upper())

    def by_iso3(self, code: str) -> Country | None:
        return self._iso3.get((code or "").upper())

    def by_name(self, text: str) -> Country | None:
        """A country from its name, an alias or a demonym ("the Syrian Arab Republic")."""
        key = fold(text or "")
        if key.startswith("the "):
            hit = self._names.get(key) or self._demonyms.get(key)
            if hit is not None:
                return hit
            key = key[4:]
        return self._names.get(key) or self._demonyms.get(key)

    def from_demonym(self, word: str) -> Country | None:
        return self._demonyms.get(fold(word or ""))

    def all(self) -> tuple[Country, ...]:
        return self._all

    def __len__(self) -> int:
        return len(self._all)

    def __iter__(self) -> Iterator[Country]:
        return iter(self._all)


@dataclass(frozen=True)
class Knowledge:
    countries: CountryTable
    actors: tuple[ActorEntry, ...]
    ambiguous: frozenset[str] = frozenset()  # folded aliases declared as shared
    # nouns that make an actor word right before them a mere modifier
    # ("the military coup", "police brutality"): no actor there
    modifier_nouns: tuple[str, ...] = ()
    name_patterns: tuple[NamePattern, ...] = ()
    # organisations the dictionary does not list, named where a text
    # introduces them with their acronym (actors.yaml introduced_names)
    introduced_names: "IntroducedNames | None" = None
    sources: tuple[str, ...] = ()  # files read, shipped first
    unit_rules: tuple[UnitRule, ...] = ()
    # (state ISO2, event ISO2) -> the name its forces act under there
    acting_as: dict = field(default_factory=dict, repr=False, compare=False)
    _by_alias: dict = field(default_factory=dict, repr=False, compare=False)
    _by_name: dict = field(default_factory=dict, repr=False, compare=False)

    def actor_aliases(self) -> Iterator[tuple[str, bool, ActorEntry]]:
        """(alias, case_sensitive, entry) for every alias, preferred entries first.

        Order: named organisations and state forces (as in the files), then the
        state forces of every country from the templates, then generic actors
        and roles. Where entries share an alias, the first is the default
        reading (see :meth:`candidates` to choose by country).
        """
        for entry in self.actors:
            sensitive = set(entry.case_sensitive_aliases)
            for alias in entry.aliases:
                yield alias, alias in sensitive, entry

    def candidates(self, alias: str) -> tuple[ActorEntry, ...]:
        """Every entry an alias may name, default reading first."""
        if not self._by_alias:  # built on first use: loading stays fast
            index: dict[str, list[ActorEntry]] = {}
            for entry in self.actors:
                for text in entry.aliases:
                    bucket = index.setdefault(fold(text), [])
                    if not any(e is entry for e in bucket):
                        bucket.append(entry)
            self._by_alias.update((k, tuple(v)) for k, v in index.items())
        return self._by_alias.get(fold(alias), ())

    def resolve(self, alias: str, iso2: str = "") -> ActorEntry | None:
        """The entry an alias names in a country: one tied to ``iso2`` if any, else the default."""
        found = self.candidates(alias)
        if not found:
            return None
        if iso2:
            for entry in found:
                if entry.tied_to(iso2):
                    return entry
        return found[0]

    def actor(self, name: str) -> ActorEntry | None:
        """The entry with this canonical name (placeholders as in the entry)."""
        return self._by_name.get(name)

    def fill_name(self, name: str, iso2: str) -> str:
        """Complete a templated name for a country.

        ``{country}`` -> ACLED country name, ``{state}`` -> with its article,
        ``{military_since}`` / ``{police_since}`` -> the years. Unknown country:
        "Unknown", and empty year brackets are dropped.
        """
        if "{" not in name:
            return name
        country = self.countries.by_iso2(iso2) if iso2 else None
        if country is None:
            values = {"country": "Unknown", "state": "Unknown", "military_since": "", "police_since": ""}
        else:
            mil = country.military_since
            pol = country.police_since if country.police_since is not None else mil
            values = {
                "country": country.name,
                "state": country.state_name,
                "military_since": "" if mil is None else str(mil),
                "police_since": "" if pol is None else str(pol),
            }
        out = _PLACEHOLDER.sub(lambda m: values[m.group(1)], name)
        return out.replace(" (-)", "")

    def conventional_name(self, actor: str, event_iso2: str, sub_event_type: str) -> str:
        """A state force's name as ACLED writes it for an event: with or
        without its unit (see :class:`UnitRule`)."""
        if self.acting_as:
            entry = self._by_name.get(actor)
            if entry is not None and entry.kind == "state" and (entry.state_of, event_iso2) in self.acting_as:
                return self.acting_as[(entry.state_of, event_iso2)]
        for rule in self.unit_rules:
            actor = rule.name(actor, event_iso2, sub_event_type)
        return actor

    def inter_for(self, entry: ActorEntry, iso2: str) -> int:
        """ACLED inter code in an event in ``iso2``: state forces abroad are 8."""
        if entry.kind == "state" and entry.state_of and iso2 and entry.state_of != iso2 and entry.inter == 1:
            return FOREIGN_STATE_INTER
        return entry.inter


# --------------------------------------------------------------------------
# reading files
# --------------------------------------------------------------------------


def _read(path: Path):
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_Loader)
    except OSError as err:
        raise KnowledgeError(f"{path}: cannot read ({err.strerror or err})") from err
    except UnicodeDecodeError as err:
        raise KnowledgeError(f"{path}: not UTF-8 text") from err
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(err, "problem", None) or "syntax error"
        raise KnowledgeError(f"{path}: not valid YAML{where}: {problem}") from err


def _env_dirs() -> tuple[str, ...]:
    raw = os.environ.get(ENV_VAR, "")
    return tuple(p for p in raw.split(os.pathsep) if p.strip())


def _user_files(dirs: Iterable[str], stem: str) -> list[Path]:
    out: list[Path] = []
    for d in dirs:
        base = Path(d)
        if not base.is_dir():
            raise KnowledgeError(f"{base}: knowledge directory not found (from {ENV_VAR} or extra_dirs)")
        out.extend(sorted(p for p in base.iterdir() if p.is_file() and p.name.startswith(stem)
                          and p.suffix in (".yaml", ".yml")))
    return out


class _Where:
    """Builds the one-line error messages: file, section, entry."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, what: str, problem: str) -> KnowledgeError:
        return KnowledgeError(f"{self.path}: {what}: {problem}")


def _str_list(value, where: _Where, what: str, key: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise where.fail(what, f"'{key}' must be a list")
    out = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise where.fail(what, f"'{key}' holds a non-text item {item!r}")
        text = str(item).strip()
        if text:
            out.append(text)
    return out


def _check_inter(value, where: "_Where", what: str, low: int = 1) -> int:
    """An ACLED inter code from ``low`` to 8 (not a bool), or a one-line error."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= 8:
        raise where.fail(what, f"'inter' must be a number from {low} to 8, not {value!r}")
    return value


def _year(value, where: _Where, what: str, key: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1000 <= value <= 2100:
        raise where.fail(what, f"'{key}' must be a year, not {value!r}")
    return value


# ---- countries -------------------------------------------------------------

_COUNTRY_KEYS = {"name", "iso2", "iso3", "iso", "region", "demonyms", "aliases", "words",
                 "military_since", "police_since", "article"}


def _parse_countries(data, path: Path, merged: dict[str, dict]) -> None:
    where = _Where(path)
    if data is None:
        return
    if isinstance(data, dict):
        data = data.get("countries")
    if not isinstance(data, list):
        raise KnowledgeError(f"{path}: expected a list of countries")
    for i, raw in enumerate(data, 1):
        what = f"country {i}"
        if not isinstance(raw, dict):
            raise where.fail(what, "must be a mapping with name, iso2, ...")
        what = f"country {i} ({raw.get('name') or raw.get('iso2')!r})"
        unknown = set(raw) - _COUNTRY_KEYS
        if unknown:
            raise where.fail(what, f"unknown field(s) {', '.join(sorted(map(str, unknown)))}")
        iso2 = raw.get("iso2")
        if not isinstance(iso2, str) or not re.fullmatch(r"[A-Za-z]{2}", iso2):
            raise where.fail(what, f"'iso2' must be a two-letter code, not {iso2!r}")
        iso2 = iso2.upper()
        entry = merged.get(iso2)
        new = entry is None
        if new:
            entry = {"iso2": iso2, "demonyms": [], "aliases": [], "words": []}
        for key in ("name", "iso3", "region", "article"):
            if key in raw:
                if not isinstance(raw[key], str) or (key != "article" and not raw[key].strip()):
                    raise where.fail(what, f"'{key}' must be text")
                entry[key] = raw[key].strip()
        if "iso" in raw:
            if isinstance(raw["iso"], bool) or not isinstance(raw["iso"], int) or raw["iso"] < 0:
                raise where.fail(what, f"'iso' must be a number, not {raw['iso']!r}")
            entry["iso"] = raw["iso"]
        for key in ("military_since", "police_since"):
            if key in raw:
                entry[key] = _year(raw[key], where, what, key)
        for key in ("demonyms", "aliases", "words"):
            for item in _str_list(raw.get(key), where, what, key):
                if item not in entry[key]:
                    entry[key].append(item)
        if new:
            for key in ("name", "iso3", "region"):
                if not entry.get(key):
                    raise where.fail(what, f"'{key}' is required")
            entry.setdefault("iso", 0)
            if not re.fullmatch(r"[A-Z]{3}", entry["iso3"].upper()):
                raise where.fail(what, f"'iso3' must be a three-letter code, not {entry['iso3']!r}")
            merged[iso2] = entry


def _country(entry: dict) -> Country:
    return Country(
        name=entry["name"], iso2=entry["iso2"], iso3=entry["iso3"].upper(), iso=int(entry.get("iso", 0)),
        region=entry["region"], demonyms=tuple(entry["demonyms"]), aliases=tuple(entry["aliases"]),
        military_since=entry.get("military_since"), police_since=entry.get("police_since"),
        article=entry.get("article", "") or "", words=tuple(entry["words"]),
    )


# ---- actors ----------------------------------------------------------------

_SECTIONS = ("generic", "named", "roles")
_ACTOR_KEYS = {"name", "inter", "countries", "aliases", "case_sensitive", "state_of"}
_ETHNIC_KEYS = {"name", "countries", "aliases", "inter"}


@dataclass
class _Raw:
    """An actor entry while files are merged (mutable, private)."""

    name: str
    inter: int | None
    section: str
    countries: list[str]
    aliases: list[str]
    case_sensitive: list[str]
    state_of: str
    origin: str  # "file: section entry n" for messages


def _parse_actor(raw, section: str, i: int, where: _Where, country_codes: set[str]) -> _Raw:
    what = f"{section} entry {i}"
    if not isinstance(raw, dict):
        raise where.fail(what, "must be a mapping with name, inter, aliases")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise where.fail(what, "'name' is required")
    name = " ".join(name.split())
    what = f"{section} entry {i} ({name!r})"
    unknown = set(raw) - _ACTOR_KEYS
    if unknown:
        raise where.fail(what, f"unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    bad = _UNKNOWN_PLACEHOLDER.search(name)
    if bad:
        raise where.fail(what, f"unknown placeholder {bad.group(0)} in the name")
    inter = raw.get("inter")
    if inter is not None:
        low = ROLE_INTER if section == "roles" else 1
        _check_inter(inter, where, what, low)
    countries = [c.upper() for c in _str_list(raw.get("countries"), where, what, "countries")]
    for code in countries:
        if code not in country_codes:
            raise where.fail(what, f"unknown country code {code!r}")
    state_of = raw.get("state_of") or ""
    if state_of:
        if not isinstance(state_of, str) or state_of.upper() not in country_codes:
            raise where.fail(what, f"'state_of' must be a known country code, not {state_of!r}")
        state_of = state_of.upper()
        if section != "named":
            raise where.fail(what, "'state_of' belongs in the named section")
    if section == "named" and _PLACEHOLDER.search(name) and not state_of:
        raise where.fail(what, "a named entry with placeholders needs 'state_of'")
    aliases = _str_list(raw.get("aliases"), where, what, "aliases")
    sensitive = _str_list(raw.get("case_sensitive"), where, what, "case_sensitive")
    return _Raw(name, inter, section, countries, aliases, sensitive, state_of, f"{where.path}: {what}")


def _merge(into: _Raw, new: _Raw) -> None:
    if new.inter is not None:
        into.inter = new.inter
    for attr in ("countries", "aliases", "case_sensitive"):
        mine = getattr(into, attr)
        for item in getattr(new, attr):
            if item not in mine:
                mine.append(item)
    if new.state_of:
        into.state_of = new.state_of


def _parse_actor_file(data, path: Path, state: dict, country_codes: set[str]) -> None:
    where = _Where(path)
    if data is None:
        return
    if not isinstance(data, dict):
        raise KnowledgeError(f"{path}: expected a mapping with generic/named/roles/... sections")
    version = data.get("version", 1)
    if version != 1:
        raise KnowledgeError(f"{path}: unsupported version {version!r} (expected 1)")
    unknown = set(data) - {"version", "generic", "named", "roles", "state_templates", "ethnic", "ambiguous", "acting_as",
                           "modifier_nouns", "name_patterns", "introduced_names"}
    if unknown:
        raise KnowledgeError(f"{path}: unknown section(s) {', '.join(sorted(map(str, unknown)))}")
    for section in _SECTIONS:
        items = data.get(section)
        if items is None:
            continue
        if not isinstance(items, list):
            raise KnowledgeError(f"{path}: '{section}' must be a list of entries")
        table: dict = state[section]
        for i, raw in enumerate(items, 1):
            entry = _parse_actor(raw, section, i, where, country_codes)
            key = (entry.name, entry.state_of)
            if key in table:
                _merge(table[key], entry)
            else:
                if entry.inter is None and section != "roles":
                    raise where.fail(f"{section} entry {i} ({entry.name!r})", "'inter' is required")
                table[key] = entry
    if "state_templates" in data:
        _parse_templates(data["state_templates"], where, state["templates"])
    if "ethnic" in data:
        items = data["ethnic"]
        if not isinstance(items, list):
            raise KnowledgeError(f"{path}: 'ethnic' must be a list of entries")
        for i, raw in enumerate(items, 1):
            what = f"ethnic entry {i}"
            if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"].strip():
                raise where.fail(what, "must be a mapping with a 'name'")
            what = f"ethnic entry {i} ({raw['name']!r})"
            unknown = set(raw) - _ETHNIC_KEYS
            if unknown:
                raise where.fail(what, f"unknown field(s) {', '.join(sorted(map(str, unknown)))}")
            countries = [c.upper() for c in _str_list(raw.get("countries"), where, what, "countries")]
            for code in countries:
                if code not in country_codes:
                    raise where.fail(what, f"unknown country code {code!r}")
            inter = _check_inter(raw.get("inter", 4), where, what)
            group = raw["name"].strip()
            entry = _Raw(f"{group} Ethnic Militia ({{country}})", inter, "ethnic", countries,
                         _ethnic_aliases(group) + _str_list(raw.get("aliases"), where, what, "aliases"),
                         [], "", f"{path}: {what}")
            key = (entry.name, "")
            if key in state["ethnic"]:
                _merge(state["ethnic"][key], entry)
            else:
                state["ethnic"][key] = entry
    if "ambiguous" in data:
        for alias in _str_list(data["ambiguous"], where, "ambiguous", "ambiguous"):
            state["ambiguous"].add(fold(alias))
    if "modifier_nouns" in data:
        state["modifier_nouns"].update(
            n.strip().lower() for n in _str_list(data["modifier_nouns"], where, "modifier_nouns", "modifier_nouns") if n.strip())
    if "introduced_names" in data:
        _parse_introduced(data["introduced_names"], where, state)
    for j, raw in enumerate(data.get("name_patterns") or [], 1):
        state["name_patterns"].append(_name_pattern(raw, f"name_patterns entry {j}", where, country_codes))
    for j, rule in enumerate(data.get("acting_as") or [], 1):
        what = f"acting_as entry {j}"
        if not isinstance(rule, dict) or not isinstance(rule.get("name"), str) or not isinstance(rule.get("states"), list):
            raise where.fail(what, "must be a mapping with name, states and where")
        states = [c.upper() for c in _str_list(rule.get("states"), where, what, "states")]
        places = [c.upper() for c in _str_list(rule.get("where"), where, what, "where")]
        for code in states + places:
            if code not in country_codes:
                raise where.fail(what, f"unknown country code {code!r}")
        for code in states:
            for place in places:
                state["acting_as"][(code, place)] = " ".join(rule["name"].split())


def _name_pattern(raw, what: str, where: "_Where", country_codes: set[str]) -> NamePattern:
    if not isinstance(raw, dict) or not all(isinstance(raw.get(k), str) for k in ("pattern", "name")):
        raise where.fail(what, "must be a mapping with pattern, name and inter")
    unknown = set(raw) - {"pattern", "name", "inter", "countries", "not_places", "requires"}
    if unknown:
        raise where.fail(what, f"unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    try:
        pattern = re.compile(raw["pattern"])
    except re.error as err:
        raise where.fail(what, f"bad pattern {raw['pattern']!r} ({err})") from err
    if "place" not in pattern.groupindex or "{place}" not in raw["name"]:
        raise where.fail(what, "the pattern needs a (?P<place>...) group and the name a {place}")
    inter = _check_inter(raw.get("inter"), where, what)
    countries = tuple(c.upper() for c in _str_list(raw.get("countries"), where, what, "countries"))
    for code in countries:
        if code not in country_codes:
            raise where.fail(what, f"unknown country code {code!r}")
    requires = tuple(w for w in _str_list(raw.get("requires"), where, what, "requires") if w.strip())
    if not requires:
        raise where.fail(what, "'requires' must list the words the pattern needs (it gates the pattern)")
    return NamePattern(pattern, " ".join(raw["name"].split()), inter, countries,
                       frozenset(_str_list(raw.get("not_places"), where, what, "not_places")), requires)


def _parse_introduced(raw, where: "_Where", state: dict) -> None:
    what = "introduced_names"
    if not isinstance(raw, dict):
        raise where.fail(what, "must be a mapping with heads and inter")
    unknown = set(raw) - {"heads", "inter"}
    if unknown:
        raise where.fail(what, f"unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    heads = [h.strip().lower() for h in _str_list(raw.get("heads"), where, what, "heads") if h.strip()]
    if not heads:
        raise where.fail(what, "'heads' must list the last words of organisations' names")
    inter = _check_inter(raw.get("inter", 2), where, what)
    shipped = state["introduced_names"]  # a user's file adds heads to the shipped ones
    state["introduced_names"] = IntroducedNames(frozenset(heads) | (shipped.heads if shipped else frozenset()), inter)


def _ethnic_aliases(group: str) -> list[str]:
    return [f"{group} militia", f"{group} militias", f"{group} militiamen", f"{group} gunmen",
            f"{group} fighters", f"armed {group} youths", f"{group} ethnic militia", f"{group} ethnic militiamen",
            f"{group} raiders", f"{group} warriors"]


def _parse_templates(raw, where: _Where, templates: dict) -> None:
    if not isinstance(raw, dict):
        raise where.fail("state_templates", "must be a mapping with 'military' and 'police'")
    for kind, spec in raw.items():
        what = f"state_templates.{kind}"
        if not isinstance(spec, dict):
            raise where.fail(what, "must be a mapping with name, inter, words")
        current = templates.setdefault(kind, {"name": None, "inter": 1, "words": [], "units": {}, "unit_rules": {}})
        if "name" in spec:
            if not isinstance(spec["name"], str) or "{state}" not in spec["name"] and "{country}" not in spec["name"]:
                raise where.fail(what, "'name' must be text holding {state} or {country}")
            current["name"] = spec["name"]
        if "inter" in spec:
            if isinstance(spec["inter"], bool) or not isinstance(spec["inter"], int) or not 1 <= spec["inter"] <= 8:
                raise where.fail(what, f"'inter' must be a number from 1 to 8, not {spec['inter']!r}")
            current["inter"] = spec["inter"]
        for word in _str_list(spec.get("words"), where, what, "words"):
            if word not in current["words"]:
                current["words"].append(word)
        units = spec.get("units") or []
        if not isinstance(units, list):
            raise where.fail(what, "'units' must be a list")
        for j, unit in enumerate(units, 1):
            if not isinstance(unit, dict) or not isinstance(unit.get("suffix"), str):
                raise where.fail(f"{what} unit {j}", "must be a mapping with 'suffix' and 'words'")
            words = current["units"].setdefault(unit["suffix"].strip(), [])
            for word in _str_list(unit.get("words"), where, f"{what} unit {j}", "words"):
                if word not in words:
                    words.append(word)
            if "named_where" in unit:
                named_where = unit["named_where"]
                if not isinstance(named_where, dict):
                    raise where.fail(f"{what} unit {j}", "'named_where' must map a state's ISO2 code to a list of codes")
                current["unit_rules"][unit["suffix"].strip()] = (
                    {str(k).upper(): tuple(c.upper() for c in _str_list(v, where, f"{what} unit {j}", "named_where"))
                     for k, v in named_where.items()},
                    tuple(_str_list(unit.get("for_sub_events"), where, f"{what} unit {j}", "for_sub_events")),
                )
        if current["name"] is None:
            raise where.fail(what, "'name' is required")


# --------------------------------------------------------------------------
# building
# --------------------------------------------------------------------------


def _fill(name: str, country: Country) -> str:
    mil = country.military_since
    pol = country.police_since if country.police_since is not None else mil
    values = {"country": country.name, "state": country.state_name,
              "military_since": "" if mil is None else str(mil),
              "police_since": "" if pol is None else str(pol)}
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], name).replace(" (-)", "")


def _state_aliases(country: Country, words: list[str]) -> list[str]:
    adjectives = list(country.demonyms)
    if country.name not in adjectives:
        adjectives.append(country.name)
    out = [f"{adj} {w}" for w in words for adj in adjectives]
    out += [f"{w} of {country.state_name}" for w in words]
    return out


def _template_entries(templates: dict, table: CountryTable) -> dict[str, _Raw]:
    """Concrete state entries for every country with state forces, by name."""
    out: dict[str, _Raw] = {}
    for kind, spec in templates.items():
        units = [("", spec["words"])] + list(spec["units"].items())
        for country in table:
            if not country.has_state_forces:
                continue
            base = _fill(spec["name"], country)
            for suffix, words in units:
                name = f"{base} {suffix}" if suffix else base
                out[name] = _Raw(name, spec["inter"], "state", [country.iso2], _state_aliases(country, words),
                                 [], country.iso2, f"state_templates.{kind}")
    return out


def _unit_rules(templates: dict, table: CountryTable) -> tuple[UnitRule, ...]:
    rules = []
    for spec in templates.values():
        for suffix, (named_where, subs) in spec.get("unit_rules", {}).items():
            bases = {_fill(spec["name"], c): c.iso2 for c in table if c.has_state_forces}
            rules.append(UnitRule(suffix, named_where, bases, frozenset(subs)))
    return tuple(rules)


def _finish(raw: _Raw, kind: str, fold=fold) -> ActorEntry:
    seen: dict[str, int] = {}
    aliases: list[str] = []
    sensitive_flags: list[bool] = []
    explicit = set(raw.case_sensitive)
    for alias in list(raw.aliases) + [a for a in raw.case_sensitive if a not in raw.aliases]:
        key = fold(alias)
        cs = alias in explicit or is_case_sensitive(alias)
        if key in seen:
            # The same words written twice: keep the case-insensitive form if any.
            idx = seen[key]
            if sensitive_flags[idx] and not cs:
                aliases[idx], sensitive_flags[idx] = alias, False
            continue
        seen[key] = len(aliases)
        aliases.append(alias)
        sensitive_flags.append(cs)
    inter = raw.inter if raw.inter is not None else ROLE_INTER
    return ActorEntry(
        name=raw.name, inter=inter, kind=kind, countries=tuple(raw.countries), aliases=tuple(aliases),
        case_sensitive_aliases=tuple(a for a, cs in zip(aliases, sensitive_flags) if cs),
        state_of=raw.state_of,
    )


def _build(country_files: list[Path], actor_files: list[Path]) -> Knowledge:
    folded: dict[str, str] = {}

    def fold_(text: str) -> str:  # each alias is folded once, then looked up
        key = folded.get(text)
        if key is None:
            key = folded[text] = fold(text)
        return key

    merged: dict[str, dict] = {}
    for path in country_files:
        _parse_countries(_read(path), path, merged)
    table = CountryTable(_country(e) for e in merged.values())
    codes = set(merged)

    state: dict = {"generic": {}, "named": {}, "roles": {}, "ethnic": {}, "templates": {}, "ambiguous": set(),
                   "acting_as": {}, "modifier_nouns": set(), "name_patterns": [],
                   "introduced_names": None}
    for path in actor_files:
        _parse_actor_file(_read(path), path, state, codes)

    generated = _template_entries(state["templates"], table)
    unit_rules = _unit_rules(state["templates"], table)

    # Named entries: fill placeholders for state forces; a named state entry
    # with the same name as a generated one extends it.
    named: list[_Raw] = []
    claimed: dict[str, str] = {}  # folded alias -> name of the named entry claiming it
    for raw in state["named"].values():
        if raw.state_of:
            country = table.by_iso2(raw.state_of)
            if _PLACEHOLDER.search(raw.name):
                if not country.has_state_forces and re.search(r"\{(military|police)_since\}", raw.name):
                    raise KnowledgeError(f"{raw.origin}: country {raw.state_of} has no military_since for the name")
                raw.name = _fill(raw.name, country)
            if raw.state_of not in raw.countries:
                raw.countries.insert(0, raw.state_of)
        named.append(raw)
        for alias in raw.aliases:
            claimed.setdefault(fold_(alias), raw.name)

    # Generated aliases give way to a named entry that claims the same words
    # ("Turkish gendarmerie" -> the Gendarmerie unit, not the army).
    for name, gen in generated.items():
        gen.aliases = [a for a in gen.aliases if claimed.get(fold_(a), name) == name]

    actors: list[ActorEntry] = []
    used_names: set[str] = set()
    for raw in named:
        kind = "state" if raw.state_of else "named"
        if raw.name in generated:
            gen = generated.pop(raw.name)
            raw.aliases = gen.aliases + [a for a in raw.aliases if a not in gen.aliases]
            if raw.inter is None:
                raw.inter = gen.inter
        if raw.name in used_names:
            # two named entries filled to the same name: merge them
            idx = next(i for i, a in enumerate(actors) if a.name == raw.name)
            old = actors[idx]
            combined = _Raw(old.name, old.inter, "named", list(old.countries), list(old.aliases) + raw.aliases,
                            list(old.case_sensitive_aliases) + raw.case_sensitive, old.state_of, raw.origin)
            actors[idx] = _finish(combined, old.kind, fold_)
            continue
        used_names.add(raw.name)
        actors.append(_finish(raw, kind, fold_))
    for raw in generated.values():
        # Template aliases are "<adjective> <lower-case word>": distinct by
        # construction and never case-sensitive, so they skip _finish's checks.
        actors.append(ActorEntry(name=raw.name, inter=raw.inter, kind="state", countries=tuple(raw.countries),
                                 aliases=tuple(dict.fromkeys(raw.aliases)), state_of=raw.state_of))
    for raw in state["generic"].values():
        actors.append(_finish(raw, "generic", fold_))
    for raw in state["ethnic"].values():
        actors.append(_finish(raw, "generic", fold_))
    for raw in state["roles"].values():
        actors.append(_finish(raw, "role", fold_))

    by_name: dict[str, ActorEntry] = {}
    for entry in actors:
        by_name.setdefault(entry.name, entry)
    return Knowledge(
        countries=table,
        actors=tuple(actors),
        ambiguous=frozenset(state["ambiguous"]),
        modifier_nouns=tuple(sorted(state["modifier_nouns"])),
        name_patterns=tuple(state["name_patterns"]),
        introduced_names=state["introduced_names"],
        sources=tuple(str(p) for p in country_files + actor_files),
        unit_rules=unit_rules,
        acting_as=dict(state["acting_as"]),
        _by_alias={},
        _by_name=by_name,
    )


@lru_cache(maxsize=8)
def _load(extra_dirs: tuple[str, ...], env_dirs: tuple[str, ...]) -> Knowledge:
    dirs = tuple(extra_dirs) + tuple(env_dirs)
    country_files = [DATA_DIR / "countries.yaml"] + _user_files(dirs, "countries")
    actor_files = [DATA_DIR / "actors.yaml"] + _user_files(dirs, "actors")
    return _build(country_files, actor_files)


def load_knowledge(extra_dirs: tuple[str, ...] = ()) -> Knowledge:
    """Countries and actors, shipped files merged with the user's; cached.

    ``extra_dirs`` and the directories in ``MARSAD_KNOWLEDGE`` are searched
    for ``countries*.yaml`` / ``actors*.yaml``. Raises ``KnowledgeError``
    (one line: file and entry) when a file is malformed.
    """
    return _load(tuple(str(d) for d in extra_dirs), _env_dirs())
