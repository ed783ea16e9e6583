"""Federation checks shared by both modes: composing supergraphs, running them behind both
gateways (@apollo/gateway on Apollo's composition, Hive Gateway on The Guild's), and the
visitor id travelling through a gateway."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from gateway.testing.servers import free_port
from tests.support.nodetools import node_server, run_node

LIBRARIES = ("apollo", "guild")
VISITOR = "x-vitrine-visitor"


async def compose(library: str, out: Path, **sources: str | Path) -> dict[str, Any]:
    """Compose with `library` (apollo | guild) into `out`; sources are SDL files or subgraph URLs."""
    specs = [f"{name}={source}" for name, source in sources.items()]
    result = await run_node("compose.mjs", library, str(out), *specs)
    assert result.returncode == 0, result.stderr
    answer: dict[str, Any] = result.json()
    return answer


async def compose_both(tmp_path: Path, **sources: str | Path) -> dict[str, Path]:
    """One supergraph per library; each must compose."""
    supergraphs = {}
    for library in LIBRARIES:
        out = tmp_path / f"{library}.graphql"
        assert await compose(library, out, **sources) == {"ok": True, "errors": []}
        supergraphs[library] = out
    return supergraphs


async def through_gateways(supergraphs: dict[str, Path], check: Callable[[str, str], Awaitable[None]]) -> None:
    """`check(url, gateway_name)` through @apollo/gateway on Apollo's supergraph, then through
    Hive Gateway (with tests/external/node/gateway.config.mjs) on The Guild's."""
    port = free_port()
    with node_server("apollo-gateway.mjs", *apollo_args(supergraphs["apollo"], port), port=port):
        await check(f"http://127.0.0.1:{port}/", "apollo")
    port = free_port()
    with node_server("hive-gateway.mjs", *hive_args(supergraphs["guild"], port), port=port):
        await check(f"http://127.0.0.1:{port}/graphql", "hive")


def apollo_args(supergraph: str | Path, port: int) -> list[str]:
    """Arguments of `node apollo-gateway.mjs`."""
    return [str(supergraph), str(port)]


def hive_args(supergraph: str | Path, port: int) -> list[str]:
    """Arguments of Hive Gateway's CLI (`npx hive-gateway`, or `node hive-gateway.mjs` in tests)."""
    return ["supergraph", str(supergraph), "--host", "127.0.0.1", "--port", str(port)]


async def gql(
    client: httpx.AsyncClient, url: str, query: str, *, visitor: str | None = None, **body: Any
) -> dict[str, Any]:
    """POST one operation (as `visitor`, a signed token, if given); it must answer without errors."""
    headers = {VISITOR: visitor} if visitor else {}
    response = await client.post(url, json={"query": query, **body}, headers=headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    assert "errors" not in answer, answer
    return answer


async def new_visitor(client: httpx.AsyncClient, url: str) -> str:
    """A client with no id asks through the gateway: Vitrine issues one, the gateway hands the
    header back, and sending it again names the same visitor, who gets no new id. Returns it."""
    first = await client.post(url, json={"query": "{ viewer { visitorId } }"})
    assert first.status_code == 200, first.text
    token = first.headers.get(VISITOR)
    assert token, f"the gateway did not hand back {VISITOR}: {dict(first.headers)}"
    visitor_id = first.json()["data"]["viewer"]["visitorId"]
    assert token.split(".")[0] == visitor_id
    again = await client.post(url, json={"query": "{ viewer { visitorId } }"}, headers={VISITOR: token})
    assert again.json() == {"data": {"viewer": {"visitorId": visitor_id}}}
    assert VISITOR not in again.headers
    return token
