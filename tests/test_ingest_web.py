"""Stage 0, web inputs: RSS/Atom feeds and WARC archives -> Document | InputProblem.

Every feed and archive here is written by the test itself (WARCs with
warcio's own writer), so the bytes on disk are what a crawler would leave.
"""

from __future__ import annotations

import gzip
import io
import time
from datetime import date

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from marsad.records import InputProblem
from test_ingest import docs, problems, run  # the same helpers as the file/folder tests

REPORT_1 = "Two civilians were killed on Sunday when shells hit a house in the village of Kansafra, south of Idlib."
REPORT_2 = "Security forces arrested six men in the city of Daraa on Monday, activists said."




# -------------------------------------------------------------- feeds

RSS = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>North Syria Monitor</title><link>https://example.org/</link>
<item><title>Shelling kills two in Kansafra</title><link>https://example.org/r/1</link>
<pubDate>Sun, 12 May 2024 08:00:00 GMT</pubDate>
<description>&lt;p&gt;{REPORT_1}&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</description></item>
<item><title>Arrests in Daraa</title><link>https://example.org/r/2</link>
<description>{REPORT_2}</description></item>
<item><title>Only a title</title><link>https://example.org/r/3</link></item>
</channel></rss>
"""

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Monitor</title>
<entry><title>Clashes in Tafas</title><link href="https://example.org/a/1"/>
<published>2024-05-14T23:30:00-03:00</published><updated>2024-05-20T10:00:00Z</updated>
<summary>Short summary.</summary>
<content type="html">&lt;p&gt;{REPORT_1}&lt;/p&gt;</content></entry>
<entry><title>Plain</title><link href="https://example.org/a/2"/><updated>2024-05-15T10:00:00Z</updated>
<content type="text">{REPORT_2}</content></entry>
</feed>
"""


def test_rss_items_become_documents(tmp_path):
    (tmp_path / "monitor.rss").write_text(RSS, encoding="utf-8")
    items = run([tmp_path / "monitor.rss"], published=date(2024, 6, 1))
    first, second = docs(items)
    assert (first.title, first.url, first.source) == (
        "Shelling kills two in Kansafra", "https://example.org/r/1", "North Syria Monitor")
    assert (first.published, first.published_from, first.kind) == (date(2024, 5, 12), "input", "html")
    assert REPORT_1 in first.raw and "<script" not in first.raw  # feedparser sanitises item HTML
    assert first.origin.endswith("monitor.rss#1") and first.id == first.content_hash[:16]
    # an item without a date of its own takes --published, as a JSONL record does
    assert (second.published, second.published_from) == (date(2024, 6, 1), "flag")
    (problem,) = problems(items)
    assert problem.origin.endswith("monitor.rss#3") and problem.reason == "feed item has no content or summary"


def test_atom_entries_prefer_content_and_the_published_date(tmp_path):
    (tmp_path / "a.atom").write_text(ATOM, encoding="utf-8")
    first, second = run([tmp_path / "a.atom"])
    assert REPORT_1 in first.raw and "Short summary" not in first.raw
    assert first.published == date(2024, 5, 15)  # 23:30 at UTC-3 is the 15th in UTC
    assert (second.kind, second.raw, second.published) == ("text", REPORT_2, date(2024, 5, 15))
    assert second.source == "Atom Monitor" and second.url == "https://example.org/a/2"


def test_feeds_are_found_in_folders_and_sniffed_without_extension(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.xml").write_text(ATOM, encoding="utf-8")
    (tmp_path / "feed.atom").write_text(ATOM, encoding="utf-8")
    (tmp_path / "download").write_text(RSS, encoding="utf-8")
    in_folder = docs(run([tmp_path]))
    assert len(in_folder) == 4 and {d.origin.rsplit("#")[0][-5:] for d in in_folder} == {".atom", "x.xml"}
    assert [d.title for d in docs(run([tmp_path / "download"]))][:1] == ["Shelling kills two in Kansafra"]
    from_stdin = docs(run(["-"], stdin=io.BytesIO(ATOM.encode("utf-8"))))
    assert [d.origin for d in from_stdin] == ["<stdin>#1", "<stdin>#2"]


def test_feed_in_a_legacy_encoding_is_decoded_from_its_declaration(tmp_path):
    arabic = "قتل مدنيان في قصف على بلدة كنصفرة"
    feed = RSS.replace('encoding="utf-8"', 'encoding="windows-1256"').replace(REPORT_2, arabic)
    (tmp_path / "ar.rss").write_bytes(feed.encode("cp1256"))
    assert docs(run([tmp_path / "ar.rss"]))[1].raw == arabic


def test_cut_feed_gives_the_items_before_the_cut_and_one_problem(tmp_path):
    cut = RSS[: RSS.index("<item><title>Arrests") + 70]
    (tmp_path / "cut.rss").write_text(cut, encoding="utf-8")
    items = run([tmp_path / "cut.rss"])
    assert [type(i).__name__ for i in items] == ["Document", "InputProblem"]
    assert items[0].title == "Shelling kills two in Kansafra"
    assert items[1].reason.startswith("feed is damaged after item 1")


@pytest.mark.parametrize("content, reason", [
    ("<?xml version='1.0'?><rss version='2.0'><channel><title>t</title></channel></rss>", "no items in this feed"),
    ("<?xml version='1.0'?><rss><channel><item><title>x</ti", "not a valid RSS/Atom feed"),
    ("<?xml version='1.0'?><catalog><book>not a feed</book></catalog>", "no items in this feed"),
])
def test_feeds_without_items_are_one_problem(tmp_path, content, reason):
    (tmp_path / "f.xml").write_text(content)
    (item,) = run([tmp_path / "f.xml"])
    assert isinstance(item, InputProblem) and item.reason.startswith(reason)


def test_feed_entities_cannot_read_local_files_or_explode(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
           '<rss version="2.0"><channel><title>t</title><item><title>i</title>'
           '<description>before &x; after</description></item></channel></rss>')
    laughs = ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
              + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
              + ']><rss version="2.0"><channel><title>t</title><item><title>i</title>'
              '<description>&i;</description></item></channel></rss>')
    (tmp_path / "xxe.rss").write_text(xxe)
    (tmp_path / "laughs.rss").write_text(laughs)
    started = time.perf_counter()
    items = run([tmp_path / "xxe.rss", tmp_path / "laughs.rss"])
    assert time.perf_counter() - started < 5
    assert all("TOP-SECRET" not in d.raw for d in docs(items))
    assert all(len(d.raw) < 100_000 for d in docs(items))  # 10^9 a's were never built


def test_feed_content_is_never_taken_as_a_path_or_url(tmp_path, monkeypatch):
    # feedparser opens a str it is given as a file name or URL; ingest only
    # ever hands it bytes in a BytesIO, so this content stays content
    target = tmp_path / "elsewhere.rss"
    target.write_text(RSS)
    (tmp_path / "pointer.xml").write_text(str(target))
    (item,) = run([tmp_path / "pointer.xml"])
    assert isinstance(item, InputProblem)


# -------------------------------------------------------------- WARC


def _response(writer, url, body: bytes, content_type="text/html; charset=utf-8", status="200 OK",
              date_="2024-05-13T09:30:00Z"):
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers,
                                       warc_headers_dict={"WARC-Date": date_})
    writer.write_record(record)


def page(text: str, head: str = "") -> bytes:
    return f"<html><head>{head}<title>t</title></head><body><article><p>{text}</p></article></body></html>".encode()


def build_warc(gz: bool, extra: bool = True) -> bytes:
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=gz)
    w.write_record(w.create_warcinfo_record("crawl.warc", {"software": "test"}))
    request = w.create_warc_record("https://example.org/r/1", "request",
                                   payload=io.BytesIO(b"GET /r/1 HTTP/1.1\r\nHost: example.org\r\n\r\n"))
    w.write_record(request)
    _response(w, "https://example.org/r/1", page(REPORT_1))
    if extra:
        _response(w, "https://example.org/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(200), "image/png")
        _response(w, "https://example.org/missing", page("Not found"), status="404 Not Found")
        _response(w, "https://example.org/old", b"", status="301 Moved Permanently")
    arabic = "اعتقلت قوات الأمن ستة رجال في مدينة درعا"
    _response(w, "https://example.org/ar/2", page(arabic).decode().encode("cp1256"),
              "text/html; charset=windows-1256", date_="2024-05-14T23:59:59Z")
    _response(w, "https://example.org/meta/3",
              page("Café bombed – two killed", '<meta charset="windows-1252">').decode().encode("cp1252"),
              "text/html")
    _response(w, "https://example.org/r/4", page(REPORT_2))
    return buf.getvalue()


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
def test_warc_html_responses_become_documents(tmp_path, gz):
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    path.write_bytes(build_warc(gz))
    items = run([path])
    assert problems(items) == []
    one, ar, meta, four = items
    assert [d.url for d in items] == ["https://example.org/r/1", "https://example.org/ar/2",
                                      "https://example.org/meta/3", "https://example.org/r/4"]
    assert all(d.kind == "html" for d in items)
    assert (one.published, one.published_from) == (date(2024, 5, 13), "crawl")
    assert ar.published == date(2024, 5, 14)
    assert "اعتقلت قوات الأمن" in ar.raw  # charset from the HTTP header
    assert "Café bombed – two killed" in meta.raw  # charset from <meta>
    assert REPORT_2 in four.raw and four.origin.startswith(str(path) + "#")
    # --published wins over the crawl date, as over a file's date
    assert run([path], published=date(2024, 1, 1))[0].published_from == "flag"


def test_warc_is_sniffed_without_extension_and_on_stdin(tmp_path):
    (tmp_path / "archive.bin").write_bytes(build_warc(True))
    assert len(docs(run([tmp_path / "archive.bin"]))) == 4
    assert len(docs(run(["-"], stdin=io.BytesIO(build_warc(False))))) == 4


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
def test_truncated_warc_keeps_the_records_before_the_damage(tmp_path, gz):
    data = build_warc(gz, extra=False)
    cut = tmp_path / ("cut.warc.gz" if gz else "cut.warc")
    cut.write_bytes(data[: len(data) - 150])  # inside the last record
    items = run([cut])
    assert [type(i).__name__ for i in items] == ["Document"] * 3 + ["InputProblem"]
    assert items[-1].reason == "truncated or corrupt WARC after 3 HTML record(s)"
    assert [d.url for d in items[:3]] == ["https://example.org/r/1", "https://example.org/ar/2",
                                          "https://example.org/meta/3"]


@pytest.mark.parametrize("content, reason", [
    (b"WARC/1.0\r\nWARC-Type: resp", "truncated or corrupt WARC after 0 HTML record(s)"),
    (gzip.compress(b"WARC/1.0\r\n") + b"garbage", "truncated or corrupt WARC after 0 HTML record(s)"),
    (b"WARC/1.0\r\n\x00\x01\x02" * 50, "truncated or corrupt WARC after 0 HTML record(s)"),
    (b"Just a text file named .warc", "not a WARC file"),
])
def test_corrupt_warc_is_one_problem(tmp_path, content, reason):
    (tmp_path / "bad.warc").write_bytes(content)
    (item,) = run([tmp_path / "bad.warc"])
    assert isinstance(item, InputProblem) and item.reason.startswith(reason), item


def test_warc_without_html_and_oversized_records(tmp_path):
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=True)
    _response(w, "https://example.org/logo.png", b"\x89PNG" + bytes(100), "image/png")
    (tmp_path / "images.warc.gz").write_bytes(buf.getvalue())
    (item,) = run([tmp_path / "images.warc.gz"])
    assert item.reason == "no HTML responses among its 1 WARC record(s)"

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=False)
    _response(w, "https://example.org/big", page("x " * 5000))
    _response(w, "https://example.org/small", page(REPORT_1))
    (tmp_path / "mixed.warc").write_bytes(buf.getvalue())
    big, small = run([tmp_path / "mixed.warc"], max_bytes=5000)
    assert big.origin.endswith("mixed.warc#1") and "over the limit" in big.reason
    assert small.url == "https://example.org/small"


def test_same_page_from_a_warc_and_a_file_is_one_document(tmp_path):
    (tmp_path / "crawl.warc").write_bytes(build_warc(False, extra=False))
    (tmp_path / "page.html").write_bytes(page(REPORT_1))
    from_warc = docs(run([tmp_path / "crawl.warc"]))[0]
    from_file = docs(run([tmp_path / "page.html"]))[0]
    assert from_warc.id == from_file.id
    assert [d.id for d in docs(run([tmp_path / "crawl.warc"]))] == [d.id for d in docs(run([tmp_path / "crawl.warc"]))]


# -------------------------------------------------------------- through marsad extract


def test_extract_stores_feeds_and_archives_once(marsad_home, tmp_path, monkeypatch):
    import sqlite3

    from click.testing import CliRunner

    from marsad.cli import main as cli_main

    class Entry:  # what the console script runs, as CliRunner calls it (exit codes included)
        name = "marsad"

        def main(self, args, prog_name=None, **extra):
            return cli_main(list(args))

    monkeypatch.setenv("MARSAD_HOME", str(marsad_home))
    folder = tmp_path / "web"
    folder.mkdir()
    (folder / "monitor.rss").write_text(RSS, encoding="utf-8")
    (folder / "crawl.warc.gz").write_bytes(build_warc(True))
    db = tmp_path / "web.db"

    def stored() -> tuple[int, int, list[tuple]]:
        conn = sqlite3.connect(db)
        try:
            return (conn.execute("SELECT count(*) FROM documents").fetchone()[0],
                    conn.execute("SELECT count(*) FROM events").fetchone()[0],
                    conn.execute("SELECT url, published, published_from, source FROM documents"
                                 " ORDER BY url").fetchall())
        finally:
            conn.close()

    first = CliRunner().invoke(Entry(), ["extract", str(folder), "--db", str(db), "--format", "none"])
    assert first.exit_code == 1, first.output  # the feed's item without content is named
    assert "monitor.rss#3: feed item has no content or summary" in first.stderr
    docs_1, events_1, rows = stored()
    assert docs_1 == 2 + 4 and events_1 > 0
    by_url = {url: (published, source) for url, published, _from, source in rows}
    assert by_url["https://example.org/r/1"] == ("2024-05-12", "North Syria Monitor")
    again = CliRunner().invoke(Entry(), ["extract", str(folder), "--db", str(db), "--format", "none"])
    assert again.exit_code == 1
    assert stored()[:2] == (docs_1, events_1)
