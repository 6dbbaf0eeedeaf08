"""Is a document about political violence at all? (stage 4, before events)

A trigger word says *what* happened ("killed", "blast", "detained",
"stolen"); whether it was political depends on the rest of the report. The
sentence rule in marsad/mentions/triggers.py sets aside the triggers of a
sentence that itself names a disaster, an accident, crime or diplomacy.
This module applies the same knowledge to the whole document, because a
report usually names the cause once and the casualties in another sentence
("A tank exploded at the gas plant. Four people were injured."):

1. A document with a cue of a non-political domain (``nonpolitical`` in
   triggers.yaml) and NO sign of politics or armed conflict (no armed
   non-state actor or crowd, no live unmistakable trigger, no word of the
   ``political`` list) reports no political violence: in every sentence
   the trigger classes the domain explains are set aside (with
   ``explains: all``, every class but the unmistakable ones: a protest, a
   clash, an air strike stay incidents whatever the context). Known cost:
   a cue that is only background ("police beat a journalist ... who had
   reported on the pandemic") also sets aside an incident by state forces,
   since they are no sign of politics here (one ACLED dev note).
2. A document that says outright that the incident was not political
   ("not related to the conflict", ``unrelated`` in triggers.yaml) and names
   no armed non-state actor reports no political event: every trigger is
   set aside, the unmistakable ones too.

State forces are no sign of politics here: police and soldiers answer
accidents, disasters and crime too, and state forces arresting a thief is
ordinary policing. The codebook's events are political violence,
demonstrations and strategic developments; accidents, natural disasters and
ordinary crime are not among them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from marsad.events.assemble import SentenceMentions
from marsad.knowledge.lexicons import TriggerLexicon
from marsad.mentions.triggers import UNMISTAKABLE, sentence_domains
from marsad.records import ActorMention

# Actor types whose presence makes an incident political: armed non-state
# sides (rebels 2, political 3 and identity 4 militias, external/other
# forces 8) and crowds (rioters 5, protesters 6: what a crowd does is a
# demonstration). State forces (1) are left out: see the module text.
POLITICAL_INTERS = frozenset({2, 3, 4, 5, 6, 8})
# Generic actors of those types that are not political sides: a criminal
# gang is what ordinary-crime reports are about, and private guards are
# bystanders of an accident as often as of an attack.
NOT_POLITICAL_GENERICS = ("Unidentified Gang", "Private Security Forces", "Vigilante Group")


def is_political_actor(actor: ActorMention) -> bool:
    """An armed non-state actor or a crowd: a sign that the incident is political."""
    if actor.inter not in POLITICAL_INTERS:
        return False
    return not (actor.kind == "generic" and actor.canonical.startswith(NOT_POLITICAL_GENERICS))


def apply_document_context(items: Sequence[SentenceMentions], lexicon: TriggerLexicon) -> list[SentenceMentions]:
    """``items`` with the triggers a non-political document explains negated."""
    items = list(items)
    texts = [sm.sentence.text.lower() for sm in items]
    political_actor = any(is_political_actor(a) for sm in items for a in sm.actors)
    if any(lexicon.unrelated.search(text) for text in texts) and not political_actor:
        return _set_aside(items, lambda cls: True)
    domains = {d.name: d for text in texts for d in sentence_domains(text, lexicon)}
    if not domains or political_actor or any(lexicon.political.search(text) for text in texts):
        return items
    if any(t.sub_event_type in UNMISTAKABLE for sm in items for t in sm.live_triggers):
        # a demonstration, a clash or a strike reported in the document makes
        # it political: its arrests and casualties are part of it
        return items
    return _set_aside(items, lambda cls: any(d.explains_class(cls, UNMISTAKABLE) for d in domains.values()))


def _set_aside(items: list[SentenceMentions], explained: Callable[[str], bool]) -> list[SentenceMentions]:
    """Negate the triggers of the explained classes in every sentence."""
    out = []
    for sm in items:
        if any(not t.negated and explained(t.sub_event_type) for t in sm.triggers):
            sm = replace(sm, triggers=tuple(
                replace(t, negated=True) if explained(t.sub_event_type) else t for t in sm.triggers))
        out.append(sm)
    return out
