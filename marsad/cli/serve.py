"""``marsad serve``: the web app (API + pages) with uvicorn."""

from __future__ import annotations

from pathlib import Path

import click

from marsad.cli.common import db_option

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


@click.command("serve")
@db_option
@click.option("--host", default=DEFAULT_HOST, show_default=True,
              help="Interface to listen on (127.0.0.1: this computer only).")
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True)
@click.option("--tiles", "tile_url", metavar="URL", default=None,
              help="Map tile URL template (e.g. https://tile.example/{z}/{x}/{y}.png); "
                   "default: none, the map uses the bundled offline basemap.")
def serve(db: Path, host: str, port: int, tile_url: str | None) -> int:
    """Serve the events to analysts: table, map, timeline, review, JSON API (/docs)."""
    import uvicorn

    from marsad.web.app import create_app

    app = create_app(str(db), tile_url=tile_url)
    click.echo(f"marsad: serving {db} on http://{host}:{port}/ (Ctrl-C stops)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
    return 0
