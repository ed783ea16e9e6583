"""Catalogue import: validate a whole JSONL file, then upsert what is valid in atomic batches.

The file is streamed, never held: one pass counts its lines (for progress), one validates
every line and keeps a few dozen bytes per product (`import_scan.Scan`), and one re-reads
the file and upserts the accepted products a batch at a time. Peak memory does not grow with
the size of the file beyond those bytes per product (measured: bench/catalogue_import.py).

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
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from gateway.catalogue.import_report import ImportReport, RejectedLine, Reporter, accepted_counts, describe_failure
from gateway.catalogue.import_scan import ProductRefs, Scan, id_digest, read_lines
from gateway.catalogue.record_conversion import (
    CategoryCycle,
    CategoryTreeError,
    UnknownCategory,
    brand_from_record,
    category_from_record,
    category_path,
    product_from_record,
)
from gateway.catalogue.records import ProductRecord, RecordError, parse_line
from gateway.catalogue.values import Brand, BrandId, Category, CategoryId, Product

if TYPE_CHECKING:
    from gateway.catalogue.stores.protocol import CatalogStore
    from gateway.catalogue.values import CatalogueContents

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""`progress(done, total)`; see `import_jsonl` for what is counted."""

DEFAULT_BATCH_SIZE = 500
_YIELD_EVERY = 256  # lines validated between giving the event loop a turn


async def import_jsonl(
    store: CatalogStore,
    path: Path,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the JSONL file at `path` into `store` (format: `gateway.catalogue.records`).

    `progress(done, total)` is called after each line is validated, once when references are
    checked, and after each batch is applied. `total` is fixed from the start: the number of
    lines plus the number of non-blank lines (each a candidate item). Rejected candidates are
    counted as done once validation ends, so `done` only grows and reaches `total` when every
    batch applied.

    Raises OSError if the file cannot be read and ValueError for `batch_size` < 1.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    lines, items = await asyncio.to_thread(_count, path)
    meter = _Meter(progress, total=lines + items)

    scan = Scan()
    for number, raw in enumerate(read_lines(path), start=1):
        scan.add(number, raw)
        meter.advance(1)
        if number % _YIELD_EVERY == 0:
            await asyncio.sleep(0)  # a big file should not starve other work on this loop

    try:
        plan = await _resolve(store, scan, path)
    except Exception as exc:  # the store failed: report it, the caller decides what next
        log.warning("catalogue import of %s: store failed while checking references: %s", path, exc)
        return ImportReport(
            lines_read=scan.lines,
            accepted=accepted_counts(0, 0, 0),
            rejected=tuple(sorted(scan.rejected, key=lambda r: r.line_number)),
            applied_batches=0,
            total_batches=0,
            ok=False,
            error=f"could not check references against the store: {describe_failure(exc)}",
        )
    meter.advance(len(plan.rejected))

    products = sum(plan.accepted)
    any_items = plan.categories or plan.brands or plan.repathed or products
    total_batches = max(1, -(-products // batch_size)) if any_items else 0
    report = Reporter(
        lines_read=scan.lines,
        accepted=accepted_counts(len(plan.categories), len(plan.brands), products),
        rejected=tuple(sorted(plan.rejected, key=lambda r: r.line_number)),
        total_batches=total_batches,
        categories_repathed=len(plan.repathed),
    )
    index = 0
    try:
        async for batch in _batches(path, scan.products, plan, batch_size, total_batches):
            index += 1
            try:
                await store.upsert(batch.products, batch.brands, batch.categories)
            except Exception as exc:  # atomic per batch: earlier batches stay, this one is absent
                log.warning("catalogue import of %s stopped at batch %d/%d: %s", path, index, total_batches, exc)
                return report.build(applied=index - 1, error=describe_failure(exc), failed_batch=index)
            meter.advance(batch.counted)
    except FileChanged as exc:
        return report.build(applied=index, error=str(exc), failed_batch=index + 1)
    return report.build(applied=total_batches)


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


# --- reading -------------------------------------------------------------------------------


class FileChanged(Exception):
    """The file no longer says what the first pass read."""


def _count(path: Path) -> tuple[int, int]:
    """(lines, non-blank lines)."""
    lines = items = 0
    for raw in read_lines(path):
        lines += 1
        items += bool(raw.strip())
    return lines, items


async def _batches(
    path: Path, refs: ProductRefs, plan: _Plan, batch_size: int, total_batches: int
) -> AsyncIterator[Batch]:
    """The batches to upsert: accepted products re-read from the file, categories and brands
    with the first. Raises FileChanged when a line is no longer the product it was."""
    if total_batches == 0:
        return
    chunk: list[Product] = []
    first = True
    k = 0  # the next product ordinal
    for number, raw in enumerate(read_lines(path), start=1):
        if k == len(refs) or refs.lines[k] != number:
            continue
        if plan.accepted[k]:
            chunk.append(_reread(raw, number, refs, k))
            if len(chunk) == batch_size:
                yield _batch(chunk, plan, first)
                chunk, first = [], False
                await asyncio.sleep(0)
        k += 1
    if k != len(refs):
        raise FileChanged(f"the file changed while it was imported (it is shorter than line {refs.lines[k]})")
    if chunk or first:
        yield _batch(chunk, plan, first)


def _reread(raw: bytes, number: int, refs: ProductRefs, k: int) -> Product:
    try:
        record = parse_line(raw.decode("utf-8"))
    except (UnicodeDecodeError, RecordError):
        record = None
    if not isinstance(record, ProductRecord) or id_digest(record.id) != bytes(refs.digests[16 * k : 16 * k + 16]):
        raise FileChanged(f"the file changed while it was imported (line {number} is not what it was)")
    return product_from_record(record)


def _batch(products: list[Product], plan: _Plan, first: bool) -> Batch:
    if not first:
        return Batch((), (), tuple(products), len(products))
    counted = len(plan.categories) + len(plan.brands) + len(products)
    return Batch((*plan.categories, *plan.repathed), tuple(plan.brands), tuple(products), counted)


class _Meter:
    def __init__(self, progress: Progress | None, total: int) -> None:
        self._progress = progress
        self._total = total
        self._done = 0

    def advance(self, n: int) -> None:
        self._done += n
        if self._progress is not None:
            self._progress(self._done, self._total)


# --- references --------------------------------------------------------------------------


@dataclass
class _Plan:
    categories: list[Category] = field(default_factory=list)
    repathed: list[Category] = field(default_factory=list)
    brands: list[Brand] = field(default_factory=list)
    accepted: bytearray = field(default_factory=bytearray)  # per product of the scan: 1 when accepted
    rejected: list[RejectedLine] = field(default_factory=list)


async def _resolve(store: CatalogStore, scan: Scan, path: Path) -> _Plan:
    """Check every reference against the file and the store; mark the products that pass."""
    refs = scan.products
    plan = _Plan(rejected=list(scan.rejected), accepted=bytearray(len(refs)))
    if not (scan.categories or scan.brands or len(refs)):
        return plan
    stored = await store.all_categories()
    known_categories = _resolve_categories(scan, stored, plan)

    repeats = refs.first_of_each_id()
    if repeats:
        ids = await asyncio.to_thread(_ids_at, path, {refs.lines[k] for k in repeats})
        for k, first in repeats.items():
            line = refs.lines[k]
            plan.rejected.append(RejectedLine(line, f'id: duplicate of line {refs.lines[first]} ("{ids[line]}")'))

    file_brands = {BrandId(rec.id) for _, rec in scan.brands}
    plan.brands = [brand_from_record(rec) for _, rec in scan.brands]
    wanted: list[BrandId] = []
    asked = bytearray(len(refs.brand_codes.ids))
    for k in range(len(refs)):
        code = refs.brands[k]
        if k not in repeats and not asked[code]:
            asked[code] = 1
            if (brand_id := BrandId(refs.brand_codes.ids[code])) not in file_brands:
                wanted.append(brand_id)
    found = await store.get_brands(wanted) if wanted else []
    known_brands = file_brands | {b.id for b in found if b is not None}

    for k in range(len(refs)):
        if k in repeats:
            continue
        reasons = _product_problems(refs.brand_of(k), refs.categories_of(k), scan, known_brands, known_categories)
        if reasons:
            plan.rejected.append(RejectedLine(refs.lines[k], "; ".join(reasons)))
        else:
            plan.accepted[k] = 1
    return plan


def _ids_at(path: Path, numbers: set[int]) -> dict[int, str]:
    """The record ids on these lines (they passed the schema in the first pass)."""
    found: dict[int, str] = {}
    for number, raw in enumerate(read_lines(path), start=1):
        if number in numbers:
            found[number] = parse_line(raw.decode("utf-8")).id
    return found


def _resolve_categories(parsed: Scan, stored: Sequence[Category], plan: _Plan) -> set[CategoryId]:
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
    brand: str, categories: Sequence[str], scan: Scan, brands: set[BrandId], known: set[CategoryId]
) -> list[str]:
    problems: list[str] = []
    if BrandId(brand) not in brands:
        line = scan.rejected_line(brand)
        if line is not None:
            problems.append(f'brand: brand "{brand}" was rejected (line {line})')
        else:
            problems.append(f'brand: unknown brand "{brand}" (not in this file or the store)')
    for index, raw_id in enumerate(categories):
        if CategoryId(raw_id) in known:
            continue
        line = scan.first_line.get(raw_id) or scan.rejected_line(raw_id)
        if line is not None:
            problems.append(f'categories.{index}: category "{raw_id}" was rejected (line {line})')
        else:
            problems.append(f'categories.{index}: unknown category "{raw_id}" (not in this file or the store)')
    return problems
