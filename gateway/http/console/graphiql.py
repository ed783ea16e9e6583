"""GraphiQL with no CDN: the page strawberry would serve, loading the vendored builds instead.

Strawberry's page pulls React and GraphiQL from unpkg and starts them with an inline script;
this one loads `vendor/` files and `static/graphiql.js` from the gateway, so it works offline
and under a CSP without inline scripts. On the admin endpoint the headers tab starts with an
`Authorization` template for the key, and headers are not kept in localStorage.
"""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse

GRAPHIQL = "vendor/graphiql-3.8.3"
REACT = "vendor/react-18.2.0/react.production.min.js"
REACT_DOM = "vendor/react-dom-18.2.0/react-dom.production.min.js"

# GraphiQL's editors set style attributes, so styles may be inline; scripts may not.
GRAPHIQL_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {"content-security-policy": GRAPHIQL_CSP, "x-content-type-options": "nosniff", "cache-control": "no-cache"}

PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{title}</title>
    <link rel="icon" href="{assets}/favicon.svg">
    <link rel="stylesheet" href="{assets}/{graphiql}/graphiql.min.css">
    <link rel="stylesheet" href="{assets}/graphiql.css">
  </head>
  <body>
    <div id="graphiql" data-endpoint="{endpoint}" data-admin="{admin}">Loading GraphiQL…</div>
    <script src="{assets}/{react}"></script>
    <script src="{assets}/{react_dom}"></script>
    <script src="{assets}/{graphiql}/graphiql.min.js"></script>
    <script src="{assets}/graphiql.js"></script>
  </body>
</html>
"""


def graphiql_page(request: Request, *, admin: bool) -> HTMLResponse:
    """GraphiQL for the endpoint this request asked for (its own path)."""
    html = PAGE.format(
        title="Vitrine admin API — GraphiQL" if admin else "Vitrine — GraphiQL",
        assets="/console",
        endpoint=escape(request.url.path, quote=True),
        admin="true" if admin else "false",
        graphiql=GRAPHIQL,
        react=REACT,
        react_dom=REACT_DOM,
    )
    return HTMLResponse(html, headers=HEADERS)
