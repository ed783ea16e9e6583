"""Prepared operations: hot compiled queries executed without strawberry's per-request pipeline.

A query that has run compiled once through the whole pipeline (strawberry's view, parser,
token limit, validation with the query limits, extensions) is *prepared*: its parsed document
is kept, keyed by (document text, operation name). Later requests for it skip what can only
give the same answer again, because it depends on the text alone: parsing, the token limit,
validation (the query limits are validation rules). What does depend on the request still
runs, with the same code: graphql-core's `execute` with the schema's compiled executor
(variables coerced per request; the compile policy asked again), `Schema.process_errors`, the
error policy, and the execution report. So the result is the one strawberry's
`Schema.execute` returns, and the view turns it into the same HTTP response.

Only queries are prepared (mutations always take the whole pipeline), and only requests the
compile policy would compile take the prepared lane: one that asks for the standard executor
(`extensions.vitrine.compile = false`) gets strawberry's whole standard pipeline. The schema
builder (resolvers/schema.py) wires this with the same error policy and report as its
extensions.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    MiddlewareManager,
    OperationType,
    execute,
    get_operation_ast,
    parse,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.execution import optimized_is_awaitable
from strawberry.types import ExecutionResult

from gateway.execution.compiler import report
from gateway.execution.operations import OperationObserver, Outcome

MAX_PREPARED = 512

Classify = Callable[[GraphQLError], GraphQLError]
Count = Callable[[Any, str], None]
ReportResults = Callable[[Mapping[str, Any] | None, report.ExecutionNote], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Prepared:
    text: str
    operation_name: str | None
    document: DocumentNode
    name: str | None = None  # the operation's own name (the requested one, or the document's only one)


class PreparedOperations:
    """The prepared queries of one schema, and their execution."""

    def __init__(
        self,
        schema: Any,  # strawberry.Schema: its graphql-core schema, executor class, process_errors
        *,
        wants: Callable[[Mapping[str, Any] | None], bool],
        classify: Classify,
        count: Count | None,
        report_results: ReportResults,
        max_prepared: int = MAX_PREPARED,
        observer: OperationObserver | None = None,
    ) -> None:
        self._observer = observer
        self._schema = schema
        self._wants = wants
        self._classify = classify
        self._count = count
        self._report_results = report_results
        self._max = max_prepared
        self._prepared: OrderedDict[tuple[str, str | None], Prepared] = OrderedDict()

    def __len__(self) -> int:
        return len(self._prepared)

    def lookup(
        self, text: str | None, operation_name: str | None, extensions: Mapping[str, Any] | None = None
    ) -> Prepared | None:
        """The prepared query for a request that the compile policy would compile, if any."""
        if text is None or not self._wants(extensions):
            return None
        return self._prepared.get((text, operation_name))

    def remember(self, text: str, operation_name: str | None) -> None:
        """Called after `text` ran compiled through the whole pipeline without a request error."""
        key = (text, operation_name)
        if key in self._prepared:
            return
        document = parse(text)
        operation = get_operation_ast(document, operation_name)
        if operation is None or operation.operation is not OperationType.QUERY:
            return
        name = operation.name.value if operation.name is not None else None
        self._prepared[key] = Prepared(text, operation_name, document, name)
        while len(self._prepared) > self._max:
            self._prepared.popitem(last=False)

    async def execute(
        self,
        prepared: Prepared,
        variables: dict[str, Any] | None,
        context: Any,
        extensions: dict[str, Any] | None,
    ) -> ExecutionResult:
        """What `Schema.execute` answers for this request, past parsing and validation."""
        note = report.start()
        watch = self._observer.start(prepared.text) if self._observer is not None else None
        schema = self._schema
        try:
            result = execute(
                schema._schema,
                prepared.document,
                root_value=None,
                middleware=MiddlewareManager(),
                variable_values=variables,
                operation_name=prepared.operation_name,
                context_value=context,
                is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]  # what strawberry passes
                executor_class=schema.execution_context_class,
                operation_extensions=extensions,
            )
            if optimized_is_awaitable(result):
                result = await result  # type: ignore[misc]
            assert isinstance(result, GraphQLExecutionResult)
        except Exception as exc:  # as strawberry: the error is reported as it is, the policy never sees it
            error = exc if isinstance(exc, GraphQLError) else GraphQLError(str(exc), original_error=exc)
            schema.process_errors([error])
            answer = ExecutionResult(data=None, errors=[error])
        else:
            errors = result.errors
            if errors:
                schema.process_errors(errors)
                errors = [self._classify(e) for e in errors]
            answer = ExecutionResult(data=result.data, errors=errors)
        answer.extensions = self._report_results(extensions, note)
        kind = "compiled" if note.compiled else "fallback" if note.fallback else "standard"
        if self._count is not None:
            self._count(context, kind)
        if watch is not None:
            persisted = "persistedQuery" in (extensions or {})
            watch.finish(Outcome(kind, note.fallback, prepared.name, "query", persisted, len(answer.errors or ())))
        return answer
