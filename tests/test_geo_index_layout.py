"""The gazetteer index layout: an index of an older layout is upgraded in
place on first open (imported places kept, lookups unchanged), and a lookup
reads a common key's shortlist in the documented order."""

from __future__ import annotations

import sqlite3

import pytest

from marsad.errors import GazetteerError
from marsad.geo import Gazetteer
from marsad.geo.index import SCHEMA_VERSION, PlaceRow

from geo_support import index_of

# Invented places: several share the key "tal" (so the shortlist order and
# its tie-breaks matter), two share population and priority.
PLACES = [
    PlaceRow("t1", "Tal", "SY", 36.0, 37.0, population=500),
    PlaceRow("t2", "Tal", "SY", 35.0, 36.0, population=500),
    PlaceRow("t3", "Tall", "IQ", 34.0, 43.0, population=9000),
    PlaceRow("t4", "Tel", "LB", 33.5, 35.5),
    PlaceRow("t5", "Tal Abyad", "SY", 36.7, 38.9, alternate_names=("Tell Abyad", "Tall Abyad"), population=40000),
    PlaceRow("t6", "Tala", "TN", 35.6, 8.7, population=12000),
]
QUERIES = [("Tal", None), ("Tal", "SY"), ("Tell Abyad", None), ("Tala", "TN"), ("Tul", "SY"), ("Tabqa", "SY")]


def _index(tmp_path):
    return index_of(tmp_path / "index.sqlite", PLACES)


def _answers(path):
    with Gazetteer.open(path) as gaz:
        return [gaz.lookup(name, cc) for name, cc in QUERIES]


def _downgrade(path) -> None:
    """Turn the index into layout 1: no folded names, no ranks on keys."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DROP INDEX keys_rank")
        conn.execute("DROP INDEX IF EXISTS places_country")
        conn.execute("ALTER TABLE places DROP COLUMN name_key")
        conn.execute("ALTER TABLE keys DROP COLUMN priority")
        conn.execute("ALTER TABLE keys DROP COLUMN population")
        conn.execute("CREATE INDEX keys_lookup ON keys(key, tier, cc, place)")
        conn.execute("UPDATE meta SET value='1' WHERE key='schema'")
    conn.close()


def _layout(path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()[0]
    finally:
        conn.close()


def test_old_layout_is_upgraded_on_open_with_the_same_answers(tmp_path):
    path = _index(tmp_path)
    before = _answers(path)
    assert before[0][0].tier == "exact" and before[4] and not before[-1]  # "Tabqa" is no place here
    _downgrade(path)
    assert _layout(path) == "1"
    assert _answers(path) == before
    assert _layout(path) == SCHEMA_VERSION


def _indexes(path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    finally:
        conn.close()


def test_an_index_without_the_places_country_index_gets_it_and_keeps_its_table(tmp_path):
    path = _index(tmp_path)
    before = _answers(path)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DROP INDEX places_country")
    blobs = conn.execute("SELECT name, data FROM lookup_blobs ORDER BY name").fetchall()
    conn.close()
    assert "places_country" not in _indexes(path)
    assert _answers(path) == before
    assert "places_country" in _indexes(path)
    conn = sqlite3.connect(path)
    try:  # the compiled lookup table is the same bytes: only the index was added
        assert conn.execute("SELECT name, data FROM lookup_blobs ORDER BY name").fetchall() == blobs
    finally:
        conn.close()


def test_shortlist_order_priority_population_then_country_and_place(tmp_path):
    path = _index(tmp_path)
    with Gazetteer.open(path) as gaz:
        # "Tal" and "Tall" fold to "tal": more people first, then (equal
        # priority and population) the earlier place
        assert [r[0] for r in gaz._rows("tal", 0, None, 10)] == ["t3", "t1", "t2"]
        assert [r[0] for r in gaz._rows("tal", 0, None, 2)] == ["t3", "t1"]
        exact, skeleton = gaz._both_tiers("tal", "tl", "SY", 10)
        assert exact == gaz._rows("tal", 0, "SY", 10) and skeleton == gaz._rows("tl", 1, "SY", 10)


def test_old_layout_that_cannot_be_written_is_one_clear_error(tmp_path, monkeypatch):
    """A read-only old index (a shared mount): SQLite refuses the upgrade's
    writes; simulated, since root may write read-only files."""
    import marsad.geo.index as index

    path = _index(tmp_path)
    _downgrade(path)

    def refuse(conn):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(index, "_upgrade", refuse)
    with pytest.raises(GazetteerError, match="older marsad.*readonly.*marsad gazetteer build"):
        Gazetteer.open(path)
    assert _layout(path) == "1"


@pytest.mark.parametrize("limit", [1, 2, 10])
def test_country_lookup_after_a_worldwide_one_gives_the_same_candidates(tmp_path, limit):
    """The second lookup filters the first one's rows when it read them all
    (limit 2 and 10), and asks SQLite again when it did not (limit 1: "tal"
    has more places than the shortlist of 3)."""
    path = _index(tmp_path)
    with Gazetteer.open(path) as warmed, Gazetteer.open(path) as fresh:
        for name in ("Tal", "Tell Abyad", "Tala", "Tul"):
            warmed.lookup(name, limit=limit)
            for cc in ("SY", "IQ", "TN", "LB", "FR"):
                assert warmed.lookup(name, cc, limit=limit) == fresh.lookup(name, cc, limit=limit), (name, cc)
        assert warmed._complete if limit > 1 else ("tal", "tl") not in warmed._complete
