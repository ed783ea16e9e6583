"""Small hand-made domain values for tests (the demo generator is tested on its own)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

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
from gateway.kernel.visitor import Channel, VisitorId
from gateway.visitors.values.events import Event, EventType

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

ROOT = Category(CategoryId("c-shoes"), None, {"en": "Shoes", "pl": "Buty"}, "shoes", (CategoryId("c-shoes"),))
RUNNING = Category(
    CategoryId("c-running"), ROOT.id, {"en": "Running", "pl": "Bieganie"}, "running", (ROOT.id, CategoryId("c-running"))
)
HOME = Category(CategoryId("c-home"), None, {"en": "Home", "pl": "Dom"}, "home", (CategoryId("c-home"),))
CATEGORIES = (ROOT, RUNNING, HOME)
BRANDS = (Brand(BrandId("b-nordvik"), "Nordvik", "nordvik"), Brand(BrandId("b-kasztan"), "Kasztan", "kasztan"))


def product(
    n: int,
    *,
    price: str = "100.00",
    stock: int = 5,
    brand: str = "b-nordvik",
    category: str = "c-running",
    name: str | None = None,
    pl_name: str | None = None,
) -> Product:
    pid = ProductId(f"p-{n:05d}")
    en = name or f"Trail runner {n}"
    return Product(
        id=pid,
        sku=f"SKU-{n:05d}",
        brand_id=BrandId(brand),
        category_ids=(CategoryId(category),),
        price=Money(Decimal(price), "PLN"),
        compare_at_price=None,
        stock=stock,
        images=(Image(f"https://img.vitrine.example/{pid}/1.jpg", en, 800, 800),),
        attributes=(Attribute("colour", "navy"),),
        translations={
            "en": Translation(en, f"A light shoe number {n}.", f"trail-runner-{n}"),
            "pl": Translation(pl_name or f"But biegowy {n}", f"Lekki but numer {n}.", f"but-biegowy-{n}"),
        },
    )


def event(
    name: str,
    message_id: str,
    *,
    visitor: str = "v_aaaaaaaaaaaaaaaaaaaaaa",
    at: datetime = NOW,
    **properties: object,
) -> Event:
    return Event(
        message_id=message_id,
        visitor_id=VisitorId(visitor),
        type=EventType.TRACK,
        name=name,
        channel=Channel.WEB,
        timestamp=at,
        received_at=at,
        properties=properties,
    )
