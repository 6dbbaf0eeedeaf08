"""Running a short note written for a test through a pipeline."""

from __future__ import annotations

from datetime import date

from marsad.records import Document

# The publication date every test note carries (its own date wins when it tells one).
PUBLISHED = date(2022, 6, 30)


def events_of(pipeline, text: str):
    """The events ``pipeline`` codes from ``text``."""
    doc = Document(id="t", raw=text, published=PUBLISHED, published_from="input")
    return pipeline.process(doc).events
