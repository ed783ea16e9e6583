"""Demo data for the embedded mode: the generated catalogue, loaded when the store is empty."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from gateway.catalogue import CatalogService, CatalogStore, Product, load_catalog
from gateway.demo.catalog_generator import generate_catalog
from gateway.demo.shoppers import synthetic_shoppers
from gateway.kernel import Visitor, VisitorId
from gateway.visitors import EventService, EventStatus

log = logging.getLogger(__name__)


async def seed_demo(store: CatalogStore, catalog_service: CatalogService, events: EventService) -> bool:
    """Load the demo catalogue if the catalogue is empty. Returns True if it loaded anything."""
    count, _ = await store.revision()
    if count:
        return False
    catalog = generate_catalog()
    await load_catalog(store, catalog)
    log.info(
        "demo catalogue loaded: %d products, %d brands, %d categories",
        len(catalog.products),
        len(catalog.brands),
        len(catalog.categories),
    )
    await seed_shoppers(catalog_service, events, catalog.products)
    return True


async def seed_shoppers(catalog: CatalogService, events: EventService, products: Sequence[Product]) -> int:
    """Send the synthetic shoppers' events through the normal intake; returns events accepted.

    Gives a fresh demo co-viewed, bought-together and trending signals (docs/recommendations.md).
    """
    await catalog.refresh()  # the intake resolves products and categories through it
    accepted = 0
    now = datetime.now(UTC)
    for shopper in synthetic_shoppers(products, now):
        visitor = Visitor(VisitorId(f"v_demo{shopper.number:016d}"), is_new=False)
        result = await events.track(visitor, shopper.events, now=now)
        accepted += result.count(EventStatus.ACCEPTED)
    log.info("demo shoppers seeded: %d events", accepted)
    return accepted
