"""``marsad extract``: reports in, coded events stored and shown.

Exit codes: 0 every input processed; 1 some inputs skipped or rejected
(each named on stderr in one line); 2 nothing could be processed, or a
usage error (bad option, unwritable database).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import click

from marsad.cli.common import db_option, render_events_table, terminal_safe

# Show a progress line on stderr once more than this many documents have
# been read (a handful of files finish before anyone would look at it).
PROGRESS_AFTER = 5
PROGRESS_EVERY_S = 0.25


def _parse_published(ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


class _Progress:
    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.count = 0
        self.events = 0
        self._last = 0.0
        self._shown = False

    def tick(self, events: int) -> None:
        self.count += 1
        self.events += events
        if not self.enabled or self.count <= PROGRESS_AFTER:
            return
        now = time.monotonic()
        if now - self._last >= PROGRESS_EVERY_S:
            self._last = now
            self._shown = True
            click.echo(f"\r{self.count} documents, {self.events} events", err=True, nl=False)

    def done(self) -> None:
        if self._shown:
            click.echo(f"\r{self.count} documents, {self.events} events", err=True)


@click.command("extract")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--published", callback=_parse_published, metavar="YYYY-MM-DD",
              help="Publication date for inputs that carry none (default: the file's own date).")
@db_option
@click.option("--country", metavar="CC", default=None,
              help="ISO alpha-2 code of the country the reports are about, when known (helps geocoding).")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl", "json", "none"]), default="table",
              show_default=True, help="How to write the extracted events.")
@click.option("--output", "output", default="-", metavar="FILE|-", show_default=True,
              help="Where to write the events ('-' is stdout).")
@click.option("--no-store", is_flag=True, help="Do not write to the database (filter mode).")
@click.option("--max-bytes", type=click.IntRange(min=1), default=None,
              help="Largest input file to read, in bytes.")
@click.option("--gazetteer", "gazetteer", type=click.Path(dir_okay=False), default=None,
              help="Gazetteer index to use (default: the one in $MARSAD_HOME).")
@click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
              help="Processes to extract with (default: one per CPU; short inputs stay in one).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: this machine; dask: Dask workers over input files, writing Parquet shards "
                   "(then loaded into --db unless --no-store; --format/--output are not used).")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Dask scheduler to use (e.g. tcp://10.0.0.5:8786); default: a local cluster.")
@click.option("--shards", "shards", type=click.Path(file_okay=False, path_type=Path), default=None,
              metavar="DIR", help="With --engine dask: folder for the Parquet shards and manifest.json.")
def extract(inputs, published, db, country, fmt, output, no_store, max_bytes, gazetteer,
            workers, engine, scheduler, shards) -> int:
    """Extract events from INPUT files or folders (.txt, .html, .jsonl; '-' for stdin).

    \b
    Examples:
      marsad extract report.txt --published 2020-05-05
      marsad extract feeds/ --workers 4
      marsad extract --engine dask --shards out/ 'feeds/*.jsonl'     # then loads out/ into --db
    """
    if engine == "dask" or scheduler or shards:
        from marsad.cli.load import extract_with_dask

        return extract_with_dask(inputs, published=published, db=db, country=country, no_store=no_store,
                                 max_bytes=max_bytes, gazetteer=gazetteer, workers=workers,
                                 engine=engine, scheduler=scheduler, shards=shards)
    from marsad.ingest import DEFAULT_MAX_BYTES, iter_inputs
    from marsad.records import InputProblem
    from marsad.run.batches import Lookahead, save_batches
    from marsad.run.local import PipelineOptions, process

    store = None
    run_id = None
    if not no_store:
        from marsad.store import Store

        store = Store.open(db)  # StoreError (one line) when unwritable
        run_id = store.begin_run({"inputs": list(inputs), "published": str(published or ""), "country": country or ""})

    if gazetteer is None:
        from marsad.geo.index import default_path

        if not default_path().exists():
            click.echo("marsad: building the bundled gazetteer index (first run only, about 40 s)...", err=True)
    problems = 0
    rejected = 0
    processed = 0
    events_out = []
    progress = _Progress(enabled=sys.stderr.isatty())
    status = "interrupted"
    stats = None
    options = PipelineOptions(gazetteer_path=gazetteer, country_hint=(country or "").upper() or None)
    try:
        items = Lookahead(iter_inputs(list(inputs), published=published,
                                      max_bytes=max_bytes or DEFAULT_MAX_BYTES, stdin=sys.stdin.buffer))

        def results() -> Iterator:
            nonlocal problems, rejected, processed
            # Results come back in input order whatever the number of workers.
            for position, (item, result) in enumerate(process(items, options, workers, items.ends_within)):
                if isinstance(item, InputProblem):
                    problems += 1
                    click.echo(f"marsad: skipped {terminal_safe(item)}", err=True)
                    if store is not None:
                        store.record_problem(run_id, item.origin, item.reason)
                    continue
                if result.rejected:
                    rejected += 1
                    click.echo(f"marsad: skipped {terminal_safe(item.origin)}: {terminal_safe(result.rejected)}", err=True)
                else:
                    processed += 1
                if fmt != "none":  # kept only to be written out: memory stays flat otherwise
                    events_out.extend(result.events)
                progress.tick(len(result.events))
                yield position, result

        if store is not None:
            # where batches end depends on the input alone: the same stores whatever the workers
            stats = store.save_batches(save_batches(results(), items.ends_within), run_id)
        else:
            for _ in results():
                pass
        status = "ok" if not (problems or rejected) else "partial"
    finally:
        progress.done()
        if store is not None:
            counts = stats.run_counts() if stats is not None else {}
            counts["problems"] = problems
            store.finish_run(run_id, status, counts)
            store.close()

    _write_events(events_out, fmt, output)
    if store is not None and fmt != "none" and not (fmt in ("jsonl", "json") and output == "-"):
        skipped = stats.documents_skipped if stats else 0
        click.echo(
            f"{processed} document(s) processed, {progress.events} event(s); "
            f"stored in {db}" + (f" ({skipped} already stored)" if skipped else ""),
            err=True,
        )
    if processed == 0:
        if problems or rejected:
            click.echo("marsad: nothing could be processed", err=True)
        return 2
    return 1 if (problems or rejected) else 0


def _write_events(events, fmt: str, output: str) -> None:
    if fmt == "none":
        return
    from marsad.export import json_text, write_jsonl

    if output == "-":
        fp = click.get_text_stream("stdout")
        close = False
    else:
        path = Path(output)
        try:
            fp = open(path, "w", encoding="utf-8", newline="")
        except OSError as err:
            from marsad.errors import MarsadError

            raise MarsadError(f"cannot write {path}: {err.strerror}") from None
        close = True
    try:
        if fmt == "table":
            fp.write(render_events_table(events) + "\n")
        elif fmt == "jsonl":
            write_jsonl(events, fp)
        else:
            fp.write(json_text([e.to_dict() for e in events], indent=2) + "\n")
    finally:
        if close:
            fp.close()
