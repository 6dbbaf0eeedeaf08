"""A stand-in for the web app's two read endpoints, to test benchmarks/web_latency.py.

    python standin_api.py --db PATH --port PORT

GET /api/events?per_page=&country=&date_from=&date_to=&text=&event_type=&bbox=  -> {"total", "events"}
GET /api/map.geojson?<same filters>                                           -> FeatureCollection
Standard library and marsad only; not the real app (that is marsad/web).
"""

from __future__ import annotations

import argparse
import http.server
import io
import json
from urllib.parse import parse_qs, urlsplit

from marsad.export import write_geojson
from marsad.store import Store
from marsad.store.sqlite import EventFilter

FILTERS = ("date_from", "date_to", "event_type", "country", "text")


def _select(query: dict[str, list[str]]):
    values = {k: query[k][0] for k in FILTERS if query.get(k)}
    box = [float(x) for x in query["bbox"][0].split(",")] if query.get("bbox") else None

    def inside(event) -> bool:
        return box is None or (event.latitude is not None
                               and box[0] <= event.longitude <= box[2] and box[1] <= event.latitude <= box[3])

    return EventFilter(**values), inside


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as uvicorn does
    db = ""

    def do_GET(self):
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        with Store.open(self.db, create=False) as store:
            filters, inside = _select(query)
            if parts.path == "/api/events":
                matching = [e for e in store.iter_events(filters) if inside(e)]
                per_page = int(query.get("per_page", ["50"])[0])
                body = json.dumps({"total": len(matching), "events": [
                    e.to_dict() for e in matching[:per_page]]}).encode()
            elif parts.path == "/api/map.geojson":
                out = io.StringIO()
                write_geojson((e for e in store.iter_events(filters) if inside(e)), out)
                body = out.getvalue().encode()
            else:
                body = b'{"detail": "Not Found"}'
                self.send_response(404)
                self._finish(body)
                return
        self.send_response(200)
        self._finish(body)

    def _finish(self, body: bytes) -> None:
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    Handler.db = args.db
    with http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
