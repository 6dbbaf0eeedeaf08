"""Stage 1: a raw Document -> CleanDocument (main text, boilerplate removed).

``clean`` is pure and never raises for bad content: on hopeless input the
CleanDocument has text "" and ``removed`` says why (the pipeline rejects
documents whose text is empty).

- ``kind == "html"``: :func:`marsad.clean.html.extract_html` (trafilatura,
  then the plain-text cleaner on its output; lxml fallback).
- anything else: :func:`marsad.clean.text.clean_text` (scraped-page header,
  boilerplate lines and "related" tails removed).

Dates: a date found in the page (``published_from="page"``) replaces a
missing date or the file-mtime / crawl-date fallback, never a date the input gave
explicitly (JSONL "published" or ``--published``).
Title: the input's title wins over the page's.
"""

from __future__ import annotations

from marsad.clean.html import HtmlResult, extract_html
from marsad.clean.text import TextResult, boilerplate, clean_text, load_boilerplate, split_title_site
from marsad.records import CleanDocument, Document

__all__ = [
    "clean", "clean_text", "extract_html", "split_title_site", "boilerplate", "load_boilerplate",
    "TextResult", "HtmlResult", "WEAK_DATE_SOURCES",
]

# Where a publication date came from when a date found in the page should
# replace it: nowhere, the file's modification time, or a web archive's
# crawl date (WARC-Date: the page was published on or before it).
WEAK_DATE_SOURCES = frozenset({"", "file-mtime", "crawl"})


def clean(doc: Document) -> CleanDocument:
    """Clean one document (pure; never raises on bad content)."""
    published, published_from = doc.published, doc.published_from if doc.published else ""
    if doc.kind == "html":
        result = extract_html(doc.raw or "", url=doc.url)
        if result.published is not None and (published is None or published_from in WEAK_DATE_SOURCES):
            published, published_from = result.published, "page"
        url = doc.url or result.url
    else:
        result = clean_text(doc.raw or "", title=doc.title)
        url = doc.url
    return CleanDocument(
        doc_id=doc.id,
        text=result.text,
        title=doc.title or result.title,
        site_name=result.site_name,
        published=published,
        published_from=published_from,
        url=url,
        source=doc.source,
        removed=result.removed,
    )
