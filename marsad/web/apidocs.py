"""/docs: the OpenAPI description rendered as a plain page.

Swagger UI would load scripts from a CDN and run inline code; this page
works offline under the app's strict CSP. The raw description stays at
/openapi.json for tools.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from marsad.web.auth import access_of

router = APIRouter(include_in_schema=False)


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list of {_type(schema.get('items', {}))}"
    limits = [f"{k.replace('imum', '')} {schema[k]}" for k in ("minimum", "maximum", "maxLength")
              if k in schema]
    return kind + (f" ({', '.join(limits)})" if limits else "")


def operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The operations of an OpenAPI description, flattened for the template."""
    found = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            found.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "description": op.get("description", ""),
                "anchor": re.sub(r"[^a-z0-9]+", "-", f"{method}-{path}".lower()).strip("-"),
                "parameters": [{"name": p["name"], "where": p.get("in", ""),
                                "type": _type(p.get("schema", {})), "required": p.get("required", False),
                                "description": p.get("description", "")}
                               for p in op.get("parameters", [])],
                "body": _type(body.get("schema", {})) if body else "",
                "responses": sorted(op.get("responses", {})),
            })
    return found


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    from marsad.web.pages import render

    spec = request.app.openapi()
    return render(request, "api_docs.html", access_of(request), spec=spec,
                  operations=operations(spec))
