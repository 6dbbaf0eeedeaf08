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
@click.option("--secure-cookies", is_flag=True,
              help="Mark the session cookie Secure on every response: use when the app is "
                   "reached over HTTPS only (through a TLS-terminating proxy). It is marked "
                   "Secure anyway on requests that came over HTTPS.")
@click.option("--behind-proxy", "proxy_ips", metavar="ADDRESSES", default=None,
              help="Trust X-Forwarded-Proto and X-Forwarded-For from these comma-separated "
                   "reverse-proxy addresses (e.g. 127.0.0.1): the client's address (for "
                   "sign-in throttling) and HTTPS come from them. Default: trust no proxy.")
def serve(db: Path, host: str, port: int, tile_url: str | None, secure_cookies: bool,
          proxy_ips: str | None) -> int:
    """Serve the events to analysts: table, map, timeline, review, JSON API (/docs)."""
    import uvicorn

    from marsad.web.app import create_app

    app = create_app(str(db), tile_url=tile_url, secure_cookies=secure_cookies,
                     trusted_proxies=proxy_ips)
    click.echo(f"marsad: serving {db} on http://{host}:{port}/ (Ctrl-C stops)", err=True)
    # The app reads proxy headers itself, and only from --behind-proxy addresses.
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False,
                proxy_headers=False)
    return 0
