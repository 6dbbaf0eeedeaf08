"""Named schema migrations, applied in name order, each in its own transaction.

A migration is a file in this package named ``NNNN_description.sql`` (plain
SQL statements) or ``NNNN_description.py`` (a module with
``apply(conn: sqlite3.Connection) -> None``). Its name (the file name
without the suffix) is recorded in the ``schema_migrations`` table. A
released migration is never edited: add a new one.
"""

from __future__ import annotations

import importlib
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

MIGRATION_FILE = re.compile(r"^(\d{4}_[a-z0-9_]+)\.(sql|py)$")


@dataclass(frozen=True, slots=True)
class Migration:
    name: str
    apply: Callable[[sqlite3.Connection], None]


def split_sql(script: str) -> list[str]:
    """Split a script into complete statements (triggers included).

    ``executescript`` would commit the surrounding transaction, so the store
    runs statements one by one inside its own.
    """
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip().strip(";").strip():
                statements.append(pending.strip())
            pending = ""
    if pending.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in pending.splitlines()
    ):
        raise ValueError(f"incomplete SQL statement at end of migration: {pending.strip()[:60]!r}")
    return statements


def _sql_migration(name: str, script: str) -> Migration:
    statements = tuple(split_sql(script))

    def apply(conn: sqlite3.Connection) -> None:
        for statement in statements:
            conn.execute(statement)

    return Migration(name, apply)


@lru_cache(maxsize=1)
def load_migrations() -> tuple[Migration, ...]:
    """All migrations shipped with this version of marsad, in order."""
    found: list[Migration] = []
    for entry in resources.files(__name__).iterdir():
        match = MIGRATION_FILE.match(entry.name)
        if not match:
            continue
        name, suffix = match.groups()
        if suffix == "sql":
            found.append(_sql_migration(name, entry.read_text(encoding="utf-8")))
        else:
            module = importlib.import_module(f"{__name__}.{name}")
            found.append(Migration(name, module.apply))
    found.sort(key=lambda m: m.name)
    names = [m.name for m in found]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate migration names: {names}")
    return tuple(found)
