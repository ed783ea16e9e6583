"""GraphQL error policy: expected errors keep their message and gain a code; others are masked.

A `VitrineError` raised by a service is expected (bad input, not found, a store down) and is
shown with `extensions.code`. Anything else is a bug: the client sees a generic message with
code INTERNAL_SERVER_ERROR, and the log gets the traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from gateway.kernel import ErrorCode, VitrineError

log = logging.getLogger("vitrine.graphql")

MASKED_MESSAGE = "Unexpected error."


def classify(error: GraphQLError) -> GraphQLError:
    """The error as the client sees it (see the module docstring)."""
    original = error.original_error
    if original is None:  # syntax and validation errors: the client's own document
        return error
    if isinstance(original, GraphQLError):
        # graphql-core rejecting an input value (e.g. an enum name inside a list variable) while
        # coercing arguments: the client's input, so its message is shown, not masked.
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=original,
            extensions={**(error.extensions or {}), "code": ErrorCode.BAD_USER_INPUT.value},
        )
    if isinstance(original, VitrineError):
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=original,
            extensions={**(error.extensions or {}), "code": original.code.value},
        )
    log.error("unexpected error at %s", error.path, exc_info=original)
    return GraphQLError(
        MASKED_MESSAGE,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={"code": ErrorCode.INTERNAL.value},
    )


class ErrorPolicy(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [classify(e) for e in result.errors]
