"""``marsad eval``: score marsad against human-coded data in ../shared/gold/dev.

One module per dataset (``acled``, ``gtd``, ``case2021``, ``places``,
``geowebnews``; ``merge``
scores merging on a corpus folder rather than a gold file), each
with an ``evaluate(path, ...) -> dict`` library call; ``common`` holds the
metrics and ``report`` the text/JSON rendering. This package module only
locates the gold files (scorers are imported lazily by their users).
"""

from __future__ import annotations

import time
from pathlib import Path

from marsad.errors import InputError

DATASETS: tuple[str, ...] = ("acled", "gtd", "case2021", "places", "geowebnews", "merge")
GOLD_FILES: dict[str, str] = {
    "acled": "acled_2022h1.csv",
    "gtd": "gtd_iraq_2012_2017.csv",
    "case2021": "case2021_task2.tsv",
    "places": "ucdp_ged_syria_2016_2019.csv",
    "geowebnews": "geowebnews.xml",
}
# Where the gold data lives: beside the checkout, as ../shared/gold/dev.
GOLD_SUBDIR = Path("shared") / "gold" / "dev"


def default_gold_dir(cwd: Path | None = None) -> Path:
    """``../shared/gold/dev`` from the current directory if it exists, else
    the same folder beside the repository holding this package."""
    here = (cwd or Path.cwd()).resolve().parent / GOLD_SUBDIR
    if here.is_dir():
        return here
    # marsad/evaluation/__init__.py: parents[2] is the checkout, [3] its parent
    return Path(__file__).resolve().parents[3] / GOLD_SUBDIR


def gold_file(dataset: str, gold_dir: Path | str | None = None) -> Path:
    """The gold file of ``dataset``; ``InputError`` (one line) when missing."""
    if dataset not in GOLD_FILES:
        raise InputError(f"unknown dataset {dataset!r} (choose from {', '.join(DATASETS)})")
    folder = Path(gold_dir) if gold_dir else default_gold_dir()
    path = folder / GOLD_FILES[dataset]
    if not path.is_file():
        raise InputError(f"{path}: gold file not found (use --gold-dir DIR)")
    return path


def evaluate_places(path: Path | str, gazetteer_path: str | None = None, limit: int | None = None,
                    errors=None) -> dict:
    """UCDP place resolution (``marsad.evaluation.places``) in the shape of
    the other scorers' results; ``errors`` receives the rows not placed
    within 10 km."""
    from marsad.evaluation.places import evaluate_ucdp
    from marsad.geo.index import Gazetteer

    started = time.perf_counter()
    with Gazetteer.open(gazetteer_path) as gazetteer:
        metrics = evaluate_ucdp(Path(path), gazetteer, limit=limit, errors=errors)
    seconds = time.perf_counter() - started
    rows = int(metrics["rows"])
    return {"dataset": "places", "file": str(path), "documents": rows, "seconds": seconds,
            "docs_per_s": rows / seconds if seconds > 0 else 0.0, "overall": metrics}
