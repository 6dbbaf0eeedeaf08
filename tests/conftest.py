"""Session-wide fixtures: marsad homes with a gazetteer index built once.

Building the bundled gazetteer index takes ~20 s and ~400 MB, so it is built
once per test session into a temporary ``MARSAD_HOME`` (never the user's
own). When ``../shared`` is present a second home gets a copy of that index
with the OCHA Syria places imported through the library importer (what
``marsad gazetteer import`` does); tests needing it skip cleanly otherwise.
Nothing from ``../shared`` is copied into the repository.

Fixtures here are session-scoped only. A test that needs a home in the
environment sets it itself: ``monkeypatch.setenv("MARSAD_HOME", str(marsad_home))``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis profiles, chosen with HYPOTHESIS_PROFILE (default "ci"): "ci"
# keeps the fuzz tests to a bounded run (hypothesis' usual 100 examples,
# fuzz tests that run the whole pipeline take a quarter of that); "long"
# is for local runs hunting rarer failures (see DEVELOPERS.md). Tests that
# set their own max_examples keep it.
settings.register_profile("ci", max_examples=100, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=5000, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
OCHA_LOCATIONS = SHARED / "gazetteer" / "ocha_syr" / "syr_locations.csv"
SAMPLES = SHARED / "samples"


def _index_of(home: Path) -> Path:
    from marsad.geo.index import INDEX_NAME

    return home / "gazetteer" / INDEX_NAME


@pytest.fixture(scope="session")
def marsad_home(tmp_path_factory) -> Path:
    """A MARSAD_HOME holding the bundled gazetteer index (built once)."""
    from marsad.geo.index import build_bundled

    home = tmp_path_factory.mktemp("marsad-home")
    index = _index_of(home)
    index.parent.mkdir(parents=True, exist_ok=True)
    build_bundled(index)
    assert index.is_file()
    return home


@pytest.fixture(scope="session")
def bundled_gazetteer(marsad_home) -> Path:
    """Path of the bundled index inside ``marsad_home``."""
    return _index_of(marsad_home)


@pytest.fixture(scope="session")
def ocha_home(marsad_home, tmp_path_factory) -> Path:
    """A MARSAD_HOME whose index also holds ../shared's OCHA Syria places."""
    if not OCHA_LOCATIONS.is_file():
        pytest.skip(f"{OCHA_LOCATIONS} absent")
    from marsad.geo.importers import import_files

    home = tmp_path_factory.mktemp("marsad-home-ocha")
    index = _index_of(home)
    index.parent.mkdir(parents=True)
    shutil.copy(_index_of(marsad_home), index)
    imported = list(import_files([OCHA_LOCATIONS], index))
    assert imported and imported[0][2] > 1000, imported
    return home


@pytest.fixture(scope="session")
def bundled_pipeline(bundled_gazetteer):
    """One Pipeline over the bundled index, shared by the session."""
    from marsad.pipeline import Pipeline

    with Pipeline(gazetteer_path=str(bundled_gazetteer)) as shared:
        yield shared
