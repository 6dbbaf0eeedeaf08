"""Small gazetteers written for the geo tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from marsad.geo import Gazetteer
from marsad.geo.importers import import_files
from marsad.geo.index import PlaceRow, create_empty, default_path, write_source
from marsad.records import PlaceMention, Span


def index_of(path: Path, places: list[PlaceRow]) -> Path:
    """A new index at ``path`` holding only ``places`` (one test source)."""
    create_empty(path)
    conn = sqlite3.connect(path)
    write_source(conn, "test.csv", "csv", "test.csv", 1, places)
    conn.close()
    return path


def imported_gazetteer(tmp_path: Path, monkeypatch, csv_text: str) -> Gazetteer:
    """The gazetteer of a new MARSAD_HOME holding only the places of a CSV import."""
    monkeypatch.setenv("MARSAD_HOME", str(tmp_path))
    create_empty(default_path())
    path = tmp_path / "places.csv"
    path.write_text(csv_text, encoding="utf-8")
    import_files([path])
    return Gazetteer.open()


def place_mention(name: str, start: int = 0, cue: str = "", sentence: int = 0) -> PlaceMention:
    """A place mention of ``name`` written at ``start``, as the finder gives it."""
    return PlaceMention(span=Span(start, start + len(name), name), name=name, cue=cue, sentence=sentence)
