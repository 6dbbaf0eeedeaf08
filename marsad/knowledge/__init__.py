"""Knowledge: data files (countries, actors, triggers, ...) and their loaders.

``load_knowledge()`` compiles ``data/countries.yaml`` and ``data/actors.yaml``
(plus user files from ``MARSAD_KNOWLEDGE``) into frozen tables, once.
"""

from marsad.knowledge.loader import (
    ActorEntry,
    Country,
    CountryTable,
    Knowledge,
    fold,
    load_knowledge,
)

__all__ = ["ActorEntry", "Country", "CountryTable", "Knowledge", "fold", "load_knowledge"]
