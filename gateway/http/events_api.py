"""`POST /v1/events`: a batch of events as JSON, for servers, POS, beacons and any head.

Body: `{"events": [ ... ]}` or a bare list, sent as `Content-Type: application/json` (the media
type parsed exactly: parameters never count). Answers 200 with a per-event result list when the
batch was processed (even if some events were rejected: each one alone, with its reason), 400
for a body that is not a batch, 408 for a body that does not arrive within
VITRINE_BODY_TIMEOUT_SECONDS, 413 for one too large, 415 for another media type, 503 when events
cannot be stored (with Redis, only when both the intake journal and the event log are down; the
message says which), nothing accepted: retry.

A server (shop backend, till, loyalty system) sends its API key of the `ingest` role
(`Authorization: Bearer <key>`): its events may then link the identifiers they name (customer
id, email, loyalty card). Without a key the identifiers need an identity token (docs/identity.md).
A key that is unknown answers 401, one of another role 403.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from gateway.http.admin_view import key_of
from gateway.http.body import BodyTooLarge, BodyTooSlow, read_limited
from gateway.http.encoding import dumps
from gateway.http.media import JSON, media_type
from gateway.http.state import edge_of, storefront_of
from gateway.http.visitor_cookie import issue_cookie, visitor_of
from gateway.kernel import ErrorCode, InputError, StoreUnavailable, Unauthenticated
from gateway.visitors import EventStatus


def _json(body: Any, status: int = 200) -> Response:
    return Response(dumps(body), status_code=status, media_type="application/json")


def _error(status: int, code: str, message: str) -> Response:
    return _json({"error": {"code": code, "message": message}}, status)


async def post_events(request: Request) -> Response:
    settings = edge_of(request).settings
    if media_type(request.headers.get("content-type")) != JSON:
        return _error(415, "UNSUPPORTED_MEDIA_TYPE", "send Content-Type: application/json")
    try:
        body = await read_limited(request, settings.events_max_body_bytes, settings.body_timeout_seconds)
    except BodyTooLarge as exc:
        return _error(413, ErrorCode.BATCH_TOO_LARGE.value, f"{exc}; split the batch")
    except BodyTooSlow as exc:
        response = _error(408, "REQUEST_TIMEOUT", f"{exc}; send it all at once")
        response.headers["connection"] = "close"
        return response
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        return _error(400, "BAD_USER_INPUT", f"the body is not valid JSON: {exc}")
    events = payload.get("events") if isinstance(payload, dict) else payload
    if not isinstance(events, list):
        return _error(400, "BAD_USER_INPUT", 'send {"events": [ ... ]} or a JSON list of events')
    trusted = False
    raw_key = key_of(request)
    if raw_key is not None:
        try:
            principal = await edge_of(request).api_keys.authenticate(raw_key)
        except Unauthenticated as exc:
            return _error(401, exc.code.value, exc.message)
        except StoreUnavailable:
            return _error(503, "STORE_UNAVAILABLE", "API keys cannot be checked now; nothing was accepted, retry later")
        if not principal.role.vouches_for_identities:
            return _error(
                403, "FORBIDDEN", f"a {principal.role.value} key cannot send events: use a key of the ingest role"
            )
        trusted = True
    visitor = visitor_of(request, settings)
    try:
        result = await storefront_of(request).events.track(visitor, events, trusted=trusted)
    except InputError as exc:
        return _error(400, exc.code.value, exc.message)
    except StoreUnavailable as exc:
        said = "nothing was accepted" in exc.message  # the intake's own words say it all
        message = exc.message if said else f"{exc.message}; nothing was accepted, retry later"
        response = _error(503, "STORE_UNAVAILABLE", message)
        response.headers["retry-after"] = "5"
        return response
    response = _json(
        {
            "accepted": result.count(EventStatus.ACCEPTED),
            "duplicates": result.count(EventStatus.DUPLICATE),
            "rejected": result.count(EventStatus.REJECTED),
            "results": [
                {
                    "index": o.index,
                    "messageId": o.message_id,
                    "status": o.status.value,
                    **({"code": o.code.value, "reason": o.reason} if o.code else {}),
                }
                for o in result.outcomes
            ],
        }
    )
    issue_cookie(response, visitor, settings)
    return response
