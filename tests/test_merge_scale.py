"""Merging in a dense store: the candidate search and the stored components
(migration 0007) never lose a link ``similarity.compare`` would make, and the
incidents are those of clustering every extraction at once, whatever the
order, the batching, or whether components were stored."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta
from itertools import combinations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marsad.merge.cluster import Cluster, Link, UnionFind, _Verdicts, cluster, pair
from marsad.merge.similarity import EARTH_RADIUS_KM, PLACE_RADIUS_KM, compare, distance_km, load_rules
from marsad.records import CleanDocument, Document, DocumentResult, Event, Evidence
from marsad.store import Store
from marsad.store.merging import MergeKey, _Block, place_box

BASE_DAY = date(2022, 3, 1)
# A few places a few km apart (some within each other's radius, some not), one far off.
PLACES = (
    ("Idlib", "Idlib", 35.9306, 36.6339),
    ("Binnish", "Idlib", 35.9575, 36.7139),
    ("Saraqib", "Idlib", 35.8644, 36.8006),
    ("Aleppo", "Aleppo", 36.2021, 37.1343),
    ("Daraa", "Daraa", 32.6189, 36.1021),
)
ACTORS = ("", "Hayat Tahrir al-Sham", "Syrian regime forces", "Protesters (Syria)",
          "Unidentified Armed Group (Syria)", "Islamic State (Syria)")
TYPES = ("Armed clash", "Attack", "Arrests", "Peaceful protest", "Protest with intervention",
         "Shelling/artillery/missile attack", "Air/drone strike", "Looting/property destruction")
# Known and unknown precisions (4, None) and countries, so the odd values are covered too.
TIME_PRECISIONS = (1, 1, 1, 2, 3, 4)
GEO_PRECISIONS = (1, 1, 2, 3, None)


@st.composite
def events(draw, event_id: str) -> Event:
    location, admin1, lat, lon = draw(st.sampled_from(PLACES))
    geocoded = draw(st.booleans()) or draw(st.booleans())
    sub_event_type = draw(st.sampled_from(TYPES))
    return Event(
        event_id=event_id,
        event_date=(BASE_DAY + timedelta(days=draw(st.integers(0, 20)))).isoformat(),
        time_precision=draw(st.sampled_from(TIME_PRECISIONS)),
        disorder_type="Political violence", event_type="", sub_event_type=sub_event_type,
        actor1=draw(st.sampled_from(ACTORS)), actor2=draw(st.sampled_from(ACTORS)),
        inter1=draw(st.sampled_from((None, 1, 2, 6))),
        country=draw(st.sampled_from(("Syria", "Syria", "Syria", "Iraq", ""))),
        admin1=admin1 if draw(st.booleans()) or geocoded else "", location=location,
        latitude=lat if geocoded else None, longitude=lon if geocoded else None,
        geo_precision=draw(st.sampled_from(GEO_PRECISIONS)),
        source="Test Monitor", notes=f"{sub_event_type} in {location}",
        fatalities=draw(st.integers(0, 3)), confidence=0.8,
    )


@st.composite
def stores(draw, min_size: int = 2, max_size: int = 40) -> list[Event]:
    """Events of distinct documents (doc of e0 is d0), dense in place and time."""
    n = draw(st.integers(min_size, max_size))
    return [draw(events(f"e{i:03d}")) for i in range(n)]


def result(event: Event) -> DocumentResult:
    doc = "d" + event.event_id[1:]
    event = replace(event, document_ids=(doc,),
                    evidence=(Evidence("location", 0, len(event.location), event.location, doc, 0.9),))
    published = date.fromisoformat(event.event_date) + timedelta(days=1)
    return DocumentResult(Document(id=doc, raw=event.notes, published=published, published_from="input"),
                          CleanDocument(doc_id=doc, text=event.notes, published=published), (event,))


def doc_of(events_: list[Event]) -> dict[str, str]:
    return {e.event_id: "d" + e.event_id[1:] for e in events_}


def memberships(store: Store) -> list[tuple[str, ...]]:
    groups: dict[str, list[str]] = {}
    for extraction_id, event_id in store._conn.execute("SELECT extraction_id, event_id FROM event_members"):
        groups.setdefault(event_id, []).append(extraction_id)
    return sorted(tuple(sorted(g)) for g in groups.values())


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(a=events("e001"), b=events("e002"))
def test_the_stored_key_compares_like_the_event(a, b):
    """What the candidate index holds is all ``compare`` reads: the verdict is the same."""
    with Store.open(":memory:") as store:
        store.save_results([result(a), result(b)])
        block = _Block(store._conn, load_rules())
        block.load_keys(["e001", "e002"])
        ka, kb = block.keys["e001"], block.keys["e002"]
    assert ka == MergeKey.of(a, "d001") and kb == MergeKey.of(b, "d002")
    rules = load_rules()
    assert compare(ka, kb, rules, same_document=False) == compare(a, b, rules, same_document=False)


@SETTINGS
@given(stored=stores())
def test_the_candidate_search_never_loses_a_link(stored):
    """Every pair ``compare`` links is found by the indexed search, from either side."""
    rules = load_rules()
    with Store.open(":memory:") as store:
        store.save_results([result(e) for e in stored])
        block = _Block(store._conn, rules)
        for a in stored:
            block.load_keys([a.event_id])
            found = set(block.candidates(a.event_id))
            for b in stored:
                if b is not a and compare(a, b, rules, same_document=False).linked:
                    assert b.event_id in found, (a, b)


@SETTINGS
@given(stored=stores(), data=st.data())
def test_incidents_are_those_of_clustering_everything_at_once(stored, data):
    """Saved in any order and batching, with the stored components forgotten
    part way (as in a store from before migration 0007), the incidents are
    the clusters of all the extractions together."""
    expected = sorted(c.members for c in cluster(stored, doc_of=doc_of(stored), rules=load_rules()))
    order = data.draw(st.permutations(stored))
    batch = data.draw(st.integers(1, 10))
    forget_after = data.draw(st.integers(0, len(order)))
    with Store.open(":memory:") as store:
        store.save_results([result(e) for e in order[:forget_after]], batch_size=batch)
        store._conn.execute("DELETE FROM merge_blocks")
        store.save_results([result(e) for e in order[forget_after:]], batch_size=batch)
        assert memberships(store) == expected
        assert store.count_events() == len(expected)


@settings(max_examples=10, deadline=None)
@given(seed_order=st.permutations(range(60)))
def test_a_crowded_town_day_gives_the_same_incidents_in_any_order(seed_order):
    """Sixty reports of one town over three days (the dense case: one big
    component), saved one at a time in any order."""
    crowd = []
    for i in range(60):
        crowd.append(Event(
            event_id=f"e{i:03d}", event_date=(BASE_DAY + timedelta(days=i % 3)).isoformat(), time_precision=1,
            disorder_type="Demonstrations", event_type="Protests",
            sub_event_type=("Peaceful protest", "Protest with intervention")[i % 2],
            actor1=("Protesters (Syria)", "", "Syrian regime forces")[i % 3], inter1=6, country="Syria",
            admin1="Idlib", location="Idlib", latitude=35.9306 + 0.001 * (i % 7), longitude=36.6339,
            geo_precision=1 + i % 2, source="Test Monitor", notes="protest in Idlib", confidence=0.8,
        ))
    expected = sorted(c.members for c in cluster(crowd, doc_of=doc_of(crowd), rules=load_rules()))
    assert len(expected) < len(crowd)  # some reports merged: the case is not trivial
    with Store.open(":memory:") as store:
        for i in seed_order:
            store.save_results([result(crowd[i])])
        assert memberships(store) == expected


# ----------------------------------------------------------------------
# the faster clustering gives what the plain one did
# ----------------------------------------------------------------------

def plain_cluster(events_: list[Event], must: set, cannot: set) -> list[Cluster]:
    """Clustering as first written: every pair compared, every pair of groups
    re-examined after each join (the reference for the faster one)."""
    by_id = {e.event_id: e for e in events_}
    verdicts = _Verdicts(by_id, doc_of(events_), load_rules())
    cannot = {pair(*p) for p in cannot}
    must = {pair(*p) for p in must} - cannot
    uf = UnionFind(by_id)
    for a, b in combinations(sorted(by_id), 2):
        if (a, b) in must or verdicts(a, b).linked:
            uf.union(a, b)
    out = []
    for ids in uf.groups():
        inner = UnionFind(ids)
        manual = []
        for a, b in sorted(must):
            if a in inner.parent and b in inner.parent and inner.find(a) != inner.find(b):
                inner.union(a, b)
                manual.append(Link(a, b, verdicts(a, b), manual=True))
        groups = [tuple(g) for g in inner.groups()]
        links = {g: [m for m in manual if m.a in g] for g in groups}
        while True:
            best = None
            for g, h in combinations(groups, 2):
                pairs = [(a, b) for a in g for b in h]
                if any(pair(a, b) in cannot or not verdicts(a, b).compatible for a, b in pairs):
                    continue
                if not any(verdicts(a, b).linked for a, b in pairs):
                    continue
                total, top = 0.0, None
                for a, b in pairs:
                    v = verdicts(a, b)
                    total += v.score
                    if top is None or v.score > top.verdict.score:
                        top = Link(min(a, b), max(a, b), v)
                key = (-total / len(pairs), g, h)
                if best is None or key < best[0]:
                    best = (key, g, h, top)
            if best is None:
                break
            _, g, h, top = best
            joined = tuple(sorted(g + h))
            links[joined] = links.pop(g) + links.pop(h) + [top]
            groups = sorted([x for x in groups if x not in (g, h)] + [joined])
        out.extend(Cluster(g, tuple(links[g])) for g in groups)
    return sorted(out, key=lambda c: c.members)


@SETTINGS
@given(stored=stores(max_size=30), data=st.data())
def test_clustering_equals_the_plain_version(stored, data):
    ids = [e.event_id for e in stored]
    some_pairs = st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda p: p[0] != p[1]),
                          max_size=4)
    must, cannot = set(data.draw(some_pairs)), set(data.draw(some_pairs))
    expected = plain_cluster(stored, must, cannot)
    got = cluster(stored, doc_of=doc_of(stored), must_link=must, cannot_link=cannot, rules=load_rules())
    assert got == expected


@settings(max_examples=300, deadline=None)
@given(lat=st.floats(-89.9, 89.9), lon=st.floats(-179.9, 179.9), precision=st.sampled_from((1, 2)),
       bearing=st.floats(0, 2 * math.pi), fraction=st.floats(0, 1))
def test_the_place_box_holds_every_place_within_reach(lat, lon, precision, bearing, fraction):
    """A place as far as the two largest local radii allow, in any direction, is in the box."""
    key = MergeKey("e1", "d1", "2022-03-01", 1, "Syria", "Arrests", precision, lat, lon, "", "", "", "", None)
    box = place_box(key)
    if box is None:
        return
    reach = PLACE_RADIUS_KM[precision] + PLACE_RADIUS_KM[2]
    angle = fraction * reach / EARTH_RADIUS_KM  # walk that far along a great circle
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(angle) + math.cos(p1) * math.sin(angle) * math.cos(bearing))
    l2 = l1 + math.atan2(math.sin(bearing) * math.sin(angle) * math.cos(p1),
                         math.cos(angle) - math.sin(p1) * math.sin(p2))
    lat2, lon2 = math.degrees(p2), math.degrees(l2)
    assert distance_km(lat, lon, lat2, lon2) <= reach * 1.000001
    assert box[0] <= lat2 <= box[1] and box[2] <= lon2 <= box[3]
