"""Sign-in throttling and the security log.

Failed sign-ins are counted per account name (existing or not, so a lock
tells nothing about which names exist) and per client address. Too many in
the window lock the name or the address for a while; sign-ins are then
refused without looking at the password. Failures and locks live in the
database, so a restart does not forget them and several server processes
share them. Every lock and unlock is written to the security log.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from types import MappingProxyType

from marsad.errors import MarsadError
from marsad.store.sqlite import Store, _now
from marsad.store.users import User, authenticate, log_security

# Failed sign-ins count for this long (OWASP's usual 15 minutes).
FAILURE_WINDOW_SECONDS = 15 * 60
# An account name is locked after this many failures in the window: a user
# who mistypes a few times still gets in, a guesser gets 20 tries an hour
# (NIST SP 800-63B allows up to 100 consecutive failures).
MAX_ACCOUNT_FAILURES = 5
# A client address is locked after this many failures on any names: an
# office behind one NAT address shares it, so it allows four people's worth
# of mistakes, and still stops one machine spraying a password over names.
MAX_ADDRESS_FAILURES = 20
# How long a lock lasts: long enough to make online guessing useless, short
# enough that a locked-out analyst waits rather than calls an admin.
LOCKOUT_SECONDS = 15 * 60

KINDS = ("account", "address")
# Per kind of lock, one fixed statement each: count the recent failures of
# a key, forget its failures.
_COUNT_FAILURES: Mapping[str, str] = MappingProxyType({
    "account": "SELECT count(*) FROM login_failures WHERE name = ? AND at > ?",
    "address": "SELECT count(*) FROM login_failures WHERE address = ? AND at > ?",
})
_FORGET_FAILURES: Mapping[str, str] = MappingProxyType({
    "account": "DELETE FROM login_failures WHERE name = ?",
    "address": "DELETE FROM login_failures WHERE address = ?",
})


class SignInLocked(MarsadError):
    """Sign-in refused: the account name or the client address is locked."""

    def __init__(self, lock: "Lock", now: float) -> None:
        self.lock = lock
        self.retry_after = max(1, math.ceil(lock.until - now))
        minutes = max(1, math.ceil(self.retry_after / 60))
        whom = "this account" if lock.kind == "account" else "your address"
        super().__init__(
            f"too many failed sign-ins for {whom}: try again in {minutes} minute"
            f"{'s' if minutes != 1 else ''}, or ask an admin to unlock it")


@dataclass(frozen=True, slots=True)
class Lock:
    kind: str  # "account" | "address"
    key: str  # the account name or the address
    until: float  # Unix time

    @property
    def until_text(self) -> str:
        """``until`` as an ISO 8601 UTC time to the second."""
        return datetime.fromtimestamp(self.until, timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class SecurityEntry:
    id: int
    at: str
    action: str
    subject: str
    actor: str
    address: str
    detail: str


def _clock(now: float | None) -> float:
    return time.time() if now is None else now


def active_lock(store: Store, name: str, address: str, *, now: float | None = None) -> Lock | None:
    """The lock that refuses a sign-in as ``name`` from ``address``, if any."""
    now = _clock(now)
    row = store._conn.execute(
        "SELECT kind, key, until FROM login_locks WHERE until > ?"
        " AND ((kind = 'account' AND key = ?) OR (kind = 'address' AND key = ?))"
        " ORDER BY until DESC LIMIT 1", (now, name, address)).fetchone()
    return None if row is None else Lock(str(row[0]), str(row[1]), float(row[2]))


def _failures(store: Store, kind: str, key: str, since: float) -> int:
    return int(store._conn.execute(_COUNT_FAILURES[kind], (key, since)).fetchone()[0])


def _lock(store: Store, kind: str, key: str, now: float, address: str) -> Lock:
    lock = Lock(kind, key, now + LOCKOUT_SECONDS)
    store._conn.execute(
        "INSERT OR REPLACE INTO login_locks (kind, key, until, created_at) VALUES (?, ?, ?, ?)",
        (kind, key, lock.until, _now()))
    # The failures that caused it are spent: after the lock, a fresh allowance.
    store._conn.execute(_FORGET_FAILURES[kind], (key,))
    log_security(store, "lockout", key, address=address,
                 detail=f"{kind} locked for {LOCKOUT_SECONDS // 60} minutes")
    return lock


def record_failure(store: Store, name: str, address: str, *, now: float | None = None) -> Lock | None:
    """Count a failed sign-in; the lock it caused, if it was one too many."""
    now = _clock(now)
    since = now - FAILURE_WINDOW_SECONDS
    with store._transaction():
        store._conn.execute("DELETE FROM login_failures WHERE at <= ?", (since,))
        store._conn.execute("DELETE FROM login_locks WHERE until <= ?", (now,))
        store._conn.execute("INSERT INTO login_failures (at, name, address) VALUES (?, ?, ?)",
                            (now, name, address))
        lock = None
        if _failures(store, "account", name, since) >= MAX_ACCOUNT_FAILURES:
            lock = _lock(store, "account", name, now, address)
        if address and _failures(store, "address", address, since) >= MAX_ADDRESS_FAILURES:
            lock = _lock(store, "address", address, now, address)
    return lock


def sign_in(store: Store, name: str, password: str, address: str, *,
            now: float | None = None) -> User | None:
    """The user when the password is theirs and nothing is locked, else None.

    Raises ``SignInLocked`` when the name or the address is locked (also
    when this very failure locked it). A success forgets the name's failures.
    """
    now = _clock(now)
    lock = active_lock(store, name, address, now=now)
    if lock is not None:
        raise SignInLocked(lock, now)
    user = authenticate(store, name, password)
    if user is None:
        lock = record_failure(store, name, address, now=now)
        if lock is not None:
            raise SignInLocked(lock, now)
        return None
    with store._transaction():
        store._conn.execute(_FORGET_FAILURES["account"], (name,))
    return user


def unlock(store: Store, *, name: str | None = None, address: str | None = None,
           by: str = "") -> int:
    """Lift the locks on an account name and/or an address and forget their
    failures; the number of locks lifted (expired ones included)."""
    lifted = 0
    with store._transaction():
        for kind, key in (("account", name), ("address", address)):
            if key is None:
                continue
            cur = store._conn.execute("DELETE FROM login_locks WHERE kind = ? AND key = ?",
                                      (kind, key))
            store._conn.execute(_FORGET_FAILURES[kind], (key,))
            lifted += cur.rowcount
            log_security(store, "unlock", key, actor=by, detail=kind)
    return lifted


def active_locks(store: Store, *, now: float | None = None) -> list[Lock]:
    """Every lock in force, longest-lasting first."""
    return [Lock(str(k), str(key), float(u)) for k, key, u in store._conn.execute(
        "SELECT kind, key, until FROM login_locks WHERE until > ? ORDER BY until DESC",
        (_clock(now),))]


def security_entries(store: Store, limit: int = 100) -> list[SecurityEntry]:
    """The newest entries of the security log, newest first."""
    return [SecurityEntry(*row) for row in store._conn.execute(
        "SELECT id, at, action, subject, actor, address, detail FROM security_log"
        " ORDER BY id DESC LIMIT ?", (max(0, int(limit)),))]
