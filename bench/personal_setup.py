"""Setting up the personalized-page benchmark: slots published, visitors with histories, APQ requests.

Used by bench.personal_page; everything goes over HTTP to a running gateway, as a storefront
and an editor would send it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
from typing import Any

import orjson

from bench.httpload import build_request, fetch
from bench.personal_queries import SLOT_DEFINITIONS

ADMIN_KEY = "bench-admin-key-0123456789-abcdefghijklmnopq"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def apq_body(query: str, variables: dict[str, Any], with_text: bool) -> bytes:
    ext = {"persistedQuery": {"version": 1, "sha256Hash": _sha(query)}}
    body: dict[str, Any] = {"variables": variables, "extensions": ext}
    if with_text:
        body["query"] = query
    return orjson.dumps(body)


async def _post(port: int, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(build_request("127.0.0.1", port, path, body, headers))
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(int(x.split(b":")[1]) for x in head.split(b"\r\n") if x.lower().startswith(b"content-length"))
        return int(head.split(b" ", 2)[1]), head, await reader.readexactly(length)
    finally:
        writer.close()


async def publish_slots(port: int) -> None:
    auth = {"authorization": f"Bearer {ADMIN_KEY}"}
    for mutation, definition in SLOT_DEFINITIONS:
        body = orjson.dumps(
            {
                "query": f"mutation($d: JSON!) {{ {mutation}(definition: $d) {{ ok problems {{ message }} }} }}",
                "variables": {"d": definition},
            }
        )
        status, _, raw = await _post(port, "/admin/graphql", body, auth)
        data = json.loads(raw).get("data")
        if status != 200 or not data:
            raise SystemExit(f"{mutation} failed: {raw[:500]!r}")
        answer = data[mutation]
        if status != 200 or not answer["ok"]:
            raise SystemExit(f"{mutation} failed: {raw[:300]!r}")
    status, _, raw = await _post(
        port, "/admin/graphql", b'{"query":"mutation { publish(note: \\"bench\\") { version } }"}', auth
    )
    assert status == 200, raw


async def make_visitors(port: int, n: int, seed: int = 7) -> list[str]:
    """n visitors, each with its own history: views across a few categories, some carts."""
    rng = random.Random(seed)
    tokens: list[str] = []
    products = [f"p-{i:05d}" for i in range(1, 2401)]
    for v in range(n):
        viewed = rng.sample(products, rng.randint(3, 12))
        events: list[dict[str, Any]] = [
            {"messageId": f"v{v}-{i}", "name": "Product Viewed", "properties": {"product_id": p}}
            for i, p in enumerate(viewed)
        ]
        if rng.random() < 0.5:
            events.append({"messageId": f"v{v}-add", "name": "Product Added", "properties": {"product_id": viewed[0]}})
        _, head, raw = await _post(port, "/v1/events", orjson.dumps({"events": events}), {})
        assert json.loads(raw)["accepted"] == len(events), raw
        token = next(
            line.split(b":", 1)[1].strip().decode()
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"x-vitrine-visitor:")
        )
        tokens.append(token)
    return tokens


def leaf_categories(port: int) -> list[str]:
    _, _, raw = asyncio.run(_post(port, "/graphql", b'{"query":"{ categories { id children { id } } }"}', {}))
    roots = json.loads(raw)["data"]["categories"]
    return [c["id"] for r in roots for c in r["children"]] or [r["id"] for r in roots]


def prepare(port: int, tokens: list[str], categories: list[str], query: str) -> list[bytes]:
    """One hash-only APQ request per visitor (the query registered once with its text)."""
    first = apq_body(query, {"category": categories[0]}, with_text=True)
    status, _ = asyncio.run(
        fetch("127.0.0.1", port, build_request("127.0.0.1", port, "/graphql", first, {"x-vitrine-visitor": tokens[0]}))
    )
    assert status == 200
    out = []
    for i, token in enumerate(tokens):
        body = apq_body(query, {"category": categories[i % len(categories)]}, with_text=False)
        out.append(build_request("127.0.0.1", port, "/graphql", body, {"x-vitrine-visitor": token}))
    return out
