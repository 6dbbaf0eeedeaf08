"""marsad (مرصد, "observatory"): conflict and human-rights reports in,
a clean, geocoded, de-duplicated event dataset out.

    >>> import marsad
    >>> events = marsad.extract(text, published=datetime.date(2020, 5, 5))

Heavy modules load on first use so that importing marsad (and running
``marsad --help``) stays fast.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["extract", "Pipeline", "Event", "Document"]


def __getattr__(name: str):
    if name in ("extract", "Pipeline"):
        from marsad import pipeline

        return getattr(pipeline, name)
    if name in ("Event", "Document"):
        from marsad import records

        return getattr(records, name)
    raise AttributeError(f"module 'marsad' has no attribute {name!r}")
