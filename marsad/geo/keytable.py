"""The gazetteer's lookup table: every name key and every place in memory.

A lookup through SQLite costs a B-tree walk per key and a join per place
(~100 us a name). This table answers the same questions from memory in a
few microseconds: a marisa trie maps each key (``"0" + exact key`` or
``"1" + skeleton key``) to a run of rows (one per place under the key),
listed in the order the SQL index gives them (priority, population,
country, place), and the places' columns are kept as compact arrays and
records (repeated strings such as admin areas as codes).

The table is compiled from the index's own tables after every write (build,
import, upgrade) and stored in the index as blobs (``lookup_blobs``), so
opening it costs one read of ~90 MB (bundled index) and no folding or sorting. Any writer
connection drops the blobs first; an index without them is read through
SQL, with the same results.

A cold lookup is bound by memory latency, not arithmetic: it touches a few
dozen rows scattered over tens of megabytes, and every column read at a
random position is a cache miss. So what one step of a lookup reads sits
together: a key's rows carry their scoring columns in the run's own order
(``exact_rows``, ``skeleton_rows``, ``skeleton_keys``: one contiguous read
per key), and a place's candidate fields are one record (``cards``).

Most lookups name no country and take the default limit; their answer
depends on the key alone. So each exact key's answer is ranked once, at
compile time, by the index's own ranking (``Ranking``), and stored as a few
16-bit codes (``ranked``): such a lookup scores nothing and only turns its
codes into candidates.
"""

from __future__ import annotations

import math
import sqlite3
import struct
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import NamedTuple

import marisa_trie

# Bumped when the blobs' layout changes; blobs of another version are ignored
# (the index is then read through SQL until its next write or upgrade).
# 5: a run's scoring columns in run order, a place's candidate fields as one record;
# 6: each exact key's ranked answer (``Ranking``), countries of a run as 16 bits.
TABLE_VERSION = "6"
# A key's places of more than one country (``run_cc``; else the one country's code).
MIXED = 0xFFFF
_SEP = "\x00"  # joins a column's distinct values; never inside a stored value
CARD_SEP = _SEP  # between the place id and the name in a card

# Columns kept as codes into a list of distinct values (few distinct values).
_CODED = ("cc", "admin1", "admin2", "admin3", "feature", "source")
# Columns kept as one joined string with offsets (one value per place).
_TEXT = ("place_id", "name", "name_key")
# Kept as text columns in the index (the others are in the cards).
_KEPT_TEXT = ("name_key",)
# Per place, a card with all a candidate needs: latitude, longitude,
# population, its context and the length of its text, then the text (UTF-8
# place id, CARD_SEP, name). A context is one distinct combination of the
# _CODED columns (a few thousand in an index of 250,000 places), so a
# candidate takes its six strings as one tuple.
CARD = struct.Struct("<ddqII")
# Per key (trie id): its run of rows (start, end), for an exact key the trie
# id of the skeleton key a Latin-script name of that exact key has (or
# NO_KEY), the country code of all its places (or MIXED), and where its
# ranked answer is (or NO_RANKING, see RANK_*): one read, and most lookups
# need neither the skeleton folding nor a second trie walk.
KEY = struct.Struct("<IIIHI")
NO_KEY = 0xFFFFFFFF
# An exact key's ranked answer: the candidates a lookup of it in any country
# with ``Ranking.limit`` gives, best first, as 16-bit codes (see below) in
# ``ranked``. The key record holds ``offset << RANK_OFFSET_SHIFT |
# complete << RANK_COUNT_BITS | count``; "complete" says the answer holds
# every place of both keys' runs (each run within the shortlist, fewer
# candidates than the limit), so it is also the answer for any larger limit.
NO_RANKING = 0xFFFFFFFF
RANK_COUNT_BITS = 4
RANK_COMPLETE = 1 << RANK_COUNT_BITS
RANK_OFFSET_SHIFT = RANK_COUNT_BITS + 1
# A code: exact tier flag, the row's index in its key's run (within the
# shortlist), the score above its tier's base in units of 10**-4 (a band is
# 0.09 wide: 900 units).
RANK_INDEX_BITS = 5
RANK_BONUS_BITS = 10
RANK_EXACT = 1 << (RANK_INDEX_BITS + RANK_BONUS_BITS)
RANK_BONUS_MASK = (1 << RANK_BONUS_BITS) - 1
RANK_INDEX_MASK = (1 << RANK_INDEX_BITS) - 1
_COUNT_MASK = RANK_COMPLETE - 1
ROW_CARD = struct.Struct("<I")  # a run row's first field: its card
_WHERE = struct.Struct("<I")  # a key record's last field
# Per row of an exact key's run, in run order: the place's card (its offset
# in ``cards``, which also names the row), canonical position, tie-break
# rank and the row's score (the same for every query of that key) in units
# of 10**-4: a score is rounded to 4 decimals, so units / 10000 is the
# score's very float.
EXACT_ROW = struct.Struct("<IIIH")
SCORE_UNITS = 10000
# Per row of a skeleton key's run, in run order: card, canonical position,
# tie-break rank and the two static terms of the score: 0.3 x population
# part, and 0.2 x priority part as a code into ``priority_terms`` (a few
# distinct values, one per source priority). The products the score takes.
SKELETON_ROW = struct.Struct("<IIIdH")
# Per place, what scoring a row needs, one array each (an array item is read
# several times faster than a struct is unpacked): the static parts of the
# score (population, priority), the position of the first place with the
# same (source, place_id) (duplicates count once), and the place's rank by
# (population descending, place_id) (the tie-break of equal scores).
_SCORING = (("pop_part", "d"), ("prio_part", "d"), ("canon", "I"), ("tiebreak", "I"))


class Ranking(NamedTuple):
    """How the index ranks a lookup in any country, for the table to store
    each exact key's answer: ``rank(table, key)`` gives the (score, card,
    exact tier?) of the candidates of a lookup of ``key`` with ``limit``,
    best first, each row taken from the first ``shortlist`` rows of its
    key's run; scores are ``base + bonus`` with ``exact_units`` /
    ``skeleton_units`` the tiers' bases in units of 10**-4."""

    limit: int
    shortlist: int
    exact_units: int
    skeleton_units: int
    rank: Callable[["KeyTable", str], list[tuple[float, int, bool]]]

    def stamp(self) -> bytes:
        """What the stored answers depend on besides the places."""
        return f"{self.limit} {self.shortlist} {self.exact_units} {self.skeleton_units}".encode()


def _blob_rows(conn: sqlite3.Connection) -> Iterator[tuple]:
    yield from conn.execute(
        "SELECT id, place_id, name, cc, admin1, admin2, admin3, lat, lon, feature, population, priority,"
        " source, name_key FROM places ORDER BY id")


def build(conn: sqlite3.Connection, exact_score: Callable[[str, str, float, float], float],
          skeleton_of: Callable[[str], str], ranking: Ranking | None = None) -> bool:
    """Compile the table from ``conn``'s places and keys and store it (inside
    the caller's transaction). ``exact_score(key, name_key, pop_part,
    prio_part)`` is the lookup score of a place found under its exact key
    (the same for every query of that key, so computed here once);
    ``skeleton_of(exact key)`` the skeleton key that goes with it;
    ``ranking`` how to rank each exact key's answer (stored, see
    ``Ranking``; without it every lookup is ranked as it comes). Returns
    False, storing nothing, when a value cannot be represented (a NUL or a
    missing required field): such an index is read through SQL."""
    conn.execute("DELETE FROM lookup_blobs")
    ids = array("q")
    text: dict[str, list[str]] = {c: [] for c in _TEXT}
    coded: dict[str, dict[str, int]] = {c: {} for c in _CODED}
    records, scoring, cc_codes = [], [], array("I")
    contexts: dict[tuple[int, ...], int] = {}
    first: dict[tuple[str, str], int] = {}
    for pos, (pid, place_id, name, cc, a1, a2, a3, la, lo, feature, pop, priority, source, name_key) in \
            enumerate(_blob_rows(conn)):
        values = {"place_id": place_id, "name": name, "name_key": name_key, "cc": cc, "admin1": a1 or "",
                  "admin2": a2 or "", "admin3": a3 or "", "feature": feature, "source": source}
        if any(not isinstance(v, str) or _SEP in v for v in values.values()) \
                or not isinstance(la, float | int) or not isinstance(lo, float | int) \
                or not isinstance(priority, int):
            return False
        ids.append(pid)
        for col in _TEXT:
            text[col].append(values[col])
        codes = [coded[col].setdefault(values[col], len(coded[col])) for col in _CODED]
        records.append((la, lo, int(pop or 0), contexts.setdefault(tuple(codes), len(contexts))))
        cc_codes.append(codes[_CODED.index("cc")])
        # the two static parts of Gazetteer._row_score, computed as it does
        scoring.append([min(1.0, math.log10(1 + (pop or 0)) / 7.0), min(1, priority / 2),
                        first.setdefault((source, place_id), pos), -int(pop or 0)])
    tiebreak = _ranks([(neg_pop, pid) for (_, _, _, neg_pop), pid in zip(scoring, text["place_id"])])
    columns = {name: array(code) for name, code in _SCORING}
    for (pop_part, prio_part, canon, _), rank in zip(scoring, tiebreak):
        for (name, _), value in zip(_SCORING, (pop_part, prio_part, canon, rank)):
            columns[name].append(value)

    runs: dict[str, array] = {}
    last = None
    for tier, key, place in conn.execute(
            "SELECT tier, key, place FROM keys ORDER BY tier, key, priority DESC, population DESC, cc, place"):
        pos = bisect_left(ids, place)
        if pos == len(ids) or ids[pos] != place:
            continue  # a key of a deleted place: SQL's join drops it too
        if (tier, key) != last:
            last = (tier, key)
            run = runs[f"{tier}{key}"] = array("I")
        run.append(pos)
    trie = marisa_trie.Trie(list(runs))
    if len(coded["cc"]) >= MIXED:
        return False  # more country codes than a key record holds
    key_runs = bytearray(KEY.size * len(runs))  # every key's record is packed below
    priority_terms: dict[float, int] = {}
    # per row index: the run's row indexes ordered by country (stably), and
    # their country codes, so one country's places are a bisected slice
    by_cc, by_cc_code = array("I"), array("H")
    # every run's rows in run order, the runs one after another: exact keys'
    # rows first, then skeleton keys' (a row index less the number of exact
    # rows is its place in skeleton_rows)
    exact_rows, skeleton_rows, skeleton_keys = bytearray(), bytearray(), []
    cards, card_starts = bytearray(), array("I")
    for record, place_id, name in zip(records, text["place_id"], text["name"]):
        card_starts.append(len(cards))
        card_text = f"{place_id}{_SEP}{name}".encode("utf-8")
        cards += CARD.pack(*record, len(card_text))
        cards += card_text
    canons, ranks = columns["canon"], columns["tiebreak"]
    total = 0
    for tiered, run in runs.items():  # tier 0 first (the keys query's order)
        kid, start = trie[tiered], total
        total += len(run)
        countries = {cc_codes[pos] for pos in run}
        skeleton = skeleton_of(tiered[1:]) if tiered[0] == "0" else ""
        KEY.pack_into(key_runs, kid * KEY.size, start, total, trie.get(f"1{skeleton}", NO_KEY) if skeleton else NO_KEY,
                      countries.pop() if len(countries) == 1 else MIXED, NO_RANKING)
        order = sorted(range(len(run)), key=lambda n: cc_codes[run[n]])
        by_cc.extend(start + n for n in order)
        by_cc_code.extend(cc_codes[run[n]] for n in order)
        for pos in run:
            pop_part, prio_part = scoring[pos][0], scoring[pos][1]
            if tiered[0] == "0":
                score = exact_score(tiered[1:], text["name_key"][pos], pop_part, prio_part)
                units = round(score * SCORE_UNITS)
                if units / SCORE_UNITS != score:
                    return False  # not a score rounded to 4 decimals: SQL answers
                exact_rows += EXACT_ROW.pack(card_starts[pos], canons[pos], ranks[pos], units)
            else:
                skeleton_rows += SKELETON_ROW.pack(card_starts[pos], canons[pos], ranks[pos], 0.3 * pop_part,
                                                   priority_terms.setdefault(0.2 * prio_part, len(priority_terms)))
                skeleton_keys.append(text["name_key"][pos])
    blobs = {"version": TABLE_VERSION.encode(), "trie": trie.tobytes(),
             "keys": key_runs,
             "by_cc": by_cc.tobytes(), "by_cc_code": by_cc_code.tobytes(),
             "exact_rows": bytes(exact_rows), "skeleton_rows": bytes(skeleton_rows),
             "priority_terms": array("d", list(priority_terms)).tobytes(),
             "ids": ids.tobytes(), "cards": bytes(cards), "card_starts": card_starts.tobytes(),
             "contexts": array("I", [code for codes in contexts for code in codes]).tobytes(),
             **{f"scoring:{name}": column.tobytes() for name, column in columns.items()}}
    # each skeleton row's folded name, in row order, each ended by _SEP: a
    # run's names are one slice
    key_ends, total = array("I", [0]), 0
    for key in skeleton_keys:
        total += len(key.encode("utf-8")) + 1
        key_ends.append(total)
    blobs["skeleton_keys"] = "".join(key + _SEP for key in skeleton_keys).encode("utf-8")
    blobs["skeleton_key_ends"] = key_ends.tobytes()
    for col in _KEPT_TEXT:
        offsets = array("I", [0])
        total = 0
        for value in text[col]:
            total += len(value)
            offsets.append(total)
        blobs[f"text:{col}"] = "".join(text[col]).encode("utf-8")
        blobs[f"ends:{col}"] = offsets.tobytes()
    for col in _CODED:
        blobs[f"values:{col}"] = _SEP.join(coded[col]).encode("utf-8")
    if ranking is not None:
        blobs["ranking"] = ranking.stamp()
        _store_rankings(blobs, [(trie[tiered], tiered[1:]) for tiered in runs if tiered[0] == "0"], ranking)
    conn.executemany("INSERT INTO lookup_blobs(name, data) VALUES (?, ?)", list(blobs.items()))
    return True


def _store_rankings(blobs: dict[str, bytes], exact_keys: list[tuple[int, str]], ranking: Ranking) -> None:
    """Rank each exact key's lookup once, over the table compiled so far,
    and store the answers: ``blobs["ranked"]`` (the codes) and each key
    record's last field (written into ``blobs["keys"]``, a bytearray). A
    key whose answer a code cannot hold keeps NO_RANKING (ranked as it
    comes); with answers of the limit, none is stored."""
    if ranking.limit >= 1 << RANK_COUNT_BITS or ranking.shortlist > RANK_INDEX_MASK + 1:
        return  # no answer fits
    table = KeyTable(blobs)
    records, codes = blobs["keys"], array("H")
    where_at = KEY.size - _WHERE.size  # the record's last field
    for kid, key in exact_keys:
        start, end, skeleton, _, _ = KEY.unpack_from(records, kid * KEY.size)
        skeleton_run = KEY.unpack_from(records, skeleton * KEY.size)[:2] if skeleton != NO_KEY else (0, 0)
        answer = _answer_codes(table, ranking, (start, end), skeleton_run, ranking.rank(table, key))
        if answer is None or len(codes) >= 1 << (32 - RANK_OFFSET_SHIFT):
            continue
        complete = (len(answer) < ranking.limit and end - start <= ranking.shortlist
                    and skeleton_run[1] - skeleton_run[0] <= ranking.shortlist)
        _WHERE.pack_into(records, kid * KEY.size + where_at,
                         len(codes) << RANK_OFFSET_SHIFT | (RANK_COMPLETE if complete else 0) | len(answer))
        codes.extend(answer)
    blobs["ranked"] = codes.tobytes()


def _answer_codes(table: "KeyTable", ranking: Ranking, run: tuple[int, int], skeleton_run: tuple[int, int],
                  answer: list[tuple[float, int, bool]]) -> list[int] | None:
    """``answer``'s candidates as codes, or None when one cannot be coded
    (a row beyond the shortlist, a score off its band or not rounded to 4
    decimals)."""
    rows: dict[tuple[bool, int], int] = {}
    for exact, (lo, hi), view, size in ((True, run, table.exact_rows, EXACT_ROW.size),
                                        (False, skeleton_run, table.skeleton_rows, SKELETON_ROW.size)):
        first = 0 if exact else table.exact_count
        for i in range(lo, min(hi, lo + ranking.shortlist)):
            rows[(exact, ROW_CARD.unpack_from(view, (i - first) * size)[0])] = i - lo
    out = []
    for score, card, exact in answer:
        index = rows.get((exact, card))
        units = round(score * SCORE_UNITS)
        bonus = units - (ranking.exact_units if exact else ranking.skeleton_units)
        if index is None or not 0 <= bonus <= RANK_BONUS_MASK or units / SCORE_UNITS != score:
            return None
        out.append((RANK_EXACT if exact else 0) | index << RANK_BONUS_BITS | bonus)
    return out


def stale(conn: sqlite3.Connection, ranking: Ranking | None = None) -> bool:
    """Does the index hold a table compiled by another version of this
    module, or with answers ranked by other rules than ``ranking``'s?"""
    try:
        found = dict(conn.execute("SELECT name, data FROM lookup_blobs WHERE name IN ('version', 'ranking')"))
    except sqlite3.OperationalError:
        return False  # an older layout: the layout upgrade compiles it
    if "version" not in found:
        return False  # no table: nothing compiled to be stale
    return found["version"] != TABLE_VERSION.encode() or (
        ranking is not None and found.get("ranking") != ranking.stamp())


def _ranks(values: list) -> array:
    """Each value's rank in sorted order (equal values, equal rank): sorting
    by rank is sorting by value."""
    ranks = array("I", [0]) * len(values)
    rank, previous = -1, None
    for i in sorted(range(len(values)), key=values.__getitem__):
        if values[i] != previous:
            rank, previous = rank + 1, values[i]
        ranks[i] = rank
    return ranks


def _view(typecode: str, data: bytes) -> memoryview:
    if len(data) % array(typecode).itemsize:
        raise ValueError(f"blob of {len(data)} bytes is no array of {typecode!r}")
    return memoryview(data).cast(typecode)


class KeyTable:
    """The compiled table, read-only. Positions index the per-place columns;
    indexes into a key's run (``entries``) index its rows."""

    __slots__ = ("trie", "key_runs", "by_cc", "by_cc_code", "exact_rows", "exact_view",
                 "exact_count", "skeleton_rows", "skeleton_view", "priority_terms", "skeleton_keys", "skeleton_key_ends", "ids",
                 "cards", "card_starts", "text", "text_ends", "values", "cc_code", "contexts", "pop_part",
                 "prio_part", "canon", "tiebreak", "ranked", "ranking_stamp", "rank_limit", "rank_units")

    def __init__(self, blobs: dict[str, bytes]):
        # numeric columns are views over the blobs read (no second copy)
        self.trie = marisa_trie.Trie().frombytes(blobs["trie"])
        self.key_runs = _rows(KEY, blobs["keys"])
        self.by_cc = _view("I", blobs["by_cc"])
        self.by_cc_code = _view("H", blobs["by_cc_code"])
        self.exact_rows = _rows(EXACT_ROW, blobs["exact_rows"])
        self.exact_view = memoryview(self.exact_rows)
        self.exact_count = len(self.exact_rows) // EXACT_ROW.size
        self.skeleton_rows = _rows(SKELETON_ROW, blobs["skeleton_rows"])
        self.skeleton_view = memoryview(self.skeleton_rows)
        self.priority_terms = tuple(_view("d", blobs["priority_terms"]))
        self.skeleton_keys = blobs["skeleton_keys"]
        self.skeleton_key_ends = _view("I", blobs["skeleton_key_ends"])
        self.ids = _view("q", blobs["ids"])
        self.cards = blobs["cards"]
        self.card_starts = _view("I", blobs["card_starts"])
        self.pop_part = _view("d", blobs["scoring:pop_part"])
        self.prio_part = _view("d", blobs["scoring:prio_part"])
        self.canon = _view("I", blobs["scoring:canon"])
        self.tiebreak = _view("I", blobs["scoring:tiebreak"])
        self.text = {col: blobs[f"text:{col}"].decode("utf-8") for col in _KEPT_TEXT}
        self.text_ends = {col: _view("I", blobs[f"ends:{col}"]) for col in _KEPT_TEXT}
        self.values = [blobs[f"values:{col}"].decode("utf-8").split(_SEP) for col in _CODED]
        self.cc_code = {cc: i for i, cc in enumerate(self.values[_CODED.index("cc")])}
        # each context's (cc, admin1, admin2, admin3, feature, source)
        codes = _view("I", blobs["contexts"])
        width = len(_CODED)
        self.contexts = [tuple(v[c] for v, c in zip(self.values, codes[i:i + width]))
                         for i in range(0, len(codes), width)]
        # the stored answers (see Ranking), until use_ranking() accepts them
        self.ranked = None
        self.ranking_stamp = blobs.get("ranking", b"")
        self.rank_limit, self.rank_units = 0, (0, 0)
        if "ranked" in blobs:
            self.ranked = _view("H", blobs["ranked"])

    def use_ranking(self, ranking: Ranking) -> bool:
        """Answer from the stored answers if they were ranked as ``ranking``
        ranks (else every lookup is ranked as it comes)."""
        if self.ranked is None or self.ranking_stamp != ranking.stamp():
            self.ranked = None
            return False
        self.rank_limit, self.rank_units = ranking.limit, (ranking.exact_units, ranking.skeleton_units)
        return True

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> "KeyTable | None":
        """The table stored in ``conn``'s index, or None (none, or of another version)."""
        mmap_size = conn.execute("PRAGMA mmap_size").fetchone()[0]
        try:
            # read through SQLite's small page cache, not the memory map: the
            # blobs' pages would otherwise stay resident beside their copy
            conn.execute("PRAGMA mmap_size = 0")
            blobs = dict(conn.execute("SELECT name, data FROM lookup_blobs"))
        except sqlite3.OperationalError:
            return None  # an index of an older layout
        finally:
            conn.execute(f"PRAGMA mmap_size = {int(mmap_size)}")  # an int read back, not input
        if blobs.get("version") != TABLE_VERSION.encode():
            return None
        try:
            return cls(blobs)
        except (KeyError, ValueError, UnicodeDecodeError, struct.error):
            return None  # a damaged table: SQL still answers

    def has(self, key: str, tier: int = 0) -> bool:
        return f"{tier}{key}" in self.trie

    def run(self, key: str, tier: int) -> tuple[int, int]:
        """(start, end) of a key's rows ((0, 0) for none)."""
        kid = self.trie.get(f"{tier}{key}")
        if kid is None:
            return 0, 0
        return KEY.unpack_from(self.key_runs, kid * KEY.size)[:2]

    def entries(self, key: str, tier: int, cc: str | None, limit: int) -> range | Sequence[int]:
        """Indexes of the rows of a key (of one country when ``cc``), in the
        SQL index's order, at most ``limit``: a range, or for one country of
        a key of several a list of indexes."""
        kid = self.trie.get(f"{tier}{key}")
        if kid is None:
            return []
        return self.key_entries(kid, cc, limit)[0]

    def exact_lookup(self, key: str, cc: str | None, limit: int) -> tuple[range | Sequence[int], int] | None:
        """None when ``key`` is no exact key, else ``entries(key, 0, cc,
        limit)`` and the trie id of the skeleton key of a Latin-script name
        with this exact key (NO_KEY: no place has that skeleton key)."""
        kid = self.trie.get(f"0{key}")
        return None if kid is None else self.key_entries(kid, cc, limit)

    def key_entries(self, kid: int, cc: str | None, limit: int) -> tuple[range | Sequence[int], int]:
        """``entries`` of the key with trie id ``kid``, and its skeleton key's trie id."""
        start, end, skeleton, only, _ = KEY.unpack_from(self.key_runs, kid * KEY.size)
        if not cc:
            return range(start, min(end, start + limit)), skeleton
        code = self.cc_code.get(cc)
        if code is None:
            return [], skeleton
        if only != MIXED:  # most keys name places of one country: all of them or none
            return (range(start, min(end, start + limit)) if only == code else []), skeleton
        # the key's places of that country: a slice of its run ordered by country
        lo = bisect_left(self.by_cc_code, code, start, end)
        hi = bisect_right(self.by_cc_code, code, lo, end)
        return self.by_cc[lo:min(hi, lo + limit)], skeleton

    def exact_entries(self, entries: range | Sequence[int]) -> Iterable[tuple[int, int, int, int]]:
        """(card, canonical position, tie-break rank, score units) of the exact
        key rows at ``entries`` (as ``entries`` returns them, for tier 0)."""
        size = EXACT_ROW.size
        if type(entries) is range:  # a whole run or its head: one contiguous read
            return EXACT_ROW.iter_unpack(self.exact_view[entries.start * size:entries.stop * size])
        unpack, rows = EXACT_ROW.unpack_from, self.exact_rows
        return [unpack(rows, i * size) for i in entries]

    def skeleton_entries(self, entries: range | Sequence[int]) -> tuple[Iterable[tuple], list[str]]:
        """The skeleton key rows at ``entries`` (as ``entries`` returns them,
        for tier 1): their (card, canonical position, tie-break rank,
        population term, priority term code), and their places' folded names."""
        size, first, ends, keys = SKELETON_ROW.size, self.exact_count, self.skeleton_key_ends, self.skeleton_keys
        if type(entries) is range:
            lo, hi = entries.start - first, entries.stop - first
            return (SKELETON_ROW.iter_unpack(self.skeleton_view[lo * size:hi * size]),
                    keys[ends[lo]:ends[hi] - 1].decode().split(_SEP))
        unpack, rows = SKELETON_ROW.unpack_from, self.skeleton_rows
        return ([unpack(rows, (i - first) * size) for i in entries],
                [str(keys[ends[i - first]:ends[i - first + 1] - 1], "utf-8") for i in entries])

    def answer(self, key: str, limit: int) -> tuple[Sequence[int], int, int] | None:
        """The stored answer of a lookup of exact key ``key`` in any country
        with ``limit``, or None when none is stored for that limit (the key
        is unknown, the limit another and the answer not complete): its
        codes (best first; ``answer_rows`` reads them), the key's first row
        and its skeleton key's trie id."""
        if self.ranked is None:
            return None
        kid = self.trie.get(f"0{key}")
        if kid is None:
            return None
        start, _, skeleton, _, where = KEY.unpack_from(self.key_runs, kid * KEY.size)
        if where == NO_RANKING or (limit != self.rank_limit
                                   and not (where & RANK_COMPLETE and limit > self.rank_limit)):
            return None
        offset = where >> RANK_OFFSET_SHIFT
        return self.ranked[offset:offset + (where & _COUNT_MASK)], start, skeleton

    def answer_rows(self, answer: tuple[Sequence[int], int, int]) -> Iterator[tuple[float, int, bool]]:
        """(score, card, exact tier?) of each candidate of an ``answer``
        (``Gazetteer`` reads the codes itself, the same way, where speed counts)."""
        codes, start, skeleton = answer
        skeleton_start = KEY.unpack_from(self.key_runs, skeleton * KEY.size)[0] if skeleton != NO_KEY else 0
        for code in codes:
            index, exact = code >> RANK_BONUS_BITS & RANK_INDEX_MASK, bool(code & RANK_EXACT)
            units = self.rank_units[0 if exact else 1] + (code & RANK_BONUS_MASK)
            card = (ROW_CARD.unpack_from(self.exact_rows, (start + index) * EXACT_ROW.size)[0] if exact else
                    ROW_CARD.unpack_from(self.skeleton_rows,
                                      (skeleton_start - self.exact_count + index) * SKELETON_ROW.size)[0])
            yield units / SCORE_UNITS, card, exact

    def run_start(self, kid: int) -> int:
        """The first row of the key with trie id ``kid``."""
        return KEY.unpack_from(self.key_runs, kid * KEY.size)[0]

    def position_of(self, place: int) -> int:
        """Position of the SQL place id ``place`` (which must exist)."""
        return bisect_left(self.ids, place)

    def string(self, col: str, pos: int) -> str:
        """A kept text column's value (``name_key``)."""
        ends = self.text_ends[col]
        return self.text[col][ends[pos]:ends[pos + 1]]

    def card(self, card: int) -> tuple:
        """(lat, lon, population, context, place_id, name) of the card at offset ``card``."""
        *record, length = CARD.unpack_from(self.cards, card)
        start = card + CARD.size
        return (*record, *str(self.cards[start:start + length], "utf-8").split(_SEP))

    def record(self, pos: int) -> tuple:
        """(lat, lon, population, cc, admin1, admin2, admin3, feature, source)."""
        lat, lon, pop, context, _ = CARD.unpack_from(self.cards, self.card_starts[pos])
        return (lat, lon, pop, *self.contexts[context])


def _rows(layout: struct.Struct, data: bytes) -> bytes:
    if len(data) % layout.size:
        raise ValueError(f"blob of {len(data)} bytes is no array of {layout.format!r} rows")
    return data
