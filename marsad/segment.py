"""Stage 2: cleaned text -> sentences.

Paragraphs are split on blank lines first (spaCy-style sentencizers treat a
blank line as ordinary whitespace), then each paragraph is cut at sentence
punctuation followed by whitespace and an upper-case letter, a digit or a
quote, unless the word before the stop is a known abbreviation or an
initial. One compiled regex pass per paragraph; no per-token Python.
"""

from __future__ import annotations

import re
from functools import lru_cache

from marsad.records import CleanDocument, Sentence

# Abbreviations that end with a full stop but rarely end a sentence in
# news prose. Lower-case, without the final dot.
ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof gen lt col maj capt sgt cpl pvt adm brig cmdr gov sen rep
    st mt ft no nos vol vs etc approx est dept univ inc ltd co corp jr sr
    jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.g i.e al
    """.split()
)

# A sentence longer than this is cut at the next comma or semicolon: long
# runs without stops (tables, lists scraped without punctuation) would
# otherwise make one "sentence" that glues unrelated incidents together.
MAX_SENTENCE_CHARS = 1200

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# Candidate boundary: ., ! or ? (optionally followed by closing quotes or
# brackets), then whitespace, then something that can start a sentence.
_BOUNDARY = re.compile(r"""[.!?]['"’”)\]]*\s+(?=[A-Z0-9"“‘'(\[\u0600-\u06FF])""")
_LAST_WORD = re.compile(r"(\S+)$")


@lru_cache(maxsize=1)
def _soft_break() -> re.Pattern[str]:
    return re.compile(r"[;,]\s+")


def _is_abbreviation(chunk: str) -> bool:
    match = _LAST_WORD.search(chunk)
    if not match:
        return False
    word = match.group(1).rstrip(".!?'\"’”)]").lower()
    if word in ABBREVIATIONS:
        return True
    # Initials ("J. Smith") and dotted acronyms ("U.S.").
    return len(word) == 1 and word.isalpha() or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]?", word))


def _split_long(text: str, start: int) -> list[tuple[int, int]]:
    """Cut an over-long sentence at commas/semicolons near the limit."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    while len(text) - cursor > MAX_SENTENCE_CHARS:
        window_end = cursor + MAX_SENTENCE_CHARS
        cut = None
        for m in _soft_break().finditer(text, cursor + MAX_SENTENCE_CHARS // 2, window_end):
            cut = m.end()
        if cut is None:
            cut = window_end
        spans.append((start + cursor, start + cut))
        cursor = cut
    spans.append((start + cursor, start + len(text)))
    return spans


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences with offsets into ``text``."""
    sentences: list[Sentence] = []
    paragraph = 0
    pos = 0
    bounds = [(m.start(), m.end()) for m in _PARAGRAPH_BREAK.finditer(text)]
    paragraph_spans = []
    for b_start, b_end in bounds:
        paragraph_spans.append((pos, b_start))
        pos = b_end
    paragraph_spans.append((pos, len(text)))
    for p_start, p_end in paragraph_spans:
        chunk = text[p_start:p_end]
        if not chunk.strip():
            continue
        cursor = 0
        pieces: list[tuple[int, int]] = []
        for m in _BOUNDARY.finditer(chunk):
            stop = m.start() + 1
            # include closing quotes/brackets that follow the stop
            while stop < len(chunk) and chunk[stop] in "'\"’”)]":
                stop += 1
            if _is_abbreviation(chunk[cursor:m.start() + 1]):
                continue
            pieces.append((cursor, stop))
            cursor = m.end()
        pieces.append((cursor, len(chunk)))
        for s, e in pieces:
            # trim whitespace, keep offsets exact
            while s < e and chunk[s].isspace():
                s += 1
            while e > s and chunk[e - 1].isspace():
                e -= 1
            if s >= e:
                continue
            for a, b in _split_long(chunk[s:e], p_start + s):
                sentences.append(Sentence(len(sentences), a, b, text[a:b], paragraph))
        paragraph += 1
    return sentences


def segment(doc: CleanDocument) -> list[Sentence]:
    """Stage contract: CleanDocument in, sentences out."""
    return split_sentences(doc.text)
