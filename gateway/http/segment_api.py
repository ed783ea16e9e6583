"""Segment's HTTP Tracking API, so analytics.js and Segment's and RudderStack's libraries send to Vitrine unchanged.

Routes (all POST):
- `/v1/track`, `/v1/page`, `/v1/screen`, `/v1/identify`, `/v1/group`, `/v1/alias`: one message,
  whose type the path names; analytics.js sends the same to `/v1/t`, `/p`, `/s`, `/i`, `/g`, `/a`;
- `/v1/batch` (also `/v1/import`, and analytics.js's `/v1/b`): `{"batch": [...], "sentAt",
  "context", "integrations"}` (the batch's context and integrations are merged into each
  message's), a bare list of messages, or one message with its `type`: what Segment's
  webhook destination forwards.

The write key is an API key: HTTP Basic *user* (`Authorization: Basic base64(writeKey:)`, as
Segment's and RudderStack's libraries send it), `writeKey` in the body (analytics.js), or
`Authorization: Bearer`. A key of the `browser` role is public: its events are accepted, the
identities they claim never proven. A key of the `ingest` role is a server's: its userId and
identify emails are proven and link profiles. Other roles: 403; unknown key: 401.

Bodies are JSON whatever their Content-Type says, as on Segment's servers: analytics.js sends
`text/plain` (no CORS preflight), RudderStack's Node SDK a gzipped body labelled as a form. They
may be gzip-compressed; decoded, at most 32 KB for one message and 500 KB for a batch (413
above). Each message becomes a Vitrine event (`gateway.visitors.segment`) and goes through the
same intake as `/v1/events`: validation, idempotency by messageId, durability.
Track names outside Vitrine's vocabulary are stored but change nothing ("kept unused").

Answers, in Segment's shape (`success`; errors add `code` and `message`, which the libraries log):
- 200 `{"success": true, "accepted", "keptUnused", "duplicates", "rejected", "results"}`, where
  `results` lists every message that was not used as sent, with why;
- 400 the body is not JSON or not a batch; for a one-message route, a message that was refused;
- 401 / 403 the write key; 413 too large; 415 a content encoding other than gzip;
- 503 with Retry-After: a store is down; retry (what was stored is recognised by its messageId).
"""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.http.admin_view import key_of
from gateway.http.body import BodyTooLarge, read_limited
from gateway.http.state import edge_of, storefront_of
from gateway.kernel import Channel, InputError, StoreUnavailable, Unauthenticated, Visitor, VisitorId
from gateway.visitors import (
    SEGMENT_MAX_MESSAGE_BYTES,
    EventOutcome,
    EventStatus,
    IdKeys,
    SegmentCall,
    SegmentRefusal,
    Vocabulary,
    closest_name,
    to_call,
)

MAX_BATCH_BYTES = 500 * 1024  # Segment's limit per batch request
MAX_BATCH_MESSAGES = 1000
SINGLE = {"track": "track", "page": "page", "screen": "screen", "identify": "identify", "group": "group"}
SINGLE |= {"alias": "alias", "t": "track", "p": "page", "s": "screen", "i": "identify", "g": "group", "a": "alias"}
BATCH_PATHS = ("batch", "import", "b")
RETRY = {"Retry-After": "5"}
CORS = {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "POST",
    "access-control-allow-headers": "authorization, content-type, content-encoding",
    "access-control-max-age": "600",
}


class _Refused(Exception):
    """The whole request is refused, with Segment's error shape."""

    def __init__(self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, dict(headers or {})


def _json(body: Mapping[str, Any], status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers={**CORS, **(headers or {})}
    )


def _refusal(exc: _Refused) -> Response:
    return _json({"success": False, "code": exc.code, "message": exc.message}, exc.status, exc.headers)


async def _body(request: Request, limit: int) -> Any:
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "gzip"):
        raise _Refused(415, "UNSUPPORTED_MEDIA_TYPE", f"Content-Encoding {encoding!r} is not supported: use gzip")
    too_large = _Refused(413, "TOO_LARGE", f"the request is over {limit // 1024} KB; split it")
    try:
        raw = await read_limited(request, limit)
    except BodyTooLarge:
        raise too_large from None
    if encoding == "gzip":
        inflater = zlib.decompressobj(wbits=31)
        try:
            raw = inflater.decompress(raw, limit + 1)
        except zlib.error as exc:
            raise _Refused(400, "BAD_USER_INPUT", f"the body is not valid gzip: {exc}") from None
        if len(raw) > limit or inflater.unconsumed_tail:
            raise too_large
        if not inflater.eof:
            raise _Refused(400, "BAD_USER_INPUT", "the gzip body is truncated")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise _Refused(400, "BAD_USER_INPUT", f"the body is not valid JSON: {exc}") from None


def _messages(payload: Any, kind: str | None) -> tuple[list[Any], Any, Mapping[str, Any]]:
    """(messages, the batch's sentAt, the body's top level) of a request body."""
    if kind is not None:  # a one-message route: the path names the type
        if not isinstance(payload, dict):
            raise _Refused(400, "BAD_USER_INPUT", f"send one {kind} call as a JSON object")
        return [{**payload, "type": kind}], None, payload
    if isinstance(payload, list):
        messages, top = payload, {}
    elif isinstance(payload, dict) and isinstance(payload.get("batch"), list):
        messages, top = _merged(payload), payload
    elif isinstance(payload, dict) and "type" in payload:
        messages, top = [payload], payload
    else:
        raise _Refused(400, "BAD_USER_INPUT", 'send {"batch": [ ... ]}, a list of calls, or one call with its type')
    if not messages:
        raise _Refused(400, "BAD_USER_INPUT", "the batch is empty")
    if len(messages) > MAX_BATCH_MESSAGES:
        raise _Refused(400, "BAD_USER_INPUT", f"a batch holds at most {MAX_BATCH_MESSAGES} calls; split it")
    return messages, top.get("sentAt"), top


def _merged(payload: Mapping[str, Any]) -> list[Any]:
    """The batch's messages with its context and integrations merged in (the message's own win)."""
    shared = {f: payload[f] for f in ("context", "integrations") if isinstance(payload.get(f), dict)}
    if not shared:
        return list(payload["batch"])
    out: list[Any] = []
    for message in payload["batch"]:
        if isinstance(message, dict):
            message = {**message, **{f: {**v, **(message.get(f) or {})} for f, v in shared.items()}}
        out.append(message)
    return out


def _write_key(request: Request, top: Mapping[str, Any]) -> str:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic" and credentials.strip():
        try:
            user = base64.b64decode(credentials.strip(), validate=True).decode().partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            raise _Refused(401, "UNAUTHENTICATED", "the Basic credentials are not base64 of writeKey:") from None
        if user:
            return user
    key = key_of(request) or top.get("writeKey")
    if not isinstance(key, str) or not key:
        raise _Refused(
            401,
            "UNAUTHENTICATED",
            "send your write key (a Vitrine API key of the browser or ingest role) as HTTP Basic user: "
            "Authorization: Basic base64(writeKey:)",
            {"WWW-Authenticate": 'Basic realm="vitrine"'},
        )
    return key


async def _trusted(request: Request, key: str) -> bool:
    """Whether the write key proves identities (a server's), after checking it may send events."""
    try:
        principal = await edge_of(request).api_keys.authenticate(key)
    except Unauthenticated as exc:
        raise _Refused(401, exc.code.value, exc.message, {"WWW-Authenticate": 'Basic realm="vitrine"'}) from None
    except StoreUnavailable:
        raise _Refused(503, "STORE_UNAVAILABLE", "write keys cannot be checked now; retry", RETRY) from None
    if not principal.role.sends_events:
        role = principal.role.value
        raise _Refused(403, "FORBIDDEN", f"a {role} key cannot send events: use a key of the browser or ingest role")
    return principal.role.vouches_for_identities


@dataclass(frozen=True, slots=True)
class _Result:
    """One message's fate, in the answer's terms."""

    status: str
    message_id: str | None
    code: str | None = None
    reason: str | None = None
    kept_unused: bool = False
    note: str | None = None

    def entry(self, index: int) -> dict[str, Any] | None:
        if self.status == EventStatus.ACCEPTED.value and not self.kept_unused and self.note is None:
            return None  # used as sent: nothing to say
        extra = {k: v for k, v in (("code", self.code), ("reason", self.reason), ("note", self.note)) if v}
        kept = {"keptUnused": True} if self.kept_unused else {}
        return {"index": index, "messageId": self.message_id, "status": self.status, **kept, **extra}


def _outcome(call: SegmentCall, outcome: EventOutcome, vocabulary: Vocabulary) -> _Result:
    reason = outcome.reason
    if outcome.kept_unused and call.note is None:
        name = str(call.draft.name)
        hint = closest_name(name, vocabulary)
        reason = f"{name!r} is neither one of Vitrine's event names nor declared: stored, but it changes no profile" + (
            f"; did you mean {hint!r}?" if hint else ""
        )
    code = outcome.code.value if outcome.code else None
    return _Result(outcome.status.value, outcome.message_id, code, reason, outcome.kept_unused, call.note)


Indexed = list[tuple[int, SegmentCall]]  # calls with their place in the request
COMPANION = -1  # the place of a companion call (`SegmentCall.companion`): none, it is not reported


def _by_visitor(calls: Indexed, size: int) -> Iterator[tuple[VisitorId, Indexed]]:
    """The calls grouped by visitor (in order of first appearance), in chunks the intake takes."""
    groups: dict[VisitorId, Indexed] = {}
    for index, call in calls:
        groups.setdefault(call.visitor_id, []).append((index, call))
    for visitor_id, mine in groups.items():
        for start in range(0, len(mine), size):
            yield visitor_id, mine[start : start + size]


async def _ingest(request: Request, messages: Sequence[Any], sent_at: Any, trusted: bool) -> list[_Result]:
    settings = edge_of(request).settings
    keys = IdKeys(settings.secret_keys, settings.anonymous_key)
    received_at = datetime.now(UTC)
    results: dict[int, _Result] = {}
    calls: Indexed = []
    for index, message in enumerate(messages):
        call = to_call(message, trusted=trusted, keys=keys, received_at=received_at, batch_sent_at=sent_at)
        if isinstance(call, SegmentRefusal):
            results[index] = _Result(EventStatus.REJECTED.value, call.message_id, call.code.value, call.reason)
        else:
            calls.append((index, call))
            if call.companion is not None:
                calls.append((COMPANION, call.companion))
    events = storefront_of(request).events
    for visitor_id, chunk in _by_visitor(calls, settings.events_max_batch):
        visitor = Visitor(visitor_id, is_new=False, channel=Channel.WEB)
        drafts = [call.draft for _, call in chunk]
        tracked = await events.track(visitor, drafts, received_at, trusted=trusted, keep_unknown=True)
        for (index, call), outcome in zip(chunk, tracked.outcomes, strict=True):
            if index != COMPANION:  # a link Vitrine records on its own is not the sender's message
                results[index] = _outcome(call, outcome, events.vocabulary())
    return [results[i] for i in range(len(messages))]


def _answer(results: Sequence[_Result]) -> dict[str, Any]:
    def count(status: EventStatus) -> int:
        return sum(1 for r in results if r.status == status.value)

    return {
        "success": True,
        "accepted": count(EventStatus.ACCEPTED),
        "keptUnused": sum(1 for r in results if r.kept_unused),
        "duplicates": count(EventStatus.DUPLICATE),
        "rejected": count(EventStatus.REJECTED),
        "results": [e for i, r in enumerate(results) if (e := r.entry(i)) is not None],
    }


def _endpoint(kind: str | None) -> Callable[[Request], Awaitable[Response]]:
    """The handler of one route: `kind` is the type a one-message route names (None: a batch)."""

    async def endpoint(request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=CORS)
        try:
            payload = await _body(request, SEGMENT_MAX_MESSAGE_BYTES if kind else MAX_BATCH_BYTES)
            messages, sent_at, top = _messages(payload, kind)
            trusted = await _trusted(request, _write_key(request, top))
            results = await _ingest(request, messages, sent_at, trusted)
        except _Refused as refused:
            return _refusal(refused)
        except InputError as exc:
            return _refusal(_Refused(400, exc.code.value, exc.message))
        except StoreUnavailable:
            message = "a store is unavailable; retry (events already stored are recognised by their messageId)"
            return _refusal(_Refused(503, "STORE_UNAVAILABLE", message, RETRY))
        if kind is not None and results[0].status == EventStatus.REJECTED.value:
            return _refusal(_Refused(400, results[0].code or "BAD_USER_INPUT", results[0].reason or "refused"))
        return _json(_answer(results))

    return endpoint


def segment_routes() -> list[Route]:
    """Every route of Segment's Tracking API under /v1."""
    routes = [Route(f"/v1/{path}", _endpoint(kind), methods=["POST", "OPTIONS"]) for path, kind in SINGLE.items()]
    return routes + [Route(f"/v1/{path}", _endpoint(None), methods=["POST", "OPTIONS"]) for path in BATCH_PATHS]
