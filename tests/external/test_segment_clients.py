"""The real Segment-protocol clients against the real gateway (uvicorn on a loopback port), unchanged
but for the host and the write key: Segment's Python and Node libraries and RudderStack's.

Each sends identify, track and page (and an event outside Vitrine's vocabulary) in batches as it
always does: the Python libraries from a consumer thread to `/v1/batch` (analytics-python as
plain JSON, RudderStack's gzip-compressed), the Node libraries to `/v1/batch` (Segment's as JSON,
RudderStack's gzipped). Every request is recorded on the way in, so the wire is checked too; the
profiles are then read through the admin API, as an operator would.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import gzip
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from rudderstack.analytics.client import Client as RudderClient
from segment.analytics.client import Client as SegmentClient
from segment.analytics.request import APIError

from gateway.app import create_app
from gateway.identity.values import email_hash
from gateway.visitors import IdKeys, visitor_for_anonymous
from tests.support.asgiserver import serve_asgi
from tests.support.nodetools import requires_node, run_node, seed
from tests.support.settings import TEST_SERVER_KEY, make_settings

EXPORT = """query($i: String, $v: ID) { exportVisitorData(identifier: $i, visitorId: $v) }"""
CREATE_KEY = 'mutation($r: Role!) { createApiKey(name: "write key", role: $r) { secret } }'


@dataclass
class Wire:
    """Every Segment API request the gateway received: path, headers, decoded body, status."""

    requests: list[dict[str, Any]] = field(default_factory=list)

    def authorized(self) -> set[str]:
        """The write keys the requests carried as HTTP Basic user."""
        found = set()
        for request in self.requests:
            scheme, _, credentials = request["headers"].get("authorization", "").partition(" ")
            if scheme == "Basic":
                user, colon, password = base64.b64decode(credentials).decode().partition(":")
                assert colon and not password
                found.add(user)
        return found


def recording(app: Any, wire: Wire) -> Any:
    """`app` behind a recorder of the requests to /v1/ (bodies are passed on untouched)."""

    async def recorder(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await app(scope, receive, send)
            return
        chunks: list[bytes] = []
        status: dict[str, int] = {}

        async def tapped_receive() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
            return message

        async def tapped_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        await app(scope, tapped_receive, tapped_send)
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        raw = b"".join(chunks)
        body = gzip.decompress(raw) if headers.get("content-encoding") == "gzip" and raw else raw
        decoded = json.loads(body or b"null")
        wire.requests.append({"path": scope["path"], "headers": headers, "body": decoded, "status": status.get("code")})

    return recorder


@dataclass
class Running:
    url: str
    wire: Wire
    keys: IdKeys
    write_keys: dict[str, str]

    async def export(self, identifier: str | None = None, visitor: str | None = None) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as client:
            response = await client.post(
                "/admin/graphql",
                json={"query": EXPORT, "variables": {"i": identifier, "v": visitor}},
                headers={"authorization": f"Bearer {TEST_SERVER_KEY}"},
            )
        body: dict[str, Any] = response.json()
        return body


@contextmanager
def gateway() -> Iterator[Running]:
    settings = make_settings()
    app = create_app(settings, background=False, freeze_gc=False)
    wire = Wire()
    with serve_asgi(recording(app, wire), lambda: seed(app.state.runtime)) as url:
        created = {}
        for role in ("browser", "ingest"):
            response = httpx.post(
                f"{url}/admin/graphql",
                json={"query": CREATE_KEY, "variables": {"r": role.upper()}},
                headers={"authorization": f"Bearer {TEST_SERVER_KEY}"},
                timeout=30,
            )
            created[role] = response.json()["data"]["createApiKey"]["secret"]
        yield Running(url, wire, IdKeys(settings.secret_keys, settings.anonymous_key), created)


def counters(export: dict[str, Any]) -> dict[str, int]:
    """The profile's counters by event name (without the per-channel copies)."""
    data = export["data"]["exportVisitorData"]
    return {k: v for k, v in data["profile"]["counters"].items() if ":" not in k}


def python_client(kind: str, write_key: str, host: str, errors: list[Any], **options: Any) -> Any:
    """A client as an application builds one; its consumer thread stops with the test, not at exit."""
    cls = SegmentClient if kind == "segment" else RudderClient
    client = cls(write_key=write_key, host=host, max_retries=1, on_error=lambda e, batch: errors.append(e), **options)
    atexit.unregister(client.join)
    return client


def send_python(client: Any, calls: list[tuple[str, dict[str, Any]]]) -> None:
    """The calls, then flush (what an application does before it exits), then stop the consumer."""
    for method, kwargs in calls:
        getattr(client, method)(**kwargs)
    client.flush()
    client.join()


async def test_segment_and_rudderstack_python_libraries() -> None:
    with gateway() as gw:
        server, browser = gw.write_keys["ingest"], gw.write_keys["browser"]
        errors: list[Any] = []
        # analytics-python with the server write key (plain JSON, as it sends by default).
        segment = python_client("segment", server, gw.url, errors)
        user = {"user_id": "py-segment-1"}
        await asyncio.to_thread(
            send_python,
            segment,
            [
                ("identify", {**user, "traits": {"email": "py-segment-1@example.com", "plan": "pro"}}),
                ("track", {**user, "event": "Product Viewed", "properties": {"product_id": "p-00003"}}),
                ("page", {**user, "name": "Home", "properties": {"path": "/"}}),
                ("track", {**user, "event": "Newsletter Signed Up", "properties": {"list": "weekly"}}),
            ],
        )
        # analytics-python with the public browser key, gzip on: events kept, the userId never proven.
        public = python_client("segment", browser, gw.url, errors, gzip=True)
        device = {"anonymous_id": "py-device-1"}
        await asyncio.to_thread(
            send_python,
            public,
            [
                ("identify", {**device, "user_id": "py-segment-2", "traits": {"plan": "free"}}),
                ("track", {**device, "event": "Cart Viewed"}),
            ],
        )
        # RudderStack's Python SDK (gzip by default): a device identified by the server, then both ids.
        rudder = python_client("rudderstack", server, gw.url, errors)
        ids = {"user_id": "py-rudder-1", "anonymous_id": "py-rudder-device"}
        order = {"order_id": "o-1", "products": [{"product_id": "p-00004", "quantity": 1}]}
        await asyncio.to_thread(
            send_python,
            rudder,
            [
                ("identify", {**ids, "traits": {"email": "py-rudder-1@example.com"}}),
                ("track", {"anonymous_id": ids["anonymous_id"], "event": "Product Added",
                           "properties": {"product_id": "p-00004", "quantity": 2}}),
                ("page", {"anonymous_id": ids["anonymous_id"], "name": "Cart"}),
                ("track", {"user_id": ids["user_id"], "event": "Order Completed", "properties": order}),
                # RudderStack's library sends messages up to 4 MB; the gateway keeps Segment's 32 KB.
                ("track", {"user_id": ids["user_id"], "event": "Huge", "properties": {"blob": "x" * 40_000}}),
            ],
        )  # fmt: skip
        assert errors == []

        # The wire: /v1/batch, the write key as HTTP Basic user, gzip where the library gzips.
        assert {r["path"] for r in gw.wire.requests} == {"/v1/batch"}
        assert gw.wire.authorized() == {server, browser}
        assert all(r["status"] == 200 for r in gw.wire.requests)
        # analytics-python also puts the write key in the body; RudderStack's does not.
        segment_requests = [r for r in gw.wire.requests if "writeKey" in r["body"]]
        assert {r["headers"].get("content-encoding") for r in segment_requests} == {None, "gzip"}
        assert sum(len(r["body"]["batch"]) for r in segment_requests) == 6
        assert all("sentAt" in r["body"] for r in segment_requests)
        rudder_requests = [r for r in gw.wire.requests if r not in segment_requests]
        assert {r["headers"]["content-encoding"] for r in rudder_requests} == {"gzip"}
        assert sum(len(r["body"]["batch"]) for r in rudder_requests) == 5

        # Server calls carrying only the userId land in that customer's profile, proven.
        py = await gw.export("customer:py-segment-1")
        assert counters(py) == {"identify": 1, "Product Viewed": 1, "page": 1}  # the newsletter is kept, unused
        data = py["data"]["exportVisitorData"]
        assert data["profile"]["traits"]["plan"] == "pro"
        assert f"email:{email_hash('py-segment-1@example.com')}" in data["identifiers"]
        assert sorted(e["name"] for e in data["events"]) == [
            "Home",
            "Newsletter Signed Up",
            "Product Viewed",
            "identify",
        ]

        # The browser key's identify kept the traits on the device and linked nobody.
        public_export = await gw.export(visitor=visitor_for_anonymous("py-device-1", gw.keys))
        assert counters(public_export) == {"identify": 1, "Cart Viewed": 1}
        assert public_export["data"]["exportVisitorData"]["profile"]["traits"] == {"plan": "free"}
        unknown = await gw.export("customer:py-segment-2")
        assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"

        # The device and the userId-only calls are one customer (the identify also linked the userId).
        rs = await gw.export("customer:py-rudder-1")
        assert counters(rs) == {"identify": 2, "Product Added": 1, "page": 1, "Order Completed": 1}
        assert "Huge" not in {e["name"] for e in rs["data"]["exportVisitorData"]["events"]}


async def test_an_unknown_write_key_reaches_the_python_library_as_its_api_error() -> None:
    with gateway() as gw:
        errors: list[Any] = []
        client = python_client("segment", "vk_unknown_0123456789", gw.url, errors, sync_mode=True)
        with pytest.raises(APIError) as raised:
            await asyncio.to_thread(client.track, user_id="u", event="Cart Viewed")
        assert (raised.value.status, raised.value.code) == (401, "UNAUTHENTICATED")
        assert "unknown or revoked API key" in raised.value.message


@requires_node
async def test_segment_and_rudderstack_node_libraries() -> None:
    with gateway() as gw:
        server = gw.write_keys["ingest"]
        result = await run_node("segment_clients.mjs", gw.url, server)
        assert result.returncode == 0, result.stderr
        report = result.json()
        assert report["segment"]["errors"] == [] and report["rudderstack"]["errors"] == []

        segment_requests = [r for r in gw.wire.requests if "analytics-node-next" in r["headers"].get("user-agent", "")]
        # flushAt 4: the four calls went out as one batch, plain JSON, with the key in the body too.
        (request,) = segment_requests
        assert [m["type"] for m in request["body"]["batch"]] == ["identify", "track", "page", "track"]
        assert request["body"]["writeKey"] == server and "content-encoding" not in request["headers"]
        rudder_requests = [r for r in gw.wire.requests if r not in segment_requests]
        assert {r["headers"]["content-encoding"] for r in rudder_requests} == {"gzip"}
        assert sum(len(r["body"]["batch"]) for r in rudder_requests) == 3
        assert all("originalTimestamp" in m for r in rudder_requests for m in r["body"]["batch"])

        node = await gw.export("customer:node-segment-1")
        assert counters(node) == {"identify": 1, "Product Viewed": 1, "page": 1}
        node_events = {e["name"] for e in node["data"]["exportVisitorData"]["events"]}
        assert "Webinar Joined" in node_events  # kept, not applied
        assert node["data"]["exportVisitorData"]["profile"]["traits"]["plan"] == "team"
        rudder = await gw.export("customer:node-rudder-1")
        assert counters(rudder) == {"identify": 1, "Product Shared": 1, "page": 1}
        assert f"email:{email_hash('node-rudder-1@example.com')}" in rudder["data"]["exportVisitorData"]["identifiers"]
