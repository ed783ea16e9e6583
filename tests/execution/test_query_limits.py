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


def fragment_bomb(levels: int) -> str:
    """Fragments on Query, each spreading the previous one three times: 3^levels spreads."""
    fragments = ["fragment F0 on Query { __typename }"]
    for k in range(1, levels + 1):
        fragments.append(f"fragment F{k} on Query {{ ...F{k - 1} ...F{k - 1} ...F{k - 1} }}")
    return f"{{ ...F{levels} }} " + " ".join(fragments)


def selection_nodes(document: str) -> int:
    from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, Visitor, visit

    class Count(Visitor):
        seen = 0

        def enter(self, node: object, *_: object) -> None:
            if isinstance(node, FieldNode | FragmentSpreadNode | InlineFragmentNode):
                Count.seen += 1

    visit(parse(document), Count())
    return Count.seen


@pytest.mark.parametrize("levels", [7, 13, 20, 30])
async def test_fragment_bombs_are_refused_before_any_rule_walks_them(
    levels: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from resolvers.execution import validation_cache

    def no_rules(*_: Any) -> Any:
        raise AssertionError("a validation rule walked a document over the limits")

    monkeypatch.setattr(validation_cache, "validate_document", no_rules)
    schema = build_schema()
    started = time.process_time()
    result = await schema.execute(fragment_bomb(levels))
    spent = time.process_time() - started
    assert result.errors and result.data is None
    assert {e.extensions["code"] for e in result.errors if e.extensions} == {"QUERY_TOO_COMPLEX"}
    assert "fragment spreads" in result.errors[0].message
    # Generous: 3^24 ran for more than 10 minutes before; bench/validation.py has the numbers (~2 ms).
    assert spent < 2.0


@pytest.mark.parametrize("levels", [5, 10, 20, 30])
def test_measuring_the_expansion_visits_each_selection_once(levels: int) -> None:
    from resolvers.execution.document_shape import CAP, measure

    document = fragment_bomb(levels)
    shapes, visits = measure(parse(document))
    assert visits == selection_nodes(document)  # linear: 3 per level, not 3^levels
    (shape,) = shapes.values()
    # The numbers are exact up to CAP, where they saturate.
    assert shape.spreads == min(sum(3**k for k in range(levels + 1)), CAP)
    assert shape.fields == min(3**levels, CAP)


def test_shape_limits_report_depth_aliases_and_size_with_one_code() -> None:
    from resolvers.execution.document_shape import Limits, shape_errors

    limits = Limits(max_fields=10, max_spreads=2, max_aliases=1, max_depth=2)
    deep = "fragment D on Category { children { children { id } } } { categories { ...D } }"
    many = "{ a: __typename b: __typename }"
    wide = "fragment W on Query { __typename } { ...W ...W ...W }"
    messages = {doc: [e.message for e in shape_errors(parse(doc), limits)] for doc in (deep, many, wide)}
    assert messages[deep] == ["'anonymous' exceeds maximum operation depth of 2"]
    assert messages[many] == ["2 aliases found. Allowed: 1"]
    assert "more than 10 fields or 2 fragment spreads" in messages[wide][0]
    cycle = "fragment A on Query { ...B } fragment B on Query { ...A } { ...A }"
    assert shape_errors(parse(cycle), Limits(10, 10, 10, 10)) == []  # NoFragmentCyclesRule reports cycles


def test_costs_saturate_so_the_error_always_encodes() -> None:
    inner = "id"
    for _ in range(25):  # 50^25 > 2^64 fields
        inner = f"recommendations(strategy: SIMILAR, first: 50) {{ items {{ product {{ {inner} }} }} }}"
    errors = validate(SCHEMA, parse('{ product(id: "p") { ' + inner + " } }"), [RULE])
    assert len(errors) == 1 and "may resolve more than 1000000 fields" in errors[0].message
    assert errors[0].extensions is not None and errors[0].extensions["cost"] == 1_000_000
    huge_literal = validate(SCHEMA, parse("{ products(first: " + "9" * 5000 + ") { totalCount } }"), [RULE])
    assert huge_literal == []  # counted as the page cap; the Int rule rejects the literal itself
