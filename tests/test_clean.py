"""Stage 1: raw Documents -> CleanDocument (main text, title, site, date)."""

from __future__ import annotations

import json
import time
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marsad.clean import clean, clean_text, extract_html, load_boilerplate, split_title_site
from marsad.clean.html import MAX_HTML_CHARS, strip_heavy
from marsad.clean.text import MAX_TEXT_CHARS, boilerplate
from marsad.errors import KnowledgeError
from marsad.ingest import iter_inputs
from marsad.records import CleanDocument, Document

DATA = Path(__file__).parent / "data"
SHARED_SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"

BOILERPLATE_WORDS = (
    "you might also like", "uses cookies", "we use cookies", "subscribe to our newsletter",
    "follow us", "all rights reserved", "advertisement", "related articles", "read more",
    "share this", "skip to content",
)


def read(path: Path) -> Document:
    (doc,) = list(iter_inputs([str(path)]))
    assert isinstance(doc, Document)
    return doc


def text_doc(raw: str, **kw) -> Document:
    return Document(id="t", raw=raw, **kw)


def html_doc(raw: str, **kw) -> Document:
    return Document(id="h", raw=raw, kind="html", **kw)


def assert_no_boilerplate(text: str) -> None:
    low = text.lower()
    for words in BOILERPLATE_WORDS:
        assert words not in low, words


# -------------------------------------------------------------- scraped plain text


def test_pipe_site_header_share_ad_related_and_copyright():
    c = clean(read(DATA / "inputs" / "scraped-pipe-site.txt"))
    assert c.title == "Shelling kills three civilians in Jabal al-Zawiya"
    assert c.site_name == "Daily Levant News"
    assert c.text.startswith("Three civilians, among them a child, were killed on Sunday")
    assert c.text.endswith("started shortly after midnight.")
    assert c.text.count("\n\n") == 2
    assert "Turkish patrol" not in c.text and "Facebook" not in c.text
    assert {"site header", "share prompt", "advertisement", "related links", "copyright"} <= set(c.removed)
    assert_no_boilerplate(c.text)


def test_dash_site_breadcrumbs_byline_wrapped_lines_and_prompts():
    c = clean(read(DATA / "inputs" / "scraped-dash-site.txt"))
    assert (c.title, c.site_name) == ("Gunmen assassinate local council member in Al-Shuhayl", "Euphrates Monitor")
    paragraphs = c.text.split("\n\n")
    assert len(paragraphs) == 2
    # hard-wrapped lines are one paragraph again
    assert "Wednesday evening, according to relatives of the victim. The gunmen fled on a motorcycle towards" \
        in paragraphs[0]
    assert paragraphs[0].startswith("Unknown gunmen shot dead")
    assert "Posted by" not in c.text and "Home" not in c.text and "Telegram" not in c.text
    assert {"navigation", "subscribe prompt", "follow prompt", "copyright", "repeated title"} <= set(c.removed)


def test_em_dash_site_menu_read_more_tail_and_cookie_banner():
    c = clean(read(DATA / "inputs" / "scraped-emdash-site.txt"))
    assert (c.title, c.site_name) == ("Protest in Sweida demands release of detainees", "Southern Voice Network")
    assert c.text.startswith("Hundreds of people gathered in Al-Karama square")
    assert c.text.endswith("one of the organisers told reporters.")
    assert "“We will keep coming back" in c.text  # curly quotes kept
    assert "Fuel prices" not in c.text and "Shahba" not in c.text
    assert_no_boilerplate(c.text)


def test_plain_report_headline_becomes_the_title():
    c = clean(read(DATA / "inputs" / "plain-report.txt"))
    assert c.title == "Landmine explosion wounds two shepherds near Manbij"
    assert c.site_name == ""
    assert c.text.startswith("Two shepherds were wounded on Monday")
    assert "title line" in c.removed


def test_a_related_marker_followed_by_prose_keeps_the_prose():
    raw = (
        "Drone strike near Al-Bab\n\n"
        "A drone struck a car near the town of Al-Bab on Monday, killing two men inside it, "
        "according to local sources who spoke to reporters.\n\nRead more\n\n"
        "Later in the day, a second strike hit a motorcycle on the road to Qabasin, wounding its rider, a "
        "young man from the area who was taken to hospital in the town of Al-Bab, residents said.\n"
    )
    c = clean(text_doc(raw))
    assert "second strike hit a motorcycle" in c.text
    assert "Read more" not in c.text
    assert "related links marker" in c.removed


def test_split_title_site_styles():
    rules = boilerplate()
    assert split_title_site(
        "HTS security campaign | Six non-Syrian jihadists arrested near Iskenderun border • "
        "The Syrian Observatory For Human Rights", rules) == (
        "HTS security campaign | Six non-Syrian jihadists arrested near Iskenderun border",
        "The Syrian Observatory For Human Rights")
    assert split_title_site("Clashes in Daraa - Syria News", rules) == ("Clashes in Daraa", "Syria News")
    assert split_title_site("Clashes in Daraa — example.org", rules) == ("Clashes in Daraa", "example.org")
    assert split_title_site("Clashes in Daraa | SOHR", rules) == ("Clashes in Daraa", "SOHR")
    # the last part is a headline, not a site
    assert split_title_site("HTS security campaign | Six jihadists arrested near the border", rules) == (
        "HTS security campaign | Six jihadists arrested near the border", "")
    assert split_title_site("No separator here", rules) == ("No separator here", "")


def test_input_title_wins_and_repeated_title_line_is_dropped():
    raw = "Shelling in Nawa\n\nShells hit the town of Nawa on Friday, wounding three children, medics said."
    c = clean(text_doc(raw, title="Shelling in Nawa"))
    assert c.title == "Shelling in Nawa"
    assert c.text == "Shells hit the town of Nawa on Friday, wounding three children, medics said."
    assert c.removed == ("repeated title",)


def test_whitespace_and_unicode_are_normalised():
    raw = ("Cafe\u0301  bombed \t in\u00a0Ariha\u200b.\r\nIt was  closed.\r\n\r\n\r\n\r\n"
           "Second\u2003 paragraph.\x07")
    c = clean(text_doc(raw))
    # a line ending a sentence followed by one starting a sentence: new paragraph
    assert c.text == "Café bombed in Ariha.\n\nIt was closed.\n\nSecond paragraph."
    assert unicodedata.is_normalized("NFC", c.text)


def test_line_wraps_join_and_sentence_ends_split():
    raw = "Shells hit the town of Nawa\non Friday, wounding three.\nThe council said schools would close."
    assert clean_text(raw, detect_header=False).text == (
        "Shells hit the town of Nawa on Friday, wounding three.\n\nThe council said schools would close.")


def test_table_rows_without_prose_are_dropped():
    raw = ("Monthly toll\n\n| Date | Place | Killed |\n| 1 May | Daraa | 3 |\n"
           "| Two civilians were killed when shells hit a house in Nawa. | 2 |\n\n"
           "The monitor recorded forty deaths in May across the southern governorates of the country.")
    c = clean_text(raw)
    assert "| Date" not in c.text and "Daraa | 3" not in c.text
    assert "Two civilians were killed when shells hit a house in Nawa." in c.text
    assert "table" in c.removed


def test_hopeless_input_gives_empty_text_with_a_reason():
    for raw in ("", "   \n\n ", "Share\nFacebook Twitter\nAdvertisement\n© 2024 Site"):
        c = clean(text_doc(raw))
        assert c.text == "" and "no text left" in c.removed


# -------------------------------------------------------------- HTML


def test_html_page_with_nav_sidebar_related_and_cookie_banner():
    doc = read(DATA / "pages" / "observatory-raid.html")
    c = clean(doc)
    assert c.title == "Security forces raid homes in Kafr Halab, detain four men"
    assert c.site_name == "North Syria Monitor"
    assert (c.published, c.published_from) == (date(2023, 4, 18), "page")  # beats file-mtime
    assert c.text.startswith("Local sources told the Monitor that a patrol of security forces stormed")
    assert c.text.endswith("men who had returned from neighbouring countries.")
    assert c.text.count("\n\n") == 3
    for gone in ("Manbij", "Most read", "Home", "Facebook", "Advertisement", "Subscribe", "©"):
        assert gone not in c.text
    assert_no_boilerplate(c.text)


def test_page_date_does_not_override_an_explicit_date():
    raw = (DATA / "pages" / "observatory-raid.html").read_text()
    flagged = clean(html_doc(raw, published=date(2024, 1, 1), published_from="flag"))
    assert (flagged.published, flagged.published_from) == (date(2024, 1, 1), "flag")
    given = clean(html_doc(raw, published=date(2024, 1, 2), published_from="input"))
    assert given.published_from == "input"
    none = clean(html_doc(raw))
    assert (none.published, none.published_from) == (date(2023, 4, 18), "page")


def test_flat_markup_related_and_cookie_text_are_removed():
    c = clean(read(DATA / "pages" / "flat-related.html"))
    assert (c.title, c.site_name) == ("Aerial bombardment hits bakery in Maarat Misrin", "Idlib Daily News")
    assert c.text.startswith("Warplanes struck a bakery")
    assert c.text.endswith("according to the local council.")
    assert "Ariha" not in c.text
    assert_no_boilerplate(c.text)


def test_malformed_html_with_bom_bogus_charset_and_unclosed_title():
    doc = read(DATA / "pages" / "malformed.html")
    assert not doc.raw.startswith("\ufeff")
    c = clean(doc)
    assert (c.title, c.site_name) == ("Car bomb in Afrin market", "Frontline Observatory")
    assert c.text.startswith("A car bomb exploded in the crowded vegetable market")
    assert "damaged dozens of parked cars. Ambulances" in c.text
    assert c.text.endswith("the third car bomb in the city this year.")
    assert_no_boilerplate(c.text)


@pytest.mark.parametrize("raw", [
    "", "<", "<<<>>>", "<html>", "<html><body></body></html>", "</p></div></body>",
    "<html><body><p>unclosed <b>bold <div><p>Text of a report here", "\x00\x01<p>nul bytes</p>",
    '<?xml version="1.0" encoding="utf-8"?><html><body><p>Declared.</p></body></html>',
    "http://example.com/not-fetched", "<div>" * 5000 + "deep" + "</div>" * 10,
    "<html><head><title>" + "t" * 5000, "<script>" + "x" * 1000, "<!-- never closed",
    '<html><body><p>Shells hit <a href="x">Nawa</a>.</p>\ufffe\uffff</body></html>',
])
def test_malformed_html_never_raises(raw):
    c = clean(html_doc(raw))
    assert isinstance(c, CleanDocument)
    assert unicodedata.is_normalized("NFC", c.text)
    if not c.text:
        assert c.removed


def test_extract_html_never_goes_online(monkeypatch):
    import socket

    def refuse(*_a, **_k):
        raise AssertionError("network access")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    r = extract_html("https://example.org/page.html", url="https://example.org/page.html")
    assert r.published is None
    r = extract_html("<html><body><p>Shells hit Nawa on Friday, wounding three people.</p></body></html>",
                     url="https://example.org/2023/05/06/shelling")
    assert "Shells hit Nawa" in r.text


def test_strip_heavy_keeps_json_ld_and_handles_unclosed():
    page = ('<html><head><script>var a="<p>no</p>";</script><script type="application/ld+json">'
            '{"datePublished": "2023-02-03"}</script><style>p{}</style></head>'
            '<body><!-- c --><p>yes</p><script>unclosed')
    out = strip_heavy(page)
    assert "no</p>" not in out and "p{}" not in out and "<!--" not in out and "unclosed" not in out
    assert "ld+json" in out and "<p>yes</p>" in out


# -------------------------------------------------------------- the seed sample


@pytest.mark.skipif(not (SHARED_SAMPLES / "sohr-hts-security-campaign.txt").is_file(),
                    reason="../shared/samples is absent")
def test_shared_sample_is_cleaned_as_expected():
    c = clean(read(SHARED_SAMPLES / "sohr-hts-security-campaign.txt"))
    expected = json.loads((SHARED_SAMPLES / "sohr-hts-security-campaign.expected.json").read_text())
    assert c.title == expected["title"]
    assert c.site_name == expected["site_name"]
    assert c.text.startswith("Reliable sources have told SOHR that HTS amassed troops in Harem town")
    assert c.text.endswith("regime forces and allies.")
    assert c.text.count("\n\n") == 4
    for event in expected["events"]:
        for words in event["evidence"]:
            assert words in c.text
    assert_no_boilerplate(c.text)


# -------------------------------------------------------------- patterns are data


def test_user_patterns_extend_the_shipped_ones(tmp_path):
    (tmp_path / "boilerplate.yaml").write_text(
        "lines:\n  donation prompt:\n    max_words: 20\n    patterns:\n      - '^support our work\\b'\n")
    rules = load_boilerplate((tmp_path,))
    raw = "Clashes erupted in Tafas on Monday, residents said.\n\nSupport our work: donate today"
    r = clean_text(raw, rules=rules, detect_header=False)
    assert r.text == "Clashes erupted in Tafas on Monday, residents said."
    assert "donation prompt" in r.removed
    assert "Support our work" in clean_text(raw, detect_header=False).text  # shipped rules alone


def test_slow_user_patterns_are_refused(tmp_path):
    (tmp_path / "boilerplate.yaml").write_text("lines:\n  bad:\n    patterns:\n      - '(\\w+\\s?)+$'\n")
    with pytest.raises(KnowledgeError, match="repeats a repeat"):
        load_boilerplate((tmp_path,))
    (tmp_path / "boilerplate.yaml").write_text("lines: [not, a, mapping]\n")
    with pytest.raises(KnowledgeError):
        load_boilerplate((tmp_path,))


def test_patterns_are_compiled_once():
    assert boilerplate() is boilerplate()


# -------------------------------------------------------------- speed guards


def test_big_inputs_are_cut_and_stay_fast():
    # Not a benchmark: a guard against quadratic behaviour (limits are generous).
    page = "<html><body>" + "<div><p>Filler paragraph text that says nothing at all.</p></div>" * 80_000
    started = time.perf_counter()
    c = clean(html_doc(page))
    assert time.perf_counter() - started < 5
    assert f"cut at {MAX_HTML_CHARS} characters" in c.removed
    text = ("A short line of text.\n\nRelated posts\n\n" + "Some prose sentence here. " * 10 + "\n\n") * 30_000
    started = time.perf_counter()
    c = clean(text_doc(text))
    assert time.perf_counter() - started < 5
    assert f"cut at {MAX_TEXT_CHARS} characters" in c.removed


# -------------------------------------------------------------- properties

MARKER_LINES = ("You might also like", "Advertisement", "Related articles", "Share this article",
                "This website uses cookies to improve your experience. Accept Read More", "Follow us on Twitter")
line_text = st.one_of(
    st.text(max_size=80),
    st.sampled_from(MARKER_LINES),
    st.sampled_from(["Clashes erupted in Tafas on Monday.", "Home | News | About | Contact", "© 2024 Site",
                     "Title | Site News", "| a | b |", "e\u0301", "\u200b", "\r\n", "\t"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(line_text, max_size=20))
def test_clean_text_never_raises_is_nfc_and_drops_marker_lines(lines):
    c = clean(text_doc("\n".join(lines)))
    assert unicodedata.is_normalized("NFC", c.text)
    assert c.text == c.text.strip()
    assert "\n\n\n" not in c.text
    for para in c.text.split("\n\n"):
        assert para and para == " ".join(para.split()) or not c.text
        assert para not in MARKER_LINES


html_part = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["<p>", "</p>", "<div class='related'>", "</div>", "<b>", "<html>", "<body>", "<title>",
                     "<script>", "</script>", "<!--", "-->", "<meta charset='x'>", "&amp;", "&#0;", "<br/>",
                     "<p>You might also like</p>", "<p>Advertisement</p>", "\ufeff", "\x00"]),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(html_part, max_size=25))
def test_clean_html_never_raises_and_is_nfc(parts):
    c = clean(html_doc("".join(parts)))
    assert unicodedata.is_normalized("NFC", c.text)
    for para in c.text.split("\n\n"):
        assert para not in ("You might also like", "Advertisement")


def test_a_one_line_report_is_never_taken_for_a_page_header():
    from datetime import date

    from marsad.clean import clean
    from marsad.records import Document

    text = "On 25 February 2022, Fridays for Future activists protested in Budapest - V, demanding climate action."
    doc = Document(id="one-line", raw=text, published=date(2022, 3, 1), published_from="input")
    assert clean(doc).text.strip() == text
