"""Which executor answered an operation: a per-request note read by the response extension.

The executor runs inside the task that runs strawberry's `Schema.execute`, so a context
variable set by the executor is visible to the schema extension that reports it afterwards.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(slots=True)
class ExecutionNote:
    compiled: bool = False
    fallback: str | None = None  # why the operation asked to be compiled but ran on the standard executor


_note: ContextVar[ExecutionNote | None] = ContextVar("vitrine_execution_note", default=None)


def start() -> ExecutionNote:
    note = ExecutionNote()
    _note.set(note)
    return note


def current() -> ExecutionNote | None:
    return _note.get()


def mark_compiled() -> None:
    note = _note.get()
    if note is not None:
        note.compiled = True


def mark_fallback(reason: str) -> None:
    note = _note.get()
    if note is not None:
        note.fallback = reason
