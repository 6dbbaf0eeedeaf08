"""Trigger and counting lexicons: YAML data compiled once into regexes.

``triggers.yaml`` and ``numbers.yaml`` ship in ``marsad/knowledge/data``; a
user extends them by putting files of the same name in a directory listed in
``MARSAD_KNOWLEDGE`` (``os.pathsep``-separated). Their patterns are added to
the shipped ones (a class named in a user file gets the user's patterns
too; a new class needs ``kind`` and ``weight``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from marsad.errors import KnowledgeError
from marsad.knowledge.prefilter import Alternation

DATA_DIR = Path(__file__).parent / "data"

try:  # the C loader is ~10x faster; fall back where libyaml is missing
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader


def user_dirs() -> tuple[Path, ...]:
    raw = os.environ.get("MARSAD_KNOWLEDGE", "")
    return tuple(Path(p) for p in raw.split(os.pathsep) if p.strip())


def read_yaml(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_Loader)
    except OSError as err:
        raise KnowledgeError(f"{path}: cannot read ({err.strerror})") from err
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 1}:" if mark else ""
        raise KnowledgeError(f"{path}:{where} not valid YAML") from err
    if data is None:  # an empty file extends nothing
        return {}
    if not isinstance(data, dict):
        raise KnowledgeError(f"{path}: expected a mapping at the top level")
    return data


def _files(name: str) -> list[Path]:
    files = [DATA_DIR / name]
    files += [d / name for d in user_dirs() if (d / name).is_file()]
    return files


# A capital letter outside an escape (\W, \S, \D, \B ...) or a class range can
# never match: every pattern runs against the lower-cased sentence.
_ESCAPES_AND_SETS = re.compile(r"\\.|\[(?:\\.|[^\]])*\]")


def _compile(path: Path, what: str, patterns: list[str]) -> re.Pattern[str]:
    for p in patterns:
        if any(ch.isupper() for ch in _ESCAPES_AND_SETS.sub("", p)):
            raise KnowledgeError(f"{path}: {what}: pattern {p!r} has capital letters, but patterns are "
                                 "matched against lower-cased text: write it in lower case")
    try:
        return re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in patterns) + r")\b")
    except re.error as err:
        raise KnowledgeError(f"{path}: {what}: bad pattern ({err})") from err


@dataclass(frozen=True, slots=True)
class TriggerClass:
    name: str
    kind: str  # main | modifier
    weight: float
    patterns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ContextDomain:
    """A non-political domain (disaster, accident, crime ...): its cue
    patterns and the trigger classes it explains (None: every class)."""

    name: str
    explains: frozenset[str] | None
    patterns: tuple[str, ...]

    def explains_class(self, cls: str, unmistakable: frozenset[str] = frozenset()) -> bool:
        """Whether the domain explains trigger class ``cls`` away: a class it
        lists, or with ``explains: all`` any class but the unmistakable ones."""
        if self.explains is None:
            return cls not in unmistakable
        return cls in self.explains


@dataclass(frozen=True, eq=False)  # hashed by identity: one per load
class TriggerLexicon:
    classes: dict[str, TriggerClass]
    # One alternation with a named group per class: one pass per sentence.
    matcher: re.Pattern[str]
    negation: re.Pattern[str]
    grievance: re.Pattern[str]
    background: re.Pattern[str]
    nonpolitical: re.Pattern[str]
    # The same alternations behind a keyword prefilter (same matches, only
    # the patterns whose keywords occur in a sentence run).
    fast_matcher: Alternation
    fast_background: Alternation
    fast_nonpolitical: Alternation
    # Non-political domains (``nonpolitical`` in triggers.yaml) and one
    # alternation with a group per domain; signs of politics; explicit
    # "not related to the conflict"; claims and accusations of an incident.
    domains: dict[str, ContextDomain]
    fast_domains: Alternation
    political: Alternation
    unrelated: Alternation
    attribution: Alternation


@lru_cache(maxsize=4)
def _load_triggers(dirs: tuple[Path, ...]) -> TriggerLexicon:
    classes: dict[str, dict] = {}
    lists: dict[str, list[str]] = {"negation": [], "grievance": [], "background": [], "political": [],
                                   "unrelated": [], "attribution": []}
    domains: dict[str, dict] = {}
    for path in _files("triggers.yaml"):
        data = read_yaml(path)
        _read_domains(path, data.get("nonpolitical"), domains)
        for name, spec in (data.get("classes") or {}).items():
            if not isinstance(spec, dict) or not isinstance(spec.get("patterns", []), list):
                raise KnowledgeError(f"{path}: class {name!r}: expected kind, weight and a list of patterns")
            entry = classes.setdefault(name, {"kind": spec.get("kind"), "weight": spec.get("weight"), "patterns": []})
            if spec.get("kind"):
                entry["kind"] = spec["kind"]
            if spec.get("weight") is not None:
                entry["weight"] = spec["weight"]
            entry["patterns"] += [str(p) for p in spec.get("patterns", [])]
            _compile(path, f"class {name!r}", entry["patterns"])  # fail early, naming the file
        for key in lists:
            lists[key] += [str(p) for p in data.get(key) or []]
    compiled: dict[str, TriggerClass] = {}
    for name, spec in classes.items():
        if spec["kind"] not in ("main", "modifier"):
            raise KnowledgeError(f"triggers: class {name!r}: kind must be 'main' or 'modifier'")
        try:
            weight = float(spec["weight"])
        except (TypeError, ValueError) as err:
            raise KnowledgeError(f"triggers: class {name!r}: weight must be a number") from err
        if not re.fullmatch(r"[a-z_]+", name):
            raise KnowledgeError(f"triggers: class name {name!r} must be lower-case letters and _")
        compiled[name] = TriggerClass(name, spec["kind"], weight, tuple(spec["patterns"]))
    for key in ("political", "unrelated", "attribution"):
        _compile(DATA_DIR / "triggers.yaml", key, lists[key])  # capitals, bad patterns
    for name, spec in domains.items():
        unknown = sorted((spec["explains"] or frozenset()) - compiled.keys())
        if unknown:
            raise KnowledgeError(f"triggers: nonpolitical domain {name!r} explains unknown class(es): {', '.join(unknown)}")
    matcher = Alternation([(c.name, c.patterns) for c in compiled.values()])
    background = Alternation([("", lists["background"])])
    every_cue = [p for spec in domains.values() for p in spec["patterns"]]
    nonpolitical = Alternation([("", every_cue)])
    compiled_domains = {name: ContextDomain(name, spec["explains"], tuple(spec["patterns"]))
                        for name, spec in domains.items() if spec["patterns"]}
    return TriggerLexicon(
        classes=compiled,
        matcher=matcher.combined,
        negation=_compile(DATA_DIR / "triggers.yaml", "negation", lists["negation"]),
        grievance=_compile(DATA_DIR / "triggers.yaml", "grievance", lists["grievance"]),
        background=_compile(DATA_DIR / "triggers.yaml", "background", lists["background"]),
        nonpolitical=_compile(DATA_DIR / "triggers.yaml", "nonpolitical", every_cue),
        fast_matcher=matcher,
        fast_background=background,
        fast_nonpolitical=nonpolitical,
        domains=compiled_domains,
        fast_domains=Alternation([(d.name, d.patterns) for d in compiled_domains.values()]),
        political=Alternation([("", lists["political"])]),
        unrelated=Alternation([("", lists["unrelated"])]),
        attribution=Alternation([("", lists["attribution"])]),
    )


def _read_domains(path: Path, raw, domains: dict[str, dict]) -> None:
    """Merge one file's ``nonpolitical`` section into ``domains``: a mapping
    of domain -> {explains, patterns}, or (older files) a plain list of
    patterns, which extends domain ``other`` (explains every class)."""
    if not raw:
        return
    if isinstance(raw, list):
        raw = {"other": {"explains": "all", "patterns": raw}}
    if not isinstance(raw, dict):
        raise KnowledgeError(f"{path}: nonpolitical: expected a mapping of domains (or a list of patterns)")
    for name, spec in raw.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("patterns", []), list):
            raise KnowledgeError(f"{path}: nonpolitical domain {name!r}: expected explains and a list of patterns")
        if not re.fullmatch(r"[a-z_]+", str(name)):
            raise KnowledgeError(f"{path}: nonpolitical domain name {name!r} must be lower-case letters and _")
        entry = domains.setdefault(name, {"explains": None, "patterns": []})
        explains = spec.get("explains")
        if isinstance(explains, list):
            entry["explains"] = frozenset(str(c) for c in explains) | (entry["explains"] or frozenset())
        elif explains not in (None, "all"):
            raise KnowledgeError(f"{path}: nonpolitical domain {name!r}: explains must be 'all' or a list of classes")
        entry["patterns"] += [str(p) for p in spec.get("patterns", [])]
        _compile(path, f"nonpolitical domain {name!r}", entry["patterns"])  # fail early, naming the file


def load_triggers() -> TriggerLexicon:
    return _load_triggers(user_dirs())


@dataclass(frozen=True, eq=False)  # hashed by identity: one per load
class NumberLexicon:
    words: dict[str, int]  # unit, tens and scale words
    units: dict[str, int]
    tens: dict[str, int]
    scales: dict[str, int]
    vague: dict[str, int]
    people: tuple[str, ...]
    not_counts: tuple[str, ...]
    not_count_before: tuple[str, ...]


@lru_cache(maxsize=4)
def _load_numbers(dirs: tuple[Path, ...]) -> NumberLexicon:
    merged: dict = {"units": {}, "tens": {}, "scales": {}, "vague": {}, "people": [], "not_counts": [], "not_count_before": []}
    for path in _files("numbers.yaml"):
        data = read_yaml(path)
        for key, value in merged.items():
            extra = data.get(key)
            if extra is None:
                continue
            if isinstance(value, dict):
                if not isinstance(extra, dict):
                    raise KnowledgeError(f"{path}: {key}: expected a mapping of word: number")
                for word, num in extra.items():
                    if not isinstance(num, int):
                        raise KnowledgeError(f"{path}: {key}: {word!r} must map to a whole number")
                    value[str(word).lower()] = num
            else:
                if not isinstance(extra, list):
                    raise KnowledgeError(f"{path}: {key}: expected a list")
                value += [str(x) for x in extra]
    words = {**merged["units"], **merged["tens"], **merged["scales"]}
    return NumberLexicon(
        words=words,
        units=merged["units"],
        tens=merged["tens"],
        scales=merged["scales"],
        vague=merged["vague"],
        people=tuple(merged["people"]),
        not_counts=tuple(merged["not_counts"]),
        not_count_before=tuple(merged["not_count_before"]),
    )


def load_numbers() -> NumberLexicon:
    return _load_numbers(user_dirs())
