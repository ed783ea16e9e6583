"""Query limits: the cost rule's arithmetic, and the validation cache still hitting with them."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse, specified_rules, validate

from resolvers.execution.cost import cost_rule
from resolvers.execution.limits import LIMIT_RULES
from resolvers.schema import build_schema

SCHEMA = build_schema()._schema
RULE = cost_rule(1000, 100)


def cost_errors(document: str) -> list[str]:
    return [e.message for e in validate(SCHEMA, parse(document), [RULE])]


NODE = "id name sku slug url inStock stock description price { amount currency }"  # 8 leaves + 3 for price


def test_page_sizes_multiply_the_fields_below_them() -> None:
    # 1 (products) + 10 * (1 nodes + 1 * (id + name)) = 31: fine
    assert cost_errors("{ products(first: 10) { nodes { id name } } }") == []
    # 1 + 100 * (1 nodes + 11) = 1201 > 1000
    errors = cost_errors("{ products(first: 100) { nodes { " + NODE + " } } }")
    assert errors and "may resolve up to 1201 fields" in errors[0]


def test_variables_count_as_their_default_or_the_cap() -> None:
    def doc(default: str) -> str:
        return "query($n: Int" + default + ") { products(first: $n) { nodes { " + NODE + " } } }"

    assert cost_errors(doc(" = 5")) == []
    assert "1201" in cost_errors(doc(""))[0]


def test_fragments_are_costed_once_and_aliases_multiply() -> None:
    frag = "fragment P on Product { id name sku }"
    assert cost_errors("{ products(first: 50) { nodes { ...P } } } " + frag) == []
    aliased = "{ " + " ".join(f"a{i}: products(first: 50) {{ nodes {{ ...P }} }}" for i in range(6)) + " } " + frag
    assert "more than the 1000 allowed" in cost_errors(aliased)[0]


@pytest.mark.parametrize("introspection", [True, False])
async def test_validation_cache_hits_on_repeated_documents(
    introspection: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from resolvers.execution import validation_cache

    calls: list[str] = []
    real = validation_cache.validate_document

    def counting(schema: Any, document: Any, rules: Any) -> Any:
        calls.append("validate")
        return real(schema, document, rules)

    monkeypatch.setattr(validation_cache, "validate_document", counting)
    schema = build_schema(introspection=introspection)
    query = "{ __typename cacheProbe: __typename }  # " + str(introspection)
    for _ in range(3):
        result = await schema.execute(query)
        assert result.errors is None
    # The limit rules are built once, so the key is stable and only the first request validates.
    assert calls == ["validate"]


def test_the_limits_accept_a_home_page_sized_operation() -> None:
    page = "products(first: 24) { nodes { id name url price { amount currency } brand { name } images { url } } }"
    doc = "{ " + " ".join(f"s{i}: {page}" for i in range(4)) + " viewer { visitorId } }"
    assert validate(SCHEMA, parse(doc), [*specified_rules, *LIMIT_RULES]) == []
