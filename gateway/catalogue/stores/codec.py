"""Conversions between catalogue values and MongoDB documents: one place for the field names."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

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
    fold,
)


def money_out(m: Money | None) -> dict[str, str] | None:
    return None if m is None else {"amount": str(m.amount), "currency": m.currency}


def money_in(d: Mapping[str, Any] | None) -> Money | None:
    return None if d is None else Money(Decimal(str(d["amount"])), str(d["currency"]))


def product_out(p: Product) -> dict[str, Any]:
    return {
        "_id": p.id,
        "sku": p.sku,
        "brand_id": p.brand_id,
        "category_ids": list(p.category_ids),
        "price": money_out(p.price),
        "compare_at_price": money_out(p.compare_at_price),
        "stock": p.stock,
        "images": [{"url": i.url, "alt": i.alt, "width": i.width, "height": i.height} for i in p.images],
        "attributes": [{"name": a.name, "value": a.value} for a in p.attributes],
        "translations": {
            loc: {"name": t.name, "description": t.description, "slug": t.slug} for loc, t in p.translations.items()
        },
        "tags": list(p.tags),
        "embedding_text_hash": p.embedding_text_hash,
    }


def product_in(d: Mapping[str, Any]) -> Product:
    price = money_in(d["price"])
    assert price is not None
    return Product(
        id=ProductId(d["_id"]),
        sku=d["sku"],
        brand_id=BrandId(d["brand_id"]),
        category_ids=tuple(CategoryId(c) for c in d["category_ids"]),
        price=price,
        compare_at_price=money_in(d.get("compare_at_price")),
        stock=int(d["stock"]),
        images=tuple(Image(i["url"], i["alt"], int(i["width"]), int(i["height"])) for i in d["images"]),
        attributes=tuple(Attribute(a["name"], a["value"]) for a in d["attributes"]),
        translations={loc: Translation(t["name"], t["description"], t["slug"]) for loc, t in d["translations"].items()},
        tags=tuple(d.get("tags", ())),
        embedding_text_hash=d.get("embedding_text_hash", ""),
    )


def sort_names(p: Product) -> dict[str, str]:
    return {loc: fold(t.name) for loc, t in p.translations.items()}


def brand_out(b: Brand) -> dict[str, Any]:
    return {"_id": b.id, "name": b.name, "slug": b.slug}


def brand_in(d: Mapping[str, Any]) -> Brand:
    return Brand(BrandId(d["_id"]), d["name"], d["slug"])


def category_out(c: Category) -> dict[str, Any]:
    return {"_id": c.id, "parent_id": c.parent_id, "names": dict(c.names), "slug": c.slug, "path": list(c.path)}


def category_in(d: Mapping[str, Any]) -> Category:
    parent = d.get("parent_id")
    return Category(
        id=CategoryId(d["_id"]),
        parent_id=CategoryId(parent) if parent else None,
        names=dict(d["names"]),
        slug=d["slug"],
        path=tuple(CategoryId(c) for c in d["path"]),
    )
