"""Catalogue import: validate a whole JSONL file, then upsert what is valid in atomic batches.

The contract of `import_jsonl`:

* Every line is checked before anything is written. A bad line is rejected with its
  line number and a reason a person can act on; the other lines still go in.
* References must resolve: a product's brand and categories, and a category's parent,
  must be in the file or already in the store. Category cycles are rejected.
* Accepted items are written in batches of `batch_size` products; the first batch also
  carries every accepted category and brand. Each batch is one `CatalogStore.upsert`
  call, which is atomic, so after a failure every applied batch is complete and no batch
  is half-applied. Upserts replace by id, so importing the same file again is harmless.
* A store failure does not raise: the report says `ok=False`, which batches were
  applied, which failed, and the error text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from gateway.catalogue.import_report import ImportReport, RejectedLine, Reporter, accepted_counts, describe_failure
from gateway.catalogue.record_conversion import (
    CategoryCycle,
    CategoryTreeError,
    UnknownCategory,
    brand_from_record,
    category_from_record,
    category_path,
    product_from_record,
)
from gateway.catalogue.records import BrandRecord, CategoryRecord, ProductRecord, RecordError, parse_line
from gateway.catalogue.values import Brand, BrandId, Category, CategoryId, Product

if TYPE_CHECKING:
    from gateway.catalogue.stores.protocol import CatalogStore
    from gateway.catalogue.values import CatalogueContents

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""`progress(done, total)`; see `import_jsonl` for what is counted."""

DEFAULT_BATCH_SIZE = 500
_YIELD_EVERY = 256  # lines validated between giving the event loop a turn
_UTF8_BOM = b"\xef\xbb\xbf"


async def import_jsonl(
    store: CatalogStore,
    path: Path,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the JSONL file at `path` into `store` (format: `gateway.catalogue.records`).

    `progress(done, total)` is called after each line is validated and after each batch
    is applied. `total` is fixed from the start: the number of lines plus the number of
    non-blank lines (each a candidate item). Rejected candidates are counted as done once
    validation ends, so `done` only grows and reaches `total` when every batch applied.

    Raises OSError if the file cannot be read and ValueError for `batch_size` < 1.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    lines = await asyncio.to_thread(_read_lines, path)
    meter = _Meter(progress, total=len(lines) + sum(1 for line in lines if line.strip()))

    parsed = _Parsed()
    for number, raw in enumerate(lines, start=1):
        parsed.add(number, raw)
        meter.advance(1)
        if number % _YIELD_EVERY == 0:
            await asyncio.sleep(0)  # a big file should not starve other requests

    try:
        plan = await _resolve(store, parsed)
    except Exception as exc:  # the store failed: report it, the caller decides what next
        log.warning("catalogue import of %s: store failed while checking references: %s", path, exc)
        return ImportReport(
            lines_read=len(lines),
            accepted=accepted_counts(0, 0, 0),
            rejected=tuple(sorted(parsed.rejected, key=lambda r: r.line_number)),
            applied_batches=0,
            total_batches=0,
            ok=False,
            error=f"could not check references against the store: {describe_failure(exc)}",
        )
    meter.advance(len(plan.rejected))

    batches = plan_batches(plan.categories, plan.brands, plan.products, batch_size, extra_categories=plan.repathed)
    report = Reporter(
        lines_read=len(lines),
        accepted=accepted_counts(len(plan.categories), len(plan.brands), len(plan.products)),
        rejected=tuple(sorted(plan.rejected, key=lambda r: r.line_number)),
        total_batches=len(batches),
        categories_repathed=len(plan.repathed),
    )
    for index, batch in enumerate(batches, start=1):
        try:
            await store.upsert(batch.products, batch.brands, batch.categories)
        except Exception as exc:  # atomic per batch: earlier batches stay, this one is absent
            log.warning("catalogue import of %s stopped at batch %d/%d: %s", path, index, len(batches), exc)
            return report.build(applied=index - 1, error=describe_failure(exc), failed_batch=index)
        meter.advance(batch.counted)
    return report.build(applied=len(batches))


async def load_catalog(store: CatalogStore, catalog: CatalogueContents, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
    """Upsert a generated catalogue in atomic batches (categories and brands with the first).

    Store errors propagate: seeding has no one to report lines to.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    for batch in plan_batches(catalog.categories, catalog.brands, catalog.products, batch_size):
        await store.upsert(batch.products, batch.brands, batch.categories)


@dataclass(frozen=True, slots=True)
class Batch:
    """One atomic upsert. `counted` is its share of the progress total."""

    categories: tuple[Category, ...]
    brands: tuple[Brand, ...]
    products: tuple[Product, ...]
    counted: int


def plan_batches(
    categories: Sequence[Category],
    brands: Sequence[Brand],
    products: Sequence[Product],
    batch_size: int,
    *,
    extra_categories: Sequence[Category] = (),
) -> list[Batch]:
    """Products in chunks of `batch_size`; all categories and brands ride with the first chunk.

    Categories keep their order (callers put parents first). `extra_categories` are
    written with the first batch but not counted as progress items. No items, no batches.
    """
    if not (categories or brands or products or extra_categories):
        return []
    chunks = [tuple(products[i : i + batch_size]) for i in range(0, len(products), batch_size)] or [()]
    first = Batch(
        categories=(*categories, *extra_categories),
        brands=tuple(brands),
        products=chunks[0],
        counted=len(categories) + len(brands) + len(chunks[0]),
    )
    return [first, *(Batch((), (), chunk, len(chunk)) for chunk in chunks[1:])]


# --- reading and parsing -----------------------------------------------------------------


def _read_lines(path: Path) -> list[bytes]:
    # Split bytes, not text: str.splitlines would also break on U+2028 inside JSON strings,
    # and decoding per line lets one badly encoded line be rejected on its own.
    lines = path.read_bytes().splitlines()
    if lines and lines[0].startswith(_UTF8_BOM):
        lines[0] = lines[0][len(_UTF8_BOM) :]
    return lines


class _Meter:
    def __init__(self, progress: Progress | None, total: int) -> None:
        self._progress = progress
        self._total = total
        self._done = 0

    def advance(self, n: int) -> None:
        self._done += n
        if self._progress is not None:
            self._progress(self._done, self._total)


@dataclass
class _Parsed:
    """Records that passed the schema, in file order, with their line numbers."""

    categories: list[tuple[int, CategoryRecord]] = field(default_factory=list)
    brands: list[tuple[int, BrandRecord]] = field(default_factory=list)
    products: list[tuple[int, ProductRecord]] = field(default_factory=list)
    rejected: list[RejectedLine] = field(default_factory=list)
    first_line: dict[str, int] = field(default_factory=dict)  # id -> line of its accepted record
    failed_ids: dict[str, int] = field(default_factory=dict)  # id -> line that failed the schema

    def add(self, number: int, raw: bytes) -> None:
        if not raw.strip():
            return
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.rejected.append(RejectedLine(number, f"not valid UTF-8 (byte {exc.start + 1})"))
            return
        try:
            record = parse_line(text)
        except RecordError as exc:
            self.rejected.append(RejectedLine(number, exc.reason))
            if exc.record_id is not None:
                self.failed_ids.setdefault(exc.record_id, number)
            return
        earlier = self.first_line.get(record.id)
        if earlier is not None:
            self.rejected.append(RejectedLine(number, f'id: duplicate of line {earlier} ("{record.id}")'))
            return
        self.first_line[record.id] = number
        if isinstance(record, CategoryRecord):
            self.categories.append((number, record))
        elif isinstance(record, BrandRecord):
            self.brands.append((number, record))
        else:
            self.products.append((number, record))

    def rejected_line(self, record_id: str) -> int | None:
        """The first line carrying this id that failed the schema; callers ask only after
        finding no accepted record with the id."""
        return self.failed_ids.get(record_id)


# --- references --------------------------------------------------------------------------


@dataclass
class _Plan:
    categories: list[Category] = field(default_factory=list)
    repathed: list[Category] = field(default_factory=list)
    brands: list[Brand] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    rejected: list[RejectedLine] = field(default_factory=list)


async def _resolve(store: CatalogStore, parsed: _Parsed) -> _Plan:
    """Check every reference against the file and the store; convert what passes."""
    plan = _Plan(rejected=list(parsed.rejected))
    if not (parsed.categories or parsed.brands or parsed.products):
        return plan
    stored = await store.all_categories()
    known_categories = _resolve_categories(parsed, stored, plan)

    file_brands = {BrandId(rec.id) for _, rec in parsed.brands}
    plan.brands = [brand_from_record(rec) for _, rec in parsed.brands]
    wanted: list[BrandId] = []
    for _, rec in parsed.products:
        brand_id = BrandId(rec.brand)
        if brand_id not in file_brands and brand_id not in wanted:
            wanted.append(brand_id)
    found = await store.get_brands(wanted) if wanted else []
    known_brands = file_brands | {b.id for b in found if b is not None}

    for number, rec in parsed.products:
        reasons = _product_problems(rec, parsed, known_brands, known_categories)
        if reasons:
            plan.rejected.append(RejectedLine(number, "; ".join(reasons)))
        else:
            plan.products.append(product_from_record(rec))
    return plan


def _resolve_categories(parsed: _Parsed, stored: Sequence[Category], plan: _Plan) -> set[CategoryId]:
    """Place the file's categories in the tree; returns every category id a product may use."""
    line_of = {CategoryId(rec.id): number for number, rec in parsed.categories}
    parent_of: dict[CategoryId, CategoryId | None] = {c.id: c.parent_id for c in stored}
    for _, rec in parsed.categories:
        parent_of[CategoryId(rec.id)] = CategoryId(rec.parent) if rec.parent is not None else None

    def parent_failed(parent: CategoryId) -> str:
        line = line_of.get(parent) or parsed.rejected_line(parent)
        if line is not None:
            return f'parent: category "{parent}" was rejected (line {line})'
        return f'parent: category "{parent}" has no valid path to a root category'

    accepted: list[Category] = []
    for number, rec in parsed.categories:
        category_id = CategoryId(rec.id)
        try:
            path = category_path(category_id, parent_of)
        except UnknownCategory as exc:
            parent = CategoryId(str(rec.parent))
            if exc.category_id != parent:
                reason = parent_failed(parent)
            elif (line := parsed.rejected_line(parent)) is not None:
                reason = f'parent: category "{parent}" was rejected (line {line})'
            else:
                reason = f'parent: unknown category "{parent}" (not in this file or the store)'
            plan.rejected.append(RejectedLine(number, reason))
            continue
        except CategoryCycle as exc:
            on_cycle = category_id in exc.cycle
            reason = f"parent: {exc.message}" if on_cycle else parent_failed(CategoryId(str(rec.parent)))
            plan.rejected.append(RejectedLine(number, reason))
            continue
        accepted.append(category_from_record(rec, path))

    # Parents before children, so a store that checks parents on write is satisfied.
    plan.categories = sorted(accepted, key=lambda c: len(c.path))
    rejected_ids = set(line_of) - {c.id for c in accepted}
    final_parent = {**{c.id: c.parent_id for c in stored}, **{c.id: c.parent_id for c in accepted}}
    # A stored category keeps its own parent, but moving one of its ancestors changes its path.
    for category in stored:
        if category.id in line_of and category.id not in rejected_ids:
            continue
        try:
            path = category_path(category.id, final_parent)
        except CategoryTreeError:
            continue  # the store's own tree is broken here; not this import's to repair
        if path != category.path:
            plan.repathed.append(replace(category, path=path))
    plan.repathed.sort(key=lambda c: len(c.path))
    return set(final_parent)


def _product_problems(
    rec: ProductRecord, parsed: _Parsed, brands: set[BrandId], categories: set[CategoryId]
) -> list[str]:
    problems: list[str] = []
    if BrandId(rec.brand) not in brands:
        line = parsed.rejected_line(rec.brand)
        if line is not None:
            problems.append(f'brand: brand "{rec.brand}" was rejected (line {line})')
        else:
            problems.append(f'brand: unknown brand "{rec.brand}" (not in this file or the store)')
    for index, raw_id in enumerate(rec.categories):
        if CategoryId(raw_id) in categories:
            continue
        line = parsed.first_line.get(raw_id) or parsed.rejected_line(raw_id)
        if line is not None:
            problems.append(f'categories.{index}: category "{raw_id}" was rejected (line {line})')
        else:
            problems.append(f'categories.{index}: unknown category "{raw_id}" (not in this file or the store)')
    return problems
