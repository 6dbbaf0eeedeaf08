"""``marsad users``: who may use the web app (viewer, editor, admin)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from marsad.cli.common import db_option, one_line


@click.group("users")
def users() -> None:
    """Manage the web app's users and their roles."""


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


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
    from marsad.store.users import add_user

    password = _password(password_stdin)
    with Store.open(db) as store:
        user = add_user(store, name, role, password)
    click.echo(f"added {one_line(user.name)} ({user.role})", err=True)
    return 0


@users.command("list")
@db_option
def list_(db: Path) -> int:
    """List users and their roles."""
    from marsad.cli.common import open_existing_store
    from marsad.store.users import list_users

    with open_existing_store(db) as store:
        found = list_users(store)
    for user in found:
        click.echo(f"{one_line(user.name)}\t{user.role}\t{user.created_at}")
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
        set_role(store, name, role)
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
        remove_user(store, name)
    click.echo(f"removed {one_line(name)}", err=True)
    return 0
