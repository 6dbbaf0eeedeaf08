"""``marsad users``: who may use the web app (viewer, editor, admin)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from marsad.cli.common import db_option, one_line


@click.group("users")
def users() -> None:
    """Manage the web app's users and their roles."""


# Who the security log names for changes made with this command.
CLI_ACTOR = "cli"


def _password(from_stdin: bool, prompt: str = "Password") -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt(prompt, hide_input=True, confirmation_prompt=True)


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["viewer", "editor", "admin"]), default="viewer",
              show_default=True, help="viewer reads, editor also reviews, admin also manages users.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input (for scripts).")
@db_option
def add(name: str, role: str, password_stdin: bool, db: Path) -> int:
    """Add user NAME (asks for a password)."""
    from marsad.store import Store
    from marsad.store.users import add_user, check_password

    password = _password(password_stdin)
    check_password(name, password)  # before creating a database for nothing
    with Store.open(db) as store:
        user = add_user(store, name, role, password, by=CLI_ACTOR)
    click.echo(f"added {one_line(user.name)} ({user.role})", err=True)
    return 0


@users.command("list")
@db_option
def list_(db: Path) -> int:
    """List users and their roles (and sign-in locks in force)."""
    from marsad.cli.common import open_existing_store
    from marsad.store.logins import active_locks
    from marsad.store.users import list_users

    with open_existing_store(db) as store:
        found = list_users(store)
        locks = {lock.key: lock for lock in active_locks(store) if lock.kind == "account"}
    for user in found:
        lock = locks.get(user.name)
        locked = f"\tlocked until {lock.until_text}" if lock else ""
        click.echo(f"{one_line(user.name)}\t{user.role}\t{user.created_at}{locked}")
    return 0


@users.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(["viewer", "editor", "admin"]))
@db_option
def role(name: str, role: str, db: Path) -> int:
    """Give user NAME another ROLE."""
    from marsad.cli.common import open_existing_store
    from marsad.store.users import set_role

    with open_existing_store(db) as store:
        set_role(store, name, role, by=CLI_ACTOR)
    click.echo(f"{one_line(name)} is now {role}", err=True)
    return 0


@users.command("remove")
@click.argument("name")
@db_option
def remove(name: str, db: Path) -> int:
    """Remove user NAME."""
    from marsad.cli.common import open_existing_store
    from marsad.store.users import remove_user

    with open_existing_store(db) as store:
        remove_user(store, name, by=CLI_ACTOR)
    click.echo(f"removed {one_line(name)}", err=True)
    return 0


@users.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True,
              help="Read the new password from the first line of standard input (for scripts).")
@db_option
def passwd(name: str, password_stdin: bool, db: Path) -> int:
    """Give user NAME a new password (asks twice); their sessions end."""
    from marsad.cli.common import open_existing_store
    from marsad.store.users import UserError, check_password, find_user, set_password

    with open_existing_store(db) as store:
        if find_user(store, name) is None:
            raise UserError(f"no user named {name!r}")
        password = _password(password_stdin, f"New password for {one_line(name)}")
        check_password(name, password)
        set_password(store, name, password, by=CLI_ACTOR)
    click.echo(f"new password set for {one_line(name)}; their sessions have ended", err=True)
    return 0


@users.command("unlock")
@click.argument("name", required=False)
@click.option("--address", metavar="IP", default=None,
              help="Also (or only) unlock this client address.")
@db_option
def unlock(name: str | None, address: str | None, db: Path) -> int:
    """Let NAME sign in again after too many failed sign-ins."""
    from marsad.cli.common import open_existing_store
    from marsad.store.logins import unlock as lift

    if name is None and address is None:
        raise click.UsageError("give a user NAME, --address IP, or both")
    with open_existing_store(db) as store:
        lifted = lift(store, name=name, address=address, by=CLI_ACTOR)
    what = " and ".join(one_line(v) for v in (name, address) if v is not None)
    click.echo(f"unlocked {what}" if lifted else f"{what}: no lock was in place; "
               "failed sign-ins forgotten", err=True)
    return 0


@users.command("log")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@db_option
def log(limit: int, db: Path) -> int:
    """Show the security log (lockouts, unlocks, user changes), newest first."""
    from marsad.cli.common import open_existing_store
    from marsad.store.logins import security_entries

    with open_existing_store(db) as store:
        entries = security_entries(store, limit)
    for e in entries:
        click.echo("\t".join(one_line(v) for v in (e.at, e.action, e.subject, e.actor,
                                                    e.address, e.detail)))
    return 0
