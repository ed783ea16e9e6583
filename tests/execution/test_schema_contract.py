"""The published contracts must equal the schemas exported from the code: `schema.graphql`
(owning mode, the default) and `schema-contributing.graphql` (contributing mode)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from graphql import GraphQLObjectType

from gateway.app import export_schema_sdl
from resolvers.schema import build_schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text() == export_schema_sdl(), (
        "schema.graphql is stale: run `python -m gateway export-schema -o schema.graphql` and review the diff"
    )


def test_schema_is_a_federation_2_9_subgraph_with_product_entity() -> None:
    sdl = export_schema_sdl()
    assert "specs.apollo.dev/federation/v2.9" in sdl
    assert 'type Product @key(fields: "id")' in sdl


CONTRIBUTING_FILE = SCHEMA_FILE.parent / "schema-contributing.graphql"


def test_committed_contributing_schema_matches_the_code() -> None:
    assert CONTRIBUTING_FILE.read_text() == export_schema_sdl("contributing"), (
        "schema-contributing.graphql is stale: run "
        "`python -m gateway export-schema --mode contributing -o schema-contributing.graphql` and review the diff"
    )


def test_contributing_schema_adds_only_personal_fields_to_the_owners_product() -> None:
    types = build_schema(federation="contributing")._schema.type_map
    product = types["Product"]
    assert isinstance(product, GraphQLObjectType)
    assert list(product.fields) == ["id", "recommendations", "similar"]
    # Catalogue data and its value types are the owning subgraph's: none of them is defined here,
    # so none can clash with the owner's types of the same names.
    for owned in ("Money", "Image", "Brand", "Category", "Attribute", "ProductConnection", "PageInfo"):
        assert owned not in types, owned
    query = types["Query"]
    assert isinstance(query, GraphQLObjectType)
    assert not {"product", "products", "categories"} & set(query.fields)
    cart, line = types["Cart"], types["CartLine"]
    assert isinstance(cart, GraphQLObjectType) and isinstance(line, GraphQLObjectType)
    assert list(line.fields) == ["product", "quantity"] and "total" not in cart.fields
    sdl = export_schema_sdl("contributing")
    assert "specs.apollo.dev/federation/v2.9" in sdl and 'type Product @key(fields: "id")' in sdl


def test_export_schema_command_checks_the_contributing_contract(tmp_path: Path) -> None:
    stale = tmp_path / "schema-contributing.graphql"
    stale.write_text("type Query { stale: Int }\n")
    command = [sys.executable, "-m", "gateway", "export-schema", "--mode", "contributing", "--check", "-o", str(stale)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert f"export-schema --mode contributing -o {stale}" in done.stderr
    written = subprocess.run(command[:6], capture_output=True, text=True, timeout=120)
    assert written.returncode == 0 and written.stdout == export_schema_sdl("contributing")


def test_unknown_federation_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="owning or contributing"):
        build_schema(federation="sharing")
