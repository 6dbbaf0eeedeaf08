"""``marsad events``, ``marsad show`` and ``marsad export``: read the store."""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

import click

from marsad.cli.common import (
    db_option,
    event_filter,
    filter_options,
    one_line,
    open_existing_store,
    render_events_table,
    terminal_safe,
)
from marsad.records import Event, Evidence

# Context shown around a piece of evidence when its sentence is very long
# (or the text has no sentence punctuation at all).
MAX_CONTEXT_CHARS = 240
_SENTENCE_END = re.compile(r"[.!?؟。\n]")  # ؟ is the Arabic question mark

HIGHLIGHT_ON = "\x1b[1;4m"  # bold + underline
HIGHLIGHT_OFF = "\x1b[0m"
AMBIGUOUS_SHOWN = 5
# mkstemp creates files readable by the owner only; an export is an ordinary
# data file meant to be shared.
EXPORT_FILE_MODE = 0o644


def _stdout_is_tty() -> bool:
    return sys.stdout.isatty()


@click.command("events")
@db_option
@filter_options
@click.option("--limit", type=click.IntRange(min=1), metavar="N", default=50, show_default=True,
              help="Show at most N events.")
@click.option("--offset", type=click.IntRange(min=0), metavar="N", default=0, show_default=True,
              help="Skip the first N matching events.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl"]), default="table",
              show_default=True, help="table for people, json/jsonl for programs.")
def events(db: Path, limit: int, offset: int, fmt: str, **filters: Any) -> int:
    """List stored events, newest first, filtered by date, type, actor, place or text."""
    from marsad.export import json_text, write_jsonl

    with open_existing_store(db) as store:
        where = event_filter(filters)
        total = store.count_events(where)
        found = store.events(where, limit=limit, offset=offset)
    if fmt == "jsonl":
        write_jsonl(found, sys.stdout)
    elif fmt == "json":
        click.echo(json_text({"total": total, "offset": offset, "limit": limit,
                              "events": [e.to_dict() for e in found]}, indent=2))
    else:
        table = render_events_table(found)
        if table:
            click.echo(table)
        first = offset + 1 if found else 0
        shown = f"{len(found)} of {total} events"
        if offset:
            shown += f" (from #{first})"
        click.echo(shown)
    return 0


def _resolve_event(store: Any, event_id: str) -> Event | None:
    event = store.get_event(event_id)
    if event is not None:
        return event
    matches = store.event_ids_with_prefix(event_id, limit=AMBIGUOUS_SHOWN + 1)
    if len(matches) == 1:
        return store.get_event(matches[0])
    if not matches:
        click.echo(f"marsad: error: no event with id {one_line(event_id)!s}", err=True)
    else:
        listed = ", ".join(matches[:AMBIGUOUS_SHOWN]) + (", ..." if len(matches) > AMBIGUOUS_SHOWN else "")
        click.echo(f"marsad: error: {one_line(event_id)} matches several events: {one_line(listed)}",
                   err=True)
    return None


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of the sentence holding ``text[start:end]`` (at most
    ``MAX_CONTEXT_CHARS`` either side)."""
    left = start
    while left > 0 and start - left < MAX_CONTEXT_CHARS and not _SENTENCE_END.match(text[left - 1]):
        left -= 1
    right = end
    while right < len(text) and right - end < MAX_CONTEXT_CHARS:
        right += 1
        if _SENTENCE_END.match(text[right - 1]):
            break
    return left, right


def sentence_around(text: str, start: int, end: int) -> tuple[str, str, str]:
    """(before, evidence, after) for the sentence holding ``text[start:end]``."""
    left, right = sentence_bounds(text, start, end)
    before = ("…" if left > 0 and not _SENTENCE_END.match(text[left - 1]) else "") + text[left:start]
    after = text[end:right] + ("…" if right < len(text) and not _SENTENCE_END.match(text[right - 1]) else "")
    return before.lstrip(), text[start:end], after.rstrip()


def _evidence_line(evidence: Evidence, doc_text: str | None, tty: bool) -> str:
    on, off = (HIGHLIGHT_ON, HIGHLIGHT_OFF) if tty else ("[[", "]]")
    if doc_text is not None and 0 <= evidence.start <= evidence.end <= len(doc_text) \
            and doc_text[evidence.start:evidence.end] == evidence.text:
        before, words, after = sentence_around(doc_text, evidence.start, evidence.end)
    else:  # document not stored, or offsets that do not fit it: the words alone
        before, words, after = "", evidence.text, ""
    return one_line(before) + (" " if before and before[-1].isspace() else "") \
        + on + one_line(words) + off \
        + (" " if after and after[0].isspace() else "") + one_line(after)


@click.command("show")
@click.argument("event_id")
@db_option
def show(event_id: str, db: Path) -> int:
    """Show one event (EVENT_ID or a unique prefix of it): every field, the
    evidence highlighted in its sentence, and the source documents."""
    tty = _stdout_is_tty()
    with open_existing_store(db) as store:
        event = _resolve_event(store, event_id.strip())
        if event is None:
            return 2
        doc_ids = list(dict.fromkeys([*event.document_ids, *(e.doc_id for e in event.evidence if e.doc_id)]))
        documents = {d: store.get_document(d) for d in doc_ids}
        members, history = _merging(store, event.event_id)

    data = event.to_dict()
    width = max(len(k) for k in data)
    for name, value in data.items():
        if name in ("evidence", "document_ids", "warnings"):
            continue
        shown = "" if value is None else value
        click.echo(f"{name.ljust(width)}  {terminal_safe(shown)}")
    click.echo(f"{'warnings'.ljust(width)}  {one_line('; '.join(event.warnings))}")

    click.echo("")
    click.echo(f"Evidence ({len(event.evidence)}):")
    for evidence in event.evidence:
        doc = documents.get(evidence.doc_id)
        line = _evidence_line(evidence, doc.text if doc else None, tty)
        click.echo(f"  {one_line(evidence.field)} ({evidence.confidence:.2f}, "
                   f"{one_line(evidence.doc_id) or 'no document'} {evidence.start}-{evidence.end}):")
        click.echo(f"    {line}", color=tty)  # keep our highlight; stored text is already clean

    click.echo("")
    click.echo(f"Documents ({len(event.document_ids)}):")
    for doc_id in event.document_ids:
        doc = documents.get(doc_id)
        if doc is None:
            click.echo(f"  {one_line(doc_id)} (not in the store)")
            continue
        click.echo(f"  {one_line(doc.id)}")
        for label, value in (("title", doc.title), ("source", doc.source or doc.site_name),
                             ("published", doc.published), ("url", doc.url),
                             ("origin", doc.origin)):
            if value:
                click.echo(f"    {label}: {one_line(value)}")
    _echo_merging(members, history)
    return 0


def _merging(store: Any, event_id: str) -> tuple[list, list]:
    """The reports merged into the event and why (empty for an unmerged store)."""
    from marsad.store import merging

    try:
        return merging.event_members(store, event_id), merging.merge_history(store, event_id)
    except merging.UnknownEventError:
        return [], []


def _echo_merging(members: list, history: list) -> None:
    if not members:
        return
    click.echo("")
    click.echo(f"Sources ({len(members)} report{'s' if len(members) != 1 else ''}):")
    for m in members:
        click.echo(f"  {one_line(m.source) or 'unknown outlet'}: {one_line(m.doc_id)}"
                   f" ({one_line(m.extraction_id)}): {m.sub_event_type or '?'} in {one_line(m.location) or '?'}"
                   f" on {m.event_date or '?'}, {m.fatalities} killed")
    if len(members) == 1 and not history:
        return
    click.echo("")
    click.echo("Why merged:" if history else "Why merged: (no record)")
    for record in history:
        who = f" by {one_line(record.user)}" if record.user else ""
        click.echo(f"  {record.at} {record.action}{who}: {one_line(', '.join(record.members))}")
        for reason in record.reasons:
            click.echo(f"    {one_line(reason)}")


class _TerminalSafe:
    """A text stream wrapper stripping control characters (CSV to a terminal)."""

    def __init__(self, fp: TextIO) -> None:
        self._fp = fp

    def write(self, text: str) -> int:
        return self._fp.write(terminal_safe(text))


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "geojson"]), required=True,
              help="csv: ACLED columns then ours; jsonl: one event per line with evidence; "
                   "geojson: FeatureCollection of points.")
@click.option("--output", "-o", default="-", show_default=True, metavar="FILE",
              help="Where to write; - is standard output.")
@filter_options
@db_option
def export(fmt: str, output: str, db: Path, **filters: Any) -> int:
    """Export stored events (all of them, or those matching the filters)."""
    from marsad.export import WRITERS

    writer = WRITERS[fmt]
    with open_existing_store(db) as store:
        matching = store.iter_events(event_filter(filters))
        if output == "-":
            stream = sys.stdout
            count = writer(matching, _TerminalSafe(stream) if _stdout_is_tty() else stream)
            stream.flush()
        else:
            count = _write_file(Path(output), writer, matching)
    if output != "-":
        click.echo(f"exported {count} events to {one_line(output)}", err=True)
    elif count == 0:
        click.echo("no events matched", err=True)
    return 0


def _write_file(path: Path, writer: Any, events: Any) -> int:
    """Write next to ``path`` and rename into place: a failed export never
    leaves a half-written file where a complete one was."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fp:
            count = writer(events, fp)
        os.chmod(tmp_name, EXPORT_FILE_MODE)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return count
