"""Choose one gazetteer place per place mention, using the whole document.

Signals, in order of weight: the document's country focus (hint, else the
majority country of unambiguous mentions), an admin area named beside the
place in the same sentence (or given as a hint), the cue word (countryside /
governorate -> the admin1 area), feature type, population, and closeness to
the document's other places. Never raises: an unresolvable mention gets a
``ResolvedPlace`` without coordinates and with a ``warning``.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

from anyascii import anyascii
from rapidfuzz import fuzz, process

from marsad.geo import normalize
from marsad.geo.index import BUNDLED_SOURCE, Candidate, Gazetteer, distance_km
from marsad.records import PlaceMention, ResolvedPlace

CANDIDATES = 25
# Bonuses added to a candidate's lookup score (exact 0.90-0.99, skeleton
# 0.60-0.69, fuzzy 0.30-0.39). Country focus outweighs a spelling tier, so an
# exact match abroad loses to a skeleton match at home; an admin area named
# beside the place outweighs population.
COUNTRY_BONUS = 0.35
ADMIN_BONUS = 0.40  # > exact-skeleton gap: the right area beats a closer spelling elsewhere
AREA_CUE_ADMIN_BONUS = 0.20  # "Idlib countryside" -> the governorate
POPULATED_BONUS = 0.04  # bare "Idlib" -> the city before the governorate
# A "city" named exactly like its own district or governorate is that
# area's seat ("Sweida city" -> As-Sweida, not the Hama village Sweida):
# above the string similarity an exact namesake can add (0.045), below the
# gap between spelling tiers and every context bonus. (Only for "city": a
# bare name is as often a village, and a loose spelling of "Europe" is no
# provincial capital.)
SEAT_BONUS = 0.05
CITY_CUE = "city"
NEIGHBOURHOOD_PENALTY = 0.03
PROXIMITY_BONUS = 0.10  # at distance 0 from the document's other places
PROXIMITY_SCALE_KM = 100.0
# Two candidates closer than this in final score are reported as ambiguous.
AMBIGUITY_MARGIN = 0.02
# Votes a country needs to become the document's focus (one unambiguous
# place name, or a named country, is enough).
FOCUS_MIN_VOTES = 0.9
# Places without a population (villages of imported lists) count as this many
# people when a name's country vote is split among its namesakes.
FOCUS_POPULATION_FLOOR = 1000
# A namesake this many times smaller than a name's largest one is "minor"
# and weighs FOCUS_MINOR_SHARE of a full country share.
FOCUS_MINOR_RATIO = 10
FOCUS_MINOR_SHARE = 0.1
# A town this large written by its own name is the place meant rather than
# a city abroad that has it as its name in another language ("Vienne" is the
# French town of 30,000, not Vienna; "Valence" not Valencia). (Smaller own
# namesakes are villages a foreign city's exonym should still outvote.)
OWN_NAME_MIN_POPULATION = 20_000
# A bundled place and an imported one this close, scoring this near, are the
# same place told twice; the imported row wins.
SAME_PLACE_KM = 10.0
# "Algeciras (Cadiz)", "near Pashkove, Kharkiv": the admin area written
# beside a place contains it. A candidate whose admin1/admin2 is that name,
# or that lies near one of the name's candidates, gets up to this bonus
# (decaying with distance over CONTAINER_SCALE_KM: provinces are ~100 km).
CONTAINER_BONUS = 0.40
CONTAINER_SCALE_KM = 100.0
# Beyond this distance from every candidate of its written admin area, a
# place is the wrong namesake: it is left unresolved and the event falls back
# to the admin area ("Loma Hermosa (Buenos Aires)" is not the Mexican one).
CONTAINER_MAX_KM = 150.0
# A candidate whose own admin areas carry other names than the admin area
# written beside it is this many times as far from that area as it is
# (tuned on the ACLED and GTD dev sets: 1 kept Zaporizhia's Hryhorivka for
# "Hryhorivka, Donetsk"; leaving such candidates out lost GTD's towns filed
# under the next governorate).
OTHER_AREA_DISTANCE_FACTOR = 2.0

# Inside an admin area known to hold the place (a few hundred places), a
# spelling this close (rapidfuzz ratio of folded names, 0-100) is taken:
# "Kafr Nabudah" / "Kafr Nabutha" is 83, while unrelated names of an area
# rarely pass 70.
AREA_FUZZY_CUTOFF = 75

# With no country focus a non-exact match is a guess anywhere in the world;
# keep it only when the plain spellings are this close (0-100). Harem/Harim
# is 80, Idlib/Idleb 80; Barauliany/Berlin 62, Pashkove/Pskov 77.
NO_FOCUS_MIN_RATIO = 80
# ... and a loose spelling in the focus country loses to an exact name
# abroad only when that is a well-known city (Malaga, not a namesake hamlet).
WELL_KNOWN_POPULATION = 100_000
SAME_PLACE_MARGIN = 0.35  # covers the exact-vs-skeleton band gap (0.30)
# Anchors whose unit-vector dot product with a candidate is within this of
# the largest get an exact haversine: far above float rounding (~1e-15), so
# the nearest anchor is never left out; small enough (~0.3 km at short range)
# that few are computed.
_DOT_SLACK = 1e-9

AREA_CUES = frozenset({"countryside", "governorate", "province", "region", "northern", "southern",
                       "eastern", "western", "rural", "district", "state", "county", "department", "oblast",
                       "badia", "badiya", "desert"})
NEAR_CUES = frozenset({"near", "vicinity"})
# The cue of a name found only without its qualifier ("Baghuz Fawqani" as
# Baghuz): near the named place (precision 2).
QUALIFIED_CUE = "near"
OUTSKIRTS_CUES = frozenset({"outskirts"})
ADMIN_FEATURES = frozenset({"admin1", "admin2", "admin3"})
# the cue of a name written as a place's area ("Punchana (Loreto)", "Kreminna, Luhansk"):
# an admin area of that name beats a town of it
ADMIN_CUE = "admin"
# Classes of the bundled named areas and sites (data/areas_sy.csv). An area's
# geo_precision (codebook): a small part of a region -> 2, a wide region -> 3;
# a site (airbase, dam, crossing...) is a place itself -> 1.
AREA_PRECISION = {"region": 2, "mountain": 2, "plain": 2, "valley": 2, "lava field": 2, "desert": 3}
NAMED_SITE_FEATURES = frozenset({"airbase", "airport", "dam", "crossing", "prison", "oil field", "gas field",
                                 "power plant", "camp", "military base"}) | frozenset(AREA_PRECISION)
# Cues that say the name is an area or a site ("Jabal al-Akrad mountain",
# "Al Lajah area", "Tishrin dam"): a named area or site of that name then
# beats a village of the same name. Above POPULATED_BONUS plus the largest
# population part a village's exact score can add (0.09 * 0.3).
SITE_CUES = frozenset({"site", "camp", "district"})
SITE_CUE_BONUS = 0.08
COUNTRY_FEATURE = "country"


_admin_key = normalize.admin_key
# An admin area written beside a place, as (name key, country, lat, lon) of
# one of its candidates.
_Area = tuple[str, str, float, float, float]  # admin key, country, lat, lon, weight
# A name written as a place's area that is only a town somewhere (the area we
# lack is often named after its main town: "Karak, KPK") fits half as well as
# an admin area of that name ("Merida, Merida": the Venezuelan state's Merida,
# not the Mexican city)
TOWN_AS_AREA_FIT = 0.5


# Cues that say the name is a place, so a fuzzy spelling match is worth its
# cost (a country's keys are loaded for it). A bare "in X" is often an
# organisation or a person and is only matched exactly or by skeleton.
FUZZY_CUES = frozenset({"town", "city", "village", "villages", "hamlet", "near", "outskirts", "countryside",
                        "district", "sub-district", "subdistrict", "area", "neighbourhood", "neighborhood",
                        "camp", "suburb", "suburbs", "governorate", "province", "region", "municipality",
                        "badia", "badiya", "desert"})


def _candidates(gazetteer: Gazetteer, name: str, country: str | None,
                fuzzy: bool = True) -> tuple[list[Candidate], str]:
    """Candidates for a mention's text and the cue found inside it. Alternatives
    written with a slash ("Tadmur/Palmyra") are each looked up."""
    if "/" in name:
        merged: dict[str, Candidate] = {}
        cue = ""
        for part in (p.strip() for p in name.split("/")):
            if part:
                found, part_cue = _candidates(gazetteer, part, country, fuzzy)
                cue = cue or part_cue
                for c in found:
                    if c.place_id not in merged or merged[c.place_id].score < c.score:
                        merged[c.place_id] = c
        ranked = sorted(merged.values(), key=lambda c: -c.score)
        return ranked[:CANDIDATES], cue
    core, cue = normalize.strip_descriptors(name)
    full = gazetteer.lookup(name, country, limit=CANDIDATES, fuzzy=fuzzy) if core != name else []
    if full and full[0].tier == "exact":
        return full, ""
    found = gazetteer.lookup(core, country, limit=CANDIDATES, fuzzy=fuzzy or bool(cue))
    if not found and " of " in core:
        # "the Hospital of Azaz city": the place is what the facility is of;
        # "Speney Adda of Herat city", "the Green Zone of Baghdad": a part
        # of that place, so near it (never a country: "Port of Spain")
        found, _ = _candidates(gazetteer, core.rsplit(" of ", 1)[1], country, fuzzy)
        found = [c for c in found if c.feature != COUNTRY_FEATURE]
        cue = cue or ("" if _FACILITY_OF.match(core) else QUALIFIED_CUE)
    if not found and (base := normalize.strip_qualifiers(core)):
        # "Baghuz Fawqani" found nowhere: the Baghuz next to it
        found = gazetteer.lookup(base, country, limit=CANDIDATES, fuzzy=fuzzy or bool(cue))
        cue = cue or QUALIFIED_CUE
    return found, cue


_FACILITY_OF = re.compile(
    r"(?:(?:National|Central|General|Main|Grand|Old|New)\s+)?(?:Hospital|University|College|School|Embassy|Consulate|"
    r"Office|Court|Mosque|Church|Cathedral|Ministry|Museum|Stadium|Prison|Municipality|Town Hall|City Hall|"
    r"Airport|Market|Square|Bridge|Port)\s+of\s+(?:the\s+)?")


# All capitals and at most this many letters ("UP", "UK", "U.S.", "DRC"): an
# abbreviation (longer all-capital words are names in headlines and datelines).
ABBREVIATION_MAX_LETTERS = 4


def _abbreviation(name: str) -> bool:
    letters = [ch for ch in name if ch.isalpha()]
    return 0 < len(letters) <= ABBREVIATION_MAX_LETTERS and all(ch.isupper() for ch in letters)


def _outermost(mentions: Sequence[PlaceMention], k: int) -> bool:
    """Is mention ``k`` the last area written after a place, the widest
    ("Nord-Kivu" of "(Beni, Beni, Nord-Kivu)"; the inner ones may be towns)?"""
    nxt = mentions[k + 1] if k + 1 < len(mentions) else None
    return not (nxt is not None and nxt.cue == ADMIN_CUE and nxt.sentence == mentions[k].sentence)


def _voting(cands: list[Candidate], cue: str, written: str = "") -> list[Candidate]:
    """The candidates whose countries a mention votes for: a name written
    with an area word ("Dara governorate") is an admin area of that name
    where there is one (not a Senegalese village Dara), and so is the widest
    area written beside a place by an admin area's own name (``written``,
    "" for others: "(Buenos Aires)" is Argentina's province, not a Mexican
    village). (An inner one, "Beni" of "(Beni, Nord-Kivu)", may be a town or
    a district: all its namesakes vote.)"""
    if cue in AREA_CUES:
        areas = [c for c in cands if c.feature in ADMIN_FEATURES and c.tier == "exact"]
        if areas:
            return areas
    if cue == ADMIN_CUE and written and not _generic_area(written):
        # "(Buenos Aires)": a name written as a place's area that is an admin
        # area by its own name votes for the countries where it is one
        areas = [c for c in cands if c.feature in ADMIN_FEATURES and c.tier == "exact" and _own_name(written, c.name)]
        if areas:
            return areas
    return cands


def _focus(per_mention: Iterable[tuple[str, list[Candidate]]], votes_in: dict[str, float] | None = None) -> str:
    """The document's country: each mention spreads one vote over the
    countries where its name is an exact match (a name found in one country
    only is a full vote), plus the votes the caller found in the text
    (country names, demonyms, actors tied to a country)."""
    votes: Counter[str] = Counter()
    for cc, weight in (votes_in or {}).items():
        votes[cc] += weight
    for written, cands in per_mention:
        # a name's vote is split evenly among the countries where it is an
        # exact match, except that a country whose namesake is tiny beside
        # a well-known largest one gets only a small share ("Donetsk": the
        # Ukrainian city and region, hardly the Russian town of 50,000)
        size: dict[str, int] = {}
        for c in cands:
            if c.tier == "exact":
                size[c.country_code] = max(size.get(c.country_code, 0), (c.population or 0) + FOCUS_POPULATION_FLOOR)
        if not size:
            continue
        largest = max(size.values())
        # (only beside a well-known place: small populations are often missing or rough)
        weight = {cc: FOCUS_MINOR_SHARE if n * FOCUS_MINOR_RATIO < largest and largest >= WELL_KNOWN_POPULATION
                  else 1.0 for cc, n in size.items()}
        # a town of some size written by its own name ("Valence", "Vienne")
        # outweighs a city abroad whose name in another language it is
        # (Valencia, Vienna): countries with no place of that own name get
        # only a small share
        own_named = [c for c in cands if c.tier == "exact" and _own_name(written, c.name)]
        if any(c.population >= OWN_NAME_MIN_POPULATION for c in own_named):
            own = {c.country_code for c in own_named}
            weight = {cc: w if cc in own else FOCUS_MINOR_SHARE for cc, w in weight.items()}
        total = sum(weight.values())
        for cc, w in weight.items():
            votes[cc] += w / total
    if not votes:
        return ""
    (top, top_votes), *rest = votes.most_common(2) + [("", 0.0)]
    # A tie is no focus: better no country bonus than a coin toss.
    return top if top_votes >= FOCUS_MIN_VOTES and top_votes > rest[0][1] else ""


def _precision(cue: str, feature: str) -> int:
    if feature in ADMIN_FEATURES or feature == COUNTRY_FEATURE:
        return 3 if feature in ("admin1", COUNTRY_FEATURE) else 2
    if feature in AREA_PRECISION:
        return AREA_PRECISION[feature]
    if cue in NEAR_CUES:
        return 2
    if cue in OUTSKIRTS_CUES:
        return 1
    if cue in AREA_CUES:
        return 2  # "X countryside" where X is a town -> X, precision 2
    return 1


def _unresolved(mention: PlaceMention, warning: str) -> ResolvedPlace:
    return ResolvedPlace(location=mention.name, span=mention.span, warning=warning)


def resolve(mentions: Sequence[PlaceMention], gazetteer: Gazetteer, country_hint: str | None = None,
            admin_hints: Sequence[str] = (), country_votes: dict[str, float] | None = None) -> list[ResolvedPlace]:
    """One ``ResolvedPlace`` per mention, in order. ``country_hint`` is ISO2 (or a
    country name); ``admin_hints`` are admin area names known to hold the places
    ("Homs Governorate")."""
    try:
        return _resolve(mentions, gazetteer, country_hint, admin_hints, country_votes)
    except Exception as err:  # noqa: BLE001 - resolve never raises, by contract
        return [_unresolved(m, f"place resolution failed: {type(err).__name__}: {err}") for m in mentions]


# Direction cues that can be part of a name ("Eastern Ghouta", "East Qalamoun").
DIRECTION_CUES = frozenset({"eastern", "western", "northern", "southern", "east", "west", "north", "south"})


# "in rural Damascus": the governorate named "Rural Damascus" when there is
# one, still read as an area.
RURAL_CUE = "rural"


def _with_direction(gazetteer: Gazetteer, mention: PlaceMention) -> PlaceMention:
    """"Ghouta" cued "eastern" is the area named "Eastern Ghouta" when the
    gazetteer knows that name; else the mention as it is ("northern Idlib")."""
    cue = mention.cue.lower()
    if cue in DIRECTION_CUES or cue == RURAL_CUE:
        whole = f"{mention.cue} {mention.name}"
        if gazetteer.is_place_name(whole):
            return replace(mention, name=whole, cue=mention.cue if cue == RURAL_CUE else "")
    return mention


# Cues of a line between two places ("Ash Shula-Sokhneh axis",
# "Dashishah-Tuwaymin road"): coded at its first end, near it.
LINE_CUES = frozenset({"axis", "road", "highway", "front", "frontline"})
# Where a hyphen joins two names (not "al-Ain", "Rostov-on-Don"): a letter
# of a word before, a capital after.
_NAME_JOIN = re.compile(r"(?<=[a-z\u00DF-\u00FF])-(?=[A-Z\u00C0-\u00DE])")


def _first_end(gazetteer: Gazetteer, mention: PlaceMention) -> tuple[PlaceMention, str]:
    """A line between two places, written "X-Y axis" and no place itself, is
    near its first end X: (X's mention, "Y"); other mentions are returned
    as they are, with ""."""
    if mention.cue not in LINE_CUES or "-" not in mention.name or gazetteer.is_place_name(mention.name):
        return mention, ""
    ends = _NAME_JOIN.split(mention.name)
    first = ends[0]
    if len(ends) < 2 or first.split(" ")[-1].lower() in normalize.rules().articles:
        return mention, ""
    return replace(mention, name=first, cue=QUALIFIED_CUE,
                   span=replace(mention.span, end=mention.span.start + len(first), text=first)), ends[1]


# Of a line's first end's namesakes, the one near its other end ("Dashishah-
# Tuwaymin road": the Dashishah a road to Tuwaymin starts from) gets up to
# this bonus, decaying over LINE_SCALE_KM (two villages a road or a front
# joins are rarely farther apart). Below a spelling tier and the admin bonus.
LINE_END_BONUS = 0.10
LINE_SCALE_KM = 30.0


# Arabic names with and without the article are often two places ("Um
# Elkeif" / "Um Kheif", both folded to one skeleton): among the spellings
# about as close as the closest (lookup scores within ARTICLE_TIE_MARGIN:
# "Um Kheif" 0.648, "Um Elkeif" 0.646), one whose words carry the article
# where the written name's do gets ARTICLE_BONUS, above such a difference and
# below every context bonus. (A clearly closer spelling stays first: "At
# Tayyibah" is the Tiba or Taybah of its area, not any "Altobbah".)
ARTICLE_BONUS = 0.01
ARTICLE_TIE_MARGIN = 0.005
_WORD_SPLIT = re.compile(r"[\s_-]+")
# An article glued to a word ("Elkeif", "Alqahera"): al/el before a consonant
# and at least three more letters ("Aleppo", "Elias", "Alma" keep theirs).
_GLUED_ARTICLE = re.compile(r"(?:al|el)(?=[b-df-hj-np-tv-z][a-z]{2})")


@lru_cache(maxsize=65536)
def _articles(name: str) -> tuple[bool, ...]:
    """For each word of a name that is not an article, whether the article
    goes with it ("Umm Al-Kayf" -> (False, True), "Um Elkeif" the same, "Um
    Kheif" -> (False, False)); () for a one-word name without an article
    (nothing to tell its namesakes apart by)."""
    words = [w for w in _WORD_SPLIT.split(anyascii(name).lower().replace("'", "")) if w]
    articles = normalize.rules().articles
    out: list[bool] = []
    pending = False
    for word in words:
        if word in articles:
            pending = True
            continue
        out.append(pending or bool(_GLUED_ARTICLE.match(word)))
        pending = False
    return tuple(out) if any(out) or len(out) > 1 else ()


def _line_end(gazetteer: Gazetteer, name: str, focus: str) -> list[Candidate]:
    """The places a line's other end may be: its exact and skeleton matches
    in the focus country, only the closest spellings when some are close
    ("Tuwaymin" is Twaymiyn, not the Al Taminah whose consonants it shares,
    which would pull the first end to whatever lies near Al Taminah)."""
    found = [c for c in _candidates(gazetteer, name, focus or None)[0] if c.tier != "fuzzy"]
    close = [c for c in found if _spelling_ratio(name, c.name) >= NO_FOCUS_MIN_RATIO]
    return close or found


def _line_fit(cand: Candidate, other_end: Sequence[Candidate]) -> float:
    if not other_end:
        return 0.0
    d = min(distance_km(cand.latitude, cand.longitude, o.latitude, o.longitude) for o in other_end)
    return LINE_END_BONUS * math.exp(-d / LINE_SCALE_KM)


def _resolve(mentions: Sequence[PlaceMention], gazetteer: Gazetteer, country_hint: str | None,
             admin_hints: Sequence[str], country_votes: dict[str, float] | None = None) -> list[ResolvedPlace]:
    hint = (gazetteer.country_of(country_hint) if country_hint else "") or ""
    ends = [_first_end(gazetteer, _with_direction(gazetteer, m)) for m in mentions]
    mentions = [m for m, _ in ends]
    first = [_candidates(gazetteer, m.name, None) for m in mentions]
    focus = hint or _focus(((m.name, _voting(c, m.cue, m.name if _outermost(mentions, k) else ""))
                                  for k, (m, (c, _)) in enumerate(zip(mentions, first))), country_votes)
    hint_keys = {_admin_key(h) for h in admin_hints if h}
    looked: list[tuple[list[Candidate], str]] = []
    for mention, (cands, cue) in zip(mentions, first):
        if focus and (not any(c.country_code == focus for c in cands)
                      or hint_keys and not any(_inside(c, hint_keys) for c in cands)):
            # (the worldwide shortlist of a short name, "Hayt", can leave out
            # the namesake inside the area known to hold it)
            cands, cue = _with_home(gazetteer, mention, focus, cands, cue)
        if _abbreviation(mention.name):
            # "UP", "UK", "CGT": an abbreviation is its exact entry in the
            # document's country or nothing (no spelling guesses: UK is not
            # Uki, UP is not Aups; a union's initials are no town abroad)
            cands = [c for c in cands if c.tier == "exact" and (not focus or c.country_code == focus)]
        looked.append((cands, cue))

    # The other end of each line ("X-Y axis"): its candidates in the focus country.
    other_ends = [_line_end(gazetteer, other, focus) if other else [] for _, other in ends]

    # Admin areas named in each sentence (the mention itself excluded later).
    sentence_admins: dict[int, dict[int, set[str]]] = {}
    for i, (mention, (cands, _)) in enumerate(zip(mentions, looked)):
        keys = {_admin_key(c.name) for c in cands
                if c.feature in ADMIN_FEATURES and c.tier == "exact" and (not focus or c.country_code == focus)}
        if keys:
            sentence_admins.setdefault(mention.sentence, {})[i] = keys

    # Areas named with an area word in each sentence ("in Deir ez Zor
    # countryside", "Idleb province"): (admin keys, name) by mention.
    sentence_areas: dict[int, dict[int, tuple[set[str], str]]] = {}
    for i, mention in enumerate(mentions):
        keys = sentence_admins.get(mention.sentence, {}).get(i)
        if keys and mention.cue in AREA_CUES:
            sentence_areas.setdefault(mention.sentence, {})[i] = (keys, mention.name)
    for i, mention in enumerate(mentions):
        # ... and a place's namesakes inside those areas, which its worldwide
        # shortlist may have left out
        areas_here = sentence_areas.get(mention.sentence, {})
        area_keys = set().union(*(keys for j, (keys, _) in areas_here.items() if j != i))
        cands, cue = looked[i]
        if focus and area_keys and i not in areas_here and cands and not any(_inside(c, area_keys) for c in cands):
            looked[i] = _with_home(gazetteer, mention, focus, cands, cue)

    # Where the document's unambiguous places are (for proximity).
    anchors = [(c[0].latitude, c[0].longitude) for c, _ in looked
               if c and c[0].tier == "exact" and (not focus or c[0].country_code == focus)]

    # Admin areas written beside places ("(Oyam, Northern)", ", Kharkiv"):
    # their exact candidates, per sentence.
    # (by the index of the mention that wrote the area: a place written as
    # the area of the one before it, "Ali in Deir ez Zor", is not its own area)
    containers: dict[int, list[tuple[int, list[_Area]]]] = {}
    # ... and the countries in which such a name is an admin area we know
    container_countries: dict[int, set[str]] = {}
    # ... and which of them are written with a place's own name ("Plateau"),
    # not only found by an abbreviation or a shorter name ("FCT" for
    # Nigeria's Federal Capital Territory, "South Eastern" as Lebanon's South)
    named_containers: dict[int, set[int]] = {}
    for j, (mention, (cands, _)) in enumerate(zip(mentions, looked)):
        if mention.cue != ADMIN_CUE and not mention.holds_previous:
            continue
        exact = [c for c in cands if c.tier == "exact"]
        # "(San Pedro)": a name that is an admin area by its own name is
        # written as that area, not as one of the towns called so
        generic = _generic_area(mention.name)
        if not generic:
            exact = [c for c in exact if c.feature in ADMIN_FEATURES and _own_name(mention.name, c.name)] or exact
        if exact:
            containers.setdefault(mention.sentence, []).append((j,
                [(_admin_key(c.name), c.country_code, c.latitude, c.longitude,
                  1.0 if c.feature in ADMIN_FEATURES else TOWN_AS_AREA_FIT) for c in exact]))
            container_countries.setdefault(mention.sentence, set()).update(
                c.country_code for c in exact if c.feature in ADMIN_FEATURES and (not focus or c.country_code == focus))
            own = {c.country_code for c in exact if _own_name(mention.name, c.name)}
            # (a generic name, "Capital", "Southern", counts where it is known
            # in one country only: "North West" is South Africa's)
            if own and (not generic or len(own) == 1):
                named_containers.setdefault(mention.sentence, set()).add(j)

    nearest = _NearestAnchor(anchors)
    out: list[ResolvedPlace] = []
    for i, (mention, (cands, inner_cue)) in enumerate(zip(mentions, looked)):
        areas = _areas_written(sentence_areas.get(mention.sentence, {}), i)
        own_areas = bool(areas) and i not in sentence_areas.get(mention.sentence, {}) \
            and mention.cue != ADMIN_CUE and not mention.orientation
        if not cands:
            # "Tal Baydar area in Al Hasakeh countryside", found nowhere: a
            # guess inside the area written right after it, else that area
            # (not one it is merely near: "towards Beni region")
            after = sentence_areas.get(mention.sentence, {}).get(i + 1)
            fallback = admin_hints or ([after[1]] if own_areas and after and not mentions[i + 1].orientation
                                       else [])
            out.append(_area_fallback(mention, gazetteer, fallback, focus, None) if fallback
                       else _unresolved(mention, f"no gazetteer match for {mention.name!r}"))
            continue
        # a name found only without its qualifier is near that place, whatever the text calls it
        cue = (inner_cue if inner_cue == QUALIFIED_CUE else mention.cue or inner_cue).lower()
        beside = set(hint_keys)
        for j, keys in sentence_admins.get(mention.sentence, {}).items():
            if j != i:
                beside |= keys
        groups = [g for j, g in containers.get(mention.sentence, []) if j != i]
        if mention.cue == ADMIN_CUE:
            # an admin area is the one around the place it qualifies
            placed = [("", r.country_code, r.latitude, r.longitude, 1.0) for r, m in zip(out, mentions)
                      if m.sentence == mention.sentence and m.cue != ADMIN_CUE and r.latitude is not None]
            groups = [placed] if placed else []
        seat = _admin_key(mention.name) if cue == CITY_CUE else ""
        articles = _articles(normalize.strip_descriptors(mention.name)[0])
        tied = max(c.score for c in cands) - ARTICLE_TIE_MARGIN if articles else math.inf
        ranked = sorted(((_score(c, cue, focus, beside, nearest.km(c, i), seat) + CONTAINER_BONUS * _fit(c, groups)
                          + _line_fit(c, other_ends[i])
                          + (ARTICLE_BONUS if c.score >= tied and _articles(c.name) == articles else 0.0), c)
                         for c in cands),
                        key=lambda sc: (-sc[0], -sc[1].population, sc[1].place_id))
        if groups and mention.cue != ADMIN_CUE and _fit(ranked[0][1], groups) < math.exp(-CONTAINER_MAX_KM / CONTAINER_SCALE_KM) \
                and not (_well_known(ranked[0][1]) and not container_countries.get(mention.sentence)) \
                and not (_one_country(mention.name, ranked[0][1], cands)
                         and not named_containers.get(mention.sentence, set()) - {i}):
            best = ranked[0][1]
            out.append(_unresolved(mention, f"{mention.name!r} is known only far from the admin area written "
                                            f"beside it (nearest: {best.name}, {best.country_code})"))
            continue
        best_score, best = ranked[0]
        outer = _outer_countries(mentions, containers.get(mention.sentence, []), i)
        if outer and best.country_code not in outer:
            # "(Sanaba, Banwa)", "(Esan South East, Edo)": an area written
            # before the wider one that holds it lies in that one's country
            # (Burkina Faso's Banwa province, not an Ivorian village Sanaba;
            # "(Bui, Nord-Ouest)": a region of Cameroon and Haiti, so not Bowie, US)
            home = next(((sc, c) for sc, c in ranked if c.country_code in outer and c.tier == "exact"), None)
            if home is None:
                out.append(_unresolved(mention, f"no area {mention.name!r} known in {', '.join(sorted(outer))}, "
                                                f"the country of the area written after it (found abroad only: "
                                                f"{best.name}, {best.country_code})"))
                continue
            best_score, best = home
        if mention.cue == ADMIN_CUE and best.tier != "exact":
            # "(Hayran, Hajjah)": a spelling guess for an area written with an
            # admin area we know exactly, in one country, is inside that
            # country or nothing (not Harran in Turkey beside Yemen's Hajjah)
            outer = {cc for j, group in containers.get(mention.sentence, []) if j != i
                     for _, cc, _, _, weight in group if weight == 1.0}
            # (an area known in one country only: "East" is one in many)
            if len(outer) == 1 and best.country_code not in outer:
                out.append(_unresolved(mention, f"no match for {mention.name!r} in {', '.join(sorted(outer))}; "
                                                f"nearest spelling is {best.name} ({best.country_code})"))
                continue
            # "(Bui, Nord-Ouest)": nor, in that country, outside the area
            # written after it (Buea lies in Sud-Ouest)
            holding = {key for j, group in containers.get(mention.sentence, []) if j > i
                       for key, cc, _, _, weight in group if weight == 1.0 and cc == best.country_code}
            if holding and not _inside(best, holding):
                out.append(_unresolved(mention, f"no match for {mention.name!r} inside the area written after it; "
                                                f"nearest spelling is {best.name} ({best.admin1})"))
                continue
        if focus and cue in AREA_CUES and best.country_code != focus \
                and not (best.tier == "exact" and best.feature in ADMIN_FEATURES):
            # "the Zap region of Duhok" in an Iraqi report is no Czech village
            # Zapy, "the Al Karama district" of Muthanna no part of Dubai: a
            # name written as an area is an admin area of that very name
            # abroad (a report about Kyrgyzstan may dwell on Uzbekistan) or
            # not the place found abroad
            out.append(_unresolved(mention, f"no area {mention.name!r} known in {focus} "
                                            f"(found abroad only: {best.name}, {best.country_code})"))
            continue
        if hint_keys and best.tier != "exact" and not _inside(best, hint_keys):
            # A spelling guess outside the admin area known to hold the place
            # is another village: take one inside, else the area itself.
            ranked = _inside_first(ranked, hint_keys)
            if ranked is None:
                out.append(_area_fallback(mention, gazetteer, admin_hints, focus, best))
                continue
            best_score, best = ranked[0]
        if own_areas:
            # "Al-Hawi town in Deir ez Zor countryside": a namesake in another
            # governorate is another village; take one inside the area
            # written beside it, else the area itself
            # (a well-known city is no namesake: the area's name is then
            # stale or another place's, "Sorong city (West Papua province)")
            area_keys = set().union(*(keys for keys, _ in areas))
            if not _inside(best, area_keys) and not (_well_known(best) and best.country_code == focus):
                ranked = _inside_first(ranked, area_keys)
                if ranked is None:
                    out.append(_area_fallback(mention, gazetteer, [name for _, name in areas], focus, best))
                    continue
                best_score, best = ranked[0]
        if best.source == BUNDLED_SOURCE:
            # The same place from an imported list (OCHA, a GeoNames country
            # file) carries better names and admin areas: prefer it.
            for score, cand in ranked[1:]:
                if cand.source != BUNDLED_SOURCE and cand.feature == best.feature \
                        and best_score - score <= SAME_PLACE_MARGIN \
                        and distance_km(best.latitude, best.longitude, cand.latitude, cand.longitude) <= SAME_PLACE_KM:
                    best_score, best = score, cand
                    ranked = [(score, cand)] + [rc for rc in ranked if rc[1] is not cand]
                    break
        warning = ""
        if len(ranked) > 1 and best_score - ranked[1][0] < AMBIGUITY_MARGIN \
                and distance_km(best.latitude, best.longitude, ranked[1][1].latitude,
                                ranked[1][1].longitude) > PROXIMITY_SCALE_KM / 10:
            warning = f"ambiguous: also {ranked[1][1].name} ({ranked[1][1].admin1 or ranked[1][1].country_code})"
        loose = best.tier != "exact" and _spelling_ratio(mention.name, best.name) < NO_FOCUS_MIN_RATIO
        if loose and not beside:
            # A loose spelling at home loses to the name written exactly
            # elsewhere ("protested in Malaga" in a report about Ukraine),
            # unless the sentence names an admin area to stay in.
            exact = next(((sc, c) for sc, c in ranked
                          if c.tier == "exact" and c.population >= WELL_KNOWN_POPULATION), None)
            if exact is not None:
                (best_score, best), loose = exact, False
        if loose and not focus:
            # No country to anchor a spelling guess: only a close one is kept
            # ("Barauliany" is not "Berlin", though their consonants agree).
            out.append(_unresolved(mention, f"no match for {mention.name!r}; "
                                            f"nearest spelling is {best.name} ({best.country_code})"))
            continue
        if focus and best.country_code != focus:
            if best.tier != "exact":
                # A spelling guess abroad is worse than no place: the
                # document is about `focus` and the name only resembles one.
                out.append(_unresolved(mention, f"no match for {mention.name!r} in {focus}; "
                                                f"nearest spelling is {best.name} ({best.country_code})"))
                continue
            if mention.cue == ADMIN_CUE and best.feature not in ADMIN_FEATURES \
                    and focus in container_countries.get(mention.sentence, ()):
                # "(Yamba, Gourma)" in a Burkinabe note: a commune we lack,
                # written with an area of the document's country, is no
                # Australian town of its name
                out.append(_unresolved(mention, f"no area {mention.name!r} known in {focus} beside the areas "
                                                f"written with it (found abroad only: {best.name}, {best.country_code})"))
                continue
            warning = warning or f"outside the document's country ({focus})"
        out.append(_placed(best, mention, _precision(cue, best.feature), warning))
    return _in_their_city(mentions, [cands for cands, _ in looked], out)


def _placed(best: Candidate, mention: PlaceMention, precision: int, warning: str = "") -> ResolvedPlace:
    return ResolvedPlace(
        location=anyascii(best.name), country=best.country, iso=best.iso,
        country_code=best.country_code, admin1=anyascii(best.admin1), admin2=anyascii(best.admin2),
        admin3=anyascii(best.admin3), latitude=best.latitude, longitude=best.longitude,
        geo_precision=precision, score=round(min(1.0, best.score), 3),
        place_id=best.place_id, span=mention.span, warning=warning)


NEIGHBOURHOOD_CUES = frozenset({"neighbourhood", "neighborhood", "quarter"})
# A city's neighbourhoods lie this close to its centre (Aleppo and Damascus
# are 10-15 km across).
CITY_RADIUS_KM = 15.0


def _in_their_city(mentions: Sequence[PlaceMention], looked: Sequence[list[Candidate]],
                   out: list[ResolvedPlace]) -> list[ResolvedPlace]:
    """"Al Ghazal neighbourhood in Al-Hasakeh city": a neighbourhood lies in
    the town written beside it (same sentence): its namesake there, else, as
    most neighbourhoods are in no gazetteer, that town (whose centre is a
    few km away) rather than a village of its name elsewhere."""
    for i, mention in enumerate(mentions):
        if mention.cue not in NEIGHBOURHOOD_CUES:
            continue
        own = normalize.exact_key(mention.name)
        towns = [(m, r) for j, (m, r) in enumerate(zip(mentions, out))
                 if j != i and m.sentence == mention.sentence and not m.orientation
                 and m.cue not in NEIGHBOURHOOD_CUES and r.geo_precision == 1 and r.latitude is not None
                 and normalize.exact_key(m.name) != own]
        if not towns:
            continue

        def in_town(lat: float, lon: float) -> bool:
            return any(distance_km(lat, lon, r.latitude, r.longitude) <= CITY_RADIUS_KM for _, r in towns)

        placed = out[i]
        if placed.latitude is not None and in_town(placed.latitude, placed.longitude):
            continue
        namesake = next((c for c in looked[i] if in_town(c.latitude, c.longitude)), None)
        if namesake is not None:
            out[i] = _placed(namesake, mention, 1)
            continue
        # the town it is "in" / "of" (written after it), else the one before
        _, town = next(((m, r) for m, r in towns if m.span.start > mention.span.start), towns[-1])
        out[i] = replace(town, span=mention.span,
                         warning=f"neighbourhood {mention.name!r} not found in {town.location}: the town itself")
    return out


def _with_home(gazetteer: Gazetteer, mention: PlaceMention, focus: str, cands: list[Candidate],
               cue: str) -> tuple[list[Candidate], str]:
    """A mention's candidates with those of the document's country first
    (looked up in that country alone, fuzzily when the cue says it is a
    place), and the cue found inside the name."""
    home, home_cue = _candidates(gazetteer, mention.name, focus, fuzzy=mention.cue.split(" ")[-1] in FUZZY_CUES)
    if not home:
        return cands, cue
    ids = {c.place_id for c in home}
    return home + [c for c in cands if c.place_id not in ids], home_cue


# An outer area's name shared by more countries than this ("Central",
# "Northern" already excluded as generic) says too little to bar the others
# (a region name is shared by two or three countries: Nord-Ouest in Cameroon
# and Haiti)
MAX_OUTER_COUNTRIES = 3


def _outer_countries(mentions: Sequence[PlaceMention], written: list[tuple[int, list[_Area]]],
                     i: int) -> frozenset[str]:
    """The countries of the admin areas written right after area ``i`` in
    the same brackets ("(Sanaba, Banwa)": Banwa's; "(Bui, Nord-Ouest)":
    Cameroon's and Haiti's), when they are admin areas of a few countries;
    else none."""
    if mentions[i].cue != ADMIN_CUE:
        return frozenset()
    countries: set[str] = set()
    for j, areas in written:
        if j <= i or any(mentions[k].cue != ADMIN_CUE for k in range(i + 1, j + 1)) \
                or _generic_area(mentions[j].name):
            continue
        countries |= {cc for _, cc, _, _, weight in areas if weight == 1.0}
    return frozenset(countries) if len(countries) <= MAX_OUTER_COUNTRIES else frozenset()


# Words that name first-level areas in many countries ("East", "Capital",
# "North Western"): an area of such a name we know in one country says
# little about where a place is, as most countries' own are missing.
GENERIC_AREA_WORDS = DIRECTION_CUES | frozenset({
    "central", "centre", "center", "capital", "north-east", "north-west", "south-east", "south-west",
    "northeast", "northwest", "southeast", "southwest", "north-eastern", "north-western", "south-eastern",
    "south-western", "northeastern", "northwestern", "southeastern", "southwestern", "upper", "lower",
    "middle", "coast", "coastal", "region", "province", "district", "state"})


def _generic_area(written: str) -> bool:
    words = normalize.exact_key(written).split()
    return bool(words) and all(w in GENERIC_AREA_WORDS for w in words)


def _own_name(written: str, name: str) -> bool:
    """Is ``written`` the place's own name, perhaps with a descriptor after it
    ("North Darfur state"), not a shorter name inside it ("South Eastern" is
    not Lebanon's "South") nor an abbreviation or another language's name
    ("FCT", "Islamabad" for Anantnag)?"""
    words, own = normalize.exact_key(written).split(), normalize.exact_key(name).split()
    return bool(own) and words[:len(own)] == own and not set(words[len(own):]) & DIRECTION_CUES


def _one_country(written: str, best: Candidate, cands: list[Candidate]) -> bool:
    """Is the name written as the best candidate's own name, exactly, and is
    every place of that own name in its country? ("Valletta", "Islamabad":
    beside an area known only abroad by another name, that area is one we
    lack, not a sign of a namesake.)"""
    if best.tier != "exact" or not _own_name(written, best.name):
        return False
    return all(c.country_code == best.country_code for c in cands
               if c.tier == "exact" and _own_name(written, c.name))


def _well_known(cand: Candidate) -> bool:
    """A city written exactly and known to everyone. Beside it, an area name
    that is no admin area we know in the document's country ("Taizz (Wadi Qadi)") is a name we
    lack, not a sign of a namesake; a known admin area that does not hold it
    ("Goma (Mahagi, Ituri)", "Ampang (Mangu, Plateau)") is."""
    return cand.tier == "exact" and cand.feature == "populated" and cand.population >= WELL_KNOWN_POPULATION


def _inside_first(ranked: list[tuple[float, Candidate]], area_keys: set[str]) -> list[tuple[float, Candidate]] | None:
    """The ranking with its best candidate inside the areas moved first, or
    None when no candidate is inside."""
    inside = next(((sc, c) for sc, c in ranked if _inside(c, area_keys)), None)
    if inside is None:
        return None
    return [inside] + [rc for rc in ranked if rc[1] is not inside[1]]


def _areas_written(here: dict[int, tuple[set[str], str]], i: int) -> list[tuple[set[str], str]]:
    """The areas written beside mention ``i`` in its sentence (``here``: the
    sentence's areas by mention index), the first one after it first:
    "Khiwaylia town in Tadmor district in Homs badia" is in the district,
    not anywhere in Homs (with no area after it, any of them). (An area
    itself, "Idlib countryside" beside "Aleppo countryside", is not inside
    the other; "Ithariyah desert in Hama" is: the caller checks.)"""
    written = sorted(here.items(), key=lambda ja: (ja[0] < i, ja[0]))
    areas = [area for j, area in written if j != i]
    if written and written[0][0] > i:
        areas = areas[:1]
    return areas


def _inside(cand: Candidate, area_keys: set[str]) -> bool:
    """Is the candidate one of the areas, or inside one (admin1 / admin2)?"""
    return bool({_admin_key(cand.admin1), _admin_key(cand.admin2), _admin_key(cand.name)} & area_keys)


def _area_fallback(mention: PlaceMention, gazetteer: Gazetteer, admin_hints: Sequence[str], focus: str,
                   guess: Candidate | None) -> ResolvedPlace:
    """The admin area known to hold an unplaceable mention (precision 3 on
    its centre), or no place when the area is not in the gazetteer."""
    warning = f"no match for {mention.name!r} in {', '.join(admin_hints)}"
    if guess is not None:
        warning += f"; nearest spelling is {guess.name} ({guess.admin1 or guess.country_code})"
    cc = focus or (guess.country_code if guess else "")
    query = normalize.exact_key(normalize.strip_descriptors(mention.name)[0])
    for hint in admin_hints[:1]:
        # a looser spelling among the own places (a few hundred names) of
        # the area written first, the narrowest ("Khiwaylia town in Tadmor
        # district in Homs badia": not any close spelling in all of Homs)
        guessed = _guess_in_area(gazetteer, query, cc, hint) if query and cc else None
        if guessed is not None:
            best, ratio = guessed
            return ResolvedPlace(
                location=anyascii(best.name), country=best.country, iso=best.iso, country_code=best.country_code,
                admin1=anyascii(best.admin1), admin2=anyascii(best.admin2), admin3=anyascii(best.admin3),
                latitude=best.latitude, longitude=best.longitude, geo_precision=_precision(mention.cue, best.feature),
                score=round(min(1.0, best.score * ratio / 100), 3), place_id=best.place_id, span=mention.span,
                warning=f"spelling guess inside {hint}: {best.name} for {mention.name!r}")
    for hint in admin_hints:
        areas = gazetteer.admin1_candidates(normalize.strip_descriptors(hint)[0], focus or None)
        if areas:
            area = areas[0]
            return ResolvedPlace(
                location=mention.name, country=area.country, iso=area.iso, country_code=area.country_code,
                admin1=anyascii(area.admin1 or area.name), latitude=area.latitude, longitude=area.longitude,
                geo_precision=3, score=round(min(1.0, area.score), 3), place_id=area.place_id, span=mention.span,
                warning=warning)
    return _unresolved(mention, warning)


# Levantine speech reads the Arabic letters tha and dhal as "s" and "z",
# and some lists spell names as spoken: OCHA writes Ithriya (إثريا) as
# "Asrieh" (أسرية). A name a report writes with "th"/"dh" and found nowhere
# inside its area is looked up there once more as spoken (exact or
# skeleton match, no fuzzy guess).
_SPOKEN = ((re.compile(r"th"), "s"), (re.compile(r"dh"), "z"))
# Score (as a spelling ratio, 0-100) of a spoken-form or suffixed match:
# as sure as the weakest fuzzy guess inside the area.
AREA_VARIANT_RATIO = AREA_FUZZY_CUTOFF
# A list that tells namesakes apart by appending their district ("Tal
# Baydar Ras El Ein", "Um Khorzet Manbaj"): a name of the area that is the
# written name plus a tail this close (rapidfuzz ratio of folded names) to
# the place's own admin2 name is that place. (Not admin3: "Hawi Thibyan" is a
# village of its own name in Thiban subdistrict, no "Hawi" told apart.)
AREA_SUFFIX_MIN_RATIO = 80


def _guess_in_area(gazetteer: Gazetteer, query: str, cc: str, hint: str) -> tuple[Candidate, float] | None:
    """A place inside ``hint`` (an admin1 name) for a folded name found
    nowhere there, with how sure the guess is (0-100): an area's name that
    is the written name plus the place's district, a close spelling of one
    of the area's names, or the name as Levantine speech says it."""
    area = {_admin_key(hint)}
    names = gazetteer.names_in_admin1(cc, hint)
    # (the written name with the district's tail first: an exact name is
    # surer than any close spelling)
    prefix = query + " "
    for name in names:
        if not name.startswith(prefix):
            continue
        tail = name[len(prefix):]
        for c in gazetteer.lookup(name, cc, limit=CANDIDATES, fuzzy=False):
            if c.tier == "exact" and _inside(c, area) \
                    and fuzz.ratio(tail, normalize.exact_key(c.admin2 or "")) >= AREA_SUFFIX_MIN_RATIO:
                return c, AREA_VARIANT_RATIO
    found = process.extractOne(query, names, scorer=fuzz.ratio, score_cutoff=AREA_FUZZY_CUTOFF)
    if found is not None:
        inside = [c for c in gazetteer.lookup(found[0], cc, limit=CANDIDATES, fuzzy=False)
                  if c.tier == "exact" and _inside(c, area)]
        if inside:
            return inside[0], found[1]
    spoken = query
    for pattern, sound in _SPOKEN:
        spoken = pattern.sub(sound, spoken)
    if spoken != query:
        inside = [c for c in gazetteer.lookup(spoken, cc, limit=CANDIDATES, fuzzy=False) if _inside(c, area)]
        if inside:
            return inside[0], AREA_VARIANT_RATIO
    return None


def _fit(cand: Candidate, groups: list[list[_Area]]) -> float:
    """How well a candidate sits inside the admin areas written beside it:
    1 when its admin1/admin2 carries the area's name, else decaying with the
    distance to the nearest candidate of the area (same country only); the
    mean over the areas written. 0 with no areas."""
    if not groups:
        return 0.0
    own = {_admin_key(cand.admin1), _admin_key(cand.admin2)} - {""}
    total = 0.0
    for group in groups:
        best = 0.0
        for key, cc, lat, lon, weight in group:
            if cc != cand.country_code:
                continue
            if key and key in own:
                best = max(best, weight)
                continue
            d = distance_km(cand.latitude, cand.longitude, lat, lon)
            if weight == 1.0 and key and own:
                # an admin area of that name, and the candidate's own areas
                # named otherwise: a namesake in the next area counts as twice
                # as far ("Hryhorivka, Donetsk" is no Hryhorivka of
                # Zaporizhia), though a town by the border the report files
                # under its neighbour stays ("Mahmudiyah, Babil governorate")
                d *= OTHER_AREA_DISTANCE_FACTOR
            best = max(best, weight * math.exp(-d / CONTAINER_SCALE_KM))
        total += best
    return total / len(groups)


def _spelling_ratio(mention: str, name: str) -> float:
    """Plain string similarity (0-100) of two names' folded keys."""
    core = normalize.strip_descriptors(mention)[0]
    return fuzz.ratio(normalize.exact_key(core), normalize.exact_key(name))


class _NearestAnchor:
    """Distance from a candidate to the nearest of the document's anchors,
    leaving out anchor ``i`` (the ``i``-th anchor, as the scorer always has).

    A long article names the same few places many times, and every mention
    of a name has the same candidates, so taking the minimum haversine over
    all anchors for every candidate of every mention was most of the
    geocoding time. Here duplicate anchors count once (a minimum does not
    change), each candidate position's shortlist is computed once per
    document (leaving out an anchor off it changes nothing; one on it is
    computed once per (position, anchor left out)), and a cheap dot product of unit vectors (larger = nearer)
    shortlists the anchors whose haversine is then computed exactly, so the
    result is bit for bit the full scan's.
    """

    def __init__(self, anchors: list[tuple[float, float]]) -> None:
        self._anchors = anchors
        self._counts = Counter(anchors)
        self._unique = list(self._counts)
        self._vectors = [_unit_vector(lat, lon) for lat, lon in self._unique]
        self._position = {anchor: k for k, anchor in enumerate(self._unique)}
        # by candidate position: its dot products, the shortlist with no
        # anchor left out and that shortlist's minimum
        self._near: dict[tuple[float, float], tuple[list[float], list[int], float]] = {}
        self._memo: dict[tuple[float, float, tuple[float, float]], float] = {}

    def km(self, cand: Candidate, i: int) -> float | None:
        """None when no other anchor is left (no proximity signal)."""
        if len(self._anchors) <= 1:
            return None
        lat, lon = cand.latitude, cand.longitude
        near = self._near.get((lat, lon))
        if near is None:
            near = self._near[(lat, lon)] = self._shortlist(lat, lon)
        dots, shortlist, km = near
        # Leaving out one copy of a repeated anchor leaves the same set; leaving
        # out an anchor off the shortlist leaves the largest dot product, so
        # the same shortlist and minimum.
        dropped = self._anchors[i] if i < len(self._anchors) and self._counts[self._anchors[i]] == 1 else None
        if dropped is None or self._position[dropped] not in shortlist:
            return km
        key = (lat, lon, dropped)
        found = self._memo.get(key)
        if found is None:
            left = list(dots)
            left[self._position[dropped]] = -math.inf  # below any floor: left out
            found = self._memo[key] = self._min_km(lat, lon, left)
        return found

    def _shortlist(self, lat: float, lon: float) -> tuple[list[float], list[int], float]:
        x, y, z = _unit_vector(lat, lon)
        dots = [ax * x + ay * y + az * z for ax, ay, az in self._vectors]
        floor = max(dots) - _DOT_SLACK
        shortlist = [k for k, d in enumerate(dots) if d >= floor]
        unique = self._unique
        if len(shortlist) == 1:  # the usual case
            return dots, shortlist, distance_km(lat, lon, *unique[shortlist[0]])
        return dots, shortlist, min(distance_km(lat, lon, *unique[k]) for k in shortlist)

    def _min_km(self, lat: float, lon: float, dots: list[float]) -> float:
        """The minimum haversine over the anchors whose dot product is within
        _DOT_SLACK of the largest."""
        floor = max(dots) - _DOT_SLACK
        unique = self._unique
        return min(distance_km(lat, lon, *unique[k]) for k, d in enumerate(dots) if d >= floor)


def _unit_vector(lat: float, lon: float) -> tuple[float, float, float]:
    phi, lam = math.radians(lat), math.radians(lon)
    return math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)


def _score(cand: Candidate, cue: str, focus: str, beside: set[str], nearest: float | None, seat: str = "") -> float:
    """``seat``: the admin key of a name written as a city (a town of an
    area of that name is the area's seat), else ""."""
    score = cand.score
    if focus and cand.country_code == focus:
        score += COUNTRY_BONUS
    # (the areas beside are the focus country's: a namesake abroad inside an
    # area of the same name is no sign, "Ilam municipality (Ilam district)"
    # in Nepal is not Iran's Ilam city in Ilam province)
    if beside and (_admin_key(cand.admin1) in beside or _admin_key(cand.admin2) in beside) \
            and cand.feature not in ADMIN_FEATURES and (not focus or cand.country_code == focus):
        score += ADMIN_BONUS
    if cand.feature in ADMIN_FEATURES:
        if cue in AREA_CUES and cand.feature == "admin1" \
                or cue == ADMIN_CUE and cand.tier == "exact" and (not focus or cand.country_code == focus):
            score += AREA_CUE_ADMIN_BONUS
    elif cand.feature == "populated":
        score += POPULATED_BONUS
        if seat and cand.tier == "exact" and seat in (_admin_key(cand.admin1), _admin_key(cand.admin2)):
            score += SEAT_BONUS
    elif cand.feature == "neighbourhood":
        score -= NEIGHBOURHOOD_PENALTY
    elif cue in SITE_CUES and cand.feature in NAMED_SITE_FEATURES:
        score += SITE_CUE_BONUS
    if cand.feature == COUNTRY_FEATURE and cue not in AREA_CUES:
        score -= POPULATED_BONUS
    if nearest is not None:
        score += PROXIMITY_BONUS * math.exp(-nearest / PROXIMITY_SCALE_KM)
    return score
