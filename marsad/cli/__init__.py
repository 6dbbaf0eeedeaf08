"""The ``marsad`` command line: a thin layer over the library.

Sub-commands live one per module in this package and are imported only when
used, so ``marsad --help`` stays fast. Register a new command in
``COMMANDS`` below. Library errors (``MarsadError``) become one line on
stderr and an exit code; nothing else reaches the user as a traceback.
"""

from __future__ import annotations

import importlib
import sys

import click

from marsad.errors import MarsadError

# name -> ("module", "attribute", "short help")
COMMANDS: dict[str, tuple[str, str, str]] = {
    "extract": ("marsad.cli.extract", "extract", "Extract events from reports and store them."),
    "events": ("marsad.cli.browse", "events", "List and filter stored events."),
    "show": ("marsad.cli.browse", "show", "Show one event with its evidence."),
    "export": ("marsad.cli.browse", "export", "Export stored events (CSV, JSONL, GeoJSON)."),
    "gazetteer": ("marsad.cli.gazetteer", "gazetteer", "Manage and query the gazetteer."),
    "eval": ("marsad.cli.evaluate", "evaluate", "Score marsad against human-coded data."),
    "eval-places": ("marsad.cli.evaluate", "eval_places", "Score place resolution alone."),
    "serve": ("marsad.cli.serve", "serve", "Serve the web app (table, map, review, JSON API)."),
    "users": ("marsad.cli.users", "users", "Manage the web app's users and roles."),
    "load": ("marsad.cli.load", "load", "Load Parquet shards (from extract --engine dask) into the store."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        spec = COMMANDS.get(name)
        if spec is None:
            return None
        module = importlib.import_module(spec[0])
        return getattr(module, spec[1])

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Use the short help from COMMANDS so --help imports nothing.
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="marsad")
def cli() -> None:
    """marsad: conflict and human-rights reports in, a geocoded event dataset out."""


def main(argv: list[str] | None = None) -> None:
    """Console entry point: map library errors to one line and an exit code."""
    try:
        rc = cli.main(args=argv, prog_name="marsad", standalone_mode=False)
    except MarsadError as err:
        click.echo(f"marsad: error: {err}", err=True)
        sys.exit(err.exit_code)
    except click.exceptions.Abort:
        click.echo("marsad: aborted", err=True)
        sys.exit(130)
    except click.ClickException as err:
        err.show()
        sys.exit(2 if err.exit_code == 1 else err.exit_code)
    except KeyboardInterrupt:
        click.echo("marsad: interrupted; everything committed so far is kept", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except OSError as err:
        click.echo(f"marsad: error: {err.strerror or err}" + (f": {err.filename}" if err.filename else ""), err=True)
        sys.exit(2)
    # Commands return their exit code (0 all good, 1 some inputs skipped,
    # 2 nothing processed / usage error); None means 0.
    sys.exit(rc if isinstance(rc, int) else 0)
