"""An index whose bundled places were built from other data than this
marsad's (an upgrade added Nepal's districts) renews that part on open,
once; imported places stay; a file that cannot be written is left as it is."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat

import pytest

from marsad.geo import index


def _stamp(path, value):
    conn = sqlite3.connect(path)
    with conn:
        if value is None:
            conn.execute("DELETE FROM meta WHERE key='bundled_data'")
        else:
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('bundled_data', ?)", (value,))
    conn.close()


def _stamp_of(path):
    conn = sqlite3.connect(path)
    try:
        found = conn.execute("SELECT value FROM meta WHERE key='bundled_data'").fetchone()
    finally:
        conn.close()
    return found[0] if found else None


@pytest.fixture
def copy_of_index(bundled_gazetteer, tmp_path):
    target = tmp_path / "index.sqlite"
    shutil.copyfile(bundled_gazetteer, target)
    return target


@pytest.fixture
def renewals(monkeypatch):
    calls = []

    def fake_build(path=None):  # the real one takes about a minute
        calls.append(path)
        _stamp(path, index.bundled_data_id())
        return path

    monkeypatch.setattr(index, "build_bundled", fake_build)
    return calls


def test_a_fresh_build_carries_todays_fingerprint(bundled_gazetteer):
    assert _stamp_of(bundled_gazetteer) == index.bundled_data_id()


@pytest.mark.parametrize("old", ["0123456789abcdef", None])
def test_an_index_of_older_bundled_data_is_renewed_once(copy_of_index, renewals, old):
    _stamp(copy_of_index, old)  # another marsad's data, or one from before the stamp
    index.Gazetteer.open(copy_of_index).close()
    assert renewals == [copy_of_index]
    index.Gazetteer.open(copy_of_index).close()
    assert renewals == [copy_of_index]


def test_an_up_to_date_index_is_not_touched(copy_of_index, renewals):
    index.Gazetteer.open(copy_of_index).close()
    assert renewals == []


def test_a_read_only_index_is_used_as_it_is(copy_of_index, renewals):
    if os.geteuid() == 0:
        pytest.skip("root can write any file")
    _stamp(copy_of_index, "0123456789abcdef")
    copy_of_index.chmod(stat.S_IRUSR)
    gazetteer = index.Gazetteer.open(copy_of_index)
    try:
        assert gazetteer.lookup("Aleppo")
    finally:
        gazetteer.close()
    assert renewals == []


def test_the_fingerprint_follows_the_bundled_data_files(tmp_path, monkeypatch):
    (tmp_path / "areas_xx.csv").write_text("name\nSomewhere\n", encoding="utf-8")
    index.bundled_data_id.cache_clear()
    monkeypatch.setattr(index, "GEO_DATA_DIR", tmp_path)
    try:
        first = index.bundled_data_id()
        index.bundled_data_id.cache_clear()
        (tmp_path / "areas_xx.csv").write_text("name\nSomewhere else\n", encoding="utf-8")
        assert index.bundled_data_id() != first
    finally:
        index.bundled_data_id.cache_clear()


def test_a_renewal_cut_short_keeps_the_old_stamp(copy_of_index, monkeypatch):
    # the stamp goes in after the places: an interrupted renewal is retried
    from marsad.geo import bundled

    _stamp(copy_of_index, "0123456789abcdef")

    def interrupted(*args, **kwargs):
        raise sqlite3.OperationalError("interrupted")

    monkeypatch.setattr(bundled, "places", lambda: [])
    monkeypatch.setattr(index, "write_source", interrupted)
    with pytest.raises(sqlite3.OperationalError):
        index.build_bundled(copy_of_index)
    assert _stamp_of(copy_of_index) == "0123456789abcdef"
