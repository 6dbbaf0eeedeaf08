"""Toponym recognition and resolution on GeoWebNews (``marsad eval geowebnews``,
``marsad eval-places --dataset geowebnews``).

GeoWebNews (Gritta, Pilehvar & Collier 2019, "A Pragmatic Guide to
Geoparsing Evaluation") is 200 web news articles whose toponyms are marked
with character offsets, a fine-grained type and, for most, GeoNames
coordinates. Each article's text goes through marsad's own place finding and
geocoding (``Pipeline.locate``: sentences, place mentions, actor overlaps,
joint resolution, exactly as ``Pipeline.process`` runs them). The text is not
cleaned first: it is already article text, and the gold offsets point into it.

Gold toponyms are the named ones (``TOPONYM_TYPES``): literal uses (a place
where something is) and associative ones (metonymy, "the Syrian army",
demonyms, languages). Not counted: expressions (common nouns such as "the
lot", "residents"), named non-places ("Louisiana Purchase") and homonyms (a
place name naming something else). Recognition is scored two ways:

* **exact**: a mention counts only with the gold start and end;
* **overlap**: a gold toponym is found when any mention shares a character
  with it, a mention is right when it shares one with any gold toponym.

Precision is over marsad's mentions, recall over gold toponyms. The
``literal`` row counts only literal toponyms as gold and leaves out the
mentions that match only an associative one (neither right nor wrong).

Resolution: for each gold toponym with coordinates, the mention overlapping
it (the exact one first) and that mention's resolved point; the share
within 161 km (100 miles, the field's usual threshold) and within 10 km,
over the recognised ones and over all of them (a toponym not recognised, or
recognised but left without coordinates, is a miss).
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from marsad.errors import InputError
from marsad.evaluation.common import WITHIN_KM, ErrorSink, Progress, haversine_km, parse_float
from marsad.records import CleanDocument, PlaceMention, ResolvedPlace

FILE_NAME = "geowebnews.xml"
# The taxonomy's toponym types (Gritta et al. 2019, section 3).
LITERAL_TYPES = frozenset({"Literal", "Literal_Modifier", "Mixed", "Coercion", "Embedded_Literal"})
ASSOCIATIVE_TYPES = frozenset({"Metonymic", "Non_Literal_Modifier", "Embedded_Non_Lit", "Demonym", "Language"})
TOPONYM_TYPES = LITERAL_TYPES | ASSOCIATIVE_TYPES
# Resolution thresholds: 161 km (100 miles) is the usual accuracy@161 of
# geoparsing papers; 10 km is the one marsad's other scorers use.
ACCURACY_KM = 161.0
THRESHOLDS_KM = (ACCURACY_KM, WITHIN_KM)
# A few gold offsets do not point at their name (5 in the release, 2 of them
# a few characters off): the name is looked for this many characters either
# side of the given start.
OFFSET_SLACK = 40
# Characters of text either side of a toponym in an error record.
CONTEXT_CHARS = 60


@dataclass(frozen=True, slots=True)
class GoldToponym:
    name: str
    type: str
    start: int
    end: int
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    title: str
    text: str
    toponyms: tuple[GoldToponym, ...]


# ----------------------------------------------------------------------
# reading the gold file
# ----------------------------------------------------------------------

def _located(text: str, name: str, start: int, end: int) -> tuple[int, int]:
    """The gold offsets, or the nearest occurrence of ``name`` when they do
    not point at it."""
    if text[start:end] == name or not name:
        return start, end
    window_start = max(0, start - OFFSET_SLACK)
    found = [i for i in _occurrences(text, name, window_start, start + OFFSET_SLACK + len(name))]
    if not found:
        return start, end
    best = min(found, key=lambda i: abs(i - start))
    return best, best + len(name)


def _occurrences(text: str, name: str, lo: int, hi: int):
    i = text.find(name, lo, hi)
    while i >= 0:
        yield i
        i = text.find(name, i + 1, hi)


def _toponym(element, text: str) -> GoldToponym | None:
    name = element.findtext("extractedName") or ""
    try:
        start, end = int(element.findtext("start")), int(element.findtext("end"))
    except (TypeError, ValueError):
        return None
    start, end = _located(text, name, start, end)
    if not 0 <= start < end <= len(text):
        return None
    return GoldToponym(name=name, type=(element.findtext("type") or "").strip(), start=start, end=end,
                       latitude=parse_float(element.findtext("latitude")),
                       longitude=parse_float(element.findtext("longitude")))


def read_articles(path: Path | str) -> list[Article]:
    """The articles of a GeoWebNews XML file; one-line ``InputError`` when it
    is missing or is not GeoWebNews XML. Toponyms whose offsets lie outside
    their text (3 non-toponyms of the release have negative ones) are dropped."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such GeoWebNews file (see --gold-dir)")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except (OSError, etree.XMLSyntaxError) as err:
        raise InputError(f"{path}: cannot read GeoWebNews XML: {err}") from err
    if root.tag != "articles":
        raise InputError(f"{path}: not GeoWebNews XML (root element <{root.tag}>, expected <articles>)")
    articles = []
    for element in root.iter("article"):
        text = element.findtext("text") or ""
        toponyms = (_toponym(t, text) for t in element.iterfind("toponyms/toponym"))
        articles.append(Article(id=element.get("file", str(len(articles))), title=element.findtext("title") or "",
                                text=text, toponyms=tuple(t for t in toponyms if t is not None)))
    return articles


# ----------------------------------------------------------------------
# scoring
# ----------------------------------------------------------------------

def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _matches(a: tuple[int, int], b: tuple[int, int], exact: bool) -> bool:
    return a == b if exact else _overlap(a, b)


@dataclass
class _Counts:
    """Recognition counts for one gold set and one matching mode."""

    gold: int = 0
    gold_found: int = 0
    predicted: int = 0
    predicted_right: int = 0

    def metrics(self) -> dict[str, float | int]:
        p = self.predicted_right / self.predicted if self.predicted else 0.0
        r = self.gold_found / self.gold if self.gold else 0.0
        return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
                "gold": self.gold, "predicted": self.predicted}


# gold set name -> (types counted as gold, types whose matches are left out)
GOLD_SETS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "toponyms": (TOPONYM_TYPES, frozenset()),
    "literal": (LITERAL_TYPES, ASSOCIATIVE_TYPES),
}
MODES = ("exact", "overlap")


def score_recognition(gold: Sequence[GoldToponym], spans: Sequence[tuple[int, int]],
                      counts: dict[tuple[str, str], _Counts]) -> None:
    """Add one article's recognition counts into ``counts[(gold set, mode)]``."""
    for (set_name, (counted, ignored)), mode in ((s, m) for s in GOLD_SETS.items() for m in MODES):
        exact = mode == "exact"
        tally = counts.setdefault((set_name, mode), _Counts())
        wanted = [(g.start, g.end) for g in gold if g.type in counted]
        left_out = [(g.start, g.end) for g in gold if g.type in ignored]
        tally.gold += len(wanted)
        tally.gold_found += sum(any(_matches(g, s, exact) for s in spans) for g in wanted)
        for span in spans:
            right = any(_matches(g, span, exact) for g in wanted)
            if not right and any(_matches(g, span, exact) for g in left_out):
                continue
            tally.predicted += 1
            tally.predicted_right += right


def mention_for(toponym: GoldToponym, found: Sequence[tuple[PlaceMention, ResolvedPlace | None]]
                ) -> tuple[PlaceMention, ResolvedPlace | None] | None:
    """The mention that recognises a gold toponym: the exact one, else the
    first overlapping one, else None."""
    span = (toponym.start, toponym.end)
    overlapping = [(m, r) for m, r in found if _overlap((m.span.start, m.span.end), span)]
    exact = [(m, r) for m, r in overlapping if (m.span.start, m.span.end) == span]
    return (exact or overlapping or [None])[0]


def error_km(toponym: GoldToponym, place: ResolvedPlace | None) -> float | None:
    """Distance from the resolved point to the gold point; None when either is missing."""
    if place is None or place.latitude is None or toponym.latitude is None or toponym.longitude is None:
        return None
    return haversine_km(place.latitude, place.longitude, toponym.latitude, toponym.longitude)


@dataclass
class _Resolution:
    gold: int = 0
    recognised: int = 0
    resolved: int = 0
    within: Counter = field(default_factory=Counter)  # threshold km -> count
    errors_km: list[float] = field(default_factory=list)

    def add(self, km: float | None, recognised: bool) -> None:
        self.gold += 1
        self.recognised += recognised
        if km is None:
            return
        self.resolved += 1
        self.errors_km.append(km)
        for limit in THRESHOLDS_KM:
            self.within[limit] += km <= limit

    def metrics(self) -> dict[str, float | int | None]:
        def share(n: int, d: int) -> float:
            return n / d if d else 0.0

        out: dict[str, float | int | None] = {"gold": self.gold, "recognised": self.recognised,
                                              "resolved": self.resolved}
        for limit in THRESHOLDS_KM:
            out[f"within_{limit:g}km_of_recognised"] = share(self.within[limit], self.recognised)
            out[f"within_{limit:g}km_of_all"] = share(self.within[limit], self.gold)
        out["median_error_km"] = statistics.median(self.errors_km) if self.errors_km else None
        return out


def _context(text: str, start: int, end: int) -> str:
    return text[max(0, start - CONTEXT_CHARS):end + CONTEXT_CHARS].replace("\n", " ")


def _error_record(article: Article, found, recognised: list, resolved_km: dict[int, float | None]) -> dict | None:
    spans = [(m.span.start, m.span.end) for m, _ in found]
    gold = [g for g in article.toponyms if g.type in TOPONYM_TYPES]
    missed = [{"name": g.name, "type": g.type, "start": g.start, "end": g.end,
               "context": _context(article.text, g.start, g.end)}
              for g, hit in zip(article.toponyms, recognised) if g.type in TOPONYM_TYPES and hit is None]
    spurious = []
    for (mention, place), span in zip(found, spans):
        if any(_overlap(span, (g.start, g.end)) for g in gold):
            continue
        other = next((g.type for g in article.toponyms if _overlap(span, (g.start, g.end))), "")
        spurious.append({"name": mention.name, "start": span[0], "end": span[1], "gold_type": other,
                         "resolved": place.location if place and place.latitude is not None else "",
                         "context": _context(article.text, *span)})
    wrong = []
    for i, km in resolved_km.items():
        g = article.toponyms[i]
        if recognised[i] is not None and (km is None or km > WITHIN_KM):
            mention, place = recognised[i]
            wrong.append({"name": g.name, "type": g.type, "gold": [g.latitude, g.longitude], "mention": mention.name,
                          "predicted": None if place is None else {
                              "location": place.location, "country_code": place.country_code,
                              "admin1": place.admin1, "latitude": place.latitude, "longitude": place.longitude,
                              "warning": place.warning},
                          "km": None if km is None else round(km, 1)})
    if not (missed or spurious or wrong):
        return None
    return {"dataset": "geowebnews", "id": article.id, "title": article.title,
            "missed": missed, "spurious": spurious, "misresolved": wrong}


def evaluate(path: Path | str, pipeline, limit: int | None = None, *,
             errors: ErrorSink | None = None, progress: Progress | None = None) -> dict:
    """Score ``pipeline``'s place recognition and resolution on the
    GeoWebNews file at ``path`` (the first ``limit`` articles).

    Returns ``{"dataset", "file", "documents", "seconds", "docs_per_s",
    "overall", "recognition", "resolution", "by_type"}``: ``recognition``
    maps gold set (toponyms, literal) to mode (exact, overlap) to
    precision/recall/F1; ``resolution`` has the shares within 161 and 10 km
    of the gold toponyms with coordinates (``recognised`` and ``all``);
    ``by_type`` the recall per gold type (every type, counted or not).
    ``errors`` receives one record per article with a missed or spurious
    mention or a toponym resolved more than 10 km away.
    """
    articles = read_articles(path)[:limit] if limit else read_articles(path)
    counts: dict[tuple[str, str], _Counts] = {}
    resolution = _Resolution()
    by_type: dict[str, Counter] = {}
    started = time.perf_counter()
    for done, article in enumerate(articles, 1):
        found = pipeline.locate(CleanDocument(doc_id=f"gwn-{article.id}", text=article.text, title=article.title))
        spans = [(m.span.start, m.span.end) for m, _ in found]
        score_recognition(article.toponyms, spans, counts)
        recognised = [mention_for(g, found) for g in article.toponyms]
        resolved_km: dict[int, float | None] = {}
        for i, (g, hit) in enumerate(zip(article.toponyms, recognised)):
            tally = by_type.setdefault(g.type, Counter())
            tally["gold"] += 1
            tally["exact"] += (g.start, g.end) in spans
            tally["overlap"] += hit is not None
            if g.type in TOPONYM_TYPES and g.latitude is not None and g.longitude is not None:
                resolved_km[i] = error_km(g, hit[1] if hit else None)
                resolution.add(resolved_km[i], hit is not None)
        if errors is not None:
            record = _error_record(article, found, recognised, resolved_km)
            if record is not None:
                errors(record)
        if progress is not None:
            progress(done)
    seconds = time.perf_counter() - started
    recognition = {name: {mode: counts.get((name, mode), _Counts()).metrics() for mode in MODES}
                   for name in GOLD_SETS}
    res = resolution.metrics()
    return {
        "dataset": "geowebnews",
        "file": str(path),
        "documents": len(articles),
        "seconds": seconds,
        "docs_per_s": len(articles) / seconds if seconds > 0 else 0.0,
        "overall": {
            "f1_exact": recognition["toponyms"]["exact"]["f1"],
            "f1_overlap": recognition["toponyms"]["overlap"]["f1"],
            "acc161_recognised": res[f"within_{ACCURACY_KM:g}km_of_recognised"],
            "acc161_all": res[f"within_{ACCURACY_KM:g}km_of_all"],
            "acc10_recognised": res[f"within_{WITHIN_KM:g}km_of_recognised"],
            "acc10_all": res[f"within_{WITHIN_KM:g}km_of_all"],
        },
        "recognition": recognition,
        "resolution": res,
        "by_type": {t: {"gold": c["gold"], "recall_exact": c["exact"] / c["gold"],
                        "recall_overlap": c["overlap"] / c["gold"], "counted": t in TOPONYM_TYPES}
                    for t, c in sorted(by_type.items(), key=lambda tc: -tc[1]["gold"])},
    }
