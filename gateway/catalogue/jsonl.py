"""Whole catalogue files: JSON Lines written from and read into `CatalogueContents`.

`load_jsonl` is strict (the first bad line raises); `gateway.catalogue.importer` imports a
file line by line against a store instead, rejecting only the bad lines.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from gateway.catalogue.record_conversion import (
    brand_from_record,
    brand_to_record,
    categories_from_records,
    category_to_record,
    product_from_record,
    product_to_record,
)
from gateway.catalogue.records import BrandRecord, CatalogRecord, CategoryRecord, RecordError, parse_line
from gateway.catalogue.values import Brand, CatalogueContents, Product


def to_json_line(record: CatalogRecord) -> str:
    """One compact JSON object, non-ASCII kept as is, without the trailing newline."""
    data = record.model_dump(mode="json", by_alias=True)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def catalog_records(catalog: CatalogueContents) -> Iterator[CatalogRecord]:
    """Categories (parents first, as in the catalogue), then brands, then products."""
    yield from (category_to_record(c) for c in catalog.categories)
    yield from (brand_to_record(b) for b in catalog.brands)
    yield from (product_to_record(p) for p in catalog.products)


def write_jsonl(catalog: CatalogueContents, path: Path) -> int:
    """Write the catalogue as UTF-8 JSONL, one record per line. Returns the number of lines."""
    lines = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for record in catalog_records(catalog):
            out.write(to_json_line(record))
            out.write("\n")
            lines += 1
    return lines


def load_jsonl(path: Path) -> CatalogueContents:
    """Read a whole file strictly: the first bad line raises RecordError ("line N: …").

    No store is consulted, so every parent and reference must be in the file. For
    importing with per-line rejection, use `gateway.catalogue.importer.import_jsonl`.
    """
    categories: list[CategoryRecord] = []
    brands: list[Brand] = []
    products: list[Product] = []
    with path.open(encoding="utf-8-sig") as source:
        for number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            try:
                record = parse_line(line)
            except RecordError as exc:
                raise RecordError(f"line {number}: {exc.reason}", record_id=exc.record_id) from None
            if isinstance(record, CategoryRecord):
                categories.append(record)
            elif isinstance(record, BrandRecord):
                brands.append(brand_from_record(record))
            else:
                products.append(product_from_record(record))
    return CatalogueContents(
        brands=tuple(brands), categories=tuple(categories_from_records(categories)), products=tuple(products)
    )
