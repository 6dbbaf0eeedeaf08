"""Users of the web app: names, roles and argon2 password hashes.

Roles are ordered: a viewer reads, an editor also reviews events, an admin
also manages users. Passwords are hashed with argon2id (``argon2-cffi``)
and never stored or logged.

Each user has a random session key that signed-in sessions carry; it is
replaced on sign-out, on a new password and on a new role, which ends every
session of that user. Changes to users go into the security log.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from marsad.errors import MarsadError
from marsad.store.sqlite import Store, _now

ROLES: tuple[str, ...] = ("viewer", "editor", "admin")

# NIST SP 800-63B asks for at least 8 characters for user-chosen secrets; the
# accounts here can rewrite a human-rights dataset, so two more (a passphrase
# of three short words passes, a word plus a digit does not).
MIN_PASSWORD_CHARS = 10
# argon2 hashes any length, but an unbounded password is a denial-of-service lever.
MAX_PASSWORD_CHARS = 1024
USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")

_SESSION_SECRET_KEY = "session_secret"
# The changes of a user that end their sessions, one fixed statement each.
_UPDATES: Mapping[str, str] = MappingProxyType({
    "role": "UPDATE users SET role = ?, session_key = ? WHERE name = ?",
    "password_hash": "UPDATE users SET password_hash = ?, session_key = ? WHERE name = ?",
})


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


def check_password(name: str, password: str) -> None:
    """Refuse a password that is too short, too long or the user's own name."""
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise UserError(
            f"a password needs {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters")
    if password.strip().casefold() == name.casefold():
        raise UserError("a password cannot be the user name")


def _new_session_key() -> str:
    return secrets.token_hex(24)


def log_security(store: Store, action: str, subject: str, *, actor: str = "",
                 address: str = "", detail: str = "") -> None:
    """Append one row to the security log (inside the caller's transaction)."""
    store._conn.execute(
        "INSERT INTO security_log (at, action, subject, actor, address, detail)"
        " VALUES (?, ?, ?, ?, ?, ?)", (_now(), action, subject, actor, address, detail))


def add_user(store: Store, name: str, role: str, password: str, *, by: str = "") -> User:
    """Create a user; the name must be new."""
    if not USER_NAME.match(name):
        raise UserError(
            f"bad user name {name[:70]!r}: 1-64 letters, digits, '.', '_', '@' or '-'")
    _check_role(role)
    check_password(name, password)
    password_hash = _hasher().hash(password)
    try:
        with store._transaction():
            cur = store._conn.execute(
                "INSERT INTO users (name, role, password_hash, created_at, session_key)"
                " VALUES (?, ?, ?, ?, ?)",
                (name, role, password_hash, _now(), _new_session_key()),
            )
            log_security(store, "user-added", name, actor=by, detail=role)
    except sqlite3.IntegrityError:
        raise UserError(f"there is already a user named {name!r}") from None
    found = get_user(store, int(cur.lastrowid))
    assert found is not None
    return found


def _change(store: Store, name: str, column: str, value: str, action: str, by: str,
            detail: str = "") -> User:
    """Set one column of user ``name`` and give them a new session key."""
    with store._transaction():
        cur = store._conn.execute(_UPDATES[column], (value, _new_session_key(), name))
        if cur.rowcount:
            log_security(store, action, name, actor=by, detail=detail)
    if cur.rowcount == 0:
        raise UserError(f"no user named {name!r}")
    user = find_user(store, name)
    assert user is not None
    return user


def set_role(store: Store, name: str, role: str, *, by: str = "") -> User:
    """Give user ``name`` another role (their sessions end)."""
    _check_role(role)
    return _change(store, name, "role", role, "role-changed", by, role)


def set_password(store: Store, name: str, password: str, *, by: str = "") -> User:
    """Give user ``name`` a new password (their sessions end)."""
    check_password(name, password)
    return _change(store, name, "password_hash", _hasher().hash(password), "password-changed", by)


def end_sessions(store: Store, user_id: int) -> None:
    """Replace the user's session key: every session of theirs ends (sign-out)."""
    with store._transaction():
        store._conn.execute("UPDATE users SET session_key = ? WHERE id = ?",
                            (_new_session_key(), user_id))


def session_key(store: Store, user_id: int) -> str | None:
    """The key a session of user ``user_id`` must carry (None: no such user)."""
    row = store._conn.execute("SELECT session_key FROM users WHERE id = ?", (user_id,)).fetchone()
    return None if row is None else str(row[0])


def remove_user(store: Store, name: str, *, by: str = "") -> None:
    with store._transaction():
        cur = store._conn.execute("DELETE FROM users WHERE name = ?", (name,))
        if cur.rowcount:
            log_security(store, "user-removed", name, actor=by)
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
    try:
        # An unknown name is checked against a dummy hash: the same argon2
        # work, so timing does not tell which names exist.
        hasher.verify(row[1] if row is not None else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    return get_user(store, row[0]) if row is not None else None


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash of a random password no one knows, made once per process."""
    return _hasher().hash(secrets.token_urlsafe(24))


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
