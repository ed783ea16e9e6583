"""Media types: `Accept` negotiation for GraphQL over HTTP (q-values honoured, specific types beat
wildcards), and the exact media type of a `Content-Type`."""

from __future__ import annotations

import re

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_MEDIA_TYPE = re.compile(rf"^\s*({_TOKEN}/{_TOKEN})\s*(?:;.*)?$", re.DOTALL)


def media_type(content_type: str | None) -> str:
    """The `type/subtype` of a Content-Type, lowercased, without its parameters; "" when there is
    none or it is malformed. Parameters never count: `text/plain; charset=application/json` is
    text/plain."""
    match = _MEDIA_TYPE.match(content_type or "")
    return match.group(1).lower() if match else ""


def negotiate(accept: str | None) -> str | None:
    """The media type to answer with, or None when the client accepts neither JSON type.

    No `Accept` header means a legacy client: application/json. Wildcards also get
    application/json, which every client (curl, browsers, old SDKs) can read. Between the two
    JSON types the higher q wins; on a tie, the GraphQL-specific one.
    """
    if not accept or not accept.strip():
        return JSON
    best: tuple[float, int, str] | None = None
    for part in accept.split(","):
        media, *params = part.split(";")
        media = media.strip().lower()
        q = 1.0
        for param in params:
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        if media == GRAPHQL_RESPONSE_JSON:
            rank = (q, 2, GRAPHQL_RESPONSE_JSON)
        elif media == JSON:
            rank = (q, 1, JSON)
        elif media in ("*/*", "application/*"):
            rank = (q, 0, JSON)
        else:
            continue
        if best is None or rank[:2] > best[:2]:
            best = rank
    return best[2] if best else None
