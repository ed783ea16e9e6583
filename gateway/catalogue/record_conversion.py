"""Catalogue records <-> domain values, and placing categories in their tree.

Records (`gateway.catalogue.records`) are what a file says; the domain values
(`gateway.catalogue.values`) are what the gateway serves. A category's `path` is not in its
record: it is worked out here from the parents, which may be in the file or in the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from gateway.catalogue.record_fields import CENT
from gateway.catalogue.records import (
    BrandRecord,
    CategoryRecord,
    MoneyRecord,
    ProductRecord,
    RecordError,
    format_validation_error,
)
from gateway.catalogue.values import (
    Attribute,
    Brand,
    BrandId,
    Category,
    CategoryId,
    Image,
    Money,
    Product,
    ProductId,
    Translation,
)
from gateway.kernel import InputError


class CategoryTreeError(InputError):
    """A category that cannot be placed in the tree."""


class UnknownCategory(CategoryTreeError):
    """An ancestor (possibly the parent itself) is neither in the file nor in the store."""

    def __init__(self, category_id: CategoryId) -> None:
        super().__init__(f'unknown category "{category_id}"')
        self.category_id = category_id


class CategoryCycle(CategoryTreeError):
    """Following parents loops. `cycle` lists child -> parent -> … back to the first."""

    def __init__(self, cycle: tuple[CategoryId, ...]) -> None:
        super().__init__(f"the parent chain loops back: {' -> '.join(cycle)}")
        self.cycle = cycle


def category_path(category_id: CategoryId, parent_of: Mapping[CategoryId, CategoryId | None]) -> tuple[CategoryId, ...]:
    """Root..`category_id` inclusive, following `parent_of`.

    Raises UnknownCategory when `category_id` or an ancestor is not in `parent_of`, and
    CategoryCycle when the parents loop (instead of looping forever).
    """
    path = [category_id]  # child first; reversed at the end
    seen = {category_id}
    current = category_id
    while True:
        if current not in parent_of:
            raise UnknownCategory(current)
        parent = parent_of[current]
        if parent is None:
            return tuple(reversed(path))
        if parent in seen:
            raise CategoryCycle((*path[path.index(parent) :], parent))
        path.append(parent)
        seen.add(parent)
        current = parent


def category_from_record(record: CategoryRecord, path: tuple[CategoryId, ...]) -> Category:
    """`path` runs root..this category inclusive (see `category_path`)."""
    parent = CategoryId(record.parent) if record.parent is not None else None
    return Category(CategoryId(record.id), parent, dict(record.names), record.slug, path)


def categories_from_records(records: Sequence[CategoryRecord], existing: Iterable[Category] = ()) -> list[Category]:
    """Domain categories with computed paths; parents may be in `records` or in `existing`.

    Raises CategoryTreeError naming the first category whose parent is unknown or that
    sits on a cycle.
    """
    parent_of: dict[CategoryId, CategoryId | None] = {c.id: c.parent_id for c in existing}
    for rec in records:
        parent_of[CategoryId(rec.id)] = CategoryId(rec.parent) if rec.parent is not None else None
    out = []
    for rec in records:
        try:
            path = category_path(CategoryId(rec.id), parent_of)
        except CategoryTreeError as exc:
            raise CategoryTreeError(f"category {rec.id}: {exc.message}") from None
        out.append(category_from_record(rec, path))
    return out


def brand_from_record(record: BrandRecord) -> Brand:
    return Brand(BrandId(record.id), record.name, record.slug)


def _money(record: MoneyRecord) -> Money:
    return Money(record.amount, record.currency)


def product_from_record(record: ProductRecord) -> Product:
    """The domain product. `embedding_text_hash` stays empty: the embedder fills it."""
    return Product(
        id=ProductId(record.id),
        sku=record.sku,
        brand_id=BrandId(record.brand),
        category_ids=tuple(CategoryId(c) for c in record.categories),
        price=_money(record.price),
        compare_at_price=_money(record.compare_at_price) if record.compare_at_price is not None else None,
        stock=record.stock,
        images=tuple(Image(i.url, i.alt, i.width, i.height) for i in record.images),
        attributes=tuple(Attribute(name, value) for name, value in record.attributes.items()),
        translations={loc: Translation(t.name, t.description, t.slug) for loc, t in record.translations.items()},
        tags=tuple(record.tags),
    )


def category_to_record(category: Category) -> CategoryRecord:
    return CategoryRecord.model_validate(
        {
            "kind": "category",
            "id": category.id,
            "parent": category.parent_id,
            "names": dict(category.names),
            "slug": category.slug,
        }
    )


def brand_to_record(brand: Brand) -> BrandRecord:
    return BrandRecord.model_validate({"kind": "brand", "id": brand.id, "name": brand.name, "slug": brand.slug})


def _money_json(money: Money) -> dict[str, Any]:
    return {"amount": str(money.amount.quantize(CENT)), "currency": money.currency}


def product_to_record(product: Product) -> ProductRecord:
    """The export form. Validated like an import, so an export can always be read back.

    Raises RecordError if the product breaks a rule of the format (for example two
    attributes with the same name, which the format cannot express).
    """
    names = [a.name for a in product.attributes]
    if len(set(names)) != len(names):
        raise RecordError(f"attributes: duplicate attribute names in {product.id}", record_id=product.id)
    data = {
        "kind": "product",
        "id": product.id,
        "sku": product.sku,
        "brand": product.brand_id,
        "categories": list(product.category_ids),
        "price": _money_json(product.price),
        "compareAtPrice": _money_json(product.compare_at_price) if product.compare_at_price else None,
        "stock": product.stock,
        "images": [{"url": i.url, "alt": i.alt, "width": i.width, "height": i.height} for i in product.images],
        "attributes": {a.name: a.value for a in product.attributes},
        "translations": {
            loc: {"name": t.name, "description": t.description, "slug": t.slug}
            for loc, t in product.translations.items()
        },
        "tags": list(product.tags),
    }
    try:
        return ProductRecord.model_validate(data)
    except ValidationError as exc:
        raise RecordError(f"{product.id}: {format_validation_error(exc)}", record_id=product.id) from None
