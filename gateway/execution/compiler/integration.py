"""Plugging compiled execution into a strawberry schema, and which operations use it.

strawberry runs graphql-core's executor through `Schema(execution_context_class=...)`; giving
it a `CompiledExecutor` subclass is the whole integration. Parsing, validation (and its
caches), query limits, error masking (`ErrorPolicy`), `process_errors` logging and the
GraphQL-over-HTTP view are untouched: they see an ordinary `ExecutionResult`.

Which requests run compiled (`VITRINE_COMPILED_EXECUTION`):

- `off`: none; the executor class is strawberry's own.
- `persisted` (default): persisted documents (APQ requests, which carry
  `extensions.persistedQuery`; every document when `VITRINE_PERSISTED_QUERIES=trusted`) and
  requests that opt in with `extensions: {"vitrine": {"compile": true}}`.
- `all`: every operation that validates.

In every mode but `off`, `{"vitrine": {"compile": false}}` forces the standard executor for
one request (the first thing to try when a compiled answer looks wrong), and a request that
sends `extensions.vitrine` gets `extensions.vitrine.execution` ("compiled" or "standard", with
`fallback` giving the reason when it asked for compilation and did not get it) in the response.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from strawberry.extensions import SchemaExtension

from gateway.execution.compiler import report
from gateway.execution.compiler.executor import CompiledExecutor
from gateway.execution.compiler.model import ExecutorBase
from gateway.execution.compiler.plan import Compiler
from gateway.execution.operations import OperationObserver, Outcome

MODES = ("off", "persisted", "all")
EXTENSION_KEY = "vitrine"


def _request_choice(extensions: Mapping[str, Any] | None) -> bool | None:
    """The request's own `extensions.vitrine.compile`, if it gave a boolean."""
    options = (extensions or {}).get(EXTENSION_KEY)
    if isinstance(options, dict):
        choice = options.get("compile")
        if isinstance(choice, bool):
            return choice
    return None


def compile_policy(mode: str, *, trusted_documents: bool = False) -> Callable[[Mapping[str, Any] | None], bool]:
    """Whether a request (its `extensions`) should run compiled, per the mode (see the module docstring)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")

    def wants(extensions: Mapping[str, Any] | None) -> bool:
        choice = _request_choice(extensions)
        if choice is not None:
            return choice
        if mode == "all":
            return True
        return trusted_documents or "persistedQuery" in (extensions or {})

    return wants


def executor_policy(policy: Callable[[Mapping[str, Any] | None], bool]) -> Callable[[ExecutorBase], bool]:
    """`policy` asked about the executor's request (what `Compiler` wants)."""
    return lambda executor: policy(executor.operation_extensions)


def compiled_executor_class(compiler: Compiler) -> type[CompiledExecutor]:
    """A `CompiledExecutor` bound to `compiler` (one per schema: plans are per schema)."""
    return type("VitrineCompiledExecutor", (CompiledExecutor,), {"compiler": compiler})


ExecutionCounter = Callable[[Any, str], None]


class ExecutionReport(SchemaExtension):
    """Notes which executor answered; reports it to requests that ask, to a counter and to an
    observer (latency per operation, spans: gateway.execution.operations).

    `count(context, kind)` is called once per executed operation with kind "compiled",
    "standard" or "fallback" (asked to compile and could not).
    """

    count: ExecutionCounter | None = None
    observer: OperationObserver | None = None

    def on_operation(self) -> Iterator[None]:
        self._note = report.start()
        context = self.execution_context
        watch = self.observer.start(context.query) if self.observer is not None else None
        try:
            yield
        except BaseException:  # strawberry throws what escaped the operation in here (a GET mutation)
            if watch is not None:
                watch.finish(self._outcome(failed=True))
            raise
        if self.count is not None and context.result is not None:
            self.count(context.context, self.kind)
        if watch is not None:
            watch.finish(self._outcome())

    def _outcome(self, failed: bool = False) -> Outcome:
        context = self.execution_context
        operation_type: str | None = None
        if context.graphql_document is not None:
            try:
                operation_type = context.operation_type.value
            except Exception:  # no such operation in the document: the result says so
                operation_type = None
        errors = context.result.errors if context.result is not None else context.pre_execution_errors
        return Outcome(
            self.kind,
            self._note.fallback,
            context.operation_name,
            operation_type,
            "persistedQuery" in (context.operation_extensions or {}),
            max(len(errors or ()), int(failed)),
        )

    @property
    def kind(self) -> str:
        note = self._note
        return "compiled" if note.compiled else "fallback" if note.fallback else "standard"

    def get_results(self) -> dict[str, Any]:
        return report_results(self.execution_context.operation_extensions, self._note)


def report_results(extensions: Mapping[str, Any] | None, note: report.ExecutionNote) -> dict[str, Any]:
    """The response extension for a request that sent `extensions.vitrine` (else nothing)."""
    if EXTENSION_KEY not in (extensions or {}):
        return {}
    answer: dict[str, Any] = {"execution": "compiled" if note.compiled else "standard"}
    if note.fallback and not note.compiled:
        answer["fallback"] = note.fallback
    return {EXTENSION_KEY: answer}


def execution_report(
    count: ExecutionCounter | None, observer: OperationObserver | None = None
) -> type[ExecutionReport]:
    return type(
        "VitrineExecutionReport",
        (ExecutionReport,),
        {"count": staticmethod(count) if count else None, "observer": observer},
    )
