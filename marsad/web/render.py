"""Turning stored (hostile) text into pieces a template can show safely.

Nothing here produces HTML: functions return plain text pieces and flags,
and the templates (autoescaped) wrap them in elements. No value from an
article ever reaches the page as markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from marsad.cli.browse import sentence_bounds

SAFE_URL_SCHEMES = ("http", "https")


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of text; ``marks`` names the evidence covering it (empty: none)."""

    text: str
    marks: tuple[str, ...] = ()


def safe_url(url: str | None) -> str:
    """``url`` when it is an absolute http(s) link, else "" (shown as text only).

    ``javascript:``, ``data:`` and relative or protocol-relative URLs from an
    article never become links.
    """
    if not url:
        return ""
    value = url.strip()
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme.lower() not in SAFE_URL_SCHEMES or not parts.netloc:
        return ""
    return value


def pieces(text: str, spans: Iterable[tuple[int, int, str]], lo: int = 0,
           hi: int | None = None) -> list[Piece]:
    """``text[lo:hi]`` cut at every span boundary, each piece with the labels covering it."""
    hi = len(text) if hi is None else hi
    inside = [(max(s, lo), min(e, hi), label) for s, e, label in spans if s < hi and e > lo and s < e]
    cuts = sorted({lo, hi, *(s for s, _, _ in inside), *(e for _, e, _ in inside)})
    out: list[Piece] = []
    for a, b in zip(cuts, cuts[1:]):
        labels = tuple(dict.fromkeys(label for s, e, label in inside if s <= a and e >= b))
        out.append(Piece(text[a:b], labels))
    return out


def valid_span(text: str, start: int, end: int, words: str) -> bool:
    return 0 <= start <= end <= len(text) and text[start:end] == words


def evidence_passages(text: str, spans: Sequence[tuple[int, int, str]]) -> list[list[Piece]]:
    """The sentences holding the spans, each as pieces with the spans marked.

    Overlapping or touching sentence windows are joined into one passage.
    """
    windows = sorted(sentence_bounds(text, s, e) for s, e, _ in spans)
    merged: list[list[int]] = []
    for left, right in windows:
        if merged and left <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], right)
        else:
            merged.append([left, right])
    return [pieces(text, spans, left, right) for left, right in merged]
