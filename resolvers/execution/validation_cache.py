"""Validation in bounded time, cached by the query text.

For a document the cache has not seen, `on_validate`:

1. measures its expanded shape in one linear pass (resolvers.execution.document_shape) and
   refuses it with `QUERY_TOO_COMPLEX` when it is over a limit: no rule walks it;
2. runs the validation rules (graphql-core's, strawberry's and ours) under a CPU budget
   (gateway.execution.budget): a document that takes longer is abandoned and refused with
   `QUERY_TOO_COMPLEX`, so no document holds the worker's event loop for longer than that.

Parsing needs no budget of its own: the token limit (MAX_TOKENS) and the parser's nesting
limit bound it (a few milliseconds at most; bench/validation.py measures it).

The cache is keyed by the query text rather than the parsed document: strawberry's
`ValidationCache` keys on the graphql-core `DocumentNode`, whose `__hash__` walks the whole
tree (about 0.5 ms for a 1,250-field home page, on every request), while a `str` hashes in a
microsecond and identifies the document just as well. Refusals are cached like any other
outcome. Requests without query text are validated directly (with the same checks).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from gateway.execution.budget import BudgetExceeded, Watchdog
from resolvers.execution.document_shape import QUERY_TOO_COMPLEX, Limits, shape_errors

MAXSIZE = 512

# Shared by every request of the process (one extension object is made per request).
_cache: OrderedDict[tuple[int, str, tuple[Any, ...]], list[GraphQLError]] = OrderedDict()


def checked_validation(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[Any, ...],
    limits: Limits,
    watchdog: Watchdog,
    budget_seconds: float,
) -> list[GraphQLError]:
    """The document's validation errors: its shape first, then the rules under the CPU budget."""
    refused = shape_errors(document, limits)
    if refused:
        return refused
    try:
        with watchdog.limit(budget_seconds):
            return validate_document(schema, document, rules)
    except BudgetExceeded:
        message = (
            f"the document took more than {budget_seconds * 1000:.0f} ms of CPU to validate and was abandoned: "
            "send a smaller one"
        )
        return [GraphQLError(message, extensions={"code": QUERY_TOO_COMPLEX})]


def text_validation_cache(limits: Limits, watchdog: Watchdog, budget_seconds: float) -> Callable[[], SchemaExtension]:
    """The extension factory for a schema (one extension object per request)."""

    class TextValidationCache(SchemaExtension):
        def on_validate(self) -> Iterator[None]:
            ctx = self.execution_context
            rules = tuple(ctx.validation_rules)
            document = ctx.graphql_document
            if document is None:  # nothing parsed: strawberry reports that itself
                yield
                return
            schema = ctx.schema._schema
            if ctx.query is None:
                ctx.pre_execution_errors = checked_validation(schema, document, rules, limits, watchdog, budget_seconds)
                yield
                return
            key = (id(schema), ctx.query, rules)
            errors = _cache.get(key)
            if errors is None:
                errors = checked_validation(schema, document, rules, limits, watchdog, budget_seconds)
                _cache[key] = errors
                if len(_cache) > MAXSIZE:
                    _cache.popitem(last=False)
            else:
                _cache.move_to_end(key)
            ctx.pre_execution_errors = errors
            yield

    return TextValidationCache
