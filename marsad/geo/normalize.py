"""Place-name folding that survives transliteration.

``exact_key`` folds lightly (ASCII, case, diacritics, ayn/hamza marks,
Arabic articles, doubled letters); ``skeleton_key`` is a coarse second tier
(first letter + consonants, spelling substitutions) so that Harem/Harim/Haram,
Atma/Atmeh, Idlib/Idleb or Deir ez-Zor/Dayr az Zawr collide. The rules live
in ``data/folding.yaml``; this module only applies them.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from importlib import resources

import yaml
from anyascii import anyascii

from marsad.errors import GazetteerError

_ARABIC_LETTERS = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
_ARABIC_TASHKEEL = re.compile(r"[\u064B-\u065F\u0670\u0640]")
_ARABIC_MAP = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي",
                             "ؤ": "و", "ئ": "ي", "ک": "ك", "ی": "ي"})
_NON_WORD = re.compile(r"[^a-z0-9 ]+")
_DOUBLED = re.compile(r"(.)\1+")
# The replacement of a _DOUBLED run: its letter. A C-level callable, where
# the template r"\1" is expanded by Python code at every match.
_DOUBLED_LETTER = itemgetter(1)
_SPACES = re.compile(r"\s+")
# What a Latin-script exact key is made of (anything else: an Arabic key).
_LATIN_KEY = re.compile(r"[a-z0-9 ]*")
# An Arabic article glued to a word ("الطويلة") is dropped only when the word
# left behind keeps at least this many letters (so short names survive).
_ARABIC_ARTICLE_MIN_REST = 2
# Folded keys memoised per process: names repeat across documents and places.
CACHE_SIZE = 65536


@dataclass(frozen=True)
class FoldingRules:
    marks: dict  # str.translate table deleting the marks
    articles: frozenset[str]
    glued_articles: tuple[tuple[str, int], ...]
    glued_min_rest: int
    descriptors: tuple[tuple[str, str], ...]  # (phrase, cue), longest phrase first
    substitutions: tuple[tuple[str, str], ...]
    vowels: frozenset[str]
    admin_aliases: tuple[tuple[str, ...], ...]
    qualifiers: frozenset[str] = frozenset()  # exact-key forms
    # Derived, for speed: the glued prefixes as one str.startswith argument
    # (most tokens start with none), and a str.translate table deleting vowels.
    glued_prefixes: tuple[str, ...] = ()
    drop_vowels: dict = field(default_factory=dict)
    # ... and the descriptors as a name's possible last / first words.
    descriptor_ends: tuple[str, ...] = ()
    descriptor_starts: tuple[str, ...] = ()
    # A str.translate table for ASCII text: marks deleted, upper case
    # lowered, every other character but letters, digits and space a space
    # (what deleting the marks, lower() and _NON_WORD do, in one call).
    ascii_fold: dict = field(default_factory=dict)
    # Skeleton steps as patterns over a whole exact key (tokens of letters
    # and digits joined by spaces, so \b is a token's edge): a vowel + h
    # ending of a token of three letters or more, a vowel after a token's
    # first letter, a vowel that is a token's first letter.
    vowel_h_end: re.Pattern = re.compile("$^")
    inner_vowel: re.Pattern = re.compile("$^")
    first_vowel: re.Pattern = re.compile("$^")
    # Variant folding (skeleton only; see folding.yaml): articles glued to a
    # later word / to the first word, and letter classes merged last.
    glued_inner: re.Pattern = re.compile("$^")
    glued_first: re.Pattern = re.compile("$^")
    classes: dict = field(default_factory=dict)
    # How an Arabic-script key reads as a Latin skeleton (folding.yaml
    # arabic_skeleton).
    arabic: "ArabicSkeleton | None" = None


@dataclass(frozen=True)
class ArabicSkeleton:
    letters: dict  # Arabic letter -> Latin skeleton letter
    long_vowels: frozenset[str]
    first_vowels: frozenset[str]
    first_consonants: dict
    ta_marbuta: str
    final_h_after_vowel: frozenset[str]
    final_min_letters: int
    before_word: str
    kind_words: frozenset[str]
    countries: frozenset[str]


def _arabic_rules(data: dict | None) -> ArabicSkeleton | None:
    if not data:
        return None
    return ArabicSkeleton(
        letters={str(k): str(v) for k, v in data["letters"].items()},
        long_vowels=frozenset(data["long_vowels"]), first_vowels=frozenset(data["first_vowels"]),
        first_consonants={str(k): str(v) for k, v in data["first_consonants"].items()},
        ta_marbuta=str(data["ta_marbuta"]), final_h_after_vowel=frozenset(data["final_h_after_vowel"]),
        final_min_letters=int(data["final_min_letters"]), before_word=str(data["before_word"]),
        kind_words=frozenset(data.get("kind_words") or ()),
        countries=frozenset(str(cc).upper() for cc in data.get("countries") or ()))


@lru_cache(maxsize=1)
def rules() -> FoldingRules:
    """The folding rules from ``data/folding.yaml`` (loaded once per process)."""
    try:
        text = resources.files("marsad.geo").joinpath("data/folding.yaml").read_text("utf-8")
        data = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as err:
        raise GazetteerError(f"cannot read folding rules: {err}") from err
    descriptors = sorted(
        ((phrase.lower(), cue) for cue, phrases in data["descriptors"].items() for phrase in phrases),
        key=lambda item: -len(item[0]),
    )
    vowels = re.escape("".join(data["vowels"]))
    glued = sorted(((str(k), int(v)) for k, v in data["glued_articles"].items()), key=lambda kv: -len(kv[0]))
    return FoldingRules(
        marks=str.maketrans("", "", "".join(data["marks"])),
        articles=frozenset(data["articles"]),
        glued_articles=tuple(glued),
        glued_min_rest=int(data["glued_min_rest"]),
        descriptors=tuple(descriptors),
        substitutions=tuple((a, b) for a, b in data["skeleton_substitutions"]),
        vowels=frozenset(data["vowels"]),
        admin_aliases=tuple(tuple(group) for group in data.get("admin_aliases") or ()),
        qualifiers=frozenset(_undouble(str(word).lower()) for word in data.get("qualifiers") or ()),
        glued_prefixes=tuple(prefix for prefix, _ in glued),
        drop_vowels=str.maketrans("", "", "".join(data["vowels"])),
        descriptor_ends=tuple(" " + phrase for phrase, _ in descriptors),
        descriptor_starts=tuple(phrase + " " for phrase, _ in descriptors),
        ascii_fold=_ascii_fold_table([m for m in data["marks"] if m.isascii()]),
        vowel_h_end=re.compile(rf"(?<=[^ ][{vowels}])h\b"),
        inner_vowel=re.compile(rf"\B[{vowels}]"),
        first_vowel=re.compile(rf"\b[{vowels}]"),
        glued_inner=_glued_pattern(r"(?<= )", data["variants"]["glued_inner"], data["variants"]["inner_min_rest"], ""),
        glued_first=_glued_pattern("^", data["variants"]["glued_first"], data["variants"]["first_min_rest"],
                                   "".join(data["vowels"])),
        classes=str.maketrans({old: new for letters, new in data["variants"]["classes"] for old in letters}),
        arabic=_arabic_rules(data.get("arabic_skeleton")),
    )


def _ascii_fold_table(marks: list[str]) -> dict:
    table: dict[int, str | None] = {}
    for code in range(128):
        char = chr(code)
        folded = _NON_WORD.sub(" ", char.lower())
        if folded != char:
            table[code] = folded
    table.update({ord(mark): None for mark in marks})
    return table


def _glued_pattern(anchor: str, articles: list[str], min_rest: int, not_before: str) -> re.Pattern:
    """An article glued at ``anchor`` in front of at least ``min_rest``
    letters (the first of which is none of ``not_before``)."""
    if not articles:
        return re.compile("$^")
    head = f"[^{re.escape(not_before)} ]" if not_before else "[a-z0-9]"
    alternatives = "|".join(re.escape(a) for a in sorted(articles, key=len, reverse=True))
    return re.compile(rf"{anchor}(?:{alternatives})(?={head}[a-z0-9]{{{min_rest - 1}}})")


def is_arabic(text: str) -> bool:
    return bool(_ARABIC_LETTERS.search(text))


def _arabic_key(text: str) -> str:
    text = _ARABIC_TASHKEEL.sub("", text).translate(_ARABIC_MAP)
    tokens = []
    for token in re.split(r"[\s\-_/()،,.]+", text):
        if token.startswith("ال") and len(token) - 2 >= _ARABIC_ARTICLE_MIN_REST:
            token = token[2:]
        if token:
            tokens.append(token)
    return " ".join(tokens)


def _arabic_skeleton(key: str, r: FoldingRules) -> str:
    """The Latin skeleton of an Arabic-script exact key (see folding.yaml
    arabic_skeleton), or the key itself when the rules cannot read it."""
    a = r.arabic
    if a is None:
        return key
    words = key.split(" ")
    if len(words) > 1 and words[0] in a.kind_words:
        words = words[1:]
    out = []
    for n, word in enumerate(words):
        ending = ""
        if len(word) >= a.final_min_letters:
            if word.endswith(a.ta_marbuta):
                word, ending = word[:-1], ("" if n == len(words) - 1 else a.before_word)
            elif word[-1] in a.final_h_after_vowel and word[-2] in a.long_vowels:
                word = word[:-1]
        letters = []
        for i, ch in enumerate(word):
            if i == 0 and ch in a.first_vowels:
                letters.append("a")
            elif i == 0 and ch in a.first_consonants:
                letters.append(a.first_consonants[ch])
            elif ch in a.long_vowels:
                continue
            elif ch in a.letters:
                letters.append(a.letters[ch])
            elif ch.isascii() and ch.isalnum():
                letters.append(ch)
            else:
                return key  # a letter the rules do not read (Persian, Urdu ...)
        out.append("".join(letters) + ending)
    skeleton = _undouble("".join(out))
    if r.classes:
        skeleton = skeleton.translate(r.classes)
    return skeleton or key


def _folded(text: str) -> str:
    """The exact key of a Latin-script name: its tokens (letters and digits)
    joined by single spaces, articles dropped, doubled letters collapsed."""
    r = rules()
    if not text.isascii():
        text = anyascii(text.translate(r.marks))  # ASCII (its tables are), which may hold ' or `
    tokens = text.translate(r.ascii_fold).split()
    if len(tokens) > 1:
        kept = []
        for i, token in enumerate(tokens):
            if token in r.articles:
                continue
            if i > 0 and token.startswith(r.glued_prefixes):
                for prefix, strip in r.glued_articles:
                    if token.startswith(prefix) and len(token) - strip >= r.glued_min_rest:
                        token = token[strip:]
                        break
            kept.append(token)
        tokens = kept
    # one pass over the joined tokens: a space never doubles a letter
    return _undouble(" ".join(tokens))


def _undouble(text: str) -> str:
    """Doubled letters collapsed ("Ma'arrat" -> "marat")."""
    return _DOUBLED.sub(_DOUBLED_LETTER, text)


def _skeleton_of(exact: str, r: FoldingRules) -> str:
    """The skeleton key of a Latin-script exact key (see ``skeleton_key``).

    Works on the whole key at once: a token's initial w/y (a consonant:
    Wadi, Yabrud) is upper-cased so that no substitution (all lower case)
    touches it, the substitutions run once over the key (none spans a
    space), then each token keeps its first letter (an initial vowel
    becomes "a") and drops its other vowels."""
    if not exact:
        return ""
    text = r.glued_inner.sub("", exact) if r.glued_inner.search(exact) else exact
    text = r.glued_first.sub("", text) if r.glued_first.match(text) else text
    if text[0] in "wy":
        text = text[0].upper() + text[1:]
    if " w" in text or " y" in text:
        text = text.replace(" w", " W").replace(" y", " Y")
    for old, new in r.substitutions:
        if old in text:
            text = text.replace(old, new)
    text = r.vowel_h_end.sub("", text)  # -eh / -ah endings: Atmeh, Atmah -> atme, atma
    text = r.inner_vowel.sub("", text)
    text = r.first_vowel.sub("a", text).lower()
    if r.classes:
        text = text.translate(r.classes)
    return _undouble(text).replace(" ", "")


@lru_cache(maxsize=CACHE_SIZE)
def exact_key(name: str) -> str:
    """Light folding: "Ma'arrat al-Nu'man" and "Maarat an Numan" -> "marat numan"."""
    if not name.isascii() and is_arabic(name):
        return _arabic_key(name)
    return _folded(name)


@lru_cache(maxsize=CACHE_SIZE)
def skeleton_key(name: str) -> str:
    """Coarse folding: Harem/Harim/Haram -> "hrm", Deir ez-Zor/Dayr az Zawr -> "drzr"."""
    return keys(name)[1]


def keys(name: str) -> tuple[str, str]:
    """(exact key, skeleton key) of a name; empty strings when nothing is left."""
    if not name.isascii() and is_arabic(name):
        key = _arabic_key(name)
        return key, key
    exact = _folded(name)
    return exact, _skeleton_of(exact, rules())


@lru_cache(maxsize=1)
def skeleton_rules_id() -> str:
    """A digest of the rules that turn an exact key into a skeleton key: an
    index records it, and re-derives its skeleton keys when it changes."""
    data = yaml.safe_load(resources.files("marsad.geo").joinpath("data/folding.yaml").read_text("utf-8"))
    used = {k: data.get(k) for k in ("skeleton_substitutions", "vowels", "variants", "arabic_skeleton")}
    return hashlib.sha256(json.dumps(used, sort_keys=True).encode()).hexdigest()[:16]


def is_latin_key(key: str) -> bool:
    """Is ``key`` an exact key of the kind a Latin-script name folds to?"""
    return _LATIN_KEY.fullmatch(key) is not None


def skeleton_of_exact(exact: str) -> str:
    """The skeleton key that goes with an exact key (an index can re-derive
    its skeleton keys from its exact keys when the rules change)."""
    if not _LATIN_KEY.fullmatch(exact):
        return exact  # the key of an Arabic-script name is both of its keys
    return _skeleton_of(exact, rules())


def arabic_reading(exact: str, cc: str) -> str:
    """The Latin skeleton key that an Arabic-script exact key of a place in
    country ``cc`` reads as ("منطف" -> "mntf", the skeleton of "Mantaf"),
    or "" when there is none: a Latin or empty key, a letter the rules do
    not read, or a country whose places' Arabic names are transliterations
    from another script (read back, "سالزبوري" would be any "Salisbury")."""
    r = rules()
    if not exact or r.arabic is None or cc.upper() not in r.arabic.countries or _LATIN_KEY.fullmatch(exact):
        return ""
    reading = _arabic_skeleton(exact, r)
    return "" if reading == exact else reading


@lru_cache(maxsize=CACHE_SIZE)
def strip_descriptors(name: str) -> tuple[str, str]:
    """Split "Idlib countryside" into ("Idlib", "countryside"), "northern Hama"
    into ("Hama", "northern"). Only whole words at either end are stripped, and
    never the whole name. Returns (core name, cue or "")."""
    r = rules()
    core = _SPACES.sub(" ", name.strip(" \t\n,.;:()"))
    cue = ""
    changed = True
    while changed:
        changed = False
        low = core.lower()
        if not (low.endswith(r.descriptor_ends) or low.startswith(r.descriptor_starts)):
            break  # most names: no descriptor at either end
        for phrase, phrase_cue in r.descriptors:
            if low.endswith(" " + phrase) and len(core) > len(phrase) + 1:
                core = core[: -len(phrase) - 1].rstrip(" ,-")
            elif low.startswith(phrase + " ") and len(core) > len(phrase) + 1:
                core = core[len(phrase) + 1:].lstrip(" ,-")
                if core.lower().startswith("of "):
                    core = core[3:]
            else:
                continue
            cue = cue or phrase_cue
            changed = True
            break
    return core, cue


@lru_cache(maxsize=CACHE_SIZE)
def strip_qualifiers(name: str) -> str:
    """The exact key of ``name`` without its qualifier words and numbers
    ("Baghuz at-Tahtani" -> "baghuz", "Rif al-Muhandisin 1" -> "rif
    muhandisin"), or "" when there is none to drop or nothing else left."""
    tokens = exact_key(name).split(" ")
    qualifiers = rules().qualifiers
    kept = [t for t in tokens if t not in qualifiers and not t.isdigit()]
    if not kept or len(kept) == len(tokens):
        return ""
    return " ".join(kept)


@lru_cache(maxsize=1)
def _admin_alias_map() -> dict[str, str]:
    out: dict[str, str] = {}
    for group in rules().admin_aliases:
        canonical = skeleton_key(group[0])
        for name in group:
            out.setdefault(skeleton_key(name), canonical)
    return out


@lru_cache(maxsize=CACHE_SIZE)
def admin_key(name: str) -> str:
    """Key to compare admin area names: "Idleb", "Idlib Governorate" and
    "Rural Damascus" / "Rif Dimashq" fold alike."""
    if not name:
        return ""
    aliases = _admin_alias_map()
    whole = skeleton_key(name)
    if whole in aliases:  # before stripping: "Rural Damascus" is a name, not a cue
        return aliases[whole]
    key = skeleton_key(strip_descriptors(name)[0])
    return aliases.get(key, key)
