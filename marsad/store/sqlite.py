"""SQLite store: documents, events with their evidence, runs and problems.

Everything goes through parameterised SQL. The only SQL text composed at run
time is built from fixed fragments and column names that are constants of
this module (never from values a user or an article supplied).
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timezone
from itertools import islice
from pathlib import Path
from types import MappingProxyType

from marsad import paths
from marsad.errors import StoreError
from marsad.records import CleanDocument, Document, DocumentResult, Event, Evidence
from marsad.store.migrations import load_migrations

# A batch is one transaction: large enough that commit cost (an fsync in WAL
# mode) is amortised, small enough that an interrupted run loses little work
# and other readers/writers are not blocked for long.
SAVE_BATCH_SIZE = 200

# How long a connection waits for another process's write lock (e.g. an
# `extract` run committing a batch while `events` reads) before giving up.
BUSY_TIMEOUT_SECONDS = 10.0

# SQLite's bound-parameter limit is 32766 in current versions but 999 in old
# builds; stay well below the old one when expanding ``IN (?, ?, ...)``.
MAX_IN_PARAMETERS = 500

# Rows fetched per query when streaming all matching events (exports).
ITER_PAGE_SIZE = 500

DEFAULT_ORDER = "-event_date"

# Orderable columns: name accepted from callers -> SQL expression. Nothing
# else ever reaches an ORDER BY.
ORDERABLE_COLUMNS: Mapping[str, str] = MappingProxyType({
    "event_date": "e.event_date",
    "event_id": "e.event_id",
    "fatalities": "e.fatalities",
    "confidence": "e.confidence",
    "country": "e.country",
    "admin1": "e.admin1",
    "event_type": "e.event_type",
    "sub_event_type": "e.sub_event_type",
    "created_at": "e.created_at",
    "updated_at": "e.updated_at",
})

# Event fields stored as plain columns of ``events`` (the tuples are stored
# in their own tables / as JSON).
_EVENT_TUPLE_FIELDS = ("document_ids", "evidence", "warnings")
EVENT_COLUMNS: tuple[str, ...] = tuple(
    f.name for f in fields(Event) if f.name not in _EVENT_TUPLE_FIELDS
)
_EVENT_SELECT = ", ".join(f"e.{c}" for c in EVENT_COLUMNS) + ", e.warnings"

_INSERT_EVENT_SQL = (
    "INSERT INTO events ("
    + ", ".join(EVENT_COLUMNS)
    + ", year, warnings, search_rowid, created_at, updated_at) VALUES ("
    + ", ".join("?" for _ in EVENT_COLUMNS)
    + ", ?, ?, (SELECT coalesce(max(search_rowid), 0) + 1 FROM events), ?, ?)"
    + " ON CONFLICT(event_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in EVENT_COLUMNS if c != "event_id")
    + ", year = excluded.year, warnings = excluded.warnings, updated_at = excluded.updated_at"
)

_INSERT_DOCUMENT_SQL = (
    "INSERT INTO documents (id, search_rowid, content_hash, kind, origin, url, title,"
    " site_name, source, published, published_from, raw, text, removed, ingested_at, run_id)"
    " VALUES (?, (SELECT coalesce(max(search_rowid), 0) + 1 FROM documents),"
    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

# Counts a run records; "problems" = inputs that could not be read at all.
_RUN_COUNT_COLUMNS = (
    "documents_seen", "documents_stored", "documents_skipped", "documents_rejected", "events",
    "problems",
)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def fold(value: str | None) -> str:
    """Case- and width-insensitive form used for substring matching."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", value).casefold()


def _year(event_date: str) -> int | None:
    head = event_date[:4]
    return int(head) if len(head) == 4 and head.isdigit() else None


def _iso_date(value: date | str | None, what: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"{what}: expected a date YYYY-MM-DD, got {value!r}") from None


def fts_query(text: str) -> str:
    """Turn free user text into a safe FTS5 query: every word a quoted phrase.

    All words must match (implicit AND). Quotes inside a word are doubled,
    so FTS5 operators (AND, NEAR, *, column filters) typed by a user are
    searched for as words rather than interpreted.
    """
    phrases = [
        '"' + chunk.replace('"', '""') + '"'
        for chunk in text.split()
        if any(ch.isalnum() for ch in chunk)
    ]
    return " ".join(phrases)


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which events to return; ``None``/empty means "any".

    ``event_type``, ``sub_event_type``, ``country`` and ``admin1`` match
    the whole value, ignoring ASCII case. ``actor`` is a case-insensitive
    substring of actor1, actor2 or an associated actor. ``text`` searches
    event notes and the cleaned text of the events' documents (all words
    must occur). ``date_from``/``date_to`` are inclusive.
    """

    date_from: date | str | None = None
    date_to: date | str | None = None
    event_type: str | None = None
    sub_event_type: str | None = None
    actor: str | None = None
    country: str | None = None
    admin1: str | None = None
    text: str | None = None
    document_id: str | None = None


@dataclass(frozen=True, slots=True)
class SaveStats:
    """What ``save_results`` did. Add two with ``+``."""

    documents_seen: int = 0
    documents_stored: int = 0
    documents_skipped: int = 0  # already in the store (same id)
    documents_rejected: int = 0
    events_inserted: int = 0
    events_updated: int = 0

    @property
    def events(self) -> int:
        return self.events_inserted + self.events_updated

    def __add__(self, other: "SaveStats") -> "SaveStats":
        return SaveStats(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def run_counts(self) -> dict[str, int]:
        """The counts ``finish_run`` records."""
        return {
            "documents_seen": self.documents_seen,
            "documents_stored": self.documents_stored,
            "documents_skipped": self.documents_skipped,
            "documents_rejected": self.documents_rejected,
            "events": self.events,
        }


@dataclass(frozen=True, slots=True)
class StoredDocument:
    id: str
    content_hash: str
    kind: str
    origin: str
    url: str
    title: str
    site_name: str
    source: str
    published: date | None
    published_from: str
    raw: str
    text: str
    removed: tuple[str, ...]
    ingested_at: str
    run_id: int | None

    def as_document(self) -> Document:
        return Document(
            id=self.id, raw=self.raw, kind=self.kind, published=self.published,
            published_from=self.published_from, title=self.title, url=self.url,
            source=self.source, origin=self.origin, content_hash=self.content_hash,
        )

    def as_clean(self) -> CleanDocument:
        return CleanDocument(
            doc_id=self.id, text=self.text, title=self.title, site_name=self.site_name,
            published=self.published, published_from=self.published_from, url=self.url,
            source=self.source, removed=self.removed,
        )


@dataclass(frozen=True, slots=True)
class Problem:
    origin: str
    reason: str
    recorded_at: str = ""


@dataclass(frozen=True, slots=True)
class RunInfo:
    id: int
    started_at: str
    finished_at: str | None
    status: str
    args: dict
    documents_seen: int
    documents_stored: int
    documents_skipped: int
    documents_rejected: int
    events: int
    problem_count: int  # inputs skipped, as counted by the caller
    problems: tuple[Problem, ...] = field(default_factory=tuple)


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _batches(items: Iterable[DocumentResult], size: int) -> Iterator[list[DocumentResult]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class Store:
    """A marsad SQLite database. Open with ``Store.open(path)``."""

    def __init__(self, conn: sqlite3.Connection, path: Path | str) -> None:
        self._conn = conn
        self.path = path
        self._has_fts = self._table_exists("events_fts")
        self._merge_memo: dict = {}  # merging's verdicts between saved batches (store/merging.py)

    # ------------------------------------------------------------------
    # opening, closing, migrations
    # ------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path | None = None, *, create: bool = True) -> "Store":
        """Open (and migrate) the database at ``path`` (default: ``paths.default_db()``).

        With ``create=False`` a missing file is an error instead of a new
        database. ``":memory:"`` opens a private in-memory database.
        """
        if path is None:
            path = paths.default_db()
        memory = str(path) == ":memory:"
        if not memory:
            path = Path(path).expanduser()
            if path.is_dir():
                raise StoreError(f"cannot open database {path}: it is a directory")
            if not create and not path.exists():
                raise StoreError(f"no database at {path}")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise StoreError(
                    f"cannot create the folder for database {path}: {err.strerror or err}"
                ) from None
        try:
            conn = sqlite3.connect(
                str(path), timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None,
            )
        except sqlite3.Error as err:
            raise StoreError(f"cannot open database {path}: {err}") from None
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.create_function("marsad_fold", 1, fold, deterministic=True)
            if not memory:
                conn.execute("PRAGMA journal_mode = WAL")
            # synchronous=NORMAL is durable across application crashes in WAL
            # mode and much faster; only an OS crash can lose the last commit.
            conn.execute("PRAGMA synchronous = NORMAL")
            store = cls(conn, path)
            store._migrate()
            store._has_fts = store._table_exists("events_fts")
        except sqlite3.DatabaseError as err:
            conn.close()
            if "not a database" in str(err) or "malformed" in str(err):
                raise StoreError(f"{path} is not a marsad database (not SQLite, or damaged)") from None
            raise StoreError(f"cannot open database {path}: {err}") from None
        except BaseException:
            conn.close()
            raise
        return store

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _table_exists(self, name: str) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = ? AND type IN ('table', 'view')", (name,)
        ).fetchone()
        return row is not None

    def applied_migrations(self) -> list[str]:
        return [r[0] for r in self._conn.execute(
            "SELECT name FROM schema_migrations ORDER BY name")]

    def _migrate(self) -> None:
        migrations = load_migrations()
        known = {m.name for m in migrations}
        if not self._table_exists("schema_migrations"):
            others = self._conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchone()[0]
            if others:
                raise StoreError(
                    f"{self.path} is an SQLite database but not a marsad one (refusing to change it)"
                )
            with self._transaction():
                self._conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    " name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
                )
        unknown = sorted(set(self.applied_migrations()) - known)
        if unknown:
            raise StoreError(
                f"database {self.path} was written by a newer marsad"
                f" (unknown schema migration {unknown[-1]}); upgrade marsad to use it"
            )
        applied = set(self.applied_migrations())
        for migration in migrations:
            if migration.name in applied:
                # Known without a write lock: opening a migrated database
                # (every web request does) never waits for a running extract.
                continue
            # Re-check inside the write transaction: another process may
            # have applied it while we waited for the lock.
            with self._transaction():
                done = self._conn.execute(
                    "SELECT 1 FROM schema_migrations WHERE name = ?", (migration.name,)
                ).fetchone()
                if done:
                    continue
                try:
                    migration.apply(self._conn)
                except sqlite3.Error as err:
                    raise StoreError(
                        f"cannot migrate database {self.path} ({migration.name}): {err}"
                    ) from None
                self._conn.execute(
                    "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                    (migration.name, _now()),
                )

    def _transaction(self) -> "_Transaction":
        return _Transaction(self._conn)

    # ------------------------------------------------------------------
    # runs and problems
    # ------------------------------------------------------------------

    def begin_run(self, args: Mapping[str, object] | None = None) -> int:
        """Record the start of an extraction run; returns its id."""
        payload = json.dumps(dict(args or {}), ensure_ascii=False, default=str, sort_keys=True)
        with self._transaction():
            cur = self._conn.execute(
                "INSERT INTO runs (started_at, status, args) VALUES (?, 'running', ?)",
                (_now(), payload),
            )
        return int(cur.lastrowid)

    def finish_run(
        self, run_id: int, status: str, counts: SaveStats | Mapping[str, int] | None = None,
    ) -> None:
        """Record how a run ended ("ok", "partial", "failed", "interrupted", ...)."""
        if isinstance(counts, SaveStats):
            counts = counts.run_counts()
        counts = dict(counts or {})
        unknown = set(counts) - set(_RUN_COUNT_COLUMNS)
        if unknown:
            raise ValueError(f"unknown run counts: {sorted(unknown)}; known: {_RUN_COUNT_COLUMNS}")
        values = [int(counts.get(c, 0)) for c in _RUN_COUNT_COLUMNS]
        with self._transaction():
            self._conn.execute(
                "UPDATE runs SET finished_at = ?, status = ?, "
                + ", ".join(f"{c} = ?" for c in _RUN_COUNT_COLUMNS)
                + " WHERE id = ?",
                (_now(), status, *values, run_id),
            )

    def record_problem(self, run_id: int | None, origin: str, reason: str) -> None:
        """Remember an input that was skipped or a document that was rejected."""
        with self._transaction():
            self._record_problem(run_id, origin, reason)

    def _record_problem(self, run_id: int | None, origin: str, reason: str) -> None:
        self._conn.execute(
            "INSERT INTO problems (run_id, origin, reason, recorded_at) VALUES (?, ?, ?, ?)",
            (run_id, origin, reason, _now()),
        )

    def get_run(self, run_id: int) -> RunInfo | None:
        row = self._conn.execute(
            "SELECT id, started_at, finished_at, status, args, "
            + ", ".join(_RUN_COUNT_COLUMNS) + " FROM runs WHERE id = ?", (run_id,),
        ).fetchone()
        if row is None:
            return None
        problems = tuple(
            Problem(*r) for r in self._conn.execute(
                "SELECT origin, reason, recorded_at FROM problems WHERE run_id = ? ORDER BY id",
                (run_id,),
            )
        )
        return RunInfo(row[0], row[1], row[2], row[3], json.loads(row[4]), *row[5:], problems=problems)

    # ------------------------------------------------------------------
    # saving
    # ------------------------------------------------------------------

    def has_document(self, doc_id: str) -> bool:
        return self._conn.execute(
            "SELECT 1 FROM documents WHERE id = ?", (doc_id,)
        ).fetchone() is not None

    def save_results(
        self, results: Iterable[DocumentResult], run_id: int | None = None,
        *, batch_size: int = SAVE_BATCH_SIZE,
    ) -> SaveStats:
        """Store documents and their events, one transaction per batch.

        A document already stored (same id) is skipped with its events, so
        saving the same results twice adds nothing. Events are upserted by
        ``event_id``: a later version replaces the stored one (fields,
        evidence and document links). A rejected result is recorded as a
        problem of the run, not as a document. If anything fails (or the
        iterable raises) the current batch is rolled back; earlier batches
        stay committed.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        return self.save_batches(_batches(results, batch_size), run_id)

    def save_batches(self, batches: Iterable[list[DocumentResult]], run_id: int | None = None) -> SaveStats:
        """As ``save_results``, one transaction per batch given (the caller
        chose where they end; ``marsad.run.batches``)."""
        total = SaveStats()
        for batch in batches:
            try:
                with self._transaction():
                    total += self._save_batch(batch, run_id)
            except sqlite3.Error as err:
                raise StoreError(f"cannot write to database {self.path}: {err}") from None
        return total

    def _save_batch(self, batch: list[DocumentResult], run_id: int | None) -> SaveStats:
        from marsad.store import merging  # imports this module: import when first used

        stored = skipped = rejected = 0
        now = _now()
        fresh: list[DocumentResult] = []
        for result in batch:
            doc = result.document
            if result.rejected:
                rejected += 1
                self._record_problem(run_id, doc.origin or doc.id, result.rejected)
                continue
            if self.has_document(doc.id):
                skipped += 1
                continue
            self._insert_document(result, run_id, now)
            stored += 1
            fresh.append(result)
        # the documents' events become extractions; incidents they touch are recomputed
        inserted, updated = merging.add_results(self, fresh, now)
        return SaveStats(len(batch), stored, skipped, rejected, inserted, updated)

    def _insert_document(self, result: DocumentResult, run_id: int | None, now: str) -> None:
        doc, clean = result.document, result.clean
        published = (clean.published if clean and clean.published else None) or doc.published
        self._conn.execute(_INSERT_DOCUMENT_SQL, (
            doc.id,
            doc.content_hash,
            doc.kind,
            doc.origin,
            (clean.url if clean and clean.url else doc.url),
            (clean.title if clean and clean.title else doc.title),
            clean.site_name if clean else "",
            (clean.source if clean and clean.source else doc.source),
            published.isoformat() if published else None,
            (clean.published_from if clean and clean.published_from else doc.published_from),
            doc.raw,
            clean.text if clean else "",
            json.dumps(list(clean.removed) if clean else [], ensure_ascii=False),
            now,
            run_id,
        ))

    def _upsert_event(self, event: Event, now: str) -> bool:
        """Insert or replace one event; True when it was new."""
        existed = self._conn.execute(
            "SELECT 1 FROM events WHERE event_id = ?", (event.event_id,)
        ).fetchone() is not None
        values = [getattr(event, c) for c in EVENT_COLUMNS]
        self._conn.execute(_INSERT_EVENT_SQL, (
            *values,
            _year(event.event_date),
            json.dumps(list(event.warnings), ensure_ascii=False),
            now,
            now,
        ))
        if existed:
            self._conn.execute("DELETE FROM event_documents WHERE event_id = ?", (event.event_id,))
            self._conn.execute("DELETE FROM evidence WHERE event_id = ?", (event.event_id,))
        self._conn.executemany(
            "INSERT INTO event_documents (event_id, position, doc_id) VALUES (?, ?, ?)",
            [(event.event_id, i, d) for i, d in enumerate(event.document_ids)],
        )
        self._conn.executemany(
            'INSERT INTO evidence (event_id, position, doc_id, field, "start", "end", text, confidence)'
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(event.event_id, i, e.doc_id, e.field, e.start, e.end, e.text, e.confidence)
             for i, e in enumerate(event.evidence)],
        )
        return not existed

    # ------------------------------------------------------------------
    # queries
    # ------------------------------------------------------------------

    def _where(self, filters: EventFilter) -> tuple[str, list[object]]:
        """WHERE clause from fixed fragments; every value is a parameter."""
        clauses: list[str] = []
        params: list[object] = []
        date_from = _iso_date(filters.date_from, "date_from")
        date_to = _iso_date(filters.date_to, "date_to")
        if date_from:
            clauses.append("e.event_date >= ?")
            params.append(date_from)
        if date_to:
            clauses.append("e.event_date <> '' AND e.event_date <= ?")
            params.append(date_to)
        # These columns are declared COLLATE NOCASE, so "=" ignores ASCII case.
        for value, clause in (
            (filters.event_type, "e.event_type = ?"),
            (filters.sub_event_type, "e.sub_event_type = ?"),
            (filters.country, "e.country = ?"),
            (filters.admin1, "e.admin1 = ?"),
        ):
            if value:
                clauses.append(clause)
                params.append(value.strip())
        if filters.actor:
            # instr() on folded text: a plain substring test, so "%" or "_"
            # in the user's text are literal characters (no LIKE wildcards).
            clauses.append(
                "(instr(marsad_fold(e.actor1), ?) > 0 OR instr(marsad_fold(e.actor2), ?) > 0"
                " OR instr(marsad_fold(e.assoc_actor_1), ?) > 0"
                " OR instr(marsad_fold(e.assoc_actor_2), ?) > 0)"
            )
            params.extend([fold(filters.actor.strip())] * 4)
        if filters.text and filters.text.strip():
            if self._has_fts:
                query = fts_query(filters.text)
                if not query:
                    clauses.append("0")
                else:
                    clauses.append(
                        "(e.search_rowid IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)"
                        " OR e.event_id IN (SELECT ed.event_id FROM event_documents ed"
                        " JOIN documents d ON d.id = ed.doc_id WHERE d.search_rowid IN"
                        " (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)))"
                    )
                    params.extend([query, query])
            else:
                needle = fold(filters.text.strip())
                clauses.append(
                    "(instr(marsad_fold(e.notes), ?) > 0 OR e.event_id IN"
                    " (SELECT ed.event_id FROM event_documents ed JOIN documents d"
                    " ON d.id = ed.doc_id WHERE instr(marsad_fold(d.text), ?) > 0))"
                )
                params.extend([needle, needle])
        if filters.document_id:
            clauses.append(
                "e.event_id IN (SELECT event_id FROM event_documents WHERE doc_id = ?)"
            )
            params.append(filters.document_id)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    @staticmethod
    def _order(order_by: str) -> str:
        descending = order_by.startswith("-")
        name = order_by.lstrip("-")
        if name not in ORDERABLE_COLUMNS:
            raise ValueError(
                f"cannot order events by {order_by!r}; choose from {sorted(ORDERABLE_COLUMNS)}"
            )
        direction = "DESC" if descending else "ASC"
        return f" ORDER BY {ORDERABLE_COLUMNS[name]} {direction}, e.event_id {direction}"

    def events(
        self, filters: EventFilter | None = None, limit: int | None = 50, offset: int = 0,
        order_by: str = DEFAULT_ORDER,
    ) -> list[Event]:
        """Events matching ``filters`` (``limit=None``: all of them)."""
        filters = filters or EventFilter()
        if limit is not None and limit < 0 or offset < 0:
            raise ValueError("limit and offset must not be negative")
        where, params = self._where(filters)
        sql = (f"SELECT {_EVENT_SELECT} FROM events e" + where + self._order(order_by)
               + " LIMIT ? OFFSET ?")
        with self.read_snapshot():
            rows = self._conn.execute(sql, (*params, -1 if limit is None else limit, offset)).fetchall()
            return self._events_from_rows(rows)

    def iter_events(
        self, filters: EventFilter | None = None, order_by: str = "event_date",
        page_size: int = ITER_PAGE_SIZE,
    ) -> Iterator[Event]:
        """All matching events, fetched a page at a time (for exports).

        The pages are read in one read transaction, so an extraction
        committing meanwhile (WAL lets it) cannot shift pages and make an
        export skip or repeat events.
        """
        with self.read_snapshot():
            offset = 0
            while True:
                page = self.events(filters, limit=page_size, offset=offset, order_by=order_by)
                yield from page
                if len(page) < page_size:
                    return
                offset += page_size

    @contextmanager
    def read_snapshot(self) -> Iterator[None]:
        """Run several reads as one: inside, the store is as one commit left
        it (WAL), so an event is never seen without its documents and
        evidence while merging rewrites incidents. Nests (the outermost wins)."""
        owned = not self._conn.in_transaction
        if owned:
            self._conn.execute("BEGIN")
        try:
            yield
        finally:
            if owned and self._conn.in_transaction:
                self._conn.execute("COMMIT")

    def count_events(self, filters: EventFilter | None = None) -> int:
        where, params = self._where(filters or EventFilter())
        return int(self._conn.execute(
            "SELECT count(*) FROM events e" + where, params).fetchone()[0])

    def get_event(self, event_id: str) -> Event | None:
        with self.read_snapshot():
            rows = self._conn.execute(
                f"SELECT {_EVENT_SELECT} FROM events e WHERE e.event_id = ?", (event_id,)
            ).fetchall()
            events = self._events_from_rows(rows)
        return events[0] if events else None

    def event_ids_with_prefix(self, prefix: str, limit: int = 10) -> list[str]:
        """Ids starting with ``prefix`` (at most ``limit``), for short ids typed by users."""
        return [r[0] for r in self._conn.execute(
            "SELECT event_id FROM events WHERE substr(event_id, 1, ?) = ?"
            " ORDER BY event_id LIMIT ?", (len(prefix), prefix, limit))]

    def get_document(self, doc_id: str) -> StoredDocument | None:
        row = self._conn.execute(
            "SELECT id, content_hash, kind, origin, url, title, site_name, source, published,"
            " published_from, raw, text, removed, ingested_at, run_id"
            " FROM documents WHERE id = ?", (doc_id,),
        ).fetchone()
        if row is None:
            return None
        values = list(row)
        values[8] = date.fromisoformat(values[8]) if values[8] else None
        values[12] = tuple(json.loads(values[12]))
        return StoredDocument(*values)

    def _events_from_rows(self, rows: list[tuple]) -> list[Event]:
        if not rows:
            return []
        ids = [row[0] for row in rows]
        doc_ids: dict[str, list[str]] = {i: [] for i in ids}
        evidence: dict[str, list[Evidence]] = {i: [] for i in ids}
        for chunk in _chunks(ids, MAX_IN_PARAMETERS):
            marks = ", ".join("?" for _ in chunk)
            for event_id, doc_id in self._conn.execute(
                f"SELECT event_id, doc_id FROM event_documents WHERE event_id IN ({marks})"
                " ORDER BY event_id, position", chunk,
            ):
                doc_ids[event_id].append(doc_id)
            for event_id, *ev in self._conn.execute(
                f'SELECT event_id, field, "start", "end", text, doc_id, confidence FROM evidence'
                f" WHERE event_id IN ({marks}) ORDER BY event_id, position", chunk,
            ):
                evidence[event_id].append(Evidence(*ev))
        events = []
        for row in rows:
            kwargs = dict(zip(EVENT_COLUMNS, row[:len(EVENT_COLUMNS)]))
            event_id = kwargs["event_id"]
            events.append(Event(
                **kwargs,
                document_ids=tuple(doc_ids[event_id]),
                evidence=tuple(evidence[event_id]),
                warnings=tuple(json.loads(row[len(EVENT_COLUMNS)])),
            ))
        return events


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception (interrupts too)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self._conn.execute("BEGIN IMMEDIATE")
        return self._conn

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        if exc_type is None:
            self._conn.execute("COMMIT")
        elif self._conn.in_transaction:  # SQLite may already have rolled back (e.g. disk full)
            self._conn.execute("ROLLBACK")
