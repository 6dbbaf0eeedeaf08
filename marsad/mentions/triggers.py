"""Trigger words: which kind of incident a sentence reports.

One alternation (a named group per trigger class) runs once over each
lower-cased sentence; a keyword prefilter (marsad.knowledge.prefilter)
runs only the patterns whose keywords the sentence holds, with the same
matches. A trigger is marked ``negated`` when a denial,
threat, call or plan precedes it in the same clause ("denied that it
shelled", "threatened to arrest"), or when it is the grievance of a protest
("protested against the killing of ...").

A sentence about a disaster, an accident, crime, a court case, diplomacy or
sport (a cue of a ``nonpolitical`` domain in triggers.yaml) sets aside the
trigger classes that domain explains (``explains: all``: every class but
the unmistakable ones), unless it names an armed non-state actor or a
crowd; the same rule for a whole document lives in
marsad/events/relevance.py. A trigger that is the object of a claim, an
accusation or a sanction ("claimed responsibility for the attack", "the US
accused Iran of attacking", "officials responsible for chemical attacks")
is attributed, not reported, and is negated too.
"""

from __future__ import annotations

import re

from marsad.knowledge.lexicons import ContextDomain, TriggerLexicon
from marsad.records import Sentence, Span, TriggerMention

# How far back (characters) a negation word may stand from its trigger.
# About five words: "denied that its forces had shelled" still counts,
# a "no" two clauses earlier does not.
NEGATION_WINDOW = 40
_CLAUSE_BREAK = re.compile(r"[;:]|,\s+(?:and|but|while|whereas)\b|\.\s")

# Classes that, after a grievance word in a protest sentence, name what the
# protest was about rather than a second incident.
GRIEVANCE_CLASSES = frozenset(
    {"attack", "clash", "shelling", "air", "ied", "arrest", "abduction", "sexual", "looting",
     "suicide", "grenade", "chemical", "territory", "mob", "unrest", "brawl", "other", "agreement", "change", "base"}
)


# Classes that stay incidents even in a sentence about a disaster, an
# accident or diplomacy (see ``nonpolitical`` in triggers.yaml).
UNMISTAKABLE = frozenset({"protest", "violent_protest", "riot", "unrest", "clash", "brawl", "air", "shelling", "suicide", "grenade", "chemical",
                          "intervention", "territory"})


def find_triggers(sentence: Sentence, lexicon: TriggerLexicon, *, armed: bool = False) -> list[TriggerMention]:
    """The trigger words of ``sentence``. ``armed``: the sentence names an
    armed non-state actor or a crowd (marsad.events.relevance.is_political_actor), so
    its violence is political whatever non-political cue it also holds
    ("gunmen killed a guard at the fuel depot")."""
    lowered = sentence.text.lower()
    found: list[TriggerMention] = []
    domains = [] if armed else sentence_domains(lowered, lexicon)
    claims = [start for start, _end, _label in lexicon.attribution.finditer(lowered)]
    protest_end = -1
    for m_start, m_end, name in lexicon.fast_matcher.finditer(lowered):
        if name is None:
            continue
        cls = lexicon.classes[name]
        negated = (_is_negated(lowered, m_start, lexicon)
                   or any(d.explains_class(name, UNMISTAKABLE) for d in domains)
                   or _is_attributed(lowered, m_start, claims))
        if not negated and protest_end >= 0 and name in GRIEVANCE_CLASSES:
            between = lowered[protest_end:m_start]
            if lexicon.grievance.search(between):
                negated = True
        if name == "protest" and not negated and protest_end < 0:
            protest_end = m_end
        start = sentence.start + m_start
        end = sentence.start + m_end
        found.append(
            TriggerMention(
                span=Span(start, end, sentence.text[m_start:m_end]),
                sub_event_type=name,  # the trigger class; classify.py maps to ACLED types
                event_type="",
                weight=cls.weight,
                sentence=sentence.index,
                negated=negated,
            )
        )
    return found


def sentence_domains(lowered: str, lexicon: TriggerLexicon) -> list[ContextDomain]:
    """The non-political domains whose cues occur in a lower-cased text."""
    names = {name for _s, _e, name in lexicon.fast_domains.finditer(lowered)}
    return [lexicon.domains[n] for n in names]


def _is_attributed(lowered: str, start: int, claims: list[int]) -> bool:
    """Whether an attribution phrase starts before ``start`` in the same clause."""
    for claim in claims:
        if claim < start and not _CLAUSE_BREAK.search(lowered, claim, start):
            return True
    return False


def _is_negated(lowered: str, start: int, lexicon: TriggerLexicon) -> bool:
    window_start = max(0, start - NEGATION_WINDOW)
    window = lowered[window_start:start]
    # Only look inside the current clause.
    breaks = list(_CLAUSE_BREAK.finditer(window))
    if breaks:
        window = window[breaks[-1].end():]
    return bool(lexicon.negation.search(window))


def is_background(sentence: Sentence, lexicon: TriggerLexicon) -> bool:
    """True for context sentences ("It is worth noting that ...")."""
    return lexicon.fast_background.search(sentence.text.lower())
