"""Serving the console's files: `static/` at `/console/`, `vendor/` at `/console/vendor/`.

Paths are resolved inside those two folders only (no `..`, no symlinks out); every answer
carries the console's Content-Security-Policy and `nosniff`. The app routes with the URL
fragment (`/console/#/slots`), so the server never needs an index fallback.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from gateway.http.console.vocabulary import vocabulary_module

HERE = Path(__file__).parent
STATIC = HERE / "static"
VENDOR = HERE / "vendor"

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json",
    ".md": "text/plain; charset=utf-8",
    "": "text/plain; charset=utf-8",  # LICENSE
}

# Scripts, styles and API calls from this origin only; no inline script or style. Images may
# come from anywhere over HTTP(S): a banner preview shows the editor's own image URLs.
CONSOLE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https: http:; "
    "connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CONSOLE_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-cache",  # revalidate: a new release of the gateway brings new files
}


def resolve(root: Path, relative: str) -> Path | None:
    """The file `relative` names inside `root`, or None if it is not one (or escapes root)."""
    if not relative or "\\" in relative or "\x00" in relative:
        return None
    candidate = (root / relative).resolve()
    try:
        candidate.relative_to(root.resolve())
    except ValueError:
        return None
    return candidate if candidate.is_file() else None


def file_response(path: Path | None) -> Response:
    if path is None or path.suffix not in MEDIA_TYPES:
        return Response("not found", status_code=404, media_type="text/plain", headers=SECURITY_HEADERS)
    return Response(path.read_bytes(), media_type=MEDIA_TYPES[path.suffix], headers=SECURITY_HEADERS)


async def index(request: Request) -> Response:
    return file_response(STATIC / "index.html")


async def asset(request: Request) -> Response:
    relative: str = request.path_params["path"]
    if relative == "js/vocabulary.js":
        return Response(vocabulary_module(), media_type=MEDIA_TYPES[".js"], headers=SECURITY_HEADERS)
    if relative.startswith("vendor/"):
        return file_response(resolve(VENDOR, relative.removeprefix("vendor/")))
    return file_response(resolve(STATIC, relative))


def console_mount() -> Mount:
    """`/console/...` (a request for `/console` is redirected to `/console/` by the router)."""
    return Mount(
        "/console",
        routes=[Route("/", index, methods=["GET"]), Route("/{path:path}", asset, methods=["GET"])],
        name="console",
    )
