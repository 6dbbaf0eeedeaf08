"""Coders' note conventions (``marsad/knowledge/data/conventions.yaml``).

Loaded once, the shipped file first and then a ``conventions.yaml`` in a
folder of MARSAD_KNOWLEDGE; an empty list compiles to a pattern that never
matches.
"""

from __future__ import annotations

import re
from functools import lru_cache

from marsad.errors import KnowledgeError
from marsad.knowledge.lexicons import _files, read_yaml

_NEVER = r"(?!x)x"


@lru_cache(maxsize=1)
def demonstration_marker() -> re.Pattern[str]:
    """A pattern for the tags that mark a note as a demonstration event."""
    patterns: list[str] = []
    for path in _files("conventions.yaml"):  # shipped, then the user's (MARSAD_KNOWLEDGE)
        patterns += [str(p) for p in (read_yaml(path).get("demonstration_markers") or [])]
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns) or _NEVER, re.I)
    except re.error as err:
        raise KnowledgeError(f"conventions.yaml: demonstration_markers: bad pattern ({err})") from err
