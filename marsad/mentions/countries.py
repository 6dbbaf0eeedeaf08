"""Which country a document is about: votes from its own words.

Country names ("..., Iraq."), demonyms ("Palestinian rioters") and actors
tied to one country ("Al Shabaab", "Houthis") each vote; the geocoder adds
its place votes and uses the result as the document's country focus.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from marsad.records import ActorMention

# Vote weights. A country named outright is the strongest sign; a demonym
# often names a foreign actor ("Russian forces" in Ukraine), so it weighs
# less; a state force abroad is common, an organisation tied to one country
# less so.
NAME_VOTE = 1.5
DEMONYM_VOTE = 0.5
NAMED_ACTOR_VOTE = 1.0
STATE_ACTOR_VOTE = 0.3


class CountryMentions:
    """Compiled country names and demonyms (case-sensitive, whole words)."""

    def __init__(self, countries: Iterable) -> None:
        names: dict[str, tuple[str, float]] = {}
        for c in countries:
            for n in (c.name, *c.aliases):
                if len(n) > 3:
                    names.setdefault(n, (c.iso2, NAME_VOTE))
            for d in c.demonyms:
                if len(d) > 3:
                    names.setdefault(d, (c.iso2, DEMONYM_VOTE))
        self._table = names
        alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        self._pattern = re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])") if names else None

    def votes(self, text: str, actors: Iterable[ActorMention] = ()) -> dict[str, float]:
        votes: Counter[str] = Counter()
        if self._pattern is not None:
            for m in self._pattern.finditer(text):
                cc, weight = self._table[m.group(0)]
                votes[cc] += weight
        for a in actors:
            if a.country and a.kind == "named":
                votes[a.country] += NAMED_ACTOR_VOTE
            elif a.country and a.kind == "state":
                votes[a.country] += STATE_ACTOR_VOTE
        return dict(votes)
