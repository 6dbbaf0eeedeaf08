"""Plain-text cleaning: scraped pages -> main text, title and site name.

Works on text copied or scraped from a news page and on what trafilatura
extracts from flat HTML. It removes, line by line:

- the page header ("Title | Section • Site") and the repeated title line;
- lines matching the boilerplate patterns of ``data/boilerplate.yaml``
  (cookie banners, share/subscribe/follow prompts, "Advertisement",
  navigation crumbs, copyright lines, ...) and rows of share buttons;
- a "You might also like" / "Related articles" / "Read more" tail, when what
  follows the marker is only short link-like lines or boilerplate;
- tables without prose (trafilatura renders them as ``| a | b |`` rows).

The result keeps paragraphs separated by one blank line, single spaces
inside paragraphs and is Unicode NFC. Curly quotes and other typography are
kept as they are (evidence offsets point into this text).

Patterns are data: ``boilerplate.yaml`` ships here; a user adds patterns with
a ``boilerplate.yaml`` in a folder listed in ``MARSAD_KNOWLEDGE``. The files
are compiled once (``load_boilerplate`` is cached).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from marsad.errors import KnowledgeError
from marsad.knowledge.lexicons import read_yaml, user_dirs

DATA_DIR = Path(__file__).parent / "data"
BOILERPLATE_FILE = "boilerplate.yaml"

# A report is at most a few tens of thousands of characters; a "text" of more
# than half a million is a dump, not an article. Cleaning costs about 10 us
# per line, so the cut keeps the worst case (500 kB of short lines) near
# 0.2 s and a typical page near 1 ms.
MAX_TEXT_CHARS = 500_000
# Likewise lines: a report has a few hundred at most; each costs a few
# microseconds, so 20,000 non-blank lines bound the work to about 0.1 s.
MAX_TEXT_LINES = 20_000

# A page title longer than this is a paragraph, not a title.
MAX_TITLE_WORDS = 30
MAX_TITLE_CHARS = 300
# "Title | Site": a site name is short.
MAX_SITE_WORDS = 8
MAX_SITE_CHARS = 80
# An all-capitals last part this short is an acronym site name (SOHR, SANA).
MAX_ACRONYM_CHARS = 6
# After a "Related articles" marker, lines up to this many words are link
# titles; a longer line is prose and keeps the text after the marker.
MAX_TAIL_LINE_WORDS = 25
# A row of share buttons: at most this many words, all share words.
MAX_SHARE_WORDS = 12
# A menu line: at least this many items of at most MAX_MENU_ITEM_WORDS words
# separated by "|" or "•" ("Home | News | Reports | Contact").
MIN_MENU_ITEMS = 4
MAX_MENU_ITEM_WORDS = 3
# A table cell with at least this many words is prose worth keeping.
MIN_TABLE_PROSE_WORDS = 8

# Words that also occur in ordinary sentences: a line made only of these is
# not a row of share buttons ("on this", "post").
_GENERIC_SHARE_WORDS = frozenset(
    {"this", "on", "via", "article", "post", "story", "copy", "link", "url", "x", "mail", "shared"}
)

# --------------------------------------------------------------------------
# Patterns (data) -> compiled rules, once
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineRule:
    label: str
    max_words: int
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Boilerplate:
    lines: tuple[LineRule, ...]
    # All line patterns in two alternations, to reject in one go the lines
    # that match none (most): those anchored with "^" are tried at the start
    # only (re.match), the others searched. About 6x faster than one search
    # per label, which tries every alternative at every position.
    any_anchored: re.Pattern[str]
    any_floating: re.Pattern[str]
    max_line_words: int
    tail_marker: re.Pattern[str]
    inline: tuple[tuple[str, re.Pattern[str]], ...]
    share_words: frozenset[str]
    site_words: frozenset[str]


def _has_nested_repeat(pattern: str) -> bool:
    """True when a repeated group contains another unbounded repeat: (a+)+.

    Such patterns can take exponential time on untrusted text. Uses the
    stdlib's regex parser; where that private module is missing the check
    is skipped (the line-length limits still bound the cost).
    """
    try:
        from re import _parser as sre_parse  # noqa: PLC0415
    except ImportError:  # pragma: no cover - other Pythons
        return False
    repeats = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, getattr(sre_parse, "POSSESSIVE_REPEAT", None)}

    def walk(items, outer: int) -> bool:
        # outer: 0 not inside a repeat, 1 inside a bounded one, 2 unbounded
        for op, arg in items:
            if op in repeats:
                _low, high, sub = arg
                kind = 2 if high == sre_parse.MAXREPEAT else (1 if high > 1 else 0)
                if kind and outer and (kind == 2 or outer == 2):
                    return True
                if walk(sub, max(outer, kind)):
                    return True
            elif op == sre_parse.SUBPATTERN:
                if walk(arg[-1], outer):
                    return True
            elif op == sre_parse.BRANCH:
                if any(walk(branch, outer) for branch in arg[1]):
                    return True
        return False

    try:
        return walk(sre_parse.parse(pattern), 0)
    except (re.error, TypeError, ValueError):
        return False


def _compile(path: Path, what: str, patterns: list[str], template: str = "{}") -> re.Pattern[str]:
    for pat in patterns:
        if not isinstance(pat, str) or not pat:
            raise KnowledgeError(f"{path}: {what}: patterns must be non-empty strings")
        if _has_nested_repeat(pat):
            raise KnowledgeError(f"{path}: {what}: pattern {pat!r} repeats a repeat (slow on long text)")
    alternation = "|".join(f"(?:{p})" for p in patterns)
    try:
        return re.compile(template.format(alternation), re.IGNORECASE)
    except re.error as err:
        raise KnowledgeError(f"{path}: {what}: bad pattern ({err})") from err


def _as_list(path: Path, what: str, value) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise KnowledgeError(f"{path}: {what}: expected a list")
    return value


@lru_cache(maxsize=8)
def load_boilerplate(user_dirs: tuple[Path, ...] = ()) -> Boilerplate:
    """Compile the shipped boilerplate patterns plus those in ``user_dirs``."""
    files = [DATA_DIR / BOILERPLATE_FILE]
    files += [d / BOILERPLATE_FILE for d in user_dirs if (d / BOILERPLATE_FILE).is_file()]
    line_patterns: dict[str, list[str]] = {}
    line_limits: dict[str, int] = {}
    markers: list[str] = []
    inline: dict[str, list[str]] = {}
    share: set[str] = set()
    site: set[str] = set()
    last = files[0]
    for path in files:
        last = path
        data = read_yaml(path)
        lines = data.get("lines") or {}
        if not isinstance(lines, dict):
            raise KnowledgeError(f"{path}: lines: expected a mapping of label -> rule")
        for label, rule in lines.items():
            if not isinstance(rule, dict):
                raise KnowledgeError(f"{path}: lines: {label}: expected max_words and patterns")
            line_patterns.setdefault(str(label), []).extend(
                _as_list(path, f"lines: {label}", rule.get("patterns"))
            )
            if "max_words" in rule:
                try:
                    line_limits[str(label)] = int(rule["max_words"])
                except (TypeError, ValueError) as err:
                    raise KnowledgeError(f"{path}: lines: {label}: max_words must be a number") from err
        markers += _as_list(path, "tail_markers", data.get("tail_markers"))
        inline_data = data.get("inline") or {}
        if not isinstance(inline_data, dict):
            raise KnowledgeError(f"{path}: inline: expected a mapping of label -> patterns")
        for label, pats in inline_data.items():
            inline.setdefault(str(label), []).extend(_as_list(path, f"inline: {label}", pats))
        share |= {str(w).lower() for w in _as_list(path, "share_words", data.get("share_words"))}
        site |= {str(w).lower() for w in _as_list(path, "site_words", data.get("site_words"))}
    rules = tuple(
        LineRule(label, line_limits.get(label, MAX_TAIL_LINE_WORDS), _compile(last, f"lines: {label}", pats))
        for label, pats in line_patterns.items()
        if pats
    )
    # A marker is a whole line, maybe ending in ":" / "»" / "…".
    marker = _compile(last, "tail_markers", markers or ["(?!)"], r"^(?:{})\s?[:»›>…]?$")
    inline_rules = tuple(
        (label, _compile(last, f"inline: {label}", pats)) for label, pats in inline.items() if pats
    )
    every = [p for pats in line_patterns.values() for p in pats]
    anchored = _compile(last, "lines", [p for p in every if p.startswith("^")] or ["(?!)"])
    floating = _compile(last, "lines", [p for p in every if not p.startswith("^")] or ["(?!)"])
    max_words = max((r.max_words for r in rules), default=0)
    return Boilerplate(rules, anchored, floating, max_words, marker, inline_rules, frozenset(share), frozenset(site))


def boilerplate() -> Boilerplate:
    """The patterns for the current ``MARSAD_KNOWLEDGE`` (compiled once)."""
    return load_boilerplate(user_dirs())


# --------------------------------------------------------------------------
# Title / site name
# --------------------------------------------------------------------------

# " | ", " • ", " - ", " – ", " — ", " · ", " :: ", " « ", " » " between parts.
_SEPARATOR = re.compile(r"\s(?:\||•|·|-|–|—|::|«|»)\s")
_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}$", re.IGNORECASE)
_WORD = re.compile(r"[\w'’-]+")


def _looks_like_site(part: str, site_words: frozenset[str]) -> bool:
    words = part.split()
    if not words or len(words) > MAX_SITE_WORDS or len(part) > MAX_SITE_CHARS:
        return False
    if part.endswith((".", ",", ";", ":")) and not _DOMAIN.match(part.rstrip(".")):
        return False
    if any(_DOMAIN.match(w) for w in words):
        return True
    if len(part) <= MAX_ACRONYM_CHARS and part.isupper() and part.isalpha():
        return True
    tokens = {t.lower() for t in _WORD.findall(part)}
    return bool(tokens & site_words)


def split_title_site(line: str, rules: Boilerplate | None = None) -> tuple[str, str]:
    """Split a page header "Title | Site" into (title, site); site "" if none.

    The last separator (``|``, ``•``, ``·``, ``-``, ``–``, ``—``, ``::``,
    ``«``, ``»`` with spaces around) splits, and only when the last part looks
    like a site name: short, and a site word ("Observatory", "News"...), a
    domain or a short acronym. So "A | B • The Syrian Observatory For Human
    Rights" gives ("A | B", "The Syrian Observatory For Human Rights").
    """
    rules = rules or boilerplate()
    line = " ".join(line.split())
    matches = list(_SEPARATOR.finditer(line))
    if not matches:
        return line, ""
    last = matches[-1]
    title, site = line[: last.start()].strip(), line[last.end():].strip()
    if title and _looks_like_site(site, rules.site_words):
        return title, site
    return line, ""


def _title_like(line: str) -> bool:
    words = line.split()
    return (
        1 <= len(words) <= MAX_TITLE_WORDS
        and len(line) <= MAX_TITLE_CHARS
        and not line.endswith((".", ",", ";", ":"))
        and any(c.isalpha() for c in line)
    )


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


# --------------------------------------------------------------------------
# Cleaning
# --------------------------------------------------------------------------

# Characters that never belong in a report: C0/C1 controls (but tab and
# newline), zero-width space, word joiner, soft hyphen and the BOM. ZWNJ and
# ZWJ (U+200C/D) stay: they matter in Persian and Arabic script.
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u200b\u2060\ufeff]")
_LINE_BREAKS = re.compile("\r\n|[\r\v\f\x1c-\x1e\x85\u2028\u2029]")
_SPACES = re.compile(r"[^\S\n]+")
_SENTENCE_END = ('.', '!', '?', '…', '"', '”', '’', ')', ']', ':')
_MENU_SPLIT = re.compile(r"\s(?:\||•|·)\s")


@dataclass(frozen=True, slots=True)
class TextResult:
    text: str
    title: str = ""
    site_name: str = ""
    removed: tuple[str, ...] = ()


def normalise(text: str) -> str:
    """NFC, one kind of newline, no invisible characters, single spaces."""
    text = unicodedata.normalize("NFC", text)
    text = _LINE_BREAKS.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text)


def _is_share_row(line: str, words: int, rules: Boilerplate) -> bool:
    if words > MAX_SHARE_WORDS:
        return False
    tokens = [t.lower() for t in _WORD.findall(line)]
    return bool(tokens) and all(t in rules.share_words for t in tokens) and not all(
        t in _GENERIC_SHARE_WORDS for t in tokens
    )


def _is_menu(line: str) -> bool:
    parts = _MENU_SPLIT.split(line)
    return len(parts) >= MIN_MENU_ITEMS and all(
        0 < len(p.split()) <= MAX_MENU_ITEM_WORDS and not p.endswith((".", "!", "?")) for p in parts
    )


def _table_row(line: str) -> tuple[bool, str]:
    """(is a table row, its prose cells joined) for trafilatura's "| a | b |"."""
    if not (line.startswith("|") and line.endswith("|") and line.count("|") >= 3):
        return False, ""
    cells = [c.strip() for c in line.strip("|").split("|")]
    prose = [c for c in cells if len(c.split()) >= MIN_TABLE_PROSE_WORDS]
    return True, " ".join(prose)


def _line_label(line: str, rules: Boilerplate) -> str:
    """The boilerplate label of one stripped line, or "" to keep it."""
    words = len(line.split())
    if words <= rules.max_line_words and (rules.any_anchored.match(line) or rules.any_floating.search(line)):
        for rule in rules.lines:
            if words <= rule.max_words and rule.pattern.search(line):
                return rule.label
    if _is_share_row(line, words, rules):
        return "share prompt"
    if _is_menu(line):
        return "navigation"
    return ""


def _header(lines: list[str], title: str, rules: Boilerplate, detect: bool) -> tuple[str, str, list[str]]:
    """Take the page header off the top: (title, site, labels). Edits lines."""
    labels: list[str] = []
    nonblank = [i for i, ln in enumerate(lines) if ln]
    if not nonblank:
        return title, "", labels
    first = nonblank[0]
    head = lines[first]
    site = ""
    header_line = ""
    # (a text of one line is the report itself, never only a page header)
    if detect and len(nonblank) > 1 and len(head) <= MAX_TITLE_CHARS + MAX_SITE_CHARS:
        split_title, split_site = split_title_site(head, rules)
        if split_site and _title_like(split_title):
            title, site, header_line = title or split_title, split_site, head
            lines[first] = ""
            labels.append("site header")
    if not header_line and title and _same(head, title):
        header_line = head
        lines[first] = ""
        labels.append("repeated title")
    elif not header_line and detect and _title_like(head):
        # A short first line without final punctuation, followed by a blank
        # line and more text (or by itself again), is the headline.
        after = nonblank[1:]
        repeated = bool(after) and _same(lines[after[0]], head)
        blank_follows = first + 1 < len(lines) and not lines[first + 1]
        if after and (repeated or blank_follows) and not _line_label(head, rules):
            title, header_line = title or head, head
            lines[first] = ""
            labels.append("title line")
    if header_line:
        # The title (or the whole header) often comes again right below.
        for i in nonblank[1:3]:
            if _same(lines[i], title) or _same(lines[i], header_line):
                lines[i] = ""
                if "repeated title" not in labels:
                    labels.append("repeated title")
            else:
                break
    return title, site, labels


def _drop_tail(kept: list[str], rules: Boilerplate) -> tuple[list[str], list[str]]:
    """Drop "You might also like" markers, and the link list after them."""
    # prose_after[i]: a line longer than a link title comes after line i
    prose_after = [False] * (len(kept) + 1)
    for i in range(len(kept) - 1, -1, -1):
        prose_after[i] = prose_after[i + 1] or len(kept[i].split()) > MAX_TAIL_LINE_WORDS
    labels: list[str] = []
    out: list[str] = []
    for i, line in enumerate(kept):
        if line and len(line) <= MAX_TITLE_CHARS and rules.tail_marker.match(line):
            if not prose_after[i + 1]:
                labels.append("related links")
                return out, labels
            labels.append("related links marker")
            continue
        out.append(line)
    return out, labels


def _paragraphs(lines: list[str]) -> list[str]:
    """Blank lines end paragraphs; a line after a sentence end that starts a
    new sentence does too; other single line breaks are wraps (joined)."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if not line:
            if current:
                paragraphs.append(" ".join(current))
                current = []
            continue
        if current and current[-1].endswith(_SENTENCE_END) and (line[0].isupper() or line[0].isdigit()
                                                                 or line[0] in "“\"‘'(-•"):
            paragraphs.append(" ".join(current))
            current = []
        current.append(line)
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def clean_text(raw: str, *, title: str = "", detect_header: bool = True,
               rules: Boilerplate | None = None) -> TextResult:
    """Clean a scraped plain-text page; never raises on any text.

    ``title``: a known title (from the input or the HTML metadata); a first
    line equal to it is dropped. ``detect_header``: look for a page header
    ("Title | Site") or headline on the first line; off for text that a
    real extractor already took the header off.
    """
    rules = rules or boilerplate()
    removed: list[str] = []
    if len(raw) > MAX_TEXT_CHARS:
        raw = raw[:MAX_TEXT_CHARS]
        removed.append(f"cut at {MAX_TEXT_CHARS} characters")
    text = normalise(raw)
    for label, pattern in rules.inline:
        text, n = pattern.subn("\n", text)
        if n:
            removed.append(label)
    lines = [ln.strip() for ln in text.split("\n")]
    nonblank = 0
    for i, line in enumerate(lines):
        nonblank += bool(line)
        if nonblank > MAX_TEXT_LINES:
            lines = lines[:i]
            removed.append(f"cut at {MAX_TEXT_LINES} lines")
            break
    # Boilerplate lines become blank (they were blocks of their own); tail
    # markers stay for _drop_tail, which needs to see what follows them.
    for i, line in enumerate(lines):
        if not line:
            continue
        is_row, prose = _table_row(line)
        if is_row:
            if not prose:
                removed.append("table")
                lines[i] = ""
                continue
            lines[i] = line = prose
        if len(line) <= MAX_TITLE_CHARS and rules.tail_marker.match(line):
            continue
        label = _line_label(line, rules)
        if label:
            removed.append(label)
            lines[i] = ""
    title = " ".join(normalise(title).split())
    title, site, labels = _header(lines, title, rules, detect_header)
    removed += labels
    kept = lines
    kept, labels = _drop_tail(kept, rules)
    removed += labels
    paragraphs: list[str] = []
    for para in _paragraphs(kept):
        if paragraphs and para == paragraphs[-1]:
            removed.append("repeated paragraph")
            continue
        paragraphs.append(para)
    body = unicodedata.normalize("NFC", "\n\n".join(paragraphs))
    if not body:
        removed.append("no text left")
    return TextResult(
        text=body,
        title=unicodedata.normalize("NFC", title),
        site_name=unicodedata.normalize("NFC", site),
        removed=tuple(dict.fromkeys(removed)),
    )
