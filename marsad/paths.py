"""Where marsad keeps its files.

``MARSAD_HOME`` (default ``$XDG_DATA_HOME/marsad``, i.e.
``~/.local/share/marsad``) holds the default database ``marsad.db`` and the
compiled gazetteer index. ``MARSAD_DB`` overrides the database path alone.
"""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    env = os.environ.get("MARSAD_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg).expanduser() / "marsad"


def default_db() -> Path:
    env = os.environ.get("MARSAD_DB")
    if env:
        return Path(env).expanduser()
    return home() / "marsad.db"


def gazetteer_dir() -> Path:
    return home() / "gazetteer"
