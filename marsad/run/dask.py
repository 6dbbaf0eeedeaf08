"""``marsad extract --engine dask``: the pure pipeline on Dask workers.

Inputs are expanded into shards (one input file each: a JSONL file, an HTML
or text file, any file ``marsad.ingest.iter_inputs`` reads; globs and
folders are expanded here, in the client). Each shard is one Dask task: the
worker reads the file itself (the path must be reachable from the workers:
a shared filesystem or the same machine), runs its own Pipeline (built once
per worker process), and writes ``documents-NNNNN.parquet`` and
``events-NNNNN.parquet`` into the output folder (see ``marsad.shards``). The
client collects what each task wrote and writes ``manifest.json`` last.

Nothing touches the SQLite store here: ``marsad load`` does that, in one
process, through ``Store.save_results``.

Dask (``distributed``) is imported only when this module runs.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from marsad.errors import MarsadError
from marsad.ingest import GZIP_SUFFIX, SUFFIX_KINDS, iter_inputs
from marsad.run.local import PipelineOptions, cpu_count, extracted, worker_pipeline
from marsad.shards import Manifest, ShardInfo, now, write_manifest, write_shard

# Seconds to wait for a scheduler to answer before giving up with one line.
CONNECT_TIMEOUT_S = 30
_GLOB_CHARS = frozenset("*?[")


class DaskError(MarsadError):
    """The cluster could not be reached or a task failed (one line)."""


@dataclass(frozen=True, slots=True)
class ShardTask:
    """Everything a worker needs for one shard (picklable, no open handles)."""

    index: int
    path: str
    out_dir: str
    options: PipelineOptions
    published: date | None = None
    max_bytes: int | None = None


def _readable(path: Path) -> bool:
    name = path.name.lower()
    if name.endswith(GZIP_SUFFIX):
        name = name[: -len(GZIP_SUFFIX)]
    return not path.name.startswith(".") and Path(name).suffix in SUFFIX_KINDS


def expand_inputs(inputs: Sequence[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """(shard paths in a stable order, problems) from files, folders and globs.

    A folder contributes its readable files (sorted, hidden ones skipped); a
    glob its matches (sorted); the same file named twice is one shard.
    """
    shards: list[str] = []
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()

    def add(path: Path) -> None:
        real = os.path.realpath(path)
        if real not in seen:
            seen.add(real)
            shards.append(str(path.resolve()))

    for raw in inputs:
        if raw == "-":
            problems.append(("<stdin>", "standard input cannot be sharded; give files with --engine dask"))
            continue
        matches = sorted(glob.glob(raw, recursive=True)) if _GLOB_CHARS & set(raw) else [raw]
        if not matches:
            problems.append((raw, "no file matches this pattern"))
        for match in matches:
            path = Path(match)
            if path.is_dir():
                found = sorted(p for p in path.rglob("*")
                               if p.is_file() and _readable(p)
                               and not any(part.startswith(".") for part in p.relative_to(path).parts))
                if not found:
                    problems.append((match, "no readable files in this folder"))
                for file in found:
                    add(file)
            elif path.exists():
                add(path)
            else:
                problems.append((match, "no such file or directory"))
    return shards, problems


def process_shard(task: ShardTask) -> ShardInfo:
    """One shard, on a worker: read, extract, write its two Parquet files."""
    from marsad.ingest import DEFAULT_MAX_BYTES

    pipeline = worker_pipeline(task.options)
    items = iter_inputs([task.path], published=task.published, max_bytes=task.max_bytes or DEFAULT_MAX_BYTES)
    return write_shard(Path(task.out_dir), task.index, task.path, extracted(pipeline, items))


def _client(scheduler, workers: int | None):
    """(client, cluster we started or None, whether we own the client).

    ``scheduler`` is an address, a ``distributed.Client`` the caller made
    (e.g. one from a dask-gateway cluster, with its security settings; it
    is left open), or None for a new LocalCluster."""
    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        return scheduler, None, False
    if scheduler:
        try:
            return Client(scheduler, timeout=CONNECT_TIMEOUT_S), None, True
        except (OSError, TimeoutError) as err:
            raise DaskError(f"cannot reach the Dask scheduler at {scheduler} ({type(err).__name__})") from None
    cluster = LocalCluster(n_workers=workers or cpu_count(), threads_per_worker=1, processes=True,
                           dashboard_address=None)
    try:
        return Client(cluster), cluster, True
    except BaseException:
        cluster.close()
        raise


def run(inputs: Sequence[str], out_dir: Path, options: PipelineOptions, *, scheduler=None,
        workers: int | None = None, published: date | None = None, max_bytes: int | None = None,
        on_shard: Callable[[ShardInfo], None] | None = None) -> tuple[Manifest, list[tuple[str, str]]]:
    """Extract every shard on the cluster; returns the manifest written and
    the inputs that could not become shards. ``scheduler``: an address, a
    ``distributed.Client``, or None (a LocalCluster of ``workers`` processes)."""
    from marsad import __version__

    paths, problems = expand_inputs(inputs)
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "manifest.json").unlink(missing_ok=True)  # never a stale manifest over new shards
    except OSError as err:
        raise MarsadError(f"cannot write to {out_dir}: {err.strerror or err}") from None
    tasks = [ShardTask(i, p, str(out_dir.resolve()), options, published, max_bytes) for i, p in enumerate(paths)]
    infos = list(_run_tasks(tasks, scheduler, workers, on_shard)) if tasks else []
    manifest = Manifest(tuple(sorted(infos, key=lambda s: s.index)), tuple(inputs), __version__, now(),
                        {"engine": "dask", "scheduler": scheduler if isinstance(scheduler, str) else
                         "LocalCluster" if scheduler is None else "client"})
    write_manifest(out_dir, manifest)
    return manifest, problems


def _run_tasks(tasks: list[ShardTask], scheduler, workers: int | None,
               on_shard: Callable[[ShardInfo], None] | None) -> Iterator[ShardInfo]:
    from distributed import as_completed

    client, cluster, own = _client(scheduler, workers)
    try:
        futures = client.map(process_shard, tasks, key=[f"marsad-shard-{t.index:05d}-{os.getpid()}" for t in tasks],
                             pure=False)
        for future in as_completed(futures):
            try:
                info = future.result()
            except MarsadError:
                raise
            except Exception as err:  # noqa: BLE001 - a worker's failure, reported in one line
                raise DaskError(f"a Dask task failed: {type(err).__name__}: {err}") from None
            if on_shard is not None:
                on_shard(info)
            yield info
    finally:
        if own:
            client.close()
        if cluster is not None:
            cluster.close()
