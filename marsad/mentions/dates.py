"""Dates in the text, resolved against the publication date.

Explicit dates ("On 23 February 2022", "January 5", "2022-01-05",
"01/05/2012") are read with compiled regexes; relative expressions
("yesterday", "on Monday", "two days ago", "last week", "earlier this
month", "in mid-April", "at dawn today") are resolved against the
publication date. dateparser (with ``languages=['en']`` and one settings
object, as measured in the dependency notes) handles the open-ended
relative forms the regexes leave over ("three days ago").

Precision follows the codebook: 1 day, 2 week (coded to its middle),
3 month (coded to the 15th).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

from marsad.knowledge.prefilter import KeywordGate
from marsad.records import DateMention, Sentence, Span

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?P<weekday>" + "|".join(WEEKDAYS) + r")"

# A date more than this far after publication is a misreading (or a plan),
# never an event date.
MAX_FUTURE_DAYS = 1

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iso", re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)\b")),
    ("slash", re.compile(r"\b(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>(?:19|20)\d\d)\b")),
    ("dmy", re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+" + _MONTH + r"(?:,?\s+(?P<year>(?:19|20)\d\d))?\b", re.I)),
    ("mdy", re.compile(r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>(?:19|20)\d\d))?", re.I)),
    ("mid_month", re.compile(r"\b(?:in\s+)?(?P<part>early|mid|late|the (?:beginning|middle|end) of)[\s-]+" + _MONTH + r"(?:\s+(?P<year>(?:19|20)\d\d))?\b", re.I)),
    ("month", re.compile(r"\b(?:in|during|since|throughout)\s+" + _MONTH + r"(?:\s+(?P<year>(?:19|20)\d\d))?\b", re.I)),
    ("weekday", re.compile(r"\b(?:(?P<last>last|this|on|early|late)\s+)?" + _WEEKDAY + r"\b", re.I)),
    ("today", re.compile(r"\b(?:today|tonight|this (?:morning|afternoon|evening)|at dawn today|earlier today|on the same day)\b", re.I)),
    ("yesterday", re.compile(r"\b(?:yesterday|last night|overnight|the previous (?:day|night)|the day before)\b", re.I)),
    ("last_week", re.compile(r"\b(?:last|past|previous) week\b|\bearlier this week\b|\bthis week\b", re.I)),
    ("this_month", re.compile(r"\b(?:earlier|late|early|since the (?:beginning|start) of) (?:this|last) month\b|\blast month\b", re.I)),
    ("ago", re.compile(r"\b(?:(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:days?|weeks?))\s+ago\b", re.I)),
)
# Every pattern above needs one of these: a sentence without any (most of
# an article's sentences) is skipped with one scan instead of twelve. (The
# keyword gate below says more, for ASCII text; this one is for the rest.)
_MAY_HOLD_A_DATE = re.compile(
    r"\d|\b(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + "|" + "|".join(WEEKDAYS)
    + r"|today|tonight|morning|afternoon|evening|same day|yesterday|night|previous|day before"
    + r"|week|month|ago)\b", re.I)
JUST_MARKERS = re.compile(r"\b(?:just|minutes ago|hours ago|moments ago|a short while ago|shortly|breaking|today|tonight|this (?:morning|afternoon|evening)|now)\b", re.I)


@lru_cache(maxsize=1)
def _dateparser_parse():
    """Import dateparser lazily: only the open relative forms need it."""
    import dateparser

    return dateparser.parse


@lru_cache(maxsize=1)
def _gate() -> KeywordGate:
    """Which of _PATTERNS can match a sentence: most need a month or weekday
    name, a year or a word such as "ago" (marsad.knowledge.prefilter)."""
    return KeywordGate([p.pattern for _, p in _PATTERNS], re.IGNORECASE)


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _year_for(month: int, day: int, published: date | None) -> int:
    """The year of a date given without one: the latest not after publication."""
    if published is None:
        return date.today().year
    year = published.year
    candidate = _safe_date(year, month, min(day, 28) if month == 2 and day == 29 else day)
    if candidate and candidate > published + timedelta(days=MAX_FUTURE_DAYS):
        year -= 1
    return year


def _resolve(kind: str, m: re.Match[str], published: date | None) -> tuple[date, int] | None:
    g = m.groupdict()
    if kind == "iso":
        d = _safe_date(int(g["y"]), int(g["m"]), int(g["d"]))
        return (d, 1) if d else None
    if kind == "slash":
        a, b, y = int(g["a"]), int(g["b"]), int(g["y"])
        options = [x for x in (_safe_date(y, b, a), _safe_date(y, a, b)) if x]
        if not options:
            return None
        if published:  # the reading closest before publication wins
            options.sort(key=lambda x: (x > published, abs((published - x).days)))
        return options[0], 1
    if kind in ("dmy", "mdy"):
        month = MONTHS.get(g["month"].casefold().rstrip("."))
        if month is None:
            return None
        day = int(g["day"])
        year = int(g["year"]) if g.get("year") else _year_for(month, day, published)
        d = _safe_date(year, month, day)
        return (d, 1) if d else None
    if kind in ("mid_month", "month"):
        month = MONTHS.get(g["month"].casefold().rstrip("."))
        if month is None:
            return None
        year = int(g["year"]) if g.get("year") else _year_for(month, 15, published)
        d = _safe_date(year, month, 15)
        return (d, 3) if d else None
    if published is None:
        return None
    if kind == "weekday":
        # casefold: the pattern matches without regard to case, so "ſunday" (long s) is Sunday
        target = WEEKDAYS.get(g["weekday"].casefold())
        if target is None:
            return None
        back = (published.weekday() - target) % 7
        if g.get("last") and g["last"].lower() == "last" and back == 0:
            back = 7
        return published - timedelta(days=back), 1
    if kind == "today":
        return published, 1
    if kind == "yesterday":
        return published - timedelta(days=1), 1
    if kind == "last_week":
        text = m.group(0).lower()
        if "this week" in text and "earlier" not in text:
            return published - timedelta(days=published.weekday()) + timedelta(days=3), 2
        start = published - timedelta(days=published.weekday() + 7)
        return start + timedelta(days=3), 2
    if kind == "this_month":
        text = m.group(0).lower()
        if "last month" in text:
            first = published.replace(day=1) - timedelta(days=1)
            return first.replace(day=15), 3
        return published.replace(day=15) if published.day >= 15 else published, 3
    if kind == "ago":
        precision = 2 if "week" in m.group(0).lower() else 1
        days = _days_ago(m.group(0))
        if days is not None:
            try:
                return published - timedelta(days=days), precision
            except OverflowError:  # before year 1: dateparser finds no date either
                return None
        base = datetime(published.year, published.month, published.day)
        value = _dateparser_parse()(
            m.group(0), languages=["en"],
            settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past", "DATE_ORDER": "DMY"},
        )
        if value is None:
            return None
        return value.date(), precision
    return None


# "three days ago", "2 weeks ago": what dateparser makes of them (the
# publication date minus so many days; checked against it for every count
# up to 1,500 and both units), without loading its locale data (~0.25 s
# in every process). Longer digit runs and non-ASCII text (other digits,
# other spaces) still go to dateparser.
_AGO_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
              "eight": 8, "nine": 9, "ten": 10}
_AGO_MAX_DIGITS = 6


def _days_ago(text: str) -> int | None:
    if not text.isascii():
        return None
    number, unit = text.lower().split()[:2]
    if number in _AGO_WORDS:
        count = _AGO_WORDS[number]
    elif number.isdigit() and len(number) <= _AGO_MAX_DIGITS:
        count = int(number)
    else:
        return None
    return count * (7 if unit.startswith("week") else 1)


def find_dates(sentence: Sentence, published: date | None) -> list[DateMention]:
    """Every date expression in the sentence, resolved; earliest first."""
    found: list[DateMention] = []
    # the patterns whose words the sentence holds (all of them for text
    # the gate cannot judge, unless it holds no date word at all)
    active = _gate().active(sentence.text)
    if active is None and not _MAY_HOLD_A_DATE.search(sentence.text):
        return found
    taken: list[tuple[int, int]] = []
    for kind, pattern in (_PATTERNS if active is None else [_PATTERNS[i] for i in active]):
        for m in pattern.finditer(sentence.text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            resolved = _resolve(kind, m, published)
            if resolved is None:
                continue
            value, precision = resolved
            if published and value > published + timedelta(days=MAX_FUTURE_DAYS):
                continue
            if precision == 1:
                precision = _hedged_precision(sentence.text, m.start(), m.end(), precision)
            taken.append((m.start(), m.end()))
            found.append(
                DateMention(
                    span=Span(sentence.start + m.start(), sentence.start + m.end(), m.group(0)),
                    value=value,
                    precision=precision,
                    sentence=sentence.index,
                )
            )
    found.sort(key=lambda d: d.span.start)
    return found


# "Around 12 April 2022 (as reported)", "(week of)", "(between 11 - 16
# April)": the day is an estimate, only the week is known. "(month of)":
# only the month.
_APPROX_BEFORE = re.compile(r"\b(?:around|approximately|about|circa|sometime|some time|in the week of)\s+(?:on\s+)?$", re.I)
_WEEK_AFTER = re.compile(r"^\s*\((?:as reported|week of|weekend of|between|reported|approximately|approx)", re.I)
_MONTH_AFTER = re.compile(r"^\s*\((?:month of|during the month)", re.I)


def _hedged_precision(text: str, start: int, end: int, precision: int) -> int:
    after = text[end:end + 40]
    if _MONTH_AFTER.match(after):
        return 3
    if _WEEK_AFTER.match(after) or _APPROX_BEFORE.search(text[max(0, start - 30):start]):
        return 2
    return precision


def has_just_marker(text: str) -> bool:
    return bool(JUST_MARKERS.search(text))
