"""What a catalogue import did: the report `gateway.catalogue.importer.import_jsonl` returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RejectedLine:
    """A line that was not imported. `str()` gives 'line 17: price.amount: …'."""

    line_number: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line_number}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did.

    `accepted` counts valid items per kind ("category", "brand", "product"), whether or
    not their batch was applied; `applied_batches` of `total_batches` were written. `ok`
    is False only when the store failed (`error` says how; `failed_batch` is the 1-based
    batch that failed, None if the store failed while references were being checked).
    Rejected lines do not make `ok` False: check `rejected`. `categories_repathed` counts
    stored categories whose path changed because the file moved one of their ancestors.
    """

    lines_read: int
    accepted: Mapping[str, int]
    rejected: tuple[RejectedLine, ...]
    applied_batches: int
    total_batches: int
    ok: bool
    error: str | None = None
    failed_batch: int | None = None
    categories_repathed: int = 0

    @property
    def clean(self) -> bool:
        """Everything in the file was valid and written."""
        return self.ok and not self.rejected


def accepted_counts(categories: int, brands: int, products: int) -> dict[str, int]:
    return {"category": categories, "brand": brands, "product": products}


def describe_failure(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@dataclass(frozen=True, slots=True)
class Reporter:
    """What an import knows once references are checked; `build` adds how the batches went."""

    lines_read: int
    accepted: Mapping[str, int]
    rejected: tuple[RejectedLine, ...]
    total_batches: int
    categories_repathed: int

    def build(self, *, applied: int, error: str | None = None, failed_batch: int | None = None) -> ImportReport:
        return ImportReport(
            lines_read=self.lines_read,
            accepted=self.accepted,
            rejected=self.rejected,
            applied_batches=applied,
            total_batches=self.total_batches,
            ok=error is None,
            error=error,
            failed_batch=failed_batch,
            categories_repathed=self.categories_repathed,
        )
