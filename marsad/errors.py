"""Exceptions that reach the edge (CLI / web) as one clear line.

Library code raises these; the CLI maps them to a message on stderr and an
exit code, never a traceback.
"""


class MarsadError(Exception):
    """Base class: ``str(err)`` is the one-line message for the user."""

    exit_code = 2


class InputError(MarsadError):
    """An input file or record that cannot be read."""


class StoreError(MarsadError):
    """The database cannot be opened, written or migrated."""


class GazetteerError(MarsadError):
    """A gazetteer file cannot be imported or the index cannot be built."""


class KnowledgeError(MarsadError):
    """A knowledge data file (actors, triggers, ...) is malformed."""
