"""Differential tests on the zoo schema: every shape and every failure, compiled == standard.

Each case asserts the compiled result is byte-for-byte the standard one (data, errors with
message/locations/path, their order), then checks one property of that shared answer so a
case that stopped exercising what it names would fail.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema

from gateway.execution.compiler.resolvers import direct_resolver
from tests.support import compiled_zoo
from tests.support.compiled_support import Differential, close_loop, explore, too_big

diff = Differential(compiled_zoo.schema)

BOOK_FIELDS = "id title pages price published meta color tags matrix"


def _paths(answer: dict[str, Any]) -> list[list[Any]]:
    return [e["path"] for e in answer.get("errors", [])]


async def test_scalars_enums_custom_scalars_nested_lists() -> None:
    answer = await diff.assert_same(f"{{ books {{ {BOOK_FIELDS} __typename }} }}")
    first = answer["data"]["books"][0]
    assert first["price"] == "19.90" and first["color"] == "GREEN" and first["matrix"] == [[1, None], [], [2]]
    assert first["__typename"] == "Book" and "errors" not in answer


async def test_aliases_fragments_inline_and_named_typename() -> None:
    query = """
    query Shelf {
      first: book(id: "b1") { ...Card author { ... on Author { name } ...Who } }
      second: book(id: "b3") { t: title, again: title, ... on Book { pages } }
      missing: book(id: "nope") { id }
      __typename
    }
    fragment Card on Book { id t2: title __typename related(first: 1) { id } }
    fragment Who on Node { __typename id }
    """
    answer = await diff.assert_same(query, operation_name="Shelf")
    assert answer["data"]["first"]["author"] == {"name": "Frank", "__typename": "Author", "id": "a1"}
    assert answer["data"]["second"]["again"] == "Emma" and answer["data"]["missing"] is None


async def test_interfaces_and_unions_resolve_per_runtime_type() -> None:
    query = """{
      nodes { __typename id ... on Book { title score(boost: 2.5) } ... on Author { name born } }
      search(text: "e") { __typename ... on Book { title } ... on Author { name books { title } } }
      node(id: "a2") { id ... on Author { name } }
    }"""
    answer = await diff.assert_same(query)
    kinds = [n["__typename"] for n in answer["data"]["nodes"]]
    assert kinds == ["Book", "Book", "Book", "Author", "Author"]
    assert {"__typename": "Author", "name": "Jane", "books": [{"title": "Emma"}]} in answer["data"]["search"]


@pytest.mark.parametrize(
    ("variables", "present"),
    [
        ({"withPages": True, "skipTitle": False}, {"pages", "title"}),
        ({"withPages": False, "skipTitle": True}, set()),
        ({"withPages": True, "skipTitle": True}, {"pages"}),
    ],
)
async def test_include_and_skip_with_variables_select_fields(variables: dict[str, bool], present: set[str]) -> None:
    query = """query Q($withPages: Boolean!, $skipTitle: Boolean = false) {
      books { id pages @include(if: $withPages) title @skip(if: $skipTitle) ... on Book @include(if: false) { color } }
    }"""
    answer = await diff.assert_same(query, variables)
    assert set(answer["data"]["books"][0]) - {"id"} == present


async def test_variables_are_coerced_by_graphql_core() -> None:
    query = """query E($input: EchoInput!, $when: DateTime, $colors: [Color!], $data: JSON) {
      echo(input: $input, when: $when, colors: $colors, data: $data)
      literal: echo(input: {text: "ab", times: 2, color: BLUE, amount: "1.50"})
    }"""
    variables = {
        "input": {"text": "x", "times": 3, "amount": "2.25"},
        "when": "2024-05-01T10:00:00+00:00",
        "colors": ["RED", "GREEN"],
        "data": {"k": [1, 2]},
    }
    answer = await diff.assert_same(query, variables)
    assert answer["data"]["literal"].startswith("abab|blue|1.50")
    bad = await diff.run_both(query, {"input": {"text": 5}}, must_compile=False)
    assert bad[0] == bad[1] and "errors" in bad[0] and '"data": null' in bad[0]


async def test_resolvers_called_directly_get_strawberry_s_argument_values() -> None:
    query = """query N($input: NestedInput!, $ids: [ID!], $m: Int) {
      nested(input: $input, ids: $ids)
      defaults: nested(input: {items: []})
      literal: nested(input: {items: [{text: "a"}, {text: "b", times: 2, color: BLUE, amount: "0.10"}],
        inner: {text: "in"}, tags: ["t", null], weights: [[1, 2], []], note: null}, color: RED)
      maybe(value: $m)
      maybeNull: maybe(value: null)
      maybeAbsent: maybe
    }"""
    variables = {
        "input": {"items": [{"text": "x", "times": 3}], "note": "n", "tags": None},
        "ids": ["1", "2"],
        "m": 4,
    }
    answer = await diff.assert_same(query, variables)
    assert "('EchoInput', 'x', 3, <Color.RED: 'red'>, None)" in answer["data"]["nested"]
    assert "'note': 'UNSET'" in answer["data"]["defaults"] and "'weights': [[1]]" in answer["data"]["defaults"]
    assert "Decimal('0.10')" in answer["data"]["literal"] and "'tags': ['t', None]" in answer["data"]["literal"]
    assert answer["data"]["maybe"] == "Some(4)"
    # The resolvers really were called without strawberry's wrapper (except Maybe's, which keeps it).
    query_type = diff.schema.get_type("Query")
    assert isinstance(query_type, graphql.GraphQLObjectType)
    strawberry_schema = compiled_zoo.schema
    assert direct_resolver(query_type.fields["nested"], strawberry_schema) is not None
    assert direct_resolver(query_type.fields["maybe"], strawberry_schema) is None


async def test_argument_values_follow_each_request_s_variables() -> None:
    """Argument values are remembered per values of the variables they use: every request
    still gets its own, absent and null variables are told apart, and mutable values (a JSON
    object, a list variable) are never shared."""
    query = """query N($text: String!, $amount: Decimal, $note: String, $data: JSON, $ids: [ID!]) {
      nested(input: {items: [{text: $text, amount: $amount}], note: $note}, ids: $ids)
      echo(input: {text: $text}, data: $data)
    }"""
    local = Differential(compiled_zoo.schema)
    seen = set()
    for variables in (
        {"text": "a", "amount": "2"},
        {"text": "b", "amount": "2"},
        {"text": "a", "amount": "2", "note": None},
        {"text": "a", "amount": "2", "note": "n"},
        {"text": "a", "amount": "2", "data": {"k": [1]}, "ids": ["1"]},
        {"text": "a", "amount": "2", "data": {"k": [2]}, "ids": ["2"]},
        {"text": "a", "amount": "2"},
    ):
        answer = await local.assert_same(query, variables)
        seen.add(answer["data"]["nested"] + answer["data"]["echo"])
    assert len(seen) == 6  # the first and the last request asked the same
    nested = next(f for plan in _plans(local) for f in plan.root_field_plans if f.name == "nested")
    assert nested.arg_cache  # remembered for the hashable variable values


def _plans(diff_: Differential) -> list[Any]:
    return [
        p for family in diff_.compiler._families.values() if not isinstance(family, str) for p in family.plans.values()
    ]


async def test_resolver_errors_sync_async_and_non_null_propagation() -> None:
    query = """{
      failing { ok boom aboom nestedNullable { ok aboomNn } }
      n2: failing { ok nested { ok boom_nn: boomNn } }
      other: failing { ok noneNn }
      third: failing { anoneNn }
    }"""
    answer = await diff.assert_same(query)
    data = answer["data"]
    assert data["failing"] == {"ok": "ok", "boom": None, "aboom": None, "nestedNullable": None}
    assert data["n2"] is None and data["other"] is None and data["third"] is None
    assert ["n2", "nested", "boom_nn"] in _paths(answer)
    assert any(e["message"] == "Cannot return null for non-nullable field Failing.noneNn." for e in answer["errors"])


async def test_non_null_error_at_the_root_nulls_data() -> None:
    answer = await diff.assert_same("{ books { id } failingNn { ok boomNn } }")
    assert answer["data"] is None and _paths(answer) == [["failingNn", "boomNn"]]


async def test_timeouts_are_field_errors() -> None:
    answer = await diff.assert_same("{ failing { ok slow(ms: 1) again: slow(ms: 60) } f2: failing { slowNn(ms: 30) } }")
    assert answer["data"]["failing"] == {"ok": "ok", "slow": None, "again": None} and answer["data"]["f2"] is None
    assert len(answer["errors"]) == 3


async def test_leaf_coercion_failures() -> None:
    query = "{ failing { ok nan intAsString returnedException badEnum badDecimal } f2: failing { bigInt } }"
    answer = await diff.assert_same(query)
    assert answer["data"]["failing"]["intAsString"] == "42" and answer["data"]["f2"] is None
    messages = " ".join(e["message"] for e in answer["errors"])
    assert "non 32-bit" in messages and "returned, not raised" in messages and "nan" in messages


async def test_wrong_object_type_and_not_a_list() -> None:
    answer = await diff.assert_same("{ failing { wrongType { id } notAList wrongItems { id } } }")
    assert answer["data"]["failing"] == {
        "wrongType": None,
        "notAList": None,
        "wrongItems": [{"id": "b1"}, None, {"id": "b2"}],
    }
    assert answer["errors"][0]["message"].startswith("Expected value of type 'Book'")


async def test_list_items_that_fail_raise_or_are_null() -> None:
    query = """{
      failing { ok maybeItems { name weight ratio } asyncItems tupleList }
      f2: failing { items { name weight } }
      f3: failing { stringsWithNull }
    }"""
    answer = await diff.assert_same(query)
    data = answer["data"]
    items = data["failing"]["maybeItems"]
    assert items[:3] == [{"name": "a", "weight": 3, "ratio": 0.5}, None, None] and items[3] is None
    assert items[4:] == [
        {"name": "true", "weight": 1, "ratio": 3.0},
        {"name": "nan", "weight": 3, "ratio": None},
        {
            "name": "7",
            "weight": 12,
            "ratio": None,
        },
    ]
    assert data["failing"]["asyncItems"] == ["x", "y", None, "z"] and data["failing"]["tupleList"] == [1, 2, 3]
    assert data["f2"] is None and data["f3"] is None
    assert ["failing", "asyncItems", 2] in _paths(answer) and ["f3", "stringsWithNull", 1] in _paths(answer)


async def test_permissions_field_extensions_and_resolver_signatures_are_honoured() -> None:
    answer = await diff.assert_same("{ guarded { secret shout plain alias: plain withRoot } }")
    first = answer["data"]["guarded"][0]
    assert first == {
        "secret": None,
        "shout": "QUIET",
        "plain": "plain@guarded/0/plain",
        "alias": "plain@guarded/0/alias",
        "withRoot": True,
    }
    assert answer["errors"][0]["message"] == "not allowed here"


async def test_mutations_run_serially_with_the_same_results() -> None:
    query = "mutation { a: bump(by: 2) { value } b: bump { value } c: fail { value } d: bump(by: 10) { value } }"
    # The context factory resets the counter before each run, so every run must give the same answer.
    answer = await diff.assert_same(query, context=lambda: compiled_zoo.COUNTER.update(value=0))
    assert answer["data"] == {"a": {"value": 2}, "b": {"value": 3}, "c": None, "d": {"value": 13}}
    assert answer["errors"][0]["message"] == "mutation failed"


async def test_introspection_runs_compiled_too() -> None:
    query = "{ __schema { queryType { name fields { name args { name type { name kind ofType { name } } } } } } }"
    answer = await diff.assert_same(query)
    assert answer["data"]["__schema"]["queryType"]["name"] == "Query"
    assert (await diff.assert_same('{ __type(name: "Book") { name interfaces { name } } }'))["data"]["__type"] == {
        "name": "Book",
        "interfaces": [{"name": "Node"}],
    }


def test_random_operations_on_the_zoo_schema() -> None:
    """hypothesis-generated operations over every field of the zoo, misbehaving resolvers included."""
    schema = diff.schema
    custom = {
        "Decimal": st.decimals(min_value=-1000, max_value=1000, places=2).map(
            lambda d: graphql.StringValueNode(value=str(d))
        ),
        "DateTime": st.just(graphql.StringValueNode(value="2024-01-01T00:00:00+00:00")),
        "JSON": st.just(graphql.IntValueNode(value="3")),
    }
    valid = 0
    loop = asyncio.new_event_loop()

    @settings(
        max_examples=int(os.environ.get("VITRINE_HYPOTHESIS_EXAMPLES", "150")),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=not explore(),
    )
    @given(query=from_schema(schema, custom_scalars=custom, allow_x00=False))
    def check(query: str) -> None:
        nonlocal valid
        document = graphql.parse(query)
        if graphql.validate(schema, document) or too_big(schema, document, query):
            return
        # Slow resolvers wait ms/1000 s; mutations bump a shared counter between the runs compared.
        if "slow" in query or query.lstrip().startswith("mutation"):
            return
        answer = loop.run_until_complete(diff.assert_same(query))
        assert "data" in answer
        valid += 1

    try:
        check()
    finally:
        close_loop(loop)
    assert valid >= 40


async def test_a_compilation_error_falls_back_to_the_standard_executor(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any) -> Any:
        raise RuntimeError("codegen bug")

    monkeypatch.setattr("gateway.execution.compiler.plan.compile_object", broken)
    local = Differential(compiled_zoo.schema)
    standard, first, again = await local.run_both("{ books { id title } }", must_compile=False)
    assert first == standard == again and '"title": "Dune"' in standard
    assert local.compiler.fallbacks == 2 and local.compiler.compiled == 0


def test_only_plain_resolvers_skip_strawberry_s_wrapper() -> None:
    guarded = diff.schema.get_type("Guarded")
    failing = diff.schema.get_type("Failing")
    assert isinstance(guarded, graphql.GraphQLObjectType) and isinstance(failing, graphql.GraphQLObjectType)
    assert direct_resolver(guarded.fields["plain"]) is not None  # info parameter
    assert direct_resolver(guarded.fields["withRoot"]) is not None  # root parameter
    assert direct_resolver(failing.fields["aboom"]) is not None  # async def
    assert direct_resolver(guarded.fields["secret"]) is None  # permission classes
    assert direct_resolver(guarded.fields["shout"]) is None  # field extension
    assert direct_resolver(failing.fields["slow"]) is None  # arguments, without the schema to convert them
    assert direct_resolver(failing.fields["slow"], compiled_zoo.schema) is not None  # arguments converted
    assert direct_resolver(failing.fields["ok"]) is None  # no resolver: an attribute read
