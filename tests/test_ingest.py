"""Stage 0: files, folders, JSONL and stdin -> Document | InputProblem."""

from __future__ import annotations

import gzip
import io
import json
import os
import time
import tracemalloc
from datetime import date
from pathlib import Path

import pytest

from marsad.ingest import (
    DEFAULT_MAX_BYTES,
    ID_HEX_DIGITS,
    content_hash,
    decode_bytes,
    document_id,
    iter_inputs,
    sniff_kind,
)
from marsad.records import Document, InputProblem

DATA = Path(__file__).parent / "data"
INPUTS = DATA / "inputs"
PAGES = DATA / "pages"

REPORT = (
    "Shelling kills two in Kansafra\n\n"
    "Two civilians were killed on Sunday when shells hit a house in the village of Kansafra, "
    "south of Idlib, medics said. The family’s café was also damaged.\n"
)


def run(paths, **kw):
    return list(iter_inputs([str(p) for p in paths], **kw))


def docs(items):
    return [i for i in items if isinstance(i, Document)]


def problems(items):
    return [i for i in items if isinstance(i, InputProblem)]


# -------------------------------------------------------------- files and folders


def test_folder_is_walked_recursively_in_sorted_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text("Report z " + REPORT)
    (tmp_path / "a.html").write_text("<html><body><p>Report a</p></body></html>")
    (tmp_path / "c.htm").write_text("<html><body><p>Report c</p></body></html>")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04 ignored")
    (tmp_path / ".hidden.txt").write_text("hidden report")
    items = run([tmp_path])
    assert problems(items) == []
    # sorted by path relative to the folder: a.html < b/z.txt < c.htm
    assert [Path(d.origin).name for d in items] == ["a.html", "z.txt", "c.htm"]
    assert [d.kind for d in items] == ["html", "text", "html"]
    assert run([tmp_path]) == items  # deterministic


def test_shipped_inputs_become_documents_and_problems():
    items = run([INPUTS, PAGES])
    files = [Path(i.origin.split(":")[0]) for i in items]
    # paths in the order given, each folder's files sorted
    assert files == sorted(files, key=lambda f: (f.parent.name != "inputs", f.name))
    assert len(problems(items)) == 4  # the bad lines of reports.jsonl
    assert len(docs(items)) >= 8
    assert all(len(d.content_hash) == 64 for d in docs(items))


def test_folder_without_usable_files_is_a_problem(tmp_path):
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "sub").mkdir()
    (items,) = run([tmp_path])
    assert isinstance(items, InputProblem)
    assert items.reason.startswith("no usable files in this folder (") and ".jsonl" in items.reason and ".warc" in items.reason


def test_missing_path_is_a_problem_not_an_exception(tmp_path):
    (item,) = run([tmp_path / "nope.txt"])
    assert item == InputProblem(str(tmp_path / "nope.txt"), "no such file or directory")


def test_symlink_loop_does_not_hang(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "r.txt").write_text(REPORT)
    os.symlink(tmp_path, tmp_path / "a" / "loop")
    os.symlink(tmp_path / "a", tmp_path / "a" / "self")
    started = time.perf_counter()
    items = run([tmp_path])
    assert time.perf_counter() - started < 2
    assert len(docs(items)) == 1 and problems(items) == []


def test_same_file_named_twice_is_read_once(tmp_path):
    f = tmp_path / "r.txt"
    f.write_text(REPORT)
    assert len(run([f, tmp_path, f])) == 1


def test_named_file_with_unknown_extension_is_sniffed(tmp_path):
    html = tmp_path / "page.php"
    html.write_text("<!DOCTYPE html><html><body><p>A report.</p></body></html>")
    text = tmp_path / "report.md"
    text.write_text(REPORT)
    jsonl = tmp_path / "dump.ndjson"
    jsonl.write_text(json.dumps({"id": "x1", "text": "Clashes in Tafas.", "published": "2024-01-02"}) + "\n")
    kinds = [d.kind for d in docs(run([html, text, jsonl]))]
    assert kinds == ["html", "text", "text"]
    assert docs(run([jsonl]))[0].id == "x1"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_a_problem(tmp_path):
    f = tmp_path / "secret.txt"
    f.write_text(REPORT)
    f.chmod(0)
    try:
        (item,) = run([f])
    finally:
        f.chmod(0o600)
    assert isinstance(item, InputProblem) and "permission denied" in item.reason


def test_a_fifo_is_not_read(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    (item,) = run([fifo])  # would block forever if opened
    assert item.reason == "not a regular file"


# -------------------------------------------------------------- content checks


def test_empty_and_whitespace_files(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text("  \n\t\n   \n")
    items = run([tmp_path / "empty.txt", tmp_path / "blank.txt"])
    assert [i.reason for i in items] == ["empty file", "empty file"]


def test_binary_file_is_refused(tmp_path):
    f = tmp_path / "photo.txt"
    f.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 20)
    (item,) = run([f])
    assert item.reason == "binary file, not text"
    g = tmp_path / "controls.txt"
    g.write_bytes(b"\x01\x02\x03\x04\x05\x06abc\x07\x08" * 100)
    assert run([g])[0].reason == "binary file, not text"


def test_huge_file_is_refused_without_reading_it(tmp_path):
    f = tmp_path / "huge.txt"
    with open(f, "wb") as fh:  # 25 MB, sparse: cheap to make
        fh.truncate(25 * 1024 * 1024)
    tracemalloc.start()
    try:
        (item,) = run([f])
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert item.reason == "file is 25 MB, over the limit of 20 MB (--max-bytes)"
    assert peak < 1024 * 1024  # nothing like 25 MB was read
    assert DEFAULT_MAX_BYTES == 20 * 1024 * 1024


def test_max_bytes_is_respected(tmp_path):
    f = tmp_path / "r.txt"
    f.write_text(REPORT * 100)
    assert "over the limit" in run([f], max_bytes=1000)[0].reason
    assert isinstance(run([f], max_bytes=10**6)[0], Document)


# -------------------------------------------------------------- decoding


def test_utf8_with_and_without_bom_give_the_same_document(tmp_path):
    (tmp_path / "a.txt").write_bytes(REPORT.encode("utf-8"))
    (tmp_path / "b.txt").write_bytes(b"\xef\xbb\xbf" + REPORT.encode("utf-8"))
    a, b = run([tmp_path / "a.txt", tmp_path / "b.txt"])
    assert a.raw == b.raw == REPORT
    assert a.id == b.id


def test_utf16_with_bom_and_without(tmp_path):
    (tmp_path / "le.txt").write_bytes(REPORT.encode("utf-16"))  # BOM + native order
    (tmp_path / "be.txt").write_bytes(REPORT.encode("utf-16-be"))  # no BOM
    (tmp_path / "u32.txt").write_bytes(REPORT.encode("utf-32"))
    items = run([tmp_path / "le.txt", tmp_path / "be.txt", tmp_path / "u32.txt"])
    assert [d.raw for d in items] == [REPORT] * 3


def test_cp1252_text(tmp_path):
    text = "Clashes in Daraa – “heavy” shelling, 5 € bread, naïve café.\n"
    (tmp_path / "w.txt").write_bytes(text.encode("cp1252"))
    (item,) = run([tmp_path / "w.txt"])
    assert item.raw == text


def test_html_declared_charset_is_used(tmp_path):
    page = '<html><head><meta charset="windows-1256"></head><body><p>قصف مدفعي على بلدة كنصفرة</p></body></html>'
    (tmp_path / "ar.html").write_bytes(page.encode("cp1256"))
    (item,) = run([tmp_path / "ar.html"])
    assert "قصف مدفعي" in item.raw


def test_broken_charset_declaration_falls_back(tmp_path):
    page = '<html><head><meta charset="no-such-charset"></head><body><p>Café bombed in Ariha – two killed</p></body></html>'
    (tmp_path / "x.html").write_bytes(page.encode("cp1252"))
    (item,) = run([tmp_path / "x.html"])
    assert "Café bombed in Ariha – two killed" in item.raw


def test_decode_bytes_reasons():
    assert decode_bytes(b"\x00\x00\x00\x00binary") == "binary file, not text"
    assert decode_bytes("naïve".encode()).text == "naïve"
    assert decode_bytes(b"\x81 unassigned in cp1252").encoding == "latin-1"


# -------------------------------------------------------------- gzip


def test_gzip_files(tmp_path):
    (tmp_path / "r.txt.gz").write_bytes(gzip.compress(REPORT.encode()))
    (tmp_path / "bad.html.gz").write_bytes(gzip.compress(b"<html><body><p>x</p></body></html>" * 50)[:40])
    items = run([tmp_path])
    assert [type(i).__name__ for i in items] == ["InputProblem", "Document"]
    assert items[0].reason == "truncated or corrupt gzip file"
    assert items[1].raw == REPORT and items[1].kind == "text"


def test_gzip_bomb_is_stopped_at_max_bytes(tmp_path):
    (tmp_path / "bomb.txt.gz").write_bytes(gzip.compress(b"a" * 3_000_000))
    (item,) = run([tmp_path / "bomb.txt.gz"], max_bytes=1_000_000)
    assert "decompressed content is over the limit" in item.reason


# -------------------------------------------------------------- JSONL


def test_jsonl_good_and_bad_lines():
    items = run([INPUTS / "reports.jsonl"])
    by_origin = {i.origin.rsplit(":", 1)[1]: i for i in items}
    assert sorted(by_origin, key=int) == ["1", "3", "4", "5", "6", "7"]  # line 2 is blank
    good = by_origin["1"]
    assert isinstance(good, Document)
    assert (good.id, good.published, good.published_from) == ("nsm-2024-0412", date(2024, 4, 12), "input")
    assert (good.title, good.source, good.url) == (
        "Two men arrested near Jisr al-Shughur", "North Syria Monitor", "https://example.org/reports/0412")
    assert by_origin["3"].reason.startswith("not valid JSON")
    assert by_origin["4"].reason == 'no "text" or "html" field'
    assert "not a YYYY-MM-DD date" in by_origin["5"].reason
    assert "not a real date" in by_origin["7"].reason
    html = by_origin["6"]
    assert html.kind == "html" and len(html.id) == ID_HEX_DIGITS and html.id == html.content_hash[:16]


def test_jsonl_without_date_uses_the_flag_not_the_file_date(tmp_path):
    f = tmp_path / "d.jsonl"
    f.write_text(json.dumps({"text": "A report."}) + "\n" + json.dumps({"text": "Another report."}) + "\n")
    a, b = run([f])
    assert (a.published, a.published_from) == (None, "")
    (a, _b) = run([f], published=date(2024, 5, 1))
    assert (a.published, a.published_from) == (date(2024, 5, 1), "flag")


def test_jsonl_of_blank_lines_is_empty(tmp_path):
    f = tmp_path / "e.jsonl"
    f.write_text("\n\n  \n")
    assert [i.reason for i in run([f])] == ["empty file"]


# -------------------------------------------------------------- dates and ids


def test_publication_date_sources(tmp_path):
    f = tmp_path / "r.txt"
    f.write_text(REPORT)
    os.utime(f, (time.mktime((2023, 3, 4, 12, 0, 0, 0, 0, -1)),) * 2)
    (mtime,) = run([f])
    assert (mtime.published, mtime.published_from) == (date(2023, 3, 4), "file-mtime")
    (flag,) = run([f], published=date(2024, 1, 2))
    assert (flag.published, flag.published_from) == (date(2024, 1, 2), "flag")


def test_ids_are_idempotent_and_content_based(tmp_path):
    (tmp_path / "a.txt").write_text(REPORT)
    (tmp_path / "b.txt").write_text(REPORT.replace("\n", "\r\n") + "\n\n")
    (tmp_path / "c.txt").write_text(REPORT + "More.")
    a, b, c = run([tmp_path])
    assert a.id == b.id == document_id(REPORT)
    assert a.content_hash == b.content_hash == content_hash(REPORT)
    assert c.id != a.id
    assert [d.id for d in run([tmp_path])] == [a.id, b.id, c.id]


# -------------------------------------------------------------- stdin


def test_stdin_text_html_and_jsonl():
    (t,) = run(["-"], stdin=io.BytesIO(REPORT.encode()))
    assert (t.kind, t.origin, t.published, t.published_from) == ("text", "<stdin>", None, "")
    (h,) = run(["-"], stdin=io.StringIO("<html><body><p>x</p></body></html>"), published=date(2024, 1, 1))
    assert (h.kind, h.published_from) == ("html", "flag")
    lines = json.dumps({"id": "s1", "text": "One."}) + "\nnot json\n"
    j = run(["-"], stdin=io.BytesIO(lines.encode()))
    assert j[0].id == "s1" and j[1] == InputProblem("<stdin>:2", j[1].reason)
    assert run(["-"], stdin=io.BytesIO(b""))[0].reason == "empty file"


def test_sniff_kind():
    assert sniff_kind("  <!doctype html><html>") == "html"
    assert sniff_kind('{"text": "x"}\n{"text": "y"}') == "jsonl"
    assert sniff_kind("{not json} is text") == "text"
    assert sniff_kind("<p>a</p> fragment") == "html"
    assert sniff_kind("5 < 6 and that is text") == "text"


# -------------------------------------------------------------- properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600) | st.text(max_size=200).map(lambda t: t.encode("utf-16")))
def test_any_bytes_on_stdin_give_documents_or_problems(data):
    items = run(["-"], stdin=io.BytesIO(data))
    assert items and all(isinstance(i, (Document, InputProblem)) for i in items)
    for d in docs(items):
        assert d.raw.strip() and d.id and len(d.content_hash) == 64


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_text_round_trips_through_utf8_files(text):
    decoded = decode_bytes(text.encode("utf-8", "surrogatepass"))
    if "\x00" not in text and isinstance(decoded, str):
        assert decoded == "binary file, not text"  # only control-heavy text is refused
    elif not isinstance(decoded, str) and "\x00" not in text:
        # (text with NUL characters is ambiguous with BOM-less UTF-16 by design)
        assert decoded.text == text.removeprefix("\ufeff")  # a UTF-8 BOM is not content
