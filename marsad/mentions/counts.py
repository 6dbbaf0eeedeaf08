"""Counts of killed, injured and arrested people, per the codebook's rules.

Every number in a sentence (digits, number words, vague quantities such as
"tens of") is found with one compiled regex. Each is then read in its
context: what follows it ("six civilians were killed"), what precedes it
("killing six", "arrested 10"), and whether it is a count at all ("a
40-year-old man", "Brigade 46", "2 km", "in 2019" are not).

- "at least 12" is 12; "10 to 15" is 10 (the lowest figure).
- "two soldiers and three civilians were killed" is 5.
- "a man was killed" is 1; "no one was killed" is 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from marsad.knowledge.lexicons import NumberLexicon
from marsad.knowledge.prefilter import required_keywords
from marsad.records import CountMention, Sentence, Span

# Verbs (and nouns) that make a number a count of one kind.
VERBS: dict[str, str] = {
    "killed": r"killed|dead|died|perished|lost (?:their|his|her) lives|fatalit(?:y|ies)|deaths?|lifeless|slain|executed|massacred|murdered|bodies|shot dead|beheaded|assassinated|drowned|burned to death",
    "injured": r"injured|wounded|hurt|injuries|injury|maimed|hospitali[sz]ed|sustained (?:\w+ )?injuries",
    "arrested": r"arrested|detained|arrests|detentions|in custody|taken into custody|rounded up|apprehended|jailed|held",
}
# Verbs whose object is killed: "killing six", "murdered a trader".
KILLING_VERBS = (r"killing|killed|kills|kill|executed|executing|murdered|murdering|shot dead|shot and killed|"
                 r"lynched|lynching|beheaded|beheading|strangled|strangling|"
                 r"(?:beat|beaten|beating|stabbed|stabbing|hacked|hacking|tortured|torturing) to death")
# Verbs directly before a number: "killing six", "arrested 10", "left 3 dead".
VERBS_BEFORE: dict[str, str] = {
    "killed": r"(?:(?:fatalities|casualties|deaths)(?: \(?\w+\)?)? (?:(?:were|are|is|was) )?(?:coded|estimated) as|"
              + KILLING_VERBS + r"|massacred|claimed the lives of|claiming the lives of|the deaths of|the death of|"
              r"the killing of|(?:the )?bodies of|toll (?:rose|rises|climbed|reached|stands|stood|of|at)?(?: to| at)?|"
              r"(?:burned|burnt|stoned|stoning) to death)",
    "injured": r"(?:injuring|injured|wounding|wounded|injures|wounds|hurting)",
    "arrested": r"(?:arresting|arrested|arrests|detaining|detained|detains|the arrest of|the detention of|rounding up|rounded up|apprehending|apprehended)",
}
QUALIFIERS = r"(?:at least|around|about|approximately|nearly|almost|some|more than|over|up to|as many as|an estimated|roughly|reportedly|a total of|estimated|only|another|other|between)"
AUXILIARIES = r"(?:were|was|have|has|had|been|are|is|got|reportedly|also|all|later|allegedly|being|being|subsequently|eventually|confirmed|reported|found|left)"
MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
# Words that count one person, only before a person noun ("a man", "one
# of the perpetrators"); "the" and "another" only before a singular one.
ARTICLES = frozenset({"a", "an", "one", "single", "the", "another"})
SINGULAR_ONLY = frozenset({"the", "another"})
PLURAL_NOUNS = frozenset({"police", "people", "personnel", "troops", "men", "women", "children", "others",
                          "bodies", "casualties", "fishermen", "gunmen", "militiamen", "policemen"})
# How many words may stand between a number and its verb: "six members of
# the security forces were killed" has four.
MAX_GAP_WORDS = 8
# Largest number read as a count. No report counts more people; a longer
# digit run is an id or a phone number, and an unbounded one ("999...9",
# "hundred hundred hundred ...") would overflow SQLite's 64-bit integers
# or Python's int-from-string limit (4300 digits) and stop a whole run.
MAX_COUNT = 10_000_000
MAX_COUNT_DIGITS = len(str(MAX_COUNT))


@dataclass(frozen=True)
class CountPatterns:
    number: re.Pattern[str]
    verb_after: dict[str, re.Pattern[str]]
    verb_before: dict[str, re.Pattern[str]]
    people: re.Pattern[str]
    not_after: re.Pattern[str]
    not_before: re.Pattern[str]
    zero: dict[str, re.Pattern[str]]
    lexicon: NumberLexicon
    # strings one of which a sentence must hold for a zero pattern to match
    # ("no ", "without "), or None (marsad.knowledge.prefilter)
    zero_keywords: dict[str, frozenset[str] | None]


@lru_cache(maxsize=4)
def compile_patterns(lexicon: NumberLexicon) -> CountPatterns:
    word = "|".join(sorted((re.escape(w) for w in lexicon.words if w not in ("no", "none", "zero") and w not in SINGULAR_ONLY),
                           key=len, reverse=True))
    lone = "|".join(sorted(SINGULAR_ONLY & set(lexicon.words)))
    vague = "|".join(sorted((re.escape(v) for v in lexicon.vague), key=len, reverse=True))
    compound = rf"(?:{word})(?:(?:-|\s+|\s+and\s+)(?:{word}))*"
    digits = r"\d{1,3}(?:,\d{3})+|\d+"
    single = rf"(?:{digits}|{vague}|{compound}|{lone})" if lone else rf"(?:{digits}|{vague}|{compound})"
    number = re.compile(
        rf"\b(?:{QUALIFIERS}\s+)?(?P<num>{single})(?:\s*(?:-|to|or|and)\s*(?:{single}))?\b"
    )
    people = "|".join(lexicon.people)
    verb_after = {
        what: re.compile(
            # possessive \s++ and word++: a space run or a word is never split
            # (neither a word nor a verb starts with a space), so the same
            # matches without trying every split of a long space run
            rf"(?P<gap>(?:\s++[\w'’()-]++){{0,{MAX_GAP_WORDS}}}?)\s++(?:{AUXILIARIES}\s++){{0,3}}(?P<verb>{verbs})\b"
        )
        for what, verbs in VERBS.items()
    }
    verb_before = {what: re.compile(rf"\b{verbs}\s+(?:{QUALIFIERS}\s+)?$") for what, verbs in VERBS_BEFORE.items()}
    zero = {
        "killed": re.compile(r"\bno (?:one|people|person|civilians?|soldiers?)? ?(?:was |were )?(?:killed|dead|died)\b|\bno (?:fatalities|deaths|casualties)\b|\bwithout (?:any )?(?:casualties|fatalities|deaths)\b"),
        "injured": re.compile(r"\bno (?:one|people|person)? ?(?:was |were )?(?:injured|wounded|hurt)\b|\bno (?:injuries|casualties)\b"),
        "arrested": re.compile(r"\bno (?:one|arrests)\b(?: was| were)? ?(?:arrested|made)?"),
    }
    return CountPatterns(
        number=number,
        verb_after=verb_after,
        verb_before=verb_before,
        people=re.compile(rf"^\s+(?:[\w-]+\s+){{0,3}}(?P<noun>{people})\b"),
        # \s*+ (possessive): once "(?:\s*|\s+)...\s*\d" tried every split of a
        # run of spaces (cubic); no alternative starts with a space, so the
        # matches are the same
        not_after=re.compile(r"^\s*+(?:" + "|".join(lexicon.not_counts) + rf"|{MONTHS}\b|\d)"),
        not_before=re.compile(r"\b(?:" + "|".join(lexicon.not_count_before) + rf"|{MONTHS}|on|in|since|of the)\s*$"),
        zero=zero,
        lexicon=lexicon,
        zero_keywords={what: required_keywords(p.pattern, p.flags) for what, p in zero.items()},
    )


_LEADING_QUALIFIER = re.compile(rf"^{QUALIFIERS}\s+")
_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_WORD_SPLIT = re.compile(r"[\s-]+")
_YEAR = re.compile(r"(?:19|20)\d\d")
# A count verb inside the gap between a number and its verb: the number
# belongs to an earlier phrase.
_VERB_IN_GAP = re.compile(r"\b(?:killed|injured|wounded|arrested|detained|dead)\b")
# An object right after the verb makes it active ("killed a driver", "killed
# two"); without "was"/"were" before the verb the number is its subject.
_ACTIVE_OBJECT = re.compile(r"(?<!\s)\s++(?:a|an|the|him|them|his|her|their|its|one|two|three|four|five|six|seven|eight|nine|ten|several|\d)\b")
_PASSIVE_AUX = re.compile(r"\b(?:was|were|been|being|got|is|are)\b")
_LIST_BEFORE = re.compile(r"(?:\band\b|,)\s*(?:" + QUALIFIERS + r"\s+)?$")


def parse_number(text: str, lexicon: NumberLexicon) -> int | None:
    """Value of a number phrase: "six" 6, "twenty-one" 21, "tens of" 10."""
    t = text.lower().strip()
    t = _LEADING_QUALIFIER.sub("", t)
    if t in lexicon.vague:
        return lexicon.vague[t]
    if _DIGITS.fullmatch(t):
        digits = t.replace(",", "")
        return int(digits) if len(digits) <= MAX_COUNT_DIGITS else None
    total = 0
    current = 0
    seen = False
    for token in _WORD_SPLIT.split(t):
        if token == "and":
            continue
        if token in lexicon.units:
            current += lexicon.units[token]
        elif token in lexicon.tens:
            current += lexicon.tens[token]
        elif token in lexicon.scales:
            current = max(current, 1) * lexicon.scales[token]
            if lexicon.scales[token] >= 1000:
                total += current
                current = 0
        else:
            return None
        seen = True
    return total + current if seen and total + current <= MAX_COUNT else None


# The same few number phrases ("the", "a", "two", "2022") come up in every
# report: their values are remembered.
_parse_number_cached = lru_cache(maxsize=4096)(parse_number)


def find_counts(sentence: Sentence, lexicon: NumberLexicon) -> list[CountMention]:
    pats = compile_patterns(lexicon)
    lowered = sentence.text.lower()
    out: list[CountMention] = []
    consumed: set[int] = set()
    numbers = list(pats.number.finditer(lowered))
    for idx, m in enumerate(numbers):
        start = m.start()
        if start in consumed:
            continue
        raw = m.group("num")
        after = lowered[m.end():]
        # every test up to the verbs only rules a number out, so the
        # cheapest and most selective come first ("the" and "a" are most
        # of the numbers found, and count only before a person noun)
        is_article = raw in ARTICLES
        person = pats.people.match(after) if is_article else None
        if is_article and not person and not _lone_victim(raw, lowered, start, after):
            continue  # "a" / "one" counts only before a person noun
        value = _parse_number_cached(raw, lexicon)
        if value is None:
            continue
        if (not is_article and pats.not_after.match(after)) or (
                pats.not_before.search(lowered[max(0, start - 25):start]) and not _CASUALTY_NOUN_AFTER.match(after)):
            continue  # "in 2019", "Brigade 46"; but "resulting in 3 deaths"
        if _YEAR.fullmatch(raw):
            continue  # a year
        if start >= 2 and lowered[start - 1] == "-" and lowered[start - 2].isalnum():
            continue  # part of a name: "Barrio-18", "MS-13", "COVID-19"
        if raw in SINGULAR_ONLY and person is not None and (person.group("noun").endswith("s") or person.group("noun") in PLURAL_NOUNS):
            continue  # "the soldiers were killed" says nothing of how many
        # A casualty verb right before the number decides ("shot and killed
        # two men and injured another": two killed, not two injured).
        window = lowered[max(0, start - 40):start]
        direct = next(((what, bm) for what, before_re in pats.verb_before.items()
                       if (bm := before_re.search(window)) is not None), None)
        if direct is not None:
            # the evidence holds the verb too ("killed two", "Fatalities coded as 3")
            what, bm = direct
            if _PAST_AFTER.match(lowered, m.end()):
                continue
            out.append(_mention(sentence, m.start() - (len(window) - bm.start()), m.end(), value, what))
            continue
        found = False
        for what, verb_re in pats.verb_after.items():
            vm = verb_re.match(lowered, m.end())
            if not vm:
                continue
            gap = vm.group("gap")
            if _VERB_IN_GAP.search(gap):
                continue
            if _ACTIVE_OBJECT.match(lowered, vm.end()) and not _PASSIVE_AUX.search(lowered, m.end() + len(gap), vm.start("verb")):
                continue  # "two gunmen shot and killed a driver": the number is the killers
            if _NOT_DONE_BEFORE.search(lowered, max(0, vm.start("verb") - 25), vm.start("verb")):
                continue  # "a man was nearly killed"
            # Other numbers inside the gap: a coordinated list ("two soldiers
            # and three civilians were killed") is summed; anything else
            # means this number belongs to another phrase.
            inner = [
                n for n in numbers[idx + 1:]
                if n.start() < m.end() + len(gap) and not pats.not_after.match(lowered[n.end():])
                # "a"/"an" is a count in the list only as "and a councilman"
                and (n.group("num") not in ("a", "an")
                     or (lowered[:n.start()].endswith("and ") and pats.people.match(lowered[n.end():])))
            ]
            total = value
            ok = True
            for n in inner:
                if not _LIST_BEFORE.search(lowered[:n.start()]):
                    ok = False
                    break
                v = _parse_number_cached(n.group("num"), lexicon)
                if v is None:
                    ok = False
                    break
                total += v
                consumed.add(n.start())
            if not ok or _PAST_AFTER.match(lowered, vm.end()):
                continue
            out.append(_mention(sentence, m.start(), vm.end(), total, what))
            found = True
            break
        if found:
            continue
    _coder_figures(sentence, lowered, lexicon, out)
    # "He was killed in the attack", "the victim died": one person, no number word
    for pm in _ONE_PERSON_KILLED.finditer(lowered):
        if _NOT_DONE_BEFORE.search(lowered, max(0, pm.start() - 25), pm.start()):
            continue
        out.append(_mention(sentence, pm.start(), pm.end(), 1, "killed"))
    for what, zero_re in pats.zero.items():
        keywords = pats.zero_keywords[what]
        if keywords is not None and not any(k in lowered for k in keywords):
            continue
        for zm in zero_re.finditer(lowered):
            out.append(_mention(sentence, zm.start(), zm.end(), 0, what))
    return out


# A casualty noun right after a number makes it a count whatever precedes
# it ("resulting in 1 fatality", "in 3 deaths").
_CASUALTY_NOUN_AFTER = re.compile(r"^\s+(?:fatalit(?:y|ies)|deaths?|casualties|dead)\b")
# The object of a killing verb is a person: "killed a former lawmaker",
# "killing one of them", "murdered an NC cadre" count one without a listed
# person noun. Only the singular words, and never "the" ("killed the
# soldiers" says nothing of how many).
_LONE_OBJECT = frozenset({"a", "an", "one", "another"})
_KILL_VERB_BEFORE = re.compile(r"\b(?:" + KILLING_VERBS + r")\s+(?:at least\s+)?$")
# "One died on the spot", "another was killed": "one" alone before a death verb.
_LONE_SUBJECT = re.compile(r"^\s+(?:(?:of them|of the victims|of whom)\s+)?(?:(?:was|were|later|also|reportedly|had)\s+)*"
                           r"(?:died|killed|shot dead|succumbed)\b")


def _lone_victim(raw: str, lowered: str, start: int, after: str) -> bool:
    """Is a bare "a"/"one" (no person noun after it) one person killed?"""
    if raw not in _LONE_OBJECT:
        return False
    if _KILL_VERB_BEFORE.search(lowered[max(0, start - 40):start]):
        return True
    if lowered[max(0, start - 4):start].endswith(("no ", "not ")):
        return False  # "no one was killed"
    return raw in ("one", "another") and bool(_LONE_SUBJECT.match(after))


# "almost killed him", "tried to kill": nobody died.
_NOT_DONE_BEFORE = re.compile(r"\b(?:almost|nearly|tried to|attempted to|attempting to|trying to|threatened to)\s+$")
_ONE_PERSON_KILLED = re.compile(
    r"\b(?:he|she) (?:was|had been) (?:later |also |then )?(?:shot dead|killed|murdered|shot and killed)\b"
    # "killed her", "killed his cook" (one relative or servant; "his sons" is not one)
    r"|\b(?:killed|killing|murdered|murdering|executed|beheaded|lynched|shot dead) (?:him|her)\b(?! own\b)"
    r"|\b(?:killed|killing|murdered|murdering|executed|beheaded|shot dead) (?:his|her) (?!\w+s\b)(?!own\b)[a-z]+\b(?! and\b)"
    r"|\b(?:he|she|the victim)\b[^.;]{0,40}?\b(?:died|succumbed)\b")


# How a coder's note states the figure of this event (ACLED's notes and
# those written like them): "Unknown fatalities coded as 10", "Fatalities
# coded to 0", "coded 5 fatalities in this event"; the deaths of one report
# shared between several coded events ("40 fatalities split between 6
# events"); and deaths counted in another event ("fatalities coded to the
# Talakivka event"), which leave none to this one.
_CODED_FIGURE = re.compile(
    r"\b(?:fatalit(?:y|ies)|casualties|deaths)\b[^.;]{0,60}?\bcoded (?:as|to) (?P<num>\d+)\b"
    r"|\bcoded (?P<num2>\d+) fatalit(?:y|ies)\b")
_SPLIT_FIGURE = re.compile(
    r"\b(?:split|spilt|spread|distributed|divided)\s+(?:equally\s+)?(?:across|between|among|over|into)\s+"
    r"(?:the\s+)?(?P<num>\d+|[a-z]+)\s+(?:separate\s+|different\s+)?(?:events|locations|incidents)\b")
_CODED_ELSEWHERE = re.compile(
    r"\bfatalit(?:y|ies) (?:are |were |is |was )?coded (?:to|in|with) (?!\d)"
    r"(?:(?:the|an?) )?(?P<event>[^.;()\d]{0,60}?)\s*-?\s*\bevents?\b")
# The words that make a count a coder's figure or the note's stated total.
_CODER_WORDS = re.compile(r"\b(?:coded (?:as|to|in|with)|coded \d|estimated as)\b", re.I)
_FATALITY_NOUN = re.compile(r"\bfatalit(?:y|ies)\b", re.I)


def _coder_figures(sentence: Sentence, lowered: str, lexicon: NumberLexicon, out: list[CountMention]) -> None:
    if "coded" not in lowered and not any(w in lowered for w in ("split", "spilt", "spread", "distributed", "divided")):
        return
    for m in _CODED_FIGURE.finditer(lowered):
        value = int(m.group("num") or m.group("num2"))
        out.append(_mention(sentence, m.start(), m.end(), value, "killed"))
    for m in _CODED_ELSEWHERE.finditer(lowered):
        out.append(_mention(sentence, m.start(), m.end(), 0, "killed", kind="elsewhere", other_event=m.group("event")))
    for m in _SPLIT_FIGURE.finditer(lowered):
        shares = _parse_number_cached(m.group("num"), lexicon)
        if shares is not None and 1 < shares <= MAX_SPLIT_EVENTS:
            out.append(_mention(sentence, m.start(), m.end(), shares, "split"))


# More events than this sharing one report's deaths is not a split note.
MAX_SPLIT_EVENTS = 100


# A count of a past incident told as background: "who was convicted of
# killing a settler last year", "killed two soldiers years ago".
_PAST_AFTER = re.compile(r"[^.;,]{0,40}?\b(?:last year|(?:\w+ )?years? ago)\b")


def _mention(sentence: Sentence, start: int, end: int, value: int, what: str,
             kind: str | None = None, other_event: str = "") -> CountMention:
    text = sentence.text[start:end]
    if kind is None:
        kind = "coded" if _CODER_WORDS.search(text) else "stated" if _FATALITY_NOUN.search(text) else "reported"
    return CountMention(
        span=Span(sentence.start + start, sentence.start + end, text),
        value=value,
        what=what,
        sentence=sentence.index,
        kind=kind,
        other_event=other_event,
    )
