"""TypeScript types for storefront operations with GraphQL Code Generator, from schema.graphql
(the command docs/clients.md shows)."""

from __future__ import annotations

from tests.support.nodetools import NODE_DIR, requires_node, run_node

pytestmark = requires_node


async def test_graphql_codegen_generates_operation_types_from_the_published_schema() -> None:
    out = NODE_DIR / "generated" / "graphql.ts"
    out.unlink(missing_ok=True)
    result = await run_node("node_modules/.bin/graphql-codegen", "--config", "codegen.yml", limit_s=180)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    generated = out.read_text()
    assert (
        "export type ProductPageQuery = { product: { id: string, name: string, url: string, "
        "price: { amount: string, currency: string }" in generated
    )
    assert "export type TrackMutation = { track: { accepted: number" in generated
    assert "export type EventInput = {" in generated and "messageId: Scalars['String']['input'];" in generated
