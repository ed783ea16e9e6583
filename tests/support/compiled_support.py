"""Differential execution: the same operation through graphql-core's executor and the compiled one.

`run_both` executes a document exactly as strawberry does (its executor class, its awaitable
check, an empty middleware manager) once on the standard executor and twice compiled (the
second run uses the cached plan and, with snapshot types, the memo the first run filled),
each with a fresh context, and returns the three results as
JSON text: data, errors (message, locations, path, extensions) and their order, byte for byte.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from inspect import isawaitable
from typing import Any

import graphql
import strawberry
from graphql import GraphQLSchema, MiddlewareManager, execute, parse, validate
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.execution.compiler import report
from gateway.execution.compiler.integration import compiled_executor_class
from gateway.execution.compiler.plan import Compiler


def graphql_schema(schema: strawberry.Schema) -> GraphQLSchema:
    return schema._schema


class Differential:
    """One compiler (so plans are cached across calls, as in the app) for one schema."""

    def __init__(self, schema: strawberry.Schema, snapshot_types: frozenset[type] = frozenset()) -> None:
        self.schema = graphql_schema(schema)
        self.compiler = Compiler(lambda _executor: True, snapshot_types=snapshot_types)
        self.executor_class = compiled_executor_class(self.compiler)

    async def _run(
        self,
        executor_class: type[StrawberryGraphQLCoreExecutionContext],
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        context: Any,
        root: Any,
    ) -> tuple[str, report.ExecutionNote]:
        note = report.start()
        result = execute(
            self.schema,
            parse(query),
            root_value=root,
            context_value=context,
            variable_values=variables,
            operation_name=operation_name,
            middleware=MiddlewareManager(),
            is_awaitable=optimized_is_awaitable,
            executor_class=executor_class,
            operation_extensions=None,
        )
        if isawaitable(result):
            result = await result
        return json.dumps(result.formatted), note

    async def run_both(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
        context: Callable[[], Any] = lambda: None,
        root: Callable[[], Any] = lambda: None,
        *,
        must_compile: bool = True,
    ) -> tuple[str, str, str]:
        errors = validate(self.schema, parse(query))
        assert not errors, errors
        standard, _ = await self._run(
            StrawberryGraphQLCoreExecutionContext, query, variables, operation_name, context(), root()
        )
        first, note = await self._run(self.executor_class, query, variables, operation_name, context(), root())
        if must_compile:
            assert note.compiled, note.fallback
        again, _ = await self._run(self.executor_class, query, variables, operation_name, context(), root())
        return standard, first, again

    async def assert_same(self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        standard, first, again = await self.run_both(query, variables, **kwargs)
        assert first == standard, f"compiled differs:\n  standard {standard}\n  compiled {first}"
        assert again == standard, f"cached plan differs:\n  standard {standard}\n  compiled {again}"
        answer: dict[str, Any] = json.loads(standard)
        return answer


MAX_GENERATED_CHARS = 3000
MAX_NESTED_LISTS = 2


def too_big(schema: GraphQLSchema, document: graphql.DocumentNode, text: str) -> bool:
    """Generated operations that nest lists of objects in lists of objects can select
    exponentially large results (gigabytes) without testing anything new: skip them."""
    if len(text) > MAX_GENERATED_CHARS:
        return True
    type_info = graphql.TypeInfo(schema)
    lists: list[bool] = []
    worst = [0]

    class Nesting(graphql.Visitor):
        def enter_field(self, *_: Any) -> None:
            field_type = type_info.get_type()
            is_list = field_type is not None and graphql.is_list_type(graphql.get_nullable_type(field_type))
            lists.append(is_list)
            worst[0] = max(worst[0], sum(lists))

        def leave_field(self, *_: Any) -> None:
            lists.pop()

    graphql.visit(document, graphql.TypeInfoVisitor(type_info, Nesting()))
    return worst[0] > MAX_NESTED_LISTS


def explore() -> bool:
    """Random (new) examples on every run only when asked: VITRINE_HYPOTHESIS_RANDOM=1.
    CI runs the derandomized, reproducible set."""
    return os.environ.get("VITRINE_HYPOTHESIS_RANDOM") == "1"


def close_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Let the work both executors leave to settle in the background (the siblings of a field
    whose error propagated) finish, then close the loop: closing it with that work pending
    would report its coroutines as never awaited."""
    pending = asyncio.all_tasks(loop)
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()
