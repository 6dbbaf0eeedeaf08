"""Parquet shards of pipeline results, and their manifest (the edge).

``marsad extract --engine dask`` writes, for input shard number N,

    documents-NNNNN.parquet   one row per document: the Document, its cleaned
                              text (CleanDocument), ``rejected``, warnings
    events-NNNNN.parquet      one row per event: ACLED columns and ours, the
                              row of its document in the documents file,
                              evidence / document ids / warnings as JSON

each written under a temporary name and renamed into place, and then
``manifest.json`` (shard list, row counts, sha256 of every file, pipeline
version, inputs) last, so a manifest only ever names complete files.
``marsad load`` reads them back into exactly the ``DocumentResult``s the
pipeline produced and stores them through ``Store.save_results``.

pyarrow is imported on first use only.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timezone
from pathlib import Path

from marsad.errors import MarsadError
from marsad.records import CleanDocument, Document, DocumentResult, Event, Evidence, InputProblem

MANIFEST = "manifest.json"
FORMAT = "marsad-shards"
FORMAT_VERSION = 1
# Rows per Parquet row group / per batch read back: bounded memory on load
# whatever the size of a shard.
ROWS_PER_BATCH = 1000
_HASH_BLOCK = 1 << 20

_DOC_FIELDS = tuple(f.name for f in fields(Document))
_CLEAN_FIELDS = tuple(f.name for f in fields(CleanDocument) if f.name != "doc_id")
_EVENT_JSON_FIELDS = ("document_ids", "evidence", "warnings")
_EVENT_FIELDS = tuple(f.name for f in fields(Event) if f.name not in _EVENT_JSON_FIELDS)
_INT_FIELDS = frozenset({"time_precision", "inter1", "inter2", "interaction", "iso", "geo_precision",
                         "fatalities", "injuries", "arrests"})
_FLOAT_FIELDS = frozenset({"latitude", "longitude", "confidence"})


def _pairs(values) -> tuple[tuple[str, str], ...]:
    return tuple((str(origin), str(reason)) for origin, reason in values)


class ShardError(MarsadError):
    """A shard folder or file that cannot be used (one line)."""


@dataclass(frozen=True, slots=True)
class ShardFile:
    name: str
    rows: int
    sha256: str

    def to_dict(self) -> dict:
        return {"file": self.name, "rows": self.rows, "sha256": self.sha256}


@dataclass(frozen=True, slots=True)
class ShardInfo:
    """What one input shard became."""

    index: int
    input: str
    documents: ShardFile
    events: ShardFile
    rejected: tuple[tuple[str, str], ...] = ()  # (origin, reason) of documents the pipeline refused
    problems: tuple[tuple[str, str], ...] = ()  # (origin, reason) of unreadable inputs

    def to_dict(self) -> dict:
        return {"index": self.index, "input": self.input, "documents": self.documents.to_dict(),
                "events": self.events.to_dict(), "rejected": [list(r) for r in self.rejected],
                "problems": [list(p) for p in self.problems]}

    @classmethod
    def from_dict(cls, data: dict) -> "ShardInfo":
        try:
            return cls(int(data["index"]), str(data["input"]),
                       ShardFile(data["documents"]["file"], int(data["documents"]["rows"]),
                                 data["documents"]["sha256"]),
                       ShardFile(data["events"]["file"], int(data["events"]["rows"]), data["events"]["sha256"]),
                       _pairs(data.get("rejected", ())), _pairs(data.get("problems", ())))
        except (KeyError, TypeError, ValueError) as err:
            raise ShardError(f"manifest entry is malformed ({type(err).__name__}: {err})") from None


@dataclass(frozen=True, slots=True)
class Manifest:
    shards: tuple[ShardInfo, ...]
    inputs: tuple[str, ...] = ()
    pipeline_version: str = ""
    created: str = ""
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"format": FORMAT, "format_version": FORMAT_VERSION, "pipeline_version": self.pipeline_version,
                "created": self.created, "inputs": list(self.inputs),
                "totals": {"shards": len(self.shards),
                           "documents": sum(s.documents.rows for s in self.shards),
                           "events": sum(s.events.rows for s in self.shards),
                           "rejected": sum(len(s.rejected) for s in self.shards),
                           "problems": sum(len(s.problems) for s in self.shards)},
                "shards": [s.to_dict() for s in self.shards], **self.extra}


def shard_names(index: int) -> tuple[str, str]:
    return f"documents-{index:05d}.parquet", f"events-{index:05d}.parquet"


# ---------------------------------------------------------------------------
# DocumentResult <-> rows
# ---------------------------------------------------------------------------


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def document_row(result: DocumentResult) -> dict:
    doc, clean = result.document, result.clean
    row = {name: getattr(doc, name) for name in _DOC_FIELDS}
    row["published"] = _iso(doc.published)
    row["has_clean"] = clean is not None
    for name in _CLEAN_FIELDS:
        value = getattr(clean, name) if clean is not None else None
        row[f"clean_{name}"] = value
    row["clean_doc_id"] = clean.doc_id if clean is not None else None
    row["clean_published"] = _iso(clean.published) if clean is not None else None
    row["clean_removed"] = _json(list(clean.removed)) if clean is not None else None
    row["rejected"] = result.rejected
    row["warnings"] = _json(list(result.warnings))
    return row


def event_row(event: Event, position: int) -> dict:
    row = {name: getattr(event, name) for name in _EVENT_FIELDS}
    row["year"] = event.year
    row["doc_position"] = position
    row["document_ids"] = _json(list(event.document_ids))
    row["evidence"] = _json([[e.field, e.start, e.end, e.text, e.doc_id, e.confidence] for e in event.evidence])
    row["warnings"] = _json(list(event.warnings))
    return row


def result_from_rows(doc_row: dict, event_rows: Sequence[dict]) -> DocumentResult:
    document = Document(**{name: doc_row[name] for name in _DOC_FIELDS if name != "published"},
                        published=_date(doc_row["published"]))
    clean = None
    if doc_row["has_clean"]:
        clean = CleanDocument(
            doc_id=doc_row["clean_doc_id"],
            **{name: doc_row[f"clean_{name}"] for name in _CLEAN_FIELDS if name not in ("published", "removed")},
            published=_date(doc_row["clean_published"]),
            removed=tuple(json.loads(doc_row["clean_removed"])),
        )
    events = tuple(_event_from_row(r) for r in event_rows)
    return DocumentResult(document, clean, events, rejected=doc_row["rejected"],
                          warnings=tuple(json.loads(doc_row["warnings"])))


def _event_from_row(row: dict) -> Event:
    return Event(
        **{name: row[name] for name in _EVENT_FIELDS},
        document_ids=tuple(json.loads(row["document_ids"])),
        evidence=tuple(Evidence(*e) for e in json.loads(row["evidence"])),
        warnings=tuple(json.loads(row["warnings"])),
    )


# ---------------------------------------------------------------------------
# Parquet files
# ---------------------------------------------------------------------------


def _schemas():
    import pyarrow as pa

    def typed(name: str):
        if name in _INT_FIELDS:
            return pa.int64()
        if name in _FLOAT_FIELDS:
            return pa.float64()
        return pa.string()

    documents = pa.schema(
        [(name, pa.string()) for name in _DOC_FIELDS]
        + [("has_clean", pa.bool_()), ("clean_doc_id", pa.string())]
        + [(f"clean_{name}", pa.string()) for name in _CLEAN_FIELDS]
        + [("rejected", pa.string()), ("warnings", pa.string())]
    )
    events = pa.schema(
        [(name, typed(name)) for name in _EVENT_FIELDS]
        + [("year", pa.int64()), ("doc_position", pa.int64())]
        + [(name, pa.string()) for name in _EVENT_JSON_FIELDS]
    )
    return documents, events


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _temp_name(path: Path) -> Path:
    """A hidden name beside ``path``, unique to this writer (created with
    the usual permissions, unlike mkstemp's private ones)."""
    return path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")


def _write_atomic_parquet(rows: list[dict], schema, path: Path) -> ShardFile:
    import pyarrow as pa
    import pyarrow.parquet as pq

    tmp = _temp_name(path)
    try:
        table = pa.Table.from_pylist(rows, schema=schema)
        pq.write_table(table, tmp, row_group_size=ROWS_PER_BATCH, compression="zstd")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        digest = sha256_of(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return ShardFile(path.name, len(rows), digest)


def write_shard(out_dir: Path, index: int, input_name: str,
                items: Iterable[tuple[Document | InputProblem, DocumentResult | None]]) -> ShardInfo:
    """Write the results of one input shard; returns what the manifest records."""
    doc_schema, event_schema = _schemas()
    doc_rows: list[dict] = []
    event_rows: list[dict] = []
    problems: list[tuple[str, str]] = []
    rejected: list[tuple[str, str]] = []
    for item, result in items:
        if result is None:
            problems.append((item.origin, item.reason))
            continue
        position = len(doc_rows)
        doc_rows.append(document_row(result))
        if result.rejected:
            rejected.append((item.origin or item.id, result.rejected))
        event_rows.extend(event_row(e, position) for e in result.events)
    docs_name, events_name = shard_names(index)
    out_dir = Path(out_dir)
    documents = _write_atomic_parquet(doc_rows, doc_schema, out_dir / docs_name)
    events = _write_atomic_parquet(event_rows, event_schema, out_dir / events_name)
    return ShardInfo(index, input_name, documents, events, tuple(rejected), tuple(problems))


def write_manifest(out_dir: Path, manifest: Manifest) -> Path:
    """Written last, atomically: a manifest only names complete shard files."""
    path = Path(out_dir) / MANIFEST
    tmp_name = _temp_name(path)
    try:
        with open(tmp_name, "w", encoding="utf-8") as fh:
            json.dump(manifest.to_dict(), fh, ensure_ascii=False, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, path)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return path


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def read_manifest(folder: Path) -> Manifest:
    path = Path(folder) / MANIFEST
    if not Path(folder).is_dir():
        raise ShardError(f"{folder} is not a folder of shards")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ShardError(f"no {MANIFEST} in {folder} (not written by marsad extract --engine dask, "
                         "or the run did not finish)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ShardError(f"{path} cannot be read ({type(err).__name__})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ShardError(f"{path} is not a marsad shard manifest")
    if data.get("format_version") != FORMAT_VERSION:
        raise ShardError(f"{path} has shard format {data.get('format_version')!r}; "
                         f"this marsad reads {FORMAT_VERSION}")
    shards = tuple(ShardInfo.from_dict(s) for s in data.get("shards") or ())
    return Manifest(shards, tuple(data.get("inputs") or ()), str(data.get("pipeline_version", "")),
                    str(data.get("created", "")))


def check_shard(folder: Path, shard: ShardInfo) -> str:
    """"" when both files are there with the recorded checksum, else why not."""
    for file in (shard.documents, shard.events):
        path = Path(folder) / file.name
        if Path(file.name).name != file.name:  # never follow a path out of the folder
            return f"{file.name}: not a plain file name"
        try:
            digest = sha256_of(path)
        except FileNotFoundError:
            return f"{path}: missing"
        except OSError as err:
            return f"{path}: cannot read ({err.strerror or err})"
        if digest != file.sha256:
            return f"{path}: checksum mismatch (corrupt or changed since it was written)"
    return ""


def read_shard(folder: Path, shard: ShardInfo) -> Iterator[DocumentResult]:
    """The shard's DocumentResults in their original order (after check_shard)."""
    import pyarrow.parquet as pq

    folder = Path(folder)
    by_doc: dict[int, list[dict]] = {}
    try:
        events = pq.ParquetFile(folder / shard.events.name)
        for batch in events.iter_batches(batch_size=ROWS_PER_BATCH):
            for row in batch.to_pylist():
                by_doc.setdefault(row["doc_position"], []).append(row)
        documents = pq.ParquetFile(folder / shard.documents.name)
        position = 0
        for batch in documents.iter_batches(batch_size=ROWS_PER_BATCH):
            for row in batch.to_pylist():
                yield result_from_rows(row, by_doc.pop(position, ()))
                position += 1
    except (OSError, ValueError, KeyError, TypeError) as err:  # pyarrow errors subclass these
        raise ShardError(f"{folder / shard.documents.name}: cannot be read ({type(err).__name__}: "
                         f"{str(err).splitlines()[0] if str(err) else ''})") from None
