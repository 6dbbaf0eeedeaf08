"""The resolver's proximity signal: the distance from a candidate to the
nearest of the document's other anchors, computed through a dot-product
shortlist, is exactly (bit for bit) the minimum haversine of a full scan."""

from __future__ import annotations

import random
from collections import namedtuple

from marsad.geo.index import distance_km
from marsad.geo.resolve import _NearestAnchor

Point = namedtuple("Point", "latitude longitude")


def full_scan(anchors: list[tuple[float, float]], cand: Point, i: int) -> float | None:
    """Minimum haversine over the anchors left after removing the i-th (one copy)."""
    rest = list(anchors)
    if i < len(rest):
        del rest[i]
    if not rest:
        return None
    return min(distance_km(cand.latitude, cand.longitude, lat, lon) for lat, lon in rest)


def test_nearest_anchor_equals_a_full_scan():
    rng = random.Random(5)
    checked = 0
    for _ in range(400):
        # a few towns, named several times each (repeated anchors), coarse and fine coordinates
        towns = [(round(rng.uniform(32, 37), rng.choice((1, 4))), round(rng.uniform(35, 42), rng.choice((1, 4))))
                 for _ in range(rng.randint(2, 8))]
        anchors = [rng.choice(towns) for _ in range(rng.randint(2, 12))]
        nearest = _NearestAnchor(anchors)
        for _ in range(20):
            cand = Point(*rng.choice(towns)) if rng.random() < 0.5 else Point(rng.uniform(-60, 60), rng.uniform(-120, 120))
            i = rng.randrange(len(anchors) + 3)  # indexes past the anchors leave none out
            assert nearest.km(cand, i) == full_scan(anchors, cand, i)
            checked += 1
    assert checked == 8000


def test_one_anchor_gives_no_proximity():
    assert _NearestAnchor([(36.2, 37.1)]).km(Point(36.0, 37.0), 0) is None
