"""HTML pages -> main text, title, site name and publication date.

trafilatura does the main work (boilerplate removal on real page structure,
metadata). What it leaves on flat markup ("You might also like", cookie
text in a bare ``<p>``) is removed by the plain-text cleaner, which runs on
its output too. When trafilatura finds nothing, a simple lxml extraction of
the ``<p>`` elements (or of the body's text) goes to the plain-text cleaner.

Nothing here goes online: htmldate is only ever given a parsed tree (given
a URL string as its first argument it would download the page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import lxml.html
from lxml import etree

from marsad.clean.text import MAX_TITLE_CHARS, TextResult, clean_text, normalise, split_title_site

# Scripts, styles, SVG and comments are cut out first (a linear scan): they
# make most of the size of a saved page and carry no article text. What is
# left is cut at MAX_HTML_CHARS: trafilatura needs about 0.2 s per 100 kB of
# dense markup (measured on 2 cores), and an article's markup without
# scripts is rarely over 100 kB, so 250 kB keeps any page under about half
# a second while leaving room for long reports.
MAX_HTML_CHARS = 250_000
# (open tag, close tag) of elements removed before parsing.
_HEAVY_ELEMENTS = (("<script", "</script"), ("<style", "</style"), ("<svg", "</svg"),
                   ("<!--", "-->"), ("<noscript", "</noscript"), ("<template", "</template"))

# The lxml fallback keeps <p> text when there is at least this much of it;
# below, the page's text is not in paragraphs and the whole body is taken.
MIN_FALLBACK_P_CHARS = 200

# lxml refuses these in a str: NUL and other C0 controls (tab, CR, LF stay).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# lxml refuses a str that declares an encoding: the text is decoded already.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]{0,200}\?>", re.IGNORECASE)

_TAG = re.compile(r"<\s{0,5}/?\s{0,5}([a-zA-Z][a-zA-Z0-9]{0,20})?[^<>]{0,2000}>")
_DROP_TAGS = (
    "script", "style", "noscript", "template", "svg", "nav", "header", "footer",
    "aside", "form", "iframe", "button", "select", "head", "object", "embed",
)
_DROP_CLASS = re.compile(
    r"cookie|consent|share|social|subscribe|newsletter|related|sidebar|comment|"
    r"breadcrumb|menu|navbar|advert|\bads?\b|promo|footer|header|popup|modal",
    re.IGNORECASE,
)
_BLOCK_TAGS = frozenset(
    "p div section article main li ul ol h1 h2 h3 h4 h5 h6 blockquote pre table tr td th "
    "br hr dd dt dl figure figcaption address center".split()
)


@dataclass(frozen=True, slots=True)
class HtmlResult:
    text: str
    title: str = ""
    site_name: str = ""
    published: date | None = None
    url: str = ""
    removed: tuple[str, ...] = ()


def _sanitise(raw: str) -> str:
    return _XML_DECLARATION.sub("", _XML_INVALID.sub("", raw), count=1)


def strip_heavy(raw: str) -> str:
    """Remove script/style/svg/noscript/template elements and comments.

    One left-to-right scan with ``str.find`` (linear, whatever the nesting
    or unclosed tags: an unclosed one removes the rest of the page). JSON-LD
    scripts stay: they carry the publication date.
    """
    lower = raw.lower()
    if not any(open_ in lower for open_, _close in _HEAVY_ELEMENTS):
        return raw
    out: list[str] = []
    pos = 0
    # next position of each opener, refreshed only when passed
    nexts = {o: lower.find(o) for o, _c in _HEAVY_ELEMENTS}
    closers = dict(_HEAVY_ELEMENTS)
    while True:
        live = [(at, o) for o, at in nexts.items() if at >= 0]
        if not live:
            break
        at, opener = min(live)
        head_end = lower.find(">", at)
        if opener == "<script" and head_end >= 0 and "ld+json" in lower[at:head_end]:
            # JSON-LD metadata (publication date, title) stays for trafilatura.
            nexts[opener] = lower.find(opener, head_end)
            continue
        out.append(raw[pos:at])
        end = lower.find(closers[opener], at + len(opener))
        if end < 0:
            pos = len(raw)
            break
        close_end = lower.find(">", end)
        pos = len(raw) if close_end < 0 else close_end + 1
        for o in nexts:
            if 0 <= nexts[o] < pos:
                nexts[o] = lower.find(o, pos)
    out.append(raw[pos:])
    return " ".join(out)


def _parse(raw: str) -> lxml.html.HtmlElement | None:
    """A tree for any markup, or None when lxml finds no document at all."""
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, recover=True)
    try:
        return lxml.html.document_fromstring(raw, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


def _to_date(value: object) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        found = date.fromisoformat(value[:10])
    except ValueError:
        return None
    # A page date in the future is a parse error, not a publication date.
    return found if found <= datetime.now().date() else None


def _htmldate(tree: lxml.html.HtmlElement | None) -> date | None:
    if tree is None:
        return None
    import htmldate  # noqa: PLC0415 - only needed when trafilatura missed the date

    try:
        # A tree, never a URL or string, as first argument: no download.
        found = htmldate.find_date(tree, extensive_search=True, original_date=True)
    except (ValueError, TypeError, AttributeError, etree.LxmlError):
        return None
    return _to_date(found)


def _trafilatura(raw: str, url: str):
    import trafilatura  # noqa: PLC0415 - heavy import, only for HTML

    try:
        return trafilatura.bare_extraction(
            raw,
            url=url or None,
            with_metadata=True,
            include_comments=False,
            include_tables=True,  # rows without prose are dropped by the text cleaner
            include_images=False,
            include_links=False,
            favor_precision=True,
            deduplicate=False,
        )
    # trafilatura is a third-party parser fed untrusted markup: whatever it
    # raises means "no extraction here", and the lxml fallback takes over.
    except Exception:  # noqa: BLE001
        return None


def _metadata(raw: str, url: str):
    import trafilatura.metadata  # noqa: PLC0415

    try:
        return trafilatura.metadata.extract_metadata(raw, default_url=url or None)
    except Exception:  # noqa: BLE001 - third-party parser on untrusted markup, as above
        return None


def _strip_tags(raw: str) -> str:
    """Markup to text without a parser: block tags end lines, others vanish."""
    return _TAG.sub(lambda m: "\n" if (m.group(1) or "").lower() in _BLOCK_TAGS else "", raw)


def _fallback_text(tree: lxml.html.HtmlElement | None, raw: str) -> str:
    """Text of the page's <p> elements, else of its body, else tags stripped."""
    if tree is None:
        return _strip_tags(raw)
    for el in list(tree.iter(*_DROP_TAGS)):
        if el.getparent() is not None:
            el.drop_tree()
    for el in list(tree.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        marks = f"{el.get('class', '')} {el.get('id', '')}"
        if marks.strip() and _DROP_CLASS.search(marks) and el.tag not in ("body", "html"):
            el.drop_tree()
    paragraphs = [" ".join(p.text_content().split()) for p in tree.iter("p")]
    paragraphs = [p for p in paragraphs if p]
    if sum(len(p) for p in paragraphs) >= MIN_FALLBACK_P_CHARS:
        return "\n\n".join(paragraphs)
    for el in tree.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCK_TAGS:
            el.tail = "\n\n" + (el.tail or "")
    body = tree.find("body")
    text = (body if body is not None else tree).text_content()
    # A tree without text (an unclosed <title> swallows the page): strip tags.
    return text if text.strip() else _strip_tags(raw)


def _title_site(title: str, site: str) -> tuple[str, str]:
    """Split "Title | Site" titles; drop a site suffix that repeats ``site``."""
    title = " ".join(normalise(title or "").split())
    if len(title) > MAX_TITLE_CHARS * 2 or "<" in title:  # markup swallowed by an unclosed <title>
        title = ""
    site = " ".join(normalise(site or "").split())
    if len(site) > MAX_TITLE_CHARS or "<" in site:
        site = ""
    split_title, split_site = split_title_site(title)
    if split_site and (not site or split_site.casefold() == site.casefold()):
        return split_title, site or split_site
    return title, site


def extract_html(raw: str, url: str = "") -> HtmlResult:
    """Main text and metadata of an HTML page; never raises on any markup."""
    removed: list[str] = []
    raw = strip_heavy(raw)
    if len(raw) > MAX_HTML_CHARS:
        raw = raw[:MAX_HTML_CHARS]
        removed.append(f"cut at {MAX_HTML_CHARS} characters")
    raw = _sanitise(raw)
    extracted = _trafilatura(raw, url) if raw.strip() else None
    body = (getattr(extracted, "text", None) or "") if extracted is not None else ""
    if body.strip():
        meta = extracted
        removed.append("page layout (trafilatura)")
        # trafilatura gives one line per paragraph / heading / list item.
        body = "\n\n".join(body.split("\n"))
        detect_header = not getattr(meta, "title", "")
    else:
        meta = _metadata(raw, url) if raw.strip() else None
        tree = _parse(raw) if raw.strip() else None
        body = _fallback_text(tree, raw)
        removed.append("page layout (lxml fallback)")
        detect_header = True
    title, site = _title_site(getattr(meta, "title", "") or "", getattr(meta, "sitename", "") or "")
    published = _to_date(getattr(meta, "date", None))
    if published is None and raw.strip():
        published = _htmldate(_parse(raw))
    page_url = getattr(meta, "url", None) or url or ""
    cleaned: TextResult = clean_text(body, title=title, detect_header=detect_header)
    return HtmlResult(
        text=cleaned.text,
        title=cleaned.title or title,
        site_name=site or cleaned.site_name,
        published=published,
        url=page_url if isinstance(page_url, str) else "",
        removed=tuple(dict.fromkeys(removed + list(cleaned.removed))),
    )
