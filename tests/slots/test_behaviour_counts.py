"""Behaviour counts: category ancestors, brands, day windows, replays — on memory and Redis."""

from __future__ import annotations

from datetime import timedelta

from gateway.audiences.values.conditions import BehaviourQuery
from gateway.catalogue.service import CatalogService
from gateway.catalogue.values import ProductId
from gateway.kernel.visitor import VisitorId
from gateway.slots.behaviour_counts import BehaviourCounts
from gateway.wiring import Stores
from tests.support.factories import BRANDS, CATEGORIES, NOW, event, product

V = VisitorId("v_aaaaaaaaaaaaaaaaaaaaaa")
SHOE = product(1, category="c-running", brand="b-kasztan")
LAMP = product(2, category="c-home")


async def counter(stores: Stores) -> BehaviourCounts:
    await stores.catalog.upsert([SHOE, LAMP], BRANDS, CATEGORIES)
    catalog = CatalogService(stores.catalog)
    await catalog.refresh()
    return BehaviourCounts(stores.slots.behaviour, catalog)


def q(event_name: str, days: float, **scope: str) -> BehaviourQuery:
    return BehaviourQuery(event_name, days, scope.get("category"), scope.get("brand"), scope.get("product"))


async def test_counts_by_scope_and_window(stores: Stores) -> None:
    counts = await counter(stores)
    products = {SHOE.id: SHOE, LAMP.id: LAMP}
    views = [
        event("Product Viewed", "m1", product_id=SHOE.id, at=NOW),
        event("Product Viewed", "m2", product_id=SHOE.id, at=NOW - timedelta(days=6)),
        event("Product Viewed", "m3", product_id=SHOE.id, at=NOW - timedelta(days=7)),  # outside 7 days
        event("Product Viewed", "m4", product_id=LAMP.id, at=NOW),
    ]
    await counts.on_events(views, products)
    await counts.on_events(views[:1], products)  # a replay counts nothing
    queries = [
        q("Product Viewed", 7),
        q("Product Viewed", 7, category="c-running"),
        q("Product Viewed", 7, category="c-shoes"),  # the parent of c-running
        q("Product Viewed", 8, category="c-shoes"),
        q("Product Viewed", 7, brand="b-kasztan"),
        q("Product Viewed", 1, product=SHOE.id),
        q("Product Added", 30),
    ]
    got = await counts.counts([V], queries, NOW)
    assert [got[x] for x in queries] == [3, 2, 2, 3, 2, 1, 0]


async def test_an_order_counts_once_per_scope_whatever_its_lines(stores: Stores) -> None:
    counts = await counter(stores)
    lines = [{"product_id": SHOE.id, "quantity": 1}, {"product_id": LAMP.id, "quantity": 2}]
    order = event("Order Completed", "o1", order_id="o-1", products=lines, at=NOW)
    await counts.on_events([order], {ProductId(SHOE.id): SHOE, ProductId(LAMP.id): LAMP})
    queries = [
        q("Order Completed", 30),
        q("Order Completed", 30, category="c-home"),
        q("Order Completed", 30, category="c-shoes"),
    ]
    got = await counts.counts([V], queries, NOW)
    assert [got[x] for x in queries] == [1, 1, 1]
