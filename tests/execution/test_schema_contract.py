"""`schema.graphql` is the published contract: it must equal the schema exported from the code."""

from __future__ import annotations

from pathlib import Path

from gateway.app import export_schema_sdl

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text() == export_schema_sdl(), (
        "schema.graphql is stale: run `python -m gateway export-schema -o schema.graphql` and review the diff"
    )


def test_schema_is_a_federation_2_9_subgraph_with_product_entity() -> None:
    sdl = export_schema_sdl()
    assert "specs.apollo.dev/federation/v2.9" in sdl
    assert 'type Product @key(fields: "id")' in sdl
