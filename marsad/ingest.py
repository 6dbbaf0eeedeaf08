"""Stage 0: input paths (files, folders, ``-`` for stdin) -> Documents.

``iter_inputs`` yields a :class:`Document` for every readable input and an
:class:`InputProblem` (one line for the user) for every one that is not; it
never raises for a bad input. The CLI decides the exit code.

What is read
    ``.txt`` (plain text), ``.html``/``.htm`` (HTML), ``.jsonl`` (one
    document per line), ``.rss``/``.atom``/``.xml`` (feeds: one document per
    item) and ``.warc`` (web archives: one document per HTML response), each
    optionally gzipped (``.txt.gz``, ``.warc.gz``...); feeds and archives
    are read by :mod:`marsad.ingest_web`. Folders
    are walked recursively in sorted order of their relative paths; files
    with other extensions and hidden files/folders (name starting with ".")
    are skipped there, but a file named explicitly is read whatever its
    extension and sniffed (WARC, feed, JSONL, HTML or text). A folder with nothing
    usable is an InputProblem. Symbolic links are followed, each real
    folder is walked once (no loop can hang) and each real file read once.

JSONL records
    ``{"id", "text" or "html", "published": "YYYY-MM-DD", "title", "url",
    "source"}``; only text/html is required ("html" wins when both are
    given; a time after the date, ISO style, is ignored). A bad line (not JSON, no
    text/html, bad date) is an InputProblem with origin ``path:LINE``; the
    other lines still yield Documents. Blank lines are ignored. A record
    without "published" takes the --published date, else none (the file's
    date says when the collection was written, not when each article was).

Identity
    ``content_hash`` is the SHA-256 (hex) of the normalised content (NFC,
    ``\\n`` newlines, trailing spaces and surrounding blank lines removed);
    ``id`` is the record's own id, else the first 16 hex digits of that hash
    (64 bits: collisions are negligible below billions of documents). The
    same content read twice gets the same id, so the store keeps it once.

Publication date (``published_from``)
    JSONL "published" ("input"), else the ``published`` argument ("flag"),
    else for files the modification date ("file-mtime"); stdin without a
    date has none (""). The HTML cleaner may replace a missing or
    file-mtime date by a date found in the page ("page").

Decoding
    UTF-8 (BOM or not), UTF-16/32 with BOM, UTF-16 without BOM when the NUL
    pattern says so, the charset an HTML page declares, then cp1252 (latin-1
    for its five unassigned bytes) when the bytes look like text. NUL bytes
    at the start, or control bytes (NULs included) over 5% of the whole
    content -> "binary file, not text" (the whole content is checked, not
    just its head: an HTML head on a body of NULs is still binary). A few
    stray control characters are dropped later by the cleaner.

Sizes
    A file over ``max_bytes`` (--max-bytes, default 20 MB) is refused from
    its size alone, before any byte is read; gzip content is cut off at the
    limit while decompressing. For WARC archives the limit applies to each
    record instead (archives are routinely gigabytes and are streamed).
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import json
import os
import re
import stat
import sys
import unicodedata
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO, TextIO

from marsad.records import Document, InputProblem

# A report page, scripts and inline images included, is well under 5 MB; a
# bigger input is a dump or a mistake, and reading it whole would cost
# memory for nothing. Override with --max-bytes.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

# Hex digits of the SHA-256 kept as the document id (64 bits).
ID_HEX_DIGITS = 16

# Bytes inspected to tell text from binary and to sniff the kind.
SNIFF_BYTES = 4096
# Share of control bytes (other than tab, newline, carriage return, form
# feed, escape) above which bytes are binary, not text. Real text has none.
MAX_CONTROL_SHARE = 0.05
# BOM-less UTF-16: at least this share of the even (or odd) bytes are NUL,
# as for mostly-ASCII text, and hardly any of the other half.
UTF16_NUL_SHARE = 0.4
# BOM-less UTF-16 with fewer NULs (non-Latin scripts) is taken only when
# this share of its first characters are letters, digits, punctuation or
# spaces: a binary file decoded as UTF-16 gives symbols and unassigned code
# points, far below it.
MIN_TEXT_SHARE_UTF16 = 0.95

SUFFIX_KINDS = {
    ".txt": "text", ".text": "text", ".html": "html", ".htm": "html", ".jsonl": "jsonl",
    ".rss": "feed", ".atom": "feed", ".xml": "feed", ".warc": "warc",
}
USABLE_SUFFIXES = ", ".join(sorted(set(SUFFIX_KINDS) - {".text"}))
GZIP_SUFFIX = ".gz"
STDIN = "-"
STDIN_ORIGIN = "<stdin>"

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: same first bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
_HTML_START = re.compile(
    r"^\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta[\s>]|<title[\s>]|<!--)", re.IGNORECASE
)
_HTML_TAG = re.compile(r"</(?:p|div|body|html|a|span|h[1-6]|li|td|article)>", re.IGNORECASE)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.+\-Z]{0,30})?$")
# Allowed control bytes in text: tab, LF, VT, FF, CR, ESC.
_TEXT_CONTROLS = frozenset(b"\t\n\x0b\x0c\r\x1b")
# The bytes counted as control bytes (deleted with bytes.translate to count
# them at C speed over a whole file).
_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in _TEXT_CONTROLS) + b"\x7f"


@dataclass(frozen=True, slots=True)
class _Read:
    """Decoded content of one input."""

    text: str
    encoding: str


# --------------------------------------------------------------------------
# Content identity
# --------------------------------------------------------------------------


def normalise_content(text: str) -> str:
    """The form of the content that ids and hashes are computed on."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def content_hash(text: str) -> str:
    """SHA-256 hex digest of the normalised content."""
    return hashlib.sha256(normalise_content(text).encode("utf-8", "surrogatepass")).hexdigest()


def document_id(text: str) -> str:
    """Id of a document without its own: the first 16 hex digits of its hash."""
    return content_hash(text)[:ID_HEX_DIGITS]


# --------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------


def _utf16_without_bom(head: bytes) -> str:
    """'utf-16-le' / 'utf-16-be' when NULs alternate like UTF-16 text, else ''."""
    even, odd = head[0::2], head[1::2]
    if len(head) < 4 or not even or not odd:
        return ""
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul >= UTF16_NUL_SHARE and even_nul < 0.05:
        return "utf-16-le"
    if even_nul >= UTF16_NUL_SHARE and odd_nul < 0.05:
        return "utf-16-be"
    # Non-Latin text (Arabic: U+06xx) has NULs only where it has ASCII
    # (spaces, digits), so fewer; all on one side, and the decoded
    # characters must read as text.
    for encoding, nul_side, other_side in (("utf-16-le", odd_nul, even_nul), ("utf-16-be", even_nul, odd_nul)):
        if nul_side > 0 and other_side == 0 and _reads_as_text(head.decode(encoding, errors="replace")):
            return encoding
    return ""


def _reads_as_text(sample: str) -> bool:
    """Letters, digits, punctuation and spaces make nearly all of sample."""
    if not sample:
        return False
    texty = sum(1 for ch in sample if ch in "\t\n\r" or unicodedata.category(ch)[0] in "LNPZ")
    return texty / len(sample) >= MIN_TEXT_SHARE_UTF16


def _control_share(data: bytes) -> float:
    """Share of control bytes (NUL included) in data, in one C-speed pass."""
    if not data:
        return 0.0
    return (len(data) - len(data.translate(None, _CONTROL_BYTES))) / len(data)


def _looks_binary(data: bytes) -> bool:
    """NUL in the first KB, or control bytes over MAX_CONTROL_SHARE of data."""
    return b"\x00" in data[:1024] or _control_share(data) > MAX_CONTROL_SHARE


def _text_is_binary(text: str) -> bool:
    """Control characters over MAX_CONTROL_SHARE of decoded text."""
    return _control_share(text.encode("utf-8", "surrogatepass")) > MAX_CONTROL_SHARE


def _declared_charset(data: bytes) -> str:
    match = _META_CHARSET.search(data[:SNIFF_BYTES])
    if not match:
        return ""
    name = match.group(1).decode("ascii", "replace")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def decode_bytes(data: bytes) -> _Read | str:
    """Decode input bytes; a str is the reason they are not text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            text = body.decode(encoding, errors="replace")
            if _text_is_binary(text):
                return "binary file, not text"
            return _Read(text, encoding)
    head = data[:SNIFF_BYTES]
    utf16 = _utf16_without_bom(head)
    if utf16:
        text = data.decode(utf16, errors="replace")
        if not _looks_binary(text[:SNIFF_BYTES].encode("utf-8", "replace")) and not _text_is_binary(text):
            return _Read(text, utf16)
    if _looks_binary(head) or _control_share(data) > MAX_CONTROL_SHARE:
        return "binary file, not text"
    try:
        return _Read(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    declared = _declared_charset(data)
    if declared and declared not in ("utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32"):
        try:
            return _Read(data.decode(declared), declared)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return _Read(data.decode("cp1252"), "cp1252")
    except UnicodeDecodeError:  # one of cp1252's five unassigned bytes
        return _Read(data.decode("latin-1"), "latin-1")


# --------------------------------------------------------------------------
# Sniffing and JSONL
# --------------------------------------------------------------------------


def sniff_kind(text: str) -> str:
    """'feed', 'jsonl', 'html' or 'text' from the content alone."""
    from marsad.ingest_web import looks_like_feed

    head = text[:SNIFF_BYTES].lstrip("\ufeff \t\r\n")
    if looks_like_feed(head):
        return "feed"
    if head.startswith("{"):
        first = head.split("\n", 1)[0].strip()
        try:
            if isinstance(json.loads(first), dict):
                return "jsonl"
        except ValueError:
            pass
    if _HTML_START.match(head) or (head.startswith("<") and _HTML_TAG.search(head)):
        return "html"
    return "text"


def _parse_date(value: object) -> date | None | str:
    """A date, None when absent, or a reason string when malformed."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return f'"published" must be a YYYY-MM-DD string, got {type(value).__name__}'
    match = _ISO_DATE.match(value.strip())
    if not match:
        return f'"published" is not a YYYY-MM-DD date: {value[:40]!r}'
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return f'"published" is not a real date: {value[:40]!r}'


def _optional_str(record: dict, key: str) -> str:
    value = record.get(key)
    return value.strip() if isinstance(value, str) else ""


def _jsonl_record(line: str, origin: str, published: date | None) -> Document | InputProblem:
    try:
        record = json.loads(line)
    except ValueError as err:
        msg = getattr(err, "msg", str(err))
        col = getattr(err, "colno", None)
        where = f" at column {col}" if col else ""
        return InputProblem(origin, f"not valid JSON ({msg}{where})")
    if not isinstance(record, dict):
        return InputProblem(origin, f"expected a JSON object, got {type(record).__name__}")
    html, text = record.get("html"), record.get("text")
    if isinstance(html, str) and html.strip():
        kind, raw = "html", html
    elif isinstance(text, str) and text.strip():
        kind, raw = "text", text
    elif html is None and text is None:
        return InputProblem(origin, 'no "text" or "html" field')
    else:
        return InputProblem(origin, '"text"/"html" is empty or not a string')
    when = _parse_date(record.get("published"))
    if isinstance(when, str):
        return InputProblem(origin, when)
    given_id = record.get("id")
    if isinstance(given_id, (int, float)) and not isinstance(given_id, bool):
        given_id = str(given_id)
    if given_id is not None and not isinstance(given_id, str):
        return InputProblem(origin, '"id" must be a string or a number')
    digest = content_hash(raw)
    if when is not None:
        pub, pub_from = when, "input"
    elif published is not None:
        pub, pub_from = published, "flag"
    else:
        pub, pub_from = None, ""
    return Document(
        id=(given_id or "").strip() or digest[:ID_HEX_DIGITS],
        raw=raw,
        kind=kind,
        published=pub,
        published_from=pub_from,
        title=_optional_str(record, "title"),
        url=_optional_str(record, "url"),
        source=_optional_str(record, "source"),
        origin=origin,
        content_hash=digest,
    )


def _iter_jsonl(text: str, origin: str, published: date | None) -> Iterator[Document | InputProblem]:
    usable = False
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        usable = True
        yield _jsonl_record(line.strip().lstrip("\ufeff"), f"{origin}:{number}", published)
    if not usable:
        yield InputProblem(origin, "empty file")


def _documents(text: str, kind: str, origin: str, published: date | None, published_from: str,
               flag: date | None) -> Iterator[Document | InputProblem]:
    """Documents from the decoded content of one input.

    ``published``/``published_from``: the date of a single document (flag or
    file date); JSONL records fall back to ``flag`` (the --published date) only.
    """
    if not text.strip():
        yield InputProblem(origin, "empty file")
        return
    if kind == "sniff":
        kind = sniff_kind(text)
    if kind == "jsonl":
        yield from _iter_jsonl(text, origin, flag)
        return
    digest = content_hash(text)
    yield Document(
        id=digest[:ID_HEX_DIGITS],
        raw=text,
        kind=kind,
        published=published,
        published_from=published_from if published else "",
        origin=origin,
        content_hash=digest,
    )


# --------------------------------------------------------------------------
# Reading files and stdin
# --------------------------------------------------------------------------


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def _too_big(size: int, max_bytes: int, what: str = "file") -> str:
    return f"{what} is {_mb(size)} MB, over the limit of {_mb(max_bytes)} MB (--max-bytes)"


def _read_limited(stream: BinaryIO, max_bytes: int) -> bytes:
    """At most max_bytes + 1 bytes (one more tells that the limit is passed)."""
    return stream.read(max_bytes + 1)


def _kind_of(path: Path) -> tuple[str, bool]:
    """(kind or '' when unknown, gzipped) from the file name."""
    name = path.name.lower()
    gzipped = name.endswith(GZIP_SUFFIX)  # (.warc.gz: ingest_web reads its gzip members itself)
    if gzipped:
        name = name[: -len(GZIP_SUFFIX)]
    return SUFFIX_KINDS.get(Path(name).suffix, ""), gzipped


def _check_file(path: Path) -> os.stat_result | str:
    """The file's stat, or the reason it cannot be read (nothing opened)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return "no such file or directory" if not path.is_symlink() else "broken symbolic link"
    except OSError as err:
        return f"cannot read ({err.strerror or err})"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    return info


def _read_file(path: Path, gzipped: bool, max_bytes: int) -> bytes | str:
    """The file's bytes (gunzipped), or the reason they cannot be had."""
    info = _check_file(path)
    if isinstance(info, str):
        return info
    if info.st_size > max_bytes:
        return _too_big(info.st_size, max_bytes)
    try:
        with open(path, "rb") as fh:
            if gzipped:
                with gzip.GzipFile(fileobj=fh) as gz:
                    data = _read_limited(gz, max_bytes)
                if len(data) > max_bytes:
                    return f"decompressed content is over the limit of {_mb(max_bytes)} MB (--max-bytes)"
            else:
                data = _read_limited(fh, max_bytes)
                if len(data) > max_bytes:  # grew since stat
                    return _too_big(len(data), max_bytes)
    except PermissionError:
        return "cannot read (permission denied)"
    except (EOFError, gzip.BadGzipFile, zlib.error):
        return "truncated or corrupt gzip file"
    except OSError as err:
        return f"cannot read ({err.strerror or err})"
    return data


def _decoded_inputs(data: bytes, kind: str, origin: str, published: date | None, published_from: str,
                    flag: date | None) -> Iterator[Document | InputProblem]:
    """Documents from the bytes of one input (kind '' = sniff it)."""
    decoded = decode_bytes(data)
    if isinstance(decoded, str):
        yield InputProblem(origin, decoded)
        return
    kind = kind or sniff_kind(decoded.text)
    if kind == "feed":
        from marsad.ingest_web import iter_feed

        yield from iter_feed(data, origin, flag)  # feedparser reads the declared encoding itself
        return
    yield from _documents(decoded.text, kind, origin, published, published_from, flag)


def _is_warc_file(path: Path) -> bool:
    from marsad.ingest_web import WARC_SNIFF_BYTES, looks_like_warc

    try:
        with open(path, "rb") as fh:
            return looks_like_warc(fh.read(WARC_SNIFF_BYTES))
    except OSError:
        return False


def _warc_inputs(path: Path, origin: str, published: date | None,
                 max_bytes: int) -> Iterator[Document | InputProblem]:
    from marsad.ingest_web import iter_warc

    info = _check_file(path)
    if isinstance(info, str):
        yield InputProblem(origin, info)
        return
    try:
        with open(path, "rb") as fh:
            yield from iter_warc(fh, origin, published, max_bytes)
    except OSError as err:
        yield InputProblem(origin, f"cannot read ({err.strerror or err})")


def _file_inputs(path: Path, origin: str, kind: str, gzipped: bool, published: date | None,
                 max_bytes: int) -> Iterator[Document | InputProblem]:
    if kind == "warc" or (not kind and stat.S_ISREG(_mode(path)) and _is_warc_file(path)):
        yield from _warc_inputs(path, origin, published, max_bytes)
        return
    data = _read_file(path, gzipped, max_bytes)
    if isinstance(data, str):
        yield InputProblem(origin, data)
        return
    if published is not None:
        pub, pub_from = published, "flag"
    else:
        try:
            pub, pub_from = datetime.fromtimestamp(path.stat().st_mtime).date(), "file-mtime"
        except (OSError, ValueError, OverflowError):
            pub, pub_from = None, ""
    yield from _decoded_inputs(data, kind, origin, pub, pub_from, published)


def _mode(path: Path) -> int:
    try:
        return path.stat().st_mode
    except OSError:
        return 0


def _stdin_inputs(stdin: BinaryIO | TextIO | None, published: date | None,
                  max_bytes: int) -> Iterator[Document | InputProblem]:
    stream = stdin if stdin is not None else sys.stdin
    binary = getattr(stream, "buffer", None) if isinstance(stream, io.TextIOBase) else stream
    try:
        if binary is not None:
            data = _read_limited(binary, max_bytes)
        else:  # a text stream without bytes underneath (e.g. io.StringIO)
            data = stream.read(max_bytes + 1).encode("utf-8", "surrogatepass")
    except (OSError, ValueError) as err:
        yield InputProblem(STDIN_ORIGIN, f"cannot read ({err})")
        return
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    if len(data) > max_bytes:
        yield InputProblem(STDIN_ORIGIN, f"input is over the limit of {_mb(max_bytes)} MB (--max-bytes)")
        return
    from marsad.ingest_web import WARC_SNIFF_BYTES, iter_warc, looks_like_warc

    if looks_like_warc(data[:WARC_SNIFF_BYTES]):
        yield from iter_warc(io.BytesIO(data), STDIN_ORIGIN, published, max_bytes)
        return
    yield from _decoded_inputs(data, "", STDIN_ORIGIN, published, "flag", published)


def _walk(folder: Path) -> tuple[list[Path], list[InputProblem]]:
    """Usable files under folder, sorted by relative path; loops are cut."""
    found: list[tuple[str, Path]] = []
    problems: list[InputProblem] = []
    seen_dirs: set[str] = set()
    stack: list[tuple[Path, str]] = [(folder, "")]
    while stack:
        current, rel = stack.pop()
        try:
            real = os.path.realpath(current)
        except OSError:
            continue
        if real in seen_dirs:
            continue
        seen_dirs.add(real)
        try:
            with os.scandir(current) as entries:
                entries = list(entries)
        except PermissionError:
            problems.append(InputProblem(str(current), "cannot read folder (permission denied)"))
            continue
        except OSError as err:
            problems.append(InputProblem(str(current), f"cannot read folder ({err.strerror or err})"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            child_rel = f"{rel}/{entry.name}" if rel else entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
            except OSError:
                is_dir = False
            if is_dir:
                stack.append((Path(entry.path), child_rel))
            elif _kind_of(Path(entry.name))[0]:
                found.append((child_rel, Path(entry.path)))
    found.sort(key=lambda item: item[0])
    return [p for _rel, p in found], problems


def iter_inputs(
    paths: Sequence[str],
    published: date | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdin: BinaryIO | TextIO | None = None,
) -> Iterator[Document | InputProblem]:
    """Documents and problems from files, folders and ``-`` (stdin), in order.

    Never raises for a bad input (missing, unreadable, binary, empty, too big,
    bad JSONL line): each becomes an InputProblem and the rest still flows.
    """
    seen_files: set[str] = set()
    for raw_path in paths:
        if raw_path == STDIN:
            yield from _stdin_inputs(stdin, published, max_bytes)
            continue
        path = Path(raw_path)
        try:
            is_dir = path.is_dir()
            exists = is_dir or path.exists()
        except OSError as err:
            yield InputProblem(raw_path, f"cannot read ({err.strerror or err})")
            continue
        if not exists:
            reason = "broken symbolic link" if path.is_symlink() else "no such file or directory"
            yield InputProblem(raw_path, reason)
            continue
        if is_dir:
            files, problems = _walk(path)
            yield from problems
            fresh = [f for f in files if os.path.realpath(f) not in seen_files]
            if not files:
                if not problems:
                    yield InputProblem(raw_path, f"no usable files in this folder ({USABLE_SUFFIXES})")
                continue
            for file in fresh:
                seen_files.add(os.path.realpath(file))
                kind, gzipped = _kind_of(file)
                yield from _file_inputs(file, str(file), kind, gzipped, published, max_bytes)
            continue
        real = os.path.realpath(path)
        if real in seen_files:
            continue
        seen_files.add(real)
        kind, gzipped = _kind_of(path)
        yield from _file_inputs(path, raw_path, kind, gzipped, published, max_bytes)
