"""Users of the web app: names, roles and argon2 password hashes.

Roles are ordered: a viewer reads, an editor also reviews events, an admin
also manages users. Passwords are hashed with argon2id (``argon2-cffi``)
and never stored or logged.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
from dataclasses import dataclass

from marsad.errors import MarsadError
from marsad.store.sqlite import Store, _now

ROLES: tuple[str, ...] = ("viewer", "editor", "admin")

# NIST SP 800-63B asks for at least 8 characters for user-chosen secrets.
MIN_PASSWORD_CHARS = 8
# argon2 hashes any length, but an unbounded password is a denial-of-service lever.
MAX_PASSWORD_CHARS = 1024
USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")

_SESSION_SECRET_KEY = "session_secret"


class UserError(MarsadError):
    """A user cannot be added or changed (bad name, role or password)."""


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: str
    created_at: str

    def can(self, role: str) -> bool:
        """True when this user has ``role`` or a higher one."""
        return ROLES.index(self.role) >= ROLES.index(role)


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; choose from {', '.join(ROLES)}")


def add_user(store: Store, name: str, role: str, password: str) -> User:
    """Create a user; the name must be new."""
    if not USER_NAME.match(name):
        raise UserError(
            f"bad user name {name[:70]!r}: 1-64 letters, digits, '.', '_', '@' or '-'")
    _check_role(role)
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise UserError(
            f"a password needs {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters")
    password_hash = _hasher().hash(password)
    try:
        with store._transaction():
            cur = store._conn.execute(
                "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                (name, role, password_hash, _now()),
            )
    except sqlite3.IntegrityError:
        raise UserError(f"there is already a user named {name!r}") from None
    found = get_user(store, int(cur.lastrowid))
    assert found is not None
    return found


def set_role(store: Store, name: str, role: str) -> User:
    _check_role(role)
    with store._transaction():
        cur = store._conn.execute("UPDATE users SET role = ? WHERE name = ?", (role, name))
    if cur.rowcount == 0:
        raise UserError(f"no user named {name!r}")
    user = find_user(store, name)
    assert user is not None
    return user


def remove_user(store: Store, name: str) -> None:
    with store._transaction():
        cur = store._conn.execute("DELETE FROM users WHERE name = ?", (name,))
    if cur.rowcount == 0:
        raise UserError(f"no user named {name!r}")


def _user(row: tuple | None) -> User | None:
    return None if row is None else User(*row)


def get_user(store: Store, user_id: int) -> User | None:
    return _user(store._conn.execute(
        "SELECT id, name, role, created_at FROM users WHERE id = ?", (user_id,)).fetchone())


def find_user(store: Store, name: str) -> User | None:
    return _user(store._conn.execute(
        "SELECT id, name, role, created_at FROM users WHERE name = ?", (name,)).fetchone())


def list_users(store: Store) -> list[User]:
    return [User(*r) for r in store._conn.execute(
        "SELECT id, name, role, created_at FROM users ORDER BY name")]


def count_users(store: Store) -> int:
    return int(store._conn.execute("SELECT count(*) FROM users").fetchone()[0])


def authenticate(store: Store, name: str, password: str) -> User | None:
    """The user when ``password`` is theirs, else None (same work either way)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _hasher()
    row = store._conn.execute(
        "SELECT id, password_hash FROM users WHERE name = ?", (name,)).fetchone()
    if len(password) > MAX_PASSWORD_CHARS:
        return None
    if row is None:
        # Spend the time a real check would, so timing does not tell which names exist.
        hasher.hash(password)
        return None
    try:
        hasher.verify(row[1], password)
    except (VerificationError, InvalidHashError):
        return None
    return get_user(store, row[0])


def session_secret(store: Store) -> str:
    """The key that signs session cookies, made once and kept in the database."""
    with store._transaction():
        row = store._conn.execute(
            "SELECT value FROM app_settings WHERE key = ?", (_SESSION_SECRET_KEY,)).fetchone()
        if row is not None:
            return str(row[0])
        secret = secrets.token_urlsafe(48)
        store._conn.execute(
            "INSERT INTO app_settings (key, value) VALUES (?, ?)", (_SESSION_SECRET_KEY, secret))
    return secret
