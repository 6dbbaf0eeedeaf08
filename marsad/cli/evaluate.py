"""``marsad eval`` and ``marsad eval-places``: score marsad on gold data.

Exit codes: 0 scored; 2 usage error or a gold file missing/unreadable
(one line on stderr). Progress goes to stderr, the report to stdout.
"""

from __future__ import annotations

import time
from contextlib import nullcontext
from pathlib import Path

import click

from marsad.evaluation import DATASETS, evaluate_places, gold_file

# Progress on stderr at most this often.
PROGRESS_EVERY_S = 0.5


class _Progress:
    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.started = time.monotonic()
        self._last = 0.0
        self._shown = False

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if self.enabled and now - self._last >= PROGRESS_EVERY_S:
            self._last = now
            self._shown = True
            rate = done / (now - self.started) if now > self.started else 0.0
            click.echo(f"\r{done} documents ({rate:.0f}/s)", err=True, nl=False)

    def done(self) -> None:
        if self._shown:
            click.echo("", err=True)


def _run(dataset: str, limit: int | None, country: str | None, as_json: bool, errors: Path | None,
         gold_dir: Path | None, gazetteer: str | None, quiet: bool, corpus: Path | None = None) -> int:
    from marsad.evaluation import report

    if dataset == "merge":
        from marsad.evaluation import merge
        from marsad.pipeline import Pipeline

        with Pipeline(gazetteer_path=gazetteer) as pipeline:
            result = merge.evaluate(corpus, pipeline)
        click.echo(report.to_json(result) if as_json else report.render(result))
        return 0
    path = gold_file(dataset, gold_dir)
    if dataset == "places":
        with report.ErrorFile(errors) if errors else nullcontext() as error_file:
            result = evaluate_places(path, gazetteer, limit=limit, errors=error_file)
        if errors:
            click.echo(f"{error_file.count} error records written to {errors}", err=True)
    else:
        from marsad.pipeline import Pipeline

        progress = _Progress(enabled=not quiet)
        sink = report.ErrorFile(errors) if errors else nullcontext()
        with Pipeline(gazetteer_path=gazetteer) as pipeline, sink as error_file:
            kwargs = {"errors": error_file, "progress": progress}
            if dataset == "acled":
                from marsad.evaluation import acled

                result = acled.evaluate(path, pipeline, limit=limit, country=country, **kwargs)
            elif dataset == "geowebnews":
                from marsad.evaluation import geowebnews

                result = geowebnews.evaluate(path, pipeline, limit=limit, **kwargs)
            elif dataset == "gtd":
                from marsad.evaluation import gtd

                result = gtd.evaluate(path, pipeline, limit=limit, **kwargs)
            else:
                from marsad.evaluation import case2021

                result = case2021.evaluate(path, pipeline, limit=limit, **kwargs)
        progress.done()
        if errors:
            click.echo(f"{error_file.count} error records written to {errors}", err=True)
    click.echo(report.to_json(result) if as_json else report.render(result))
    if as_json:
        click.echo(f"{result['documents']} documents in {result['seconds']:.1f} s "
                   f"({result['docs_per_s']:.1f} docs/s)", err=True)
    return 0


_LIMIT = click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N",
                      help="Score only the first N documents.")
_JSON = click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
_GOLD = click.option("--gold-dir", type=click.Path(file_okay=False, path_type=Path), default=None, metavar="DIR",
                     help="Folder with the gold files (default: ../shared/gold/dev).")
_GAZ = click.option("--gazetteer", type=click.Path(dir_okay=False), default=None,
                    help="Gazetteer index to use (default: the one in $MARSAD_HOME).")
_QUIET = click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")


@click.command("eval")
@click.argument("dataset", type=click.Choice(DATASETS))
@click.argument("corpus", required=False, type=click.Path(file_okay=False, path_type=Path), metavar="[DIR]")
@_LIMIT
@click.option("--country", metavar="C", default=None, help="ACLED only: score one country (e.g. Syria).")
@_JSON
@click.option("--errors", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="Write the mismatching documents as JSON lines to FILE.")
@_GOLD
@_GAZ
@_QUIET
def evaluate(dataset, corpus, limit, country, as_json, errors, gold_dir, gazetteer, quiet) -> int:
    """Score marsad against human-coded DATASET (acled, gtd, case2021, places, geowebnews), or
    score merging on the report corpus in DIR (merge; default: the test corpus).

    \b
    Example:
      marsad eval acled --country Syria --errors errors.jsonl
      marsad eval merge tests/data/merge_corpus
    """
    if country and dataset != "acled":
        raise click.BadParameter("--country applies to the acled dataset only", param_hint="--country")
    if corpus is not None and dataset != "merge":
        raise click.BadParameter("DIR applies to the merge dataset only", param_hint="DIR")
    return _run(dataset, limit, country, as_json, errors, gold_dir, gazetteer, quiet, corpus)


# eval-places --dataset NAME -> the eval dataset it runs.
PLACE_DATASETS = {"ucdp": "places", "geowebnews": "geowebnews"}


@click.command("eval-places")
@click.option("--dataset", type=click.Choice(sorted(PLACE_DATASETS)), default="ucdp", show_default=True,
              help="ucdp: resolve UCDP GED place names; geowebnews: find and resolve the toponyms "
                   "of GeoWebNews articles.")
@_LIMIT
@_JSON
@click.option("--errors", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="Write the misplaced rows (ucdp) or the articles with errors (geowebnews) as JSON lines.")
@_GOLD
@_GAZ
@_QUIET
def eval_places(dataset, limit, as_json, errors, gold_dir, gazetteer, quiet) -> int:
    """Score places alone: resolution of UCDP GED place names (same as
    `marsad eval places`), or toponym recognition and resolution on
    GeoWebNews (same as `marsad eval geowebnews`).

    \b
    Example:
      marsad eval-places --dataset geowebnews --errors gwn_errors.jsonl
    """
    return _run(PLACE_DATASETS[dataset], limit, None, as_json, errors, gold_dir, gazetteer, quiet)
