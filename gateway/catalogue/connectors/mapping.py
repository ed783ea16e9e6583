"""Backend JSON -> domain values, through a configurable field map.

The map names, for each of our fields, the dot-separated path of the value in the backend's
record (`VITRINE_CATALOG_FIELD_MAP`, e.g. `{"name": "title", "price.amount": "price.value"}`).
Unmapped fields are read from the path of the same name. A record that lacks a required
field or has a wrong type is rejected with `MalformedRecord` naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from gateway.catalogue.values import (
    DEFAULT_LOCALE,
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

PRODUCT_FIELDS = (
    "id",
    "sku",
    "name",
    "description",
    "slug",
    "price.amount",
    "price.currency",
    "compare_at_price.amount",
    "stock",
    "brand_id",
    "category_ids",
    "image_url",
)


class MalformedRecord(ValueError):
    pass


_MISSING = object()


def _get(record: Any, path: str) -> Any:
    value = record
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


class FieldMap:
    def __init__(self, overrides: Mapping[str, str] | None = None) -> None:
        unknown = set(overrides or {}) - set(PRODUCT_FIELDS)
        if unknown:
            raise ValueError(f"unknown fields in the field map: {sorted(unknown)}; known: {list(PRODUCT_FIELDS)}")
        self._paths = {f: (overrides or {}).get(f, f) for f in PRODUCT_FIELDS}

    def value(self, record: Any, field: str, *, required: bool = True) -> Any:
        found = _get(record, self._paths[field])
        if found is _MISSING or found is None:
            if required:
                raise MalformedRecord(f"{self._paths[field]} is missing")
            return None
        return found

    def text(self, record: Any, field: str, *, required: bool = True, default: str = "") -> str:
        value = self.value(record, field, required=required)
        if value is None:
            return default
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise MalformedRecord(f"{self._paths[field]} must be a string")
        return str(value)

    def decimal(self, record: Any, field: str, *, required: bool = True) -> Decimal | None:
        value = self.value(record, field, required=required)
        if value is None:
            return None
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise MalformedRecord(f"{self._paths[field]} must be a decimal amount, got {value!r}") from None
        if not amount.is_finite() or amount < 0:
            raise MalformedRecord(f"{self._paths[field]} must be a non-negative amount")
        return amount

    def product(self, record: Any) -> Product:
        if not isinstance(record, Mapping):
            raise MalformedRecord("a product must be a JSON object")
        pid = self.text(record, "id")
        name = self.text(record, "name")
        currency = self.text(record, "price.currency")
        amount = self.decimal(record, "price.amount")
        assert amount is not None
        compare = self.decimal(record, "compare_at_price.amount", required=False)
        stock = self.value(record, "stock", required=False)
        if stock is not None and (not isinstance(stock, int) or isinstance(stock, bool)):
            raise MalformedRecord(f"{self._paths['stock']} must be an integer")
        categories = self.value(record, "category_ids", required=False) or []
        if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
            raise MalformedRecord(f"{self._paths['category_ids']} must be a list of strings")
        image = self.text(record, "image_url", required=False)
        slug = self.text(record, "slug", required=False) or pid
        return Product(
            id=ProductId(pid),
            sku=self.text(record, "sku", required=False, default=pid),
            brand_id=BrandId(self.text(record, "brand_id", required=False)),
            category_ids=tuple(CategoryId(c) for c in categories),
            price=Money(amount, currency),
            compare_at_price=Money(compare, currency) if compare is not None else None,
            stock=int(stock or 0),
            images=(Image(image, name, 0, 0),) if image else (),
            attributes=(),
            translations={DEFAULT_LOCALE: Translation(name, self.text(record, "description", required=False), slug)},
        )


def brand(record: Any) -> Brand:
    if (
        not isinstance(record, Mapping)
        or not isinstance(record.get("id"), str)
        or not isinstance(record.get("name"), str)
    ):
        raise MalformedRecord("a brand needs string id and name")
    return Brand(BrandId(record["id"]), record["name"], str(record.get("slug") or record["id"]))


def category(record: Any) -> Category:
    if not isinstance(record, Mapping) or not isinstance(record.get("id"), str):
        raise MalformedRecord("a category needs a string id")
    cid = CategoryId(record["id"])
    parent = record.get("parent_id")
    names = record.get("names") or {DEFAULT_LOCALE: record.get("name") or record["id"]}
    if not isinstance(names, Mapping) or (parent is not None and not isinstance(parent, str)):
        raise MalformedRecord(f"category {cid}: names must be an object and parent_id a string")
    return Category(cid, CategoryId(parent) if parent else None, dict(names), str(record.get("slug") or cid), (cid,))
