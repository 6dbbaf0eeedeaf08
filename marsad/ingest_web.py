"""Stage 0, web inputs: RSS/Atom feeds and WARC web archives -> Documents.

Called by :mod:`marsad.ingest` (``iter_inputs``); like it, nothing here
raises for a bad input: each problem is one :class:`InputProblem` line and
the good documents around it still flow.

Feeds (``.rss``, ``.atom``, ``.xml`` or sniffed), parsed with feedparser
    Each item is a Document: its HTML content (else its summary) as raw
    ``html`` (``text`` when the feed says text/plain), the item title, its
    link as url, the feed's title as source, the item's published (else
    updated) date with ``published_from="input"``, else the --published
    date. Origin ``path#N`` (N counts items from 1). An item without
    content or summary is a problem line. A feed broken part way (a cut
    download) gives the items before the damage and one problem line.
    feedparser is only ever handed bytes in a BytesIO: given a str it may
    fetch a URL or open a local path named by the content.

WARC / WARC.gz archives, read with warcio (streamed, never whole)
    Each ``response`` record with HTTP status 200 and an HTML content type
    is a Document: WARC-Target-URI as url, WARC-Date as the publication
    date with ``published_from="crawl"`` (a date found in the page
    replaces it: a crawl date only bounds the publication date), charset
    from the HTTP header, else from a BOM / ``<meta charset>`` / UTF-8 /
    cp1252 like any HTML file. Other records (requests, metadata, images,
    redirects) are skipped silently; an archive with no HTML response at
    all is a problem line. A record over --max-bytes is a problem line (the
    limit applies per record: archives are routinely gigabytes). A
    truncated or corrupt archive gives the records before the damage and
    one problem line. Gzip members are decompressed by Python's gzip
    module rather than warcio's reader, because warcio treats a cut gzip
    stream as a clean end of file and would hide the damage.

Identity is the same as for files: the id is the first 16 hex digits of
the SHA-256 of the normalised content, so reading a feed or an archive
again (or the same page from a file) stores nothing new.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator
from datetime import date, datetime, timezone
from typing import BinaryIO

from marsad.records import Document, InputProblem

# Content types (the part before ";") of records read as HTML pages.
HTML_CONTENT_TYPES = frozenset({"text/html", "application/xhtml+xml"})
GZIP_MAGIC = b"\x1f\x8b"
# Compressed bytes read, and most decompressed bytes made, per step.
GZIP_READ_STEP = 64 * 1024
GZIP_OUTPUT_STEP = 256 * 1024
WARC_MAGIC = b"WARC/"
# Bytes looked at to recognise a WARC: deflate may need a few hundred
# compressed bytes before it gives out the first five.
WARC_SNIFF_BYTES = 1024

_FEED_ROOT = re.compile(r"<(?:rss|feed|rdf:RDF)[\s>]", re.IGNORECASE)
# feedparser flags these as "bozo" though the feed parsed fine: a wrong
# declared charset it corrected, or a content type only HTTP can give.
_HARMLESS_BOZO = ("CharacterEncodingOverride", "NonXMLContentType")


def looks_like_feed(text_head: str) -> bool:
    """True when decoded content starts like an RSS/Atom/RDF document."""
    head = text_head.lstrip("\ufeff \t\r\n")
    if head.startswith("<?xml"):
        return bool(_FEED_ROOT.search(head[:2048]))
    return bool(_FEED_ROOT.match(head))


def looks_like_warc(head: bytes) -> bool:
    """True for the first bytes of a WARC (plain, or gzip whose content is WARC)."""
    if head.startswith(WARC_MAGIC):
        return True
    if head.startswith(GZIP_MAGIC):
        try:
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64).startswith(WARC_MAGIC)
        except zlib.error:
            return False
    return False


# --------------------------------------------------------------------------
# Feeds
# --------------------------------------------------------------------------


def _entry_date(entry) -> date | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return date(value.tm_year, value.tm_mon, value.tm_mday)
            except (ValueError, AttributeError):
                continue
    return None


def _entry_body(entry) -> tuple[str, str]:
    """(raw, kind) of a feed item: its content, else its summary."""
    for block in list(entry.get("content") or ()) + [entry.get("summary_detail") or {}]:
        value = block.get("value") or ""
        if value.strip():
            kind = "text" if block.get("type") == "text/plain" else "html"
            return value, kind
    summary = entry.get("summary") or ""
    return summary, "html"


def _clean_attr(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def iter_feed(data: bytes, origin: str, flag: date | None) -> Iterator[Document | InputProblem]:
    """Documents (one per item) from the bytes of an RSS/Atom feed."""
    import feedparser

    from marsad.ingest import content_hash, ID_HEX_DIGITS

    try:
        parsed = feedparser.parse(io.BytesIO(data), sanitize_html=True, resolve_relative_uris=False)
    except (ValueError, TypeError, RecursionError, LookupError) as err:
        yield InputProblem(origin, f"not a readable RSS/Atom feed ({type(err).__name__})")
        return
    entries = parsed.get("entries") or []
    bozo = parsed.get("bozo_exception") if parsed.get("bozo") else None
    damaged = bozo is not None and type(bozo).__name__ not in _HARMLESS_BOZO
    if damaged and _cut_at_the_end(bozo, data):
        entries = entries[:-1]  # the last item is the one the cut went through
    if not entries:  # (also when the only item was cut)
        reason = "no items in this feed" if not damaged else f"not a valid RSS/Atom feed ({_bozo_text(bozo)})"
        yield InputProblem(origin, reason)
        return
    source = _clean_attr((parsed.get("feed") or {}).get("title"))
    for number, entry in enumerate(entries, start=1):
        where = f"{origin}#{number}"
        raw, kind = _entry_body(entry)
        if not raw.strip():
            yield InputProblem(where, "feed item has no content or summary")
            continue
        when = _entry_date(entry)
        pub, pub_from = (when, "input") if when else ((flag, "flag") if flag else (None, ""))
        digest = content_hash(raw)
        yield Document(
            id=digest[:ID_HEX_DIGITS], raw=raw, kind=kind, published=pub, published_from=pub_from,
            title=_clean_attr(entry.get("title")), url=_clean_attr(entry.get("link")),
            source=source, origin=where, content_hash=digest,
        )
    if damaged:
        yield InputProblem(origin, f"feed is damaged after item {len(entries)} ({_bozo_text(bozo)})")


def _cut_at_the_end(err: object, data: bytes) -> bool:
    """True when the XML error is on the feed's last line (a cut download)."""
    line = getattr(err, "getLineNumber", None)
    try:
        return callable(line) and line() >= data.rstrip().count(b"\n") + 1
    except (TypeError, ValueError):
        return False


def _bozo_text(err: object) -> str:
    text = " ".join(str(err).split())[:120]
    return text or type(err).__name__


# --------------------------------------------------------------------------
# WARC
# --------------------------------------------------------------------------


class DamagedArchive(Exception):
    """A WARC stream ended or broke in the middle of a record."""


class _StrictGzip:
    """A multi-member gzip reader that reports a cut stream instead of ending quietly.

    warcio takes an ``EOFError`` from its stream as the end of the archive,
    and Python's GzipFile raises one for a cut stream *without* handing
    over the data before the cut. This reader returns every byte that could
    be decompressed, then raises :class:`DamagedArchive`. Output is made in
    bounded steps (``GZIP_OUTPUT_STEP``), so a gzip bomb costs no memory.
    """

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._fed = False  # bytes given to the current member's decompressor
        self._pending = b""
        self._pos = 0
        self._done = self._damaged = False

    def _fill(self) -> None:
        d = self._d
        if d.unconsumed_tail:
            data = d.unconsumed_tail
        elif d.eof:  # next member
            data = d.unused_data or self._raw.read(GZIP_READ_STEP)
            self._d = d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            self._fed = False
        else:
            data = self._raw.read(GZIP_READ_STEP)
        if not data:
            self._done = True
            self._damaged = self._fed and not d.eof
            return
        try:
            self._pending += d.decompress(data, GZIP_OUTPUT_STEP)
            self._fed = True
        except zlib.error:
            self._done = self._damaged = True

    def read(self, size: int = -1) -> bytes:
        want = size if size and size > 0 else GZIP_OUTPUT_STEP
        while len(self._pending) < want and not self._done:
            self._fill()
        out, self._pending = self._pending[:want], self._pending[want:]
        if not out and self._damaged:
            raise DamagedArchive("cut or corrupt gzip stream")
        self._pos += len(out)
        return out

    def tell(self) -> int:
        return self._pos


def _warc_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.date()


def _charset(content_type: str) -> str:
    import codecs

    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            try:
                return codecs.lookup(value.strip().strip("\"'")).name
            except LookupError:
                return ""
    return ""


def _html_record(record) -> bool:
    if record.rec_type != "response" or record.http_headers is None:
        return False
    if record.http_headers.get_statuscode() != "200":
        return False
    content_type = record.http_headers.get_header("Content-Type") or ""
    return content_type.split(";")[0].strip().lower() in HTML_CONTENT_TYPES


def _record_document(record, payload: bytes, where: str, flag: date | None) -> Document | InputProblem:
    from marsad.ingest import ID_HEX_DIGITS, content_hash, decode_bytes

    charset = _charset(record.http_headers.get_header("Content-Type") or "")
    if charset:
        text = payload.decode(charset, errors="replace")
    else:
        decoded = decode_bytes(payload)
        if isinstance(decoded, str):
            return InputProblem(where, decoded)
        text = decoded.text
    if not text.strip():
        return InputProblem(where, "empty page")
    when = _warc_date(record.rec_headers.get_header("WARC-Date"))
    pub, pub_from = (flag, "flag") if flag else ((when, "crawl") if when else (None, ""))
    digest = content_hash(text)
    return Document(
        id=digest[:ID_HEX_DIGITS], raw=text, kind="html", published=pub, published_from=pub_from,
        url=(record.rec_headers.get_header("WARC-Target-URI") or "").strip(), origin=where,
        content_hash=digest,
    )


def _drain(record) -> None:
    """Read a skipped record to its end; DamagedArchive when it is cut short."""
    while record.raw_stream.read(GZIP_OUTPUT_STEP):
        pass
    if getattr(record.raw_stream, "limit", 0) > 0:
        raise DamagedArchive("record cut short")


def iter_warc(stream: BinaryIO, origin: str, flag: date | None,
              max_bytes: int) -> Iterator[Document | InputProblem]:
    """Documents from the HTML responses of a WARC (optionally gzipped) stream.

    ``flag`` (--published) wins over the WARC-Date, as it does over a
    file's date.
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    from marsad.ingest import _mb

    head = stream.read(WARC_SNIFF_BYTES)
    stream.seek(0)
    if not looks_like_warc(head):
        yield InputProblem(origin, "not a WARC file (it does not start with a WARC record)")
        return
    source: BinaryIO = _StrictGzip(stream) if head.startswith(GZIP_MAGIC) else stream  # type: ignore[assignment]
    number = pages = 0
    try:
        for record in ArchiveIterator(source):
            number += 1
            if record.rec_headers.get_header("Content-Length") is None:
                raise DamagedArchive("record header cut short")
            if not _html_record(record):
                _drain(record)
                continue
            where = f"{origin}#{number}"
            payload = record.content_stream().read(max_bytes + 1)
            if len(payload) > max_bytes:
                yield InputProblem(where, f"record is over the limit of {_mb(max_bytes)} MB (--max-bytes)")
                continue
            if getattr(record.raw_stream, "limit", 0) > 0:  # fewer bytes than Content-Length
                raise DamagedArchive("record cut short")
            pages += 1
            yield _record_document(record, payload, where, flag)
    except DamagedArchive:
        yield InputProblem(origin, f"truncated or corrupt WARC after {pages} HTML record(s)")
        return
    # warcio raises assorted errors on damaged input (ArchiveLoadFailed,
    # ValueError, and AttributeError on a header cut in the middle).
    except (ArchiveLoadFailed, ValueError, AttributeError, OSError, zlib.error) as err:
        kind = "not a WARC file" if number == 0 else "truncated or corrupt WARC"
        detail = f" after {pages} HTML record(s)" if number else f" ({type(err).__name__})"
        yield InputProblem(origin, kind + detail)
        return
    if number == 0:
        yield InputProblem(origin, "not a WARC file (no records)")
    elif pages == 0:
        yield InputProblem(origin, f"no HTML responses among its {number} WARC record(s)")
