"""Trigger words: which kind of incident a sentence reports.

One alternation (a named group per trigger class) runs once over each
lower-cased sentence; a keyword prefilter (marsad.knowledge.prefilter)
runs only the patterns whose keywords the sentence holds, with the same
matches. A trigger is marked ``negated`` when a denial,
threat, call or plan precedes it in the same clause ("denied that it
shelled", "threatened to arrest"), or when it is the grievance of a protest
("protested against the killing of ...").
"""

from __future__ import annotations

import re

from marsad.knowledge.lexicons import TriggerLexicon
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


def find_triggers(sentence: Sentence, lexicon: TriggerLexicon) -> list[TriggerMention]:
    lowered = sentence.text.lower()
    found: list[TriggerMention] = []
    nonpolitical = lexicon.fast_nonpolitical.search(lowered)
    protest_end = -1
    for m_start, m_end, name in lexicon.fast_matcher.finditer(lowered):
        if name is None:
            continue
        cls = lexicon.classes[name]
        negated = _is_negated(lowered, m_start, lexicon) or (nonpolitical and name not in UNMISTAKABLE)
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
