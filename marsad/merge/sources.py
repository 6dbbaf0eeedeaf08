"""The outlet registry: who reported an event, at what scale.

Data in ``marsad/knowledge/data/sources.yaml``, extended by files of the same
name in the folders of ``MARSAD_KNOWLEDGE``. A document's outlet is found by
its source name or site name (case- and accent-insensitive, aliases too),
then by the domain of its URL.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from marsad.errors import KnowledgeError
from marsad.knowledge.lexicons import DATA_DIR, read_yaml, user_dirs
from marsad.records import Event

SOURCES_FILE = "sources.yaml"

# ACLED joins the scales of an event's sources in this order ("Other-National",
# "Subnational-National", "National-International", "Local partner-Other"); "Local" is
# the codebook's word for a subnational outlet and sits beside it.
SCALE_ORDER: tuple[str, ...] = (
    "Local partner", "Other", "New media", "Local", "Subnational", "National", "Regional",
    "International",
)


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    scale: str = ""
    country: str = ""
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()


def _key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(kept.replace("-", " ").replace(".", " ").split())


def _domain(value: str) -> str:
    host = urlsplit(value if "//" in value else f"//{value}").hostname or ""
    return host.removeprefix("www.")


@dataclass(frozen=True, eq=False)
class SourceRegistry:
    """Every known outlet, looked up by name, alias or URL domain."""

    sources: tuple[Source, ...]

    def __post_init__(self) -> None:
        by_name: dict[str, Source] = {}
        by_domain: dict[str, Source] = {}
        for source in self.sources:
            for name in (source.name, *source.aliases):
                by_name.setdefault(_key(name), source)
            for domain in source.domains:
                by_domain.setdefault(_domain(domain), source)
        object.__setattr__(self, "_by_name", by_name)
        object.__setattr__(self, "_by_domain", by_domain)

    def find(self, name: str = "", url: str = "") -> Source | None:
        """The outlet called ``name`` (or an alias), else the one owning ``url``'s domain."""
        hit = self._by_name.get(_key(name)) if name.strip() else None
        if hit is not None:
            return hit
        host = _domain(url) if url else ""
        while host:
            hit = self._by_domain.get(host)
            if hit is not None:
                return hit
            host = host.partition(".")[2] if "." in host.partition(".")[2] else ""
        return None

    def attribute(self, event: Event, url: str = "") -> Event:
        """``event`` with its outlet's canonical name and scale (unchanged when unknown).

        A scale the event already carries is kept: the registry fills, it
        does not overrule the extractor or the user. An event that already
        lists several outlets ("A; B") was attributed by whoever merged it
        and is kept as it is.
        """
        if ";" in event.source:
            return event
        found = self.find(event.source, url)
        if found is None:
            return event
        return replace(event, source=found.name, source_scale=event.source_scale or found.scale)


def combine_scales(scales: list[str] | tuple[str, ...]) -> str:
    """Distinct scales in ACLED's order, joined with "-" ("Other-National")."""
    parts = {p.strip() for s in scales for p in s.split("-") if p.strip()} if scales else set()
    # "New media" and "Local partner" hold no "-"; split() above keeps them whole.
    rank = {name: i for i, name in enumerate(SCALE_ORDER)}
    return "-".join(sorted(parts, key=lambda p: (rank.get(p, len(rank)), p)))


def _entry(raw: object, path: Path, index: int) -> Source:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"].strip():
        raise KnowledgeError(f"{path}: sources[{index}]: needs a 'name'")

    def strings(key: str) -> tuple[str, ...]:
        value = raw.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            raise KnowledgeError(f"{path}: sources[{index}] ({raw['name']}): '{key}' must be a list of names")
        return tuple(str(v) for v in value)

    scale = raw.get("scale") or ""
    if scale and scale not in SCALE_ORDER:
        raise KnowledgeError(
            f"{path}: sources[{index}] ({raw['name']}): unknown scale {scale!r} (one of {', '.join(SCALE_ORDER)})")
    return Source(raw["name"].strip(), scale, str(raw.get("country") or ""), strings("aliases"), strings("domains"))


def _read(path: Path) -> list[Source]:
    data = read_yaml(path)
    entries = data.get("sources") or []
    if not isinstance(entries, list):
        raise KnowledgeError(f"{path}: 'sources' must be a list")
    return [_entry(raw, path, i) for i, raw in enumerate(entries)]


@lru_cache(maxsize=4)
def _load(extra: tuple[Path, ...]) -> SourceRegistry:
    merged: dict[str, Source] = {}
    for path in (DATA_DIR / SOURCES_FILE, *(d / SOURCES_FILE for d in extra if (d / SOURCES_FILE).is_file())):
        for source in _read(path):
            old = merged.get(_key(source.name))
            if old is not None:
                source = Source(
                    old.name, source.scale or old.scale, source.country or old.country,
                    tuple(dict.fromkeys(old.aliases + source.aliases)),
                    tuple(dict.fromkeys(old.domains + source.domains)),
                )
            merged[_key(source.name)] = source
    return SourceRegistry(tuple(merged.values()))


def load_sources() -> SourceRegistry:
    """The registry: shipped outlets plus those of ``MARSAD_KNOWLEDGE`` folders."""
    return _load(user_dirs())
