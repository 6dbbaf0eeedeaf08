"""The compiled lookup table (marsad.geo.keytable) answers exactly as the SQL
path does, survives writes and upgrades, and indexes re-derive their
skeleton keys when the folding rules change."""

from __future__ import annotations

import math
import random
import shutil
import sqlite3

import pytest
from rapidfuzz import fuzz

from marsad.geo import Gazetteer, keytable, normalize
from marsad.geo import index as index_module
from marsad.geo.index import BAND_WIDTH, PlaceRow, compile_table, write_source

from geo_support import index_of

# Invented places: "tal" keys shared across countries, alternate names, a
# duplicate place id, an Arabic name, a name only a skeleton key reaches.
PLACES = [
    PlaceRow("t1", "Tal Zurba", "SY", 36.0, 37.0, population=500, admin1="Halab"),
    PlaceRow("t2", "Tal Zurba", "SY", 35.0, 36.0, population=500, admin1="Hamah"),
    PlaceRow("t3", "Tall Zurbah", "IQ", 34.0, 43.0, population=9000),
    PlaceRow("t4", "Tel Zorba", "LB", 33.5, 35.5, alternate_names=("Tell Zurba",)),
    PlaceRow("t5", "Kafr Elqasab", "SY", 36.7, 38.9, alternate_names=("كفر القصب",), population=40000),
    PlaceRow("t5", "Kafr Elqasab", "SY", 36.7, 38.9),
    PlaceRow("t6", "Zurbiya", "TN", 35.6, 8.7, population=12000, feature="admin1"),
]
# The last two are Arabic-script names (a tatweel, a fatha) whose exact key
# reads as a Latin one: their skeleton key is their exact key, not the
# skeleton a Latin name of that key has, so a stored answer is not theirs.
QUERIES = ["Tal Zurba", "Tell Zurba", "Tall Zurbah", "Kafr al-Qasab", "كفر القصب", "Zurbiya", "Zurbiyah",
           "Tal Zurbiya", "Nowhere", "Al", "", "tal zurba\u0640", "zurbiya\u064e"]


def _small_index(tmp_path):
    return index_of(tmp_path / "index.sqlite", PLACES)


def _answers(path):
    with Gazetteer.open(path) as gaz:
        return [(gaz.lookup(q, cc, limit=limit), gaz.is_place_name(q))
                for q in QUERIES for cc in (None, "SY", "TN") for limit in (1, 10)]


def _compiled(path) -> None:
    conn = sqlite3.connect(path)
    compile_table(conn)
    conn.close()


def _without_table(index, tmp_path):
    """A copy of ``index`` without its compiled table (read through SQL)."""
    sql_copy = tmp_path / "index.sqlite"
    shutil.copy(index, sql_copy)
    conn = sqlite3.connect(sql_copy)
    with conn:
        conn.execute("DELETE FROM lookup_blobs")
    conn.close()
    return sql_copy


def _has_table(path) -> bool:
    with Gazetteer.open(path) as gaz:
        return gaz._table is not None


def test_table_answers_as_sql_on_a_small_index(tmp_path):
    path = _small_index(tmp_path)
    assert not _has_table(path)  # a plain write leaves no table: SQL answers
    through_sql = _answers(path)
    assert through_sql[0][0] and through_sql[0][0][0].name == "Tal Zurba"
    _compiled(path)
    assert _has_table(path)
    assert _answers(path) == through_sql


def test_a_writer_drops_the_table(tmp_path):
    path = _small_index(tmp_path)
    _compiled(path)
    conn = sqlite3.connect(path)
    write_source(conn, "more.csv", "csv", "more.csv", 1, [PlaceRow("m1", "Tal Zurba", "JO", 32.0, 36.0)])
    conn.close()
    from marsad.geo.index import _connect

    _connect(path, readonly=False).close()  # how build and import open the index
    assert not _has_table(path)
    with Gazetteer.open(path) as gaz:
        assert "JO" in {c.country_code for c in gaz.lookup("Tal Zurba")}


def test_layout_2_is_upgraded_in_place(tmp_path):
    path = _small_index(tmp_path)
    expected = _answers(path)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DROP TABLE lookup_blobs")
        conn.execute("UPDATE meta SET value='2' WHERE key='schema'")
    conn.close()
    assert _has_table(path)  # the first open upgraded it
    assert _answers(path) == expected


def test_skeleton_keys_are_rederived_when_the_rules_change(tmp_path):
    path = _small_index(tmp_path)
    expected = _answers(path)
    conn = sqlite3.connect(path)
    with conn:  # as an index folded by older rules looks: other skeletons, another stamp
        conn.execute("UPDATE keys SET key = key || 'x' WHERE tier=1")
        conn.execute("UPDATE meta SET value='older' WHERE key='skeleton_rules'")
    conn.close()
    assert _answers(path) == expected
    conn = sqlite3.connect(path)
    stamp = conn.execute("SELECT value FROM meta WHERE key='skeleton_rules'").fetchone()[0]
    conn.close()
    assert stamp == normalize.skeleton_rules_id()


def test_table_answers_as_sql_on_the_bundled_index(bundled_gazetteer, tmp_path):
    sql_copy = _without_table(bundled_gazetteer, tmp_path)
    conn = sqlite3.connect(sql_copy)
    rng = random.Random(7)
    names = [r[0] for r in conn.execute("SELECT name FROM places ORDER BY id")]
    conn.close()
    queries = rng.sample(names, 1500) + ["".join(rng.choice("abcdehiklmnorstuz") for _ in range(6)).title()
                                         for _ in range(300)] + ["Tal", "Al", "Aleppo", "Deir ez-Zor", "Harem"]
    with Gazetteer.open(bundled_gazetteer) as fast, Gazetteer.open(sql_copy) as slow:
        assert fast._table is not None and slow._table is None
        for cc, limit in ((None, 10), ("SY", 25), ("FR", 10)):
            for q in queries:
                assert fast.lookup(q, cc, limit=limit) == slow.lookup(q, cc, limit=limit), (q, cc)
        assert [fast.is_place_name(q) for q in queries] == [slow.is_place_name(q) for q in queries]


@pytest.mark.parametrize("name", ["Tal Zurba", "Ma'arrat an-Nu'man", "Wadi Yarub", "Deir Ezzor", "Atmeh",
                                  "Kafr Nabl", "Tell Abyad", "Ras al-Ain"])
def test_skeleton_of_exact_agrees_with_keys(name):
    exact, skeleton = normalize.keys(name)
    assert normalize.skeleton_of_exact(exact) == skeleton


def test_a_table_of_another_version_is_compiled_again(tmp_path):
    path = _small_index(tmp_path)
    _compiled(path)
    expected = _answers(path)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE lookup_blobs SET data = x'30' WHERE name='version'")
    conn.close()
    assert _answers(path) == expected
    assert _has_table(path)


def test_table_answers_as_sql_over_many_keys_limits_and_countries(bundled_gazetteer, tmp_path):
    """The compiled path (precomputed contexts, one-country keys answered
    without a scan) gives the SQL path's candidates, scores and order for
    exact keys of every kind: alternate names, Arabic script, keys shared
    by many countries, one-country keys asked with another country."""
    sql_copy = _without_table(bundled_gazetteer, tmp_path)
    conn = sqlite3.connect(sql_copy)
    keys = [r[0] for r in conn.execute("SELECT DISTINCT key FROM keys WHERE tier=0 ORDER BY key")]
    shared = [r[0] for r in conn.execute(
        "SELECT key FROM keys WHERE tier=0 GROUP BY key HAVING count(DISTINCT cc) > 3 ORDER BY key")]
    conn.close()
    rng = random.Random(11)
    queries = rng.sample(keys, 2500) + rng.sample(shared, min(300, len(shared)))
    assert any(not q.isascii() for q in queries) and len(shared) > 100
    with Gazetteer.open(bundled_gazetteer) as fast, Gazetteer.open(sql_copy) as slow:
        for cc, limit in ((None, 1), (None, 25), ("SY", 1), ("IQ", 10), ("US", 25)):
            for q in queries:
                assert fast.lookup(q, cc, limit=limit) == slow.lookup(q, cc, limit=limit), (q, cc, limit)


def _misspelt(rng: random.Random, name: str) -> str:
    """``name`` with one letter dropped, doubled or changed, or an article
    prefixed: what reaches the skeleton and fuzzy tiers."""
    if len(name) < 3:
        return name + "a"
    i = rng.randrange(1, len(name))
    return rng.choice((name[:i] + name[i + 1:], name[:i] + name[i] + name[i:],
                       name[:i] + rng.choice("aeiouyhw") + name[i + 1:], "Al-" + name))


@pytest.mark.parametrize("home", ["bundled", "ocha"])
def test_table_answers_as_sql_for_names_misspelt_and_noise(home, request, tmp_path):
    """Over index names, their misspellings and random words, in any
    country and in one, the compiled table gives the SQL path's candidates:
    the same places, order, scores (all 4 decimals) and tiers. The OCHA
    index adds Arabic names and an import's priority to the scores."""
    index = (request.getfixturevalue("bundled_gazetteer") if home == "bundled"
             else request.getfixturevalue("ocha_home") / "gazetteer" / "index.sqlite")
    sql_copy = _without_table(index, tmp_path)
    conn = sqlite3.connect(sql_copy)
    names = [r[0] for r in conn.execute("SELECT name FROM places ORDER BY id")]
    conn.close()
    rng = random.Random(23)
    sample = rng.sample(names, 1200)
    queries = sample + [_misspelt(rng, n) for n in sample[:800]] + [
        "".join(rng.choice("abcdefghiklmnorstuyz") for _ in range(rng.randrange(3, 9))).title() for _ in range(300)]
    tiers = set()
    with Gazetteer.open(index) as fast, Gazetteer.open(sql_copy) as slow:
        assert fast._table is not None and slow._table is None
        for cc, limit in ((None, 10), ("SY", 25), (None, 25), ("SY", 3)):
            for q in queries:
                found = fast.lookup(q, cc, limit=limit)
                assert found == slow.lookup(q, cc, limit=limit), (q, cc, limit)
                tiers.update(c.tier for c in found)
    assert tiers == {"exact", "skeleton", "fuzzy"}


def _ranked_live(gaz: Gazetteer) -> Gazetteer:
    """``gaz`` ranking every lookup as it comes (its stored answers unused)."""
    gaz._table.ranked = None
    return gaz


@pytest.mark.parametrize("home", ["bundled", "ocha"])
def test_stored_answers_are_the_lookups_ranked_live(home, request):
    """Each exact key's answer stored in the table is the lookup ranked as
    it comes: for the limit it was ranked for, for a larger one where it
    holds every place of the key, and a smaller limit ranks live."""
    index = (request.getfixturevalue("bundled_gazetteer") if home == "bundled"
             else request.getfixturevalue("ocha_home") / "gazetteer" / "index.sqlite")
    rng = random.Random(5)
    with Gazetteer.open(index) as stored, _ranked_live(Gazetteer.open(index)) as live:
        table = stored._table
        keys = [k[1:] for k in table.trie.iterkeys("0")]
        queries = rng.sample(keys, 3000) + ["tal", "al", "halab", "san jose", "alexandria", "springfield"]
        used = {}
        for limit in (index_module.RANKED_LIMIT, index_module.RANKED_LIMIT + 1, 25, 3):
            used[limit] = sum(table.answer(q, limit) is not None for q in queries)
            for q in queries:
                assert stored.lookup(q, limit=limit) == live.lookup(q, limit=limit), (q, limit)
    assert used[index_module.RANKED_LIMIT] == len(queries)
    assert len(queries) / 2 < used[25] == used[index_module.RANKED_LIMIT + 1] < len(queries)
    assert used[3] == 0


def _stamp(path) -> bytes:
    conn = sqlite3.connect(path)
    found = conn.execute("SELECT data FROM lookup_blobs WHERE name='ranking'").fetchone()
    conn.close()
    return found[0]


def test_answers_ranked_by_other_rules_are_ranked_again(tmp_path, monkeypatch):
    """A table whose answers were ranked by other rules (another limit,
    shortlist or score bands) is compiled again when the index is opened;
    until then (a table loaded as it is) no stored answer is used."""
    path = _small_index(tmp_path)
    through_sql = _answers(path)
    other = index_module._RANKING._replace(limit=7, shortlist=21)
    monkeypatch.setattr(index_module, "_RANKING", other)
    _compiled(path)
    monkeypatch.undo()
    assert _stamp(path) == other.stamp()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    table = keytable.KeyTable.load(conn)
    conn.close()
    assert not table.use_ranking(index_module._RANKING) and table.answer("tal zurba", 10) is None
    with Gazetteer.open(path) as gaz:
        assert gaz._table.answer("tal zurba", 10) is not None
    assert _stamp(path) == index_module._RANKING.stamp()
    assert _answers(path) == through_sql


def test_skeleton_scores_are_rounded_as_round_does():
    """The skeleton tier rounds scores without round() where that cannot
    differ: the same float as the SQL path's formula for every population
    and priority, including values a hair from half-way at 4 decimals."""
    from marsad.geo.index import SKELETON_BASE, Gazetteer as G

    exact, name_key = "tal abyad", "tell abiad"
    rows, near_half = [], 0
    for pop in list(range(0, 30_000)) + [10 ** k for k in range(8)]:
        for priority in (0, 1, 2):
            sql_row = (None,) * 9 + (pop, priority, None, name_key)
            expected = G._row_score(sql_row, SKELETON_BASE, exact)
            pop_part = min(1.0, math.log10(1 + pop) / 7.0)
            raw = SKELETON_BASE + BAND_WIDTH * (fuzz.ratio(exact, name_key) / 200.0 + 0.3 * pop_part
                                                + 0.2 * min(1, priority / 2))
            near_half += abs(abs(raw * 10000 - round(raw * 10000)) - 0.5) < 1e-4
            rows.append(((len(rows), len(rows), 0, 0.3 * pop_part, priority), expected))
    best: dict = {}
    terms = tuple(0.2 * min(1, priority / 2) for priority in (0, 1, 2))
    G._score_skeleton_rows(best, exact, [row for row, _ in rows], [name_key] * len(rows), terms)
    assert [-best[key][0] for (_, key, *_), _ in rows] == [expected for _, expected in rows]
    assert near_half >= 3  # the half-way guard was exercised


def test_cards_and_key_records_agree_with_the_index(tmp_path):
    """Each place's card holds its SQL row's fields, and each exact key's
    record names the run of the skeleton key its Latin names fold to."""
    path = _small_index(tmp_path)
    _compiled(path)
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT place_id, name, lat, lon, population, cc, admin1, feature FROM places ORDER BY id")
    expected = [tuple(r) for r in rows]
    exact_keys = [k for (k,) in conn.execute("SELECT DISTINCT key FROM keys WHERE tier=0")]
    conn.close()
    with Gazetteer.open(path) as gaz:
        table = gaz._table
        for pos, (place_id, name, lat, lon, pop, cc, admin1, feature) in enumerate(expected):
            lat_, lon_, pop_, cc_, admin1_, _, _, feature_, _ = table.record(pos)
            assert table.card(table.card_starts[pos])[4:] == (place_id, name)
            assert (lat_, lon_, pop_, cc_, admin1_, feature_) == (lat, lon, pop or 0, cc, admin1 or "", feature)
        assert table.exact_lookup("no such place", None, 10) is None
        for key in exact_keys:
            entries, skeleton = table.exact_lookup(key, None, 10)
            assert list(entries) == list(table.entries(key, 0, None, 10))
            folded = normalize.skeleton_of_exact(key)
            if skeleton == keytable.NO_KEY:
                assert not table.entries(folded, 1, None, 10)
            else:
                assert list(table.key_entries(skeleton, None, 10)[0]) == list(table.entries(folded, 1, None, 10))


def test_stored_answer_codes_read_back_as_ranked(tmp_path):
    """Each exact key's codes read back (``answer_rows``) as the ranking the
    index computed when compiling: the same cards, scores to the last bit
    and tiers, best first; a key's answer holds both tiers where they mix."""
    path = _small_index(tmp_path)
    _compiled(path)
    tiers = set()
    with Gazetteer.open(path) as gaz:
        table = gaz._table
        for key in (k[1:] for k in table.trie.iterkeys("0")):
            stored = list(table.answer_rows(table.answer(key, index_module.RANKED_LIMIT)))
            assert stored == index_module._rank_for_table(table, key), key
            assert [c.score for c in gaz.lookup(key)] == [score for score, _, _ in stored]
            tiers.add(tuple(exact for _, _, exact in stored))
    assert (True, True, False, False) in tiers  # "tal zurba": two exact places, then two skeleton ones
