"""Place mentions: capitalised names in locative contexts.

A place candidate is a run of capitalised words (with the connectors that
Arabic, Spanish, French ... place names use: al-, el-, de, del, bin, Abu,
Umm, ...) that either follows a locative preposition ("in", "near", "on the
outskirts of", ...) or is followed by a place noun ("Harem town", "Idlib
countryside", "Aleppo governorate"), or sits in the parenthetical admin
list of a report ("in Minakulu (Oyam, Northern)").

The cue word (town, village, near, outskirts, countryside, ...) and
orientation ("near the border with Iskenderun region": orients, is not the
place) are recorded for the geocoder, which decides precision and resolves
the name. Candidates that are actor names are dropped by the caller.
"""

from __future__ import annotations

import re
from dataclasses import replace

from marsad.knowledge.prefilter import PatternGate
from marsad.records import PlaceMention, Sentence, Span

_CONNECT_WORDS = (r"al|el|ad|ar|as|ash|at|az|an|ath|adh|ed|er|es|ez|et|de|del|della|di|da|do|dos|das|du|des|la|le|les|"
                  r"los|las|van|von|bin|ibn|bani|beni|abu|umm|um|bir|tel|tal|of|upon|sur|am|im|an der|"
                  # Arabic "and" ("Kitaf wa Al Boqee"), Russian "named after" ("Shakhta imeni Gagarina"),
                  # Spanish "and" ("Tapachula de Cordova y Ordonez", "Santa Fe y La Mar")
                  r"wa|imeni|y")
_CONNECT = rf"(?:{_CONNECT_WORDS}|on)"
# "on" links a name only with hyphens ("Rostov-on-Don"): "clashes between JWS
# and YPG on Kafr Khasher axis" are two names
_CONNECT_SPACED = rf"(?:{_CONNECT_WORDS})"
# Possessive (*+): a capitalised word never gives back its letters and
# hyphens. A hyphen is both part of a word and a separator, so with plain
# "*" a run like "Al-Abu-Al-Abu-..." could be cut into words in
# polynomially many ways and one sentence took minutes; giving back never
# changes what matches (the same characters are covered either way).
# ("J&K", "T&T": an ampersand abbreviation of an area is one word)
_CAPWORD = r"(?:[A-Z]&[A-Z](?![\w&])|[A-Z\u00C0-\u00DE][\w’'`\u00B4-]*+)"
# A day or month name never continues a place name ("Mosul on Monday" is
# Mosul; "Rostov-on-Don" stays whole).
_NOT_DATE_WORD = (r"(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|"
                  r"April|May|June|July|August|September|October|November|December)\b)")
# "St. Petersburg", "Mt. Kenya", "Ft. Lauderdale": an abbreviated first word
_ABBREVIATED = r"(?:(?:St|Ste|Mt|Ft|Pt)\.\s?)"
NAME = rf"(?:(?:{_CONNECT}[- ]|{_ABBREVIATED})?{_CAPWORD}(?:(?:[ -]|[ -](?:{_CONNECT_SPACED}[ -]){{1,2}}|-{_CONNECT}-){_NOT_DATE_WORD}{_CAPWORD}){{0,4}})"

PLACE_NOUNS = (
    r"town|city|village|villages|hamlet|countryside|governorate|province|district|sub-?district|region|area|hills?|farms|"
    r"neighbou?rhood|quarter|suburbs?|outskirts|camp|county|sub-?county|municipality|state|desert|valley|"
    r"mountains?|plains?|border crossing|crossing|island|commune|department|prefecture|parish|ward|locality|"
    r"settlement|refugee camp|IDP camp|oasis|axis|front|frontline|countryside of|division|zone|canton|"
    r"territorial community|hromada|"
    # "in Homs badia", "Ithariyah badia": the desert steppe around a place (Syria)
    r"badia|badiya"
)
# Buildings of a place: "the tribunal of Paris" is in Paris (their last word
# names no kind of place: the name after "of" keeps no cue).
_FACILITIES = ("tribunal", "court", "courthouse", "city council", "town hall", "city hall", "high school", "school",
               "university", "hospital", "prefecture", "sub-prefecture", "embassy", "consulate", "parliament",
               "mosque", "church", "cathedral", "stadium", "prison", "port", "airport", "mayor's office",
               "town council", "municipal council")
PREPOSITIONS = (
    r"in|at|near|nearby|close to|outside|around|across|inside|into|within|from|"
    r"through|throughout|along|north of|south of|east of|west of|northeast of|"
    r"northwest of|southeast of|southwest of|the outskirts of|outskirts of|the vicinity of|vicinity of|"
    r"the village of|the town of|the city of|the district of|the province of|the governorate of|"
    r"the region of|the area of|the countryside of|the state of|the county of|the municipality of|"
    # "an offensive in the direction of Bila Hora, Luhansk": where the fighting was
    r"in the direction of|in the directions of|"
    # "downed a helicopter over Bucha", "the stretch between Dovhenke and ...",
    # "threw a grenade at the residents of Trostianets"
    r"over|between|residents of|the residents of|inhabitants of|the territory of|control of|"
    # "in front of the tribunal of Paris", "the high school of Nogaro": a
    # building of the place, so the place itself
    r"the (?:" + "|".join(map(re.escape, _FACILITIES)) + ") of"
)
_CUE_BEFORE = re.compile(
    # (the preposition in any case: "In Aleppo, ..." opens many sentences)
    rf"\b(?P<prep>(?i:{PREPOSITIONS}))\s+(?:the\s+)?(?:(?P<dir>downtown|occupied|liberated|besieged|northern|southern|eastern|western|north-?eastern|north-?western|south-?eastern|south-?western|central|rural|eastern rural|western rural|northern rural|southern rural)\s+)?(?P<name>{NAME})"
    rf"(?:\s+(?P<noun>{PLACE_NOUNS})s?\b)?"
)
# (a name starts at a word's start: "near Shahzadpur town" is not "ar Shahzadpur")
_CUE_AFTER = re.compile(rf"(?<![\w'’`-])(?P<name>{NAME})\s+(?P<noun>{PLACE_NOUNS})s?\b")
# "Russian forces shelled Kreminna, Luhansk." / "bombed Mariupol with ...": the
# name a strike verb acts on is a place when the clause ends or goes on with a
# preposition, comma or participle right after it ("shelled HTS positions",
# "attacked Palestinian houses" go on with a common noun and are not places).
_STRIKE_VERBS = (
    r"shelled|shelling|bombed|bombing|bombarded|bombarding|struck|hit|stormed|raided|captured|"
    r"recaptured|seized|retook|liberated|attacked|targeted|targeting|besieged|encircled|entered|"
    r"took control of|taking control of|took over|control over|shelling of|bombardment of"
)
# ... and what a strike is aimed at, with or without "the" ("an attack on the
# Kanatove Airdrome", "fired artillery on Ivanivka", "rockets towards Sderot")
_STRIKE_AT = (
    r"(?:airstrikes?|air strikes?|air raids?|raids?|attacks?|offensive|artillery|rockets?|missiles?|shells?|mortars?|drones?|"
    r"bombs?|grenades?|fire|gunfire)\s+(?:on|towards?|into)(?:\s+the)?"
)
# Their cue: weaker evidence than a preposition, so an actor name overlapping
# such a candidate wins whatever its length ("attacked ATMIS UPDF at ...").
OBJECT_CUE = "object"
_VERB_OBJECT = re.compile(
    rf"\b(?:{_STRIKE_VERBS}|{_STRIKE_AT})\s+(?P<name>{NAME})"
    r"(?=\s*(?:[.;,()]|$)|\s+(?:with|using|on|in|at|from|during|after|before|killing|wounding|injuring|"
    r"leaving|causing|damaging|and|as|overnight|again|twice|for)\b)"
)
# "the northern Iraqi city of Mosul": the place follows "city of"; the word
# before it ("Iraqi") only describes it.
_OF_NOUNS = r"city|town|village|province|region|district|governorate|municipality|coast"
_NOUN_OF = re.compile(rf"\b(?P<noun>{_OF_NOUNS}) of (?P<name>{NAME})")
_NOUN_OF_GATE = PatternGate(_NOUN_OF)
# Most sentences hold no place noun: then _CUE_AFTER, which tries a name at
# every character, is not run (same matches, a third of this stage's time).
_CUE_AFTER_GATE = PatternGate(_CUE_AFTER)
# "the Sikefta Birindara area of Duhok", "Zap region (Al Amadiya district) of
# Duhok": the name after "of" is the admin area holding the named area (only
# after a name or its parenthesis: "in the area of Seytenga" is Seytenga).
_AREA_OF = re.compile(rf"\s(?:area|region|district)\)?\s+of\s+(?P<name>{NAME})")
_DESCRIBES_NEXT = re.compile(rf"(?<!\s)\s++(?:{_OF_NOUNS}) of\s")
# "near Pashkove, Kharkiv." / "shelled Avdiivka, Donetsk, using ...": a name
# after a place and a comma, closing the clause, is the place's admin area.
# (?<!\s) and possessive spaces: tried at every position of a long run of
# blanks, a plain \s+ would rescan the run each time (quadratic).
# "Giro district [coded as Pana with GP2], Ghazni": a coder's bracketed remark
# between a place and its admin area does not break the chain
_CODER_REMARK = r"(?:\s*+\[(?i:location\s+)?coded\b[^\[\]]{0,80}\])?"
_AFTER_PLACE_COMMA = rf"(?<!\s)(?:\s++(?:{PLACE_NOUNS})s?)?{_CODER_REMARK},\s++(?P<name>{NAME})"
_COMMA_ADMIN = re.compile(
    _AFTER_PLACE_COMMA + r"(?=\s*(?:[.;,)]|$|\s+(?:on|in|at|during|after|when|where|while|and|as|to|for|against|over|protesting|demanding|denouncing|condemning)\b))")
# "..., Helmand province," / "..., Mopti region": the same with its area noun.
_COMMA_AREA = re.compile(
    _AFTER_PLACE_COMMA + r"\s+(?:province|governorate|region|state|district|county|department|prefecture|oblast)\b")
# An admin chain is at most "town, district, province".
MAX_COMMA_ADMINS = 2
# "on Dashishah-Tuwaymin road": a road named by the places it links (the
# geocoder places it at its first end); a plain "X road" is no place.
LINE_NOUNS = ("road", "highway")
_LINE_ROAD = re.compile(rf"(?<![\w'’`-])(?P<name>{NAME})\s+(?P<noun>{'|'.join(LINE_NOUNS)})\b")
_TWO_NAMES = re.compile(r"[a-z\u00DF-\u00FF]-[A-Z\u00C0-\u00DE]")
# "in Al-Hasakeh - Ghoweran city", "on Aleppo - Sheikh Maqsoud and ...",
# "shelled Ain al Arab - Kaniya Kurdan town": ACLED's "City - Neighbourhood"
# names a part of a city (after a preposition or a strike verb).
_CITY_PART = re.compile(rf"\b(?:in|on|at|of|near|inside|{_STRIKE_VERBS})\s+(?P<city>{NAME}) - (?P<part>{NAME})")
CITY_PART_CUE = "neighbourhood"
# "(Oyam, Northern)", "(Aden)": a parenthetical made only of names.
_PAREN = re.compile(rf"\((?P<inner>{NAME}(?:(?:,\s*|\s+-\s+){NAME}){{0,3}})\)")
# "Mogh Party (ALP)", "Arakan Army (AA)": capitals only, after a capitalised word
_ACRONYM = re.compile(r"[A-Z][A-Z0-9&-]*[A-Z0-9]")
_NAME_BEFORE_PAREN = re.compile(r"\b[A-Z][\w'’-]*\s*$")
_ORIENT_BEFORE = re.compile(
    r"(?:border(?:s)? with|bordering|border of|towards|toward|road to|road from|highway|"
    r"-backed|backed by|based in|operating in|active in|coming from|heading to|headed to|fled to|from the direction of|"
    r"on the road between|linking|connecting|frontier with|(?:border|boundary|frontier) between)\s+(?:the\s+)?$",
    re.I,
)
_ORIENT_AFTER = re.compile(r"^(?:-backed|-based|-affiliated|-led|-supported|\s+(?:border|frontier|borders)\b)", re.I)
# Words that look like names but never are places in this role.
STOP_NAMES = frozenset(
    """
    On In At The A An This That These Those It He She They We His Her Their Its
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May
    June July August September October November December Reliable Observatory Sources Local
    According Meanwhile However Moreover Also Earlier Later Today Yesterday Tonight Police Army
    Government Ministry President Minister Forces Islamic State Party Council Court Parliament
    Reuters AP AFP ANI PTI IANS UPI Xinhua Anadolu Sputnik TASS EFE DPA ANSA Kyodo Yonhap Bernama
    Easter Christmas Ramadan Eid
    """.split()
)
# "outside the Russian consulate in Limassol", "at the US Embassy": the name
# before a mission abroad is the country it represents, not where it is
_MISSION_AFTER = re.compile(r"\s++(?:[Cc]onsulate|[Ee]mbassy|[Ee]mbassies)\b")
# between a place and the area written right after it ("Ali in Deir ez Zor")
_IN_THE_NEXT = re.compile(rf"(?<!\s)(?:\s++(?:{PLACE_NOUNS})s?)?\s++in\s++(?:the\s++)?")
# "the residents of Trostianets": words of a preposition that name no kind of place
_NOT_PLACE_NOUNS = frozenset({"residents", "inhabitants", "territory", "direction", "directions"}) | {
    facility.split()[-1] for facility in _FACILITIES}
_DIRECTIONAL = {"northern", "southern", "eastern", "western", "central", "rural"}


# "a patrol took place starting from Al-Omar Oil Field": where a patrol or
# a march starts is where it took place (a plain "from X" is where
# someone came from)
_STARTS_FROM = re.compile(r"\b(?:starting|started|departing|departed|setting off|set off|set out) $", re.I)


_LEADING_FUNCTION_WORD = re.compile(r"^(?:of|on|upon|the|am|im|an der)\s+")
# An Arabic article spelling that is an English word, in lower case and
# apart from the name, opens no name: "rockets at Khaneh village", "fire at
# an Asayish position" (the article itself is written "At Tall", "an-Nabk").
_LEADING_ENGLISH_WORD = re.compile(r"^(?:at|an|as)\s+")
# A name that is only an article ("Al 'ishreen street": the apostrophe cut the name) is none.
# (only the article's two common spellings: "La." is Louisiana, "De" a name)
_ONLY_ARTICLE = re.compile(r"(?i:al|el)")


# "detained the Mukhtar of Qujman town", "the residents of Trostianets": a
# title or a people before "of" is who, not part of the place's name
_TITLE_OF = re.compile(r"(?i:mukhtar|mayor|governor|head|chief|sheikh|shaykh|imam|residents|people)\s+of\s+")


def _clean_name(name: str) -> str:
    """Trim quotes and a leading function word ("outskirts of Tal Madeeq")."""
    name = _LEADING_ENGLISH_WORD.sub("", _LEADING_FUNCTION_WORD.sub("", name.strip(" -’'`")))
    return "" if _ONLY_ARTICLE.fullmatch(name) else name


def find_places(sentence: Sentence) -> list[PlaceMention]:
    """Place candidates in a sentence, earliest first, without overlaps."""
    text = sentence.text
    found: dict[tuple[int, int], PlaceMention] = {}

    def add(start: int, end: int, cue: str, orientation: bool = False) -> None:
        raw = text[start:end]
        title = _TITLE_OF.match(raw)
        if title is not None:
            start += title.end()
            raw = raw[title.end():]
        name = _clean_name(raw)
        if not name or name in STOP_NAMES:
            return
        # trim a leading stop word ("The Aleppo" -> "Aleppo")
        parts = name.split(" ", 1)
        if parts[0] in STOP_NAMES and len(parts) == 2:
            start += len(parts[0]) + 1
            name = parts[1]
        start = text.find(name, start)
        end = start + len(name)
        key = (start, end)
        if _DESCRIBES_NEXT.match(text, end) or _MISSION_AFTER.match(text, end):
            return
        before = text[:start]
        if _ORIENT_BEFORE.search(before[-30:]) or _ORIENT_AFTER.match(text[end:end + 10]):
            orientation = True
        prev = found.get(key)
        if prev is not None and (prev.cue or not cue):
            return
        found[key] = PlaceMention(
            span=Span(sentence.start + start, sentence.start + end, name),
            name=name,
            cue=cue,
            sentence=sentence.index,
            orientation=orientation,
        )

    for m in _CITY_PART.finditer(text) if " - " in text else ():
        add(m.start("city"), m.end("city"), "")
        add(m.start("part"), m.end("part"), CITY_PART_CUE)
    for m in _NOUN_OF.finditer(text) if _NOUN_OF_GATE.may_match(text) else ():
        add(m.start("name"), m.end("name"), m.group("noun"))
    for m in _CUE_AFTER.finditer(text) if _CUE_AFTER_GATE.may_match(text) else ():
        add(m.start("name"), m.end("name"), m.group("noun").lower())
    for m in _LINE_ROAD.finditer(text) if "-" in text else ():
        if _TWO_NAMES.search(m.group("name")):
            add(m.start("name"), m.end("name"), m.group("noun").lower())
    for m in _VERB_OBJECT.finditer(text):
        add(m.start("name"), m.end("name"), OBJECT_CUE)
    for m in _CUE_BEFORE.finditer(text):
        prep = m.group("prep").lower()
        cue = (m.group("noun") or "").lower()
        direction = (m.group("dir") or "").lower()
        if direction in ("downtown", "occupied", "liberated", "besieged"):
            cue = cue or ""  # "in downtown Miami", "in occupied Mykhailivka": the town itself
        elif direction:
            # "northern Idlib" -> cue "northern"; "Idlib countryside" keeps its noun
            cue = cue or direction.split()[0]
        elif not cue:
            if "outskirts" in prep:
                cue = "outskirts"
            elif prep in ("near", "nearby", "around", "close to") or prep.endswith(" of") and prep.split()[0] in ("north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest"):
                cue = "near"
            elif (prep.startswith("the ") and prep.endswith(" of") or prep.endswith("village of") or prep.endswith("town of")) \
                    and prep.split()[-2] not in _NOT_PLACE_NOUNS:
                cue = prep.split()[-2]
        add(m.start("name"), m.end("name"), cue,
            orientation=prep == "from" and not _STARTS_FROM.search(text, max(0, m.start() - 20), m.start()))
    for m in _AREA_OF.finditer(text) if " of " in text else ():
        # (after the other cues: "area of Cizre district" keeps "district";
        # "area of Baghdad - Adhamiya" is a part of the city, not its area)
        before = (text[:m.start()].rsplit(None, 1)[-1:] or [""])[0].lstrip("(")
        if (before[:1].isupper() or before.endswith(")")) and not text.startswith(" - ", m.end("name")):
            add(m.start("name"), m.end("name"), "admin")
    for mention in list(found.values()):
        end = mention.span.end - sentence.start
        for _ in range(MAX_COMMA_ADMINS):
            m = _COMMA_ADMIN.match(text, end)
            area = _COMMA_AREA.match(text, end)
            if area is not None:
                # "in Lashkar Gah city, Helmand province, killing ...": the
                # province is where the town is, not a second place
                key = next(((a, b) for a, b in found if a == area.start("name")), None)
                if key is not None:
                    found[key] = replace(found[key], cue="admin")
                    end = area.end()
                    continue
            if m is None or (m.start("name"), m.end("name")) in found:
                break
            add(m.start("name"), m.end("name"), "admin")
            end = m.end("name")
    for m in _PAREN.finditer(text):
        if m.start() and text[m.start() - 1].isalnum():
            # "CPN(US)", "CPN(MC)": a parenthesis glued to a word is part
            # of a name (a party's), no admin area
            continue
        if _ACRONYM.fullmatch(m.group("inner")) and _NAME_BEFORE_PAREN.search(text, 0, m.start()):
            # "members of Mogh Party (ALP) in ...": an acronym right after a
            # name is that name's abbreviation, not an admin area
            continue
        # "Minakulu (Oyam, Northern)": inner names are admin areas of the place.
        inner_start = m.start("inner")
        for part in re.finditer(rf"{NAME}", m.group("inner")):
            add(inner_start + part.start(), inner_start + part.end(), "admin")
    out = sorted(found.values(), key=lambda p: (p.span.start, -(p.span.end - p.span.start)))
    result: list[PlaceMention] = []
    last_end = -1
    for p in out:
        if p.span.start < last_end:
            continue
        if result and not p.cue and _IN_THE_NEXT.fullmatch(text, result[-1].span.end - sentence.start,
                                                           p.span.start - sentence.start):
            # "in Ali in Deir ez Zor": the second name is where the first is
            p = replace(p, holds_previous=True)
        result.append(p)
        last_end = p.span.end
    return result
