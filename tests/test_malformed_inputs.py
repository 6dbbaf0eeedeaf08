"""Malformed inputs (issue 8.2): every kind of broken input gets its one line on
stderr, the good documents around it are still stored, and the exit code says
what happened (0 all good, 1 some inputs skipped, 2 nothing processed / usage).

The corpus is written by the tests into a temporary folder: truncated gzip
and WARC, HTML with broken encodings and BOMs, UTF-16, NUL bytes, a 200 MB
(sparse) file, a JSONL file with 10% bad lines, a symlink loop, an
unreadable file, a dangling link, a FIFO and a cut feed.

Unreadable for root: the tests run as root, for whom ``chmod 000`` changes
nothing. Two honest stand-ins are used: a link named ``mem.txt`` to
``/proc/self/mem`` (a regular file the kernel refuses to read at offset 0,
EIO, whoever asks), and ``open`` raising PermissionError at the ingest
layer (monkeypatched) for the permission message itself.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import sqlite3
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from marsad.cli import main as cli_main
from marsad.ingest import iter_inputs
from marsad.records import Document, InputProblem

REPORTS = Path(__file__).parent / "data" / "reports"
GOOD_FILES = ("kidnapping-nigeria.txt", "protest-europe.txt", "clashes-iraq.txt")
ARABIC = "قتل مدنيان وأصيب ثلاثة آخرون في قصف مدفعي على بلدة كنصفرة في ريف إدلب الجنوبي."
JSONL_LINES = 50
JSONL_BAD_EVERY = 10  # every 10th line is bad: 10% bad lines


class _Entry:
    name = "marsad"

    def main(self, args, prog_name=None, **extra):
        return cli_main(list(args))


def marsad(*args):
    result = CliRunner().invoke(_Entry(), [str(a) for a in args])
    assert "Traceback" not in result.output + result.stderr, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def skipped(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("marsad: skipped ")]


def report(name: str) -> str:
    return (REPORTS / name).read_text(encoding="utf-8")


def _warc(records: list[tuple[str, str]], gz: bool) -> bytes:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    for url, text in records:
        body = f"<html><body><article><p>{text}</p></article></body></html>".encode()
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                      http_headers=headers))
    return buf.getvalue()


def _jsonl() -> bytes:
    text = report("kidnapping-nigeria.txt")
    lines = []
    for n in range(1, JSONL_LINES + 1):
        if n % JSONL_BAD_EVERY == 0:
            lines.append(["{not json", '{"id": "x"}', '{"text": 5}', '{"text": "a", "published": "May"}',
                          "[1, 2]"][(n // JSONL_BAD_EVERY) % 5])
        else:
            lines.append(json.dumps({"id": f"line-{n}", "text": f"Report {n}. {text}", "published": "2021-05-03"}))
    return ("\n".join(lines) + "\n").encode()


def build_corpus(folder: Path) -> dict[str, tuple[str, int]]:
    """Write the corpus; returns name -> (words in its stderr line, number of such lines)."""
    folder.mkdir()
    for name in GOOD_FILES:
        (folder / f"good-{name}").write_text(report(name), encoding="utf-8")
    two = report("two-towns.txt")
    gz = gzip.compress(two.encode())
    (folder / "truncated.txt.gz").write_bytes(gz[: len(gz) // 2])
    warc = _warc([("https://example.org/1", report("airstrike-syria.txt")),
                  ("https://example.org/2", report("ied-afghanistan.txt")),
                  ("https://example.org/3", "The last record, cut short.")], gz=True)
    (folder / "truncated.warc.gz").write_bytes(warc[:-120])
    # decoded, not refused: BOMs, UTF-16, a lying charset declaration, stray NULs
    (folder / "bom-utf8.html").write_bytes(
        b"\xef\xbb\xbf<html><body><p>" + report("ied-afghanistan.txt").encode() + b"</p></body></html>")
    (folder / "utf16-bom.txt").write_bytes(("UTF-16 copy. " + report("clashes-iraq.txt")).encode("utf-16"))
    (folder / "utf16le-nobom.txt").write_bytes(ARABIC.encode("utf-16-le"))
    (folder / "lying-charset.html").write_bytes(
        ('<html><head><meta charset="utf-8"></head><body><p>' + ARABIC + " (2)</p></body></html>").encode("cp1256"))
    (folder / "stray-nuls.txt").write_bytes(("x" * 2000).encode() + b"\x00" + ARABIC.encode() + b"\x00 (3)")
    # refused, one line each
    (folder / "nul-body.html").write_bytes(b"<html><head><title>t</title></head><body>" + bytes(500_000))
    with open(folder / "huge.txt", "wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: no disk, no time
    (folder / "bad-lines.jsonl").write_bytes(_jsonl())
    (folder / "loop").mkdir()
    os.symlink(folder, folder / "loop" / "back-to-top")
    os.symlink("/proc/self/mem", folder / "mem.txt")
    os.symlink(folder / "does-not-exist.txt", folder / "dangling.txt")
    os.mkfifo(folder / "fifo.txt")
    feed = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Monitor</title>'
            f'<item><title>One</title><link>https://example.org/f/1</link><description>{report("two-towns.txt")}'
            '</description></item><item><title>Two</title><link>https://exa')
    (folder / "cut-feed.rss").write_text(feed, encoding="utf-8")
    return {
        "truncated.txt.gz": ("truncated or corrupt gzip file", 1),
        "truncated.warc.gz": ("truncated or corrupt WARC after 2 HTML record(s)", 1),
        "nul-body.html": ("binary file, not text", 1),
        "huge.txt": ("file is 200 MB, over the limit of 20 MB (--max-bytes)", 1),
        "bad-lines.jsonl": ("", JSONL_LINES // JSONL_BAD_EVERY),
        "mem.txt": ("cannot read (Input/output error)", 1),
        "dangling.txt": ("broken symbolic link", 1),
        "fifo.txt": ("not a regular file", 1),
        "cut-feed.rss": ("feed is damaged after item 1", 1),
    }


@pytest.fixture(scope="module")
def corpus_run(marsad_home, tmp_path_factory):
    base = tmp_path_factory.mktemp("malformed")
    folder = base / "corpus"
    expected = build_corpus(folder)
    db = base / "m.db"
    env_before = os.environ.get("MARSAD_HOME")
    os.environ["MARSAD_HOME"] = str(marsad_home)
    try:
        result = marsad("extract", folder, "--published", "2021-05-03", "--db", db, "--format", "none")
    finally:
        if env_before is None:
            os.environ.pop("MARSAD_HOME", None)
        else:
            os.environ["MARSAD_HOME"] = env_before
    return folder, expected, db, result


def test_each_bad_input_gets_its_own_line(corpus_run):
    folder, expected, _db, result = corpus_run
    lines = skipped(result.stderr)
    for name, (words, count) in expected.items():
        mine = [ln for ln in lines if ln.startswith(f"marsad: skipped {folder / name}")]
        assert len(mine) == count, (name, mine)
        assert all(words in ln for ln in mine), (name, mine)
    assert len(lines) == sum(count for _w, count in expected.values()), lines
    assert result.exit_code == 1


def test_good_documents_around_the_bad_ones_are_stored(corpus_run):
    folder, _expected, db, _result = corpus_run
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT origin, text FROM documents").fetchall()
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        conn.close()
    origins = {o for o, _t in rows}
    for name in GOOD_FILES:
        assert str(folder / f"good-{name}") in origins
    for name in ("bom-utf8.html", "utf16-bom.txt", "utf16le-nobom.txt", "lying-charset.html", "stray-nuls.txt"):
        assert str(folder / name) in origins, name
    assert f"{folder / 'truncated.warc.gz'}#1" in origins and f"{folder / 'truncated.warc.gz'}#2" in origins
    assert f"{folder / 'cut-feed.rss'}#1" in origins
    jsonl = [o for o in origins if o.startswith(f"{folder / 'bad-lines.jsonl'}:")]
    assert len(jsonl) == JSONL_LINES - JSONL_LINES // JSONL_BAD_EVERY
    texts = {o: t for o, t in rows}
    assert ARABIC in texts[str(folder / "utf16le-nobom.txt")]
    # a page that declares utf-8 but is cp1256 is read (as cp1252: mojibake,
    # a known limit, no charset guessing), not refused
    assert texts[str(folder / "lying-charset.html")].endswith("(2)")
    assert all("\x00" not in t and "\ufeff" not in t for t in texts.values())
    assert events > 0


def test_the_symlink_loop_read_every_file_once(corpus_run):
    folder, _expected, _db, result = corpus_run
    assert "loop" not in result.stderr
    assert all("back-to-top" not in ln for ln in skipped(result.stderr))


def test_200mb_file_is_refused_by_size_without_being_read(tmp_path):
    huge = tmp_path / "huge.txt"
    with open(huge, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)
    tracemalloc.start()
    try:
        (item,) = iter_inputs([str(huge)])
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert item.reason == "file is 200 MB, over the limit of 20 MB (--max-bytes)"
    assert peak < 1024 * 1024


def test_nul_body_under_a_raised_limit_is_still_binary(tmp_path):
    page = tmp_path / "archive.html"
    with open(page, "wb") as fh:  # an HTML head, then 50 MB of NULs (a hole in the file)
        fh.write(b"<!DOCTYPE html><html><head><title>Archive</title></head><body><p>" + b"Report. " * 200)
        fh.truncate(50 * 1024 * 1024)
    (item,) = iter_inputs([str(page)], max_bytes=60 * 1024 * 1024)
    assert item == InputProblem(str(page), "binary file, not text")


def test_permission_denied_is_one_problem(tmp_path, monkeypatch):
    import builtins

    secret = tmp_path / "secret.txt"
    secret.write_text(report("two-towns.txt"), encoding="utf-8")
    other = tmp_path / "other.txt"
    other.write_text(report("protest-europe.txt"), encoding="utf-8")
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if str(file) == str(secret):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    first, second = iter_inputs([str(secret), str(other)])
    assert first == InputProblem(str(secret), "cannot read (permission denied)")
    assert isinstance(second, Document)


def test_utf16_with_bom_is_decoded_not_refused(tmp_path):
    text = report("clashes-iraq.txt")
    for codec in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):
        f = tmp_path / f"{codec}.txt"
        f.write_bytes(text.encode(codec))
        (doc,) = iter_inputs([str(f)])
        assert isinstance(doc, Document) and doc.raw == text, codec


# -------------------------------------------------------------- exit codes


def test_exit_0_when_everything_is_processed(marsad_home, tmp_path, monkeypatch):
    monkeypatch.setenv("MARSAD_HOME", str(marsad_home))
    (tmp_path / "r.txt").write_text(report("kidnapping-nigeria.txt"), encoding="utf-8")
    result = marsad("extract", tmp_path / "r.txt", "--db", tmp_path / "a.db", "--format", "none")
    assert result.exit_code == 0 and skipped(result.stderr) == []


def test_exit_2_when_nothing_is_processed_and_for_usage_errors(marsad_home, tmp_path, monkeypatch):
    monkeypatch.setenv("MARSAD_HOME", str(marsad_home))
    (tmp_path / "blank.txt").write_text("   \n")
    (tmp_path / "bin.txt").write_bytes(bytes(range(256)) * 10)
    nothing = marsad("extract", tmp_path / "blank.txt", tmp_path / "bin.txt", "--db", tmp_path / "b.db")
    assert nothing.exit_code == 2 and len(skipped(nothing.stderr)) == 2
    assert marsad("extract", "--no-such-option", "x").exit_code == 2
    assert marsad("extract", tmp_path / "blank.txt", "--max-bytes", "0").exit_code == 2
    assert marsad("extract").exit_code == 2
