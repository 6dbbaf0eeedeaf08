"""``marsad gazetteer``: build, import into, inspect and query the gazetteer index."""

from __future__ import annotations

from pathlib import Path

import click

from marsad.errors import GazetteerError


def _ensure_index(path: Path | None) -> Path:
    from marsad.geo.index import build_bundled, default_path

    target = path or default_path()
    if not target.exists():
        click.echo("building gazetteer index (first run)...", err=True)
        build_bundled(target)
    return target


@click.group("gazetteer")
def gazetteer() -> None:
    """Manage and query the offline gazetteer (index under MARSAD_HOME/gazetteer)."""


@gazetteer.command("build")
def build() -> int:
    """Rebuild the bundled part of the index (imported sources are kept)."""
    from marsad.geo.index import build_bundled, default_path

    click.echo("building gazetteer index...", err=True)
    path = build_bundled(default_path())
    click.echo(f"built {path}")
    return 0


@gazetteer.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def import_(files: tuple[Path, ...]) -> int:
    """Import GeoNames dumps (XX.txt/.zip, cities500.txt, admin1CodesASCII.txt,
    admin2Codes.txt), OCHA populated-places CSVs, or CSV files with the header
    name,alternate_names,latitude,longitude,admin1,admin2,country
    (alternate_names |-separated; country ISO2 or name). Importing a file again
    replaces what it imported before."""
    from marsad.geo.importers import import_files

    target = _ensure_index(None)
    for source, kind, count in import_files(list(files), target):
        click.echo(f"{source}: {count} {'names' if kind.endswith('codes') else 'places'} ({kind})")
    return 0


@gazetteer.command("info")
@click.option("--top", default=10, show_default=True, help="Countries listed per source.")
def info(top: int) -> int:
    """Show the index's sources and place counts per country."""
    from marsad.geo.index import Gazetteer

    with Gazetteer.open(_ensure_index(None)) as gaz:
        click.echo(f"index: {gaz.path}")
        per_source: dict[str, list[tuple[str, int]]] = {}
        for source, cc, count in gaz.counts_by_country():
            per_source.setdefault(source, []).append((cc, count))
        for name, kind, path, priority, places, imported in gaz.sources():
            click.echo(f"{name}  [{kind}, priority {priority}]  {places} places  imported {imported}"
                       + (f"  from {path}" if path else ""))
            rows = per_source.get(name, [])
            shown = ", ".join(f"{cc or '??'} {count}" for cc, count in rows[:top])
            more = f", ... {len(rows) - top} more countries" if len(rows) > top else ""
            click.echo(f"    {shown}{more}")
    return 0


@gazetteer.command("lookup")
@click.argument("name")
@click.option("--country", "-c", default=None, help="ISO2 code or country name to search in.")
@click.option("--limit", "-n", default=10, show_default=True)
def lookup(name: str, country: str | None, limit: int) -> int:
    """Show the candidates for NAME with their scores."""
    from marsad.geo.index import Gazetteer

    with Gazetteer.open(_ensure_index(None)) as gaz:
        cc = None
        if country:
            cc = gaz.country_of(country)
            if not cc:
                raise GazetteerError(f"unknown country {country!r}")
        found = gaz.lookup(name, cc, limit=limit)
        if not found:
            click.echo(f"no place matches {name!r}")
            return 1
        for c in found:
            admin = " / ".join(a for a in (c.admin1, c.admin2, c.admin3) if a)
            click.echo(f"{c.score:.3f}  {c.tier:8s}  {c.name}  [{c.feature}]  {c.country_code}"
                       f"{'  ' + admin if admin else ''}  {c.latitude:.5f},{c.longitude:.5f}"
                       f"  pop {c.population}  {c.place_id} ({c.source})")
    return 0


@gazetteer.command("eval")
@click.option("--gold", type=click.Path(path_type=Path, exists=True), required=True,
              help="UCDP GED CSV (e.g. ../shared/gold/dev/ucdp_ged_syria_2016_2019.csv).")
def eval_(gold: Path) -> int:
    """Score place resolution on a UCDP GED file (within 10 km, admin1, coverage)."""
    from marsad.evaluation.places import evaluate_ucdp
    from marsad.geo.index import Gazetteer

    with Gazetteer.open(_ensure_index(None)) as gaz:
        report = evaluate_ucdp(gold, gaz)
    for key, value in report.items():
        click.echo(f"{key}: {value:.4f}" if isinstance(value, float) else f"{key}: {value}")
    return 0
