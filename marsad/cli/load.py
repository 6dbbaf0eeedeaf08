"""``marsad load``: Parquet shards (from ``marsad extract --engine dask``) into the store.

Also the ``--engine dask`` branch of ``marsad extract`` (shards, then load).

Loading goes through ``Store.save_results`` with the DocumentResults the
pipeline produced, one transaction per batch, so it is idempotent (a
document already stored is skipped, so a re-load adds nothing), events
are merged exactly as a local run merges them, and a load killed at any
point can simply be run again. A shard whose files are missing or whose
checksum does not match the manifest is skipped with one line (exit 1).
"""

from __future__ import annotations

from pathlib import Path

import click

from marsad.cli.common import db_option, terminal_safe


@click.command("load")
@click.argument("folder", metavar="PARQUET_DIR", type=click.Path(file_okay=False, path_type=Path))
@db_option
def load(folder: Path, db: Path) -> int:
    """Load the Parquet shards in PARQUET_DIR (with its manifest.json) into the store.

    \b
    Example:
      marsad extract --engine dask --no-store --shards out/ 'feeds/*.jsonl'
      marsad load out/ --db events.db
    """
    from marsad.shards import read_manifest

    manifest = read_manifest(folder)  # ShardError (one line, exit 2) when unusable
    return load_shards(folder, manifest, db)


def load_shards(folder: Path, manifest, db: Path) -> int:
    from marsad.shards import check_shard, read_shard
    from marsad.store import SaveStats, Store

    store = Store.open(db)
    run_id = store.begin_run({"load": str(folder), "shards": len(manifest.shards),
                              "pipeline_version": manifest.pipeline_version})
    stats = SaveStats()
    skipped = problems = 0
    status = "interrupted"
    try:
        for shard in manifest.shards:
            for origin, reason in shard.problems:  # inputs the workers could not read
                problems += 1
                store.record_problem(run_id, origin, reason)
            why = check_shard(folder, shard)
            if why:
                skipped += 1
                click.echo(f"marsad: skipped shard {shard.index} ({terminal_safe(shard.input)}): "
                           f"{terminal_safe(why)}", err=True)
                store.record_problem(run_id, str(folder / shard.documents.name), why)
                continue
            stats += store.save_results(read_shard(folder, shard), run_id)
        status = "ok" if not skipped else "partial"
    finally:
        counts = stats.run_counts()
        counts["problems"] = problems + skipped
        store.finish_run(run_id, status, counts)
        store.close()
    click.echo(
        f"loaded {len(manifest.shards) - skipped} of {len(manifest.shards)} shard(s) into {db}: "
        f"{stats.documents_stored} document(s) stored, {stats.documents_skipped} already there, "
        f"{stats.events} event(s) written", err=True)
    if skipped and skipped == len(manifest.shards):
        return 2
    return 1 if skipped else 0


def extract_with_dask(inputs, *, published, db: Path, country, no_store: bool, max_bytes, gazetteer,
                      workers, engine: str, scheduler, shards: Path | None) -> int:
    """``marsad extract --engine dask``: shards on the cluster, then (unless
    --no-store) ``marsad load`` of them."""
    if engine != "dask":
        raise click.UsageError("--scheduler and --shards go with --engine dask")
    if shards is None:
        raise click.UsageError("--engine dask needs --shards DIR (where the Parquet shards are written)")
    from marsad.run.dask import run
    from marsad.run.local import PipelineOptions

    options = PipelineOptions(gazetteer_path=str(Path(gazetteer).resolve()) if gazetteer else None,
                              country_hint=(country or "").upper() or None)

    def shard_done(info) -> None:
        click.echo(f"shard {info.index}: {info.documents.rows} document(s), {info.events.rows} event(s) "
                   f"<- {terminal_safe(info.input)}", err=True)

    manifest, problems = run(list(inputs), shards, options, scheduler=scheduler, workers=workers,
                             published=published, max_bytes=max_bytes, on_shard=shard_done)
    for origin, reason in problems + [p for s in manifest.shards for p in s.problems + s.rejected]:
        click.echo(f"marsad: skipped {terminal_safe(origin)}: {terminal_safe(reason)}", err=True)
    totals = manifest.to_dict()["totals"]
    click.echo(f"{totals['documents']} document(s), {totals['events']} event(s) in "
               f"{len(manifest.shards)} shard(s) at {shards}", err=True)
    bad = bool(problems) or totals["problems"] or totals["rejected"]
    if totals["documents"] - totals["rejected"] <= 0:
        click.echo("marsad: nothing could be processed", err=True)
        return 2
    if not no_store:
        rc = load_shards(shards, manifest, db)
        if rc:
            return rc
    return 1 if bad else 0
