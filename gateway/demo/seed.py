"""Demo data for the embedded mode, loaded when the catalogue is empty: the generated catalogue and
its precomputed embeddings, synthetic shoppers, and a personalized home page with a running A/B
test (`gateway.demo.workspace`), so every screen of the console has something to show."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from gateway.catalogue import CatalogService, Product, load_catalog
from gateway.demo import vectors as demo_vectors
from gateway.demo.catalog_generator import generate_catalog
from gateway.demo.shoppers import synthetic_shoppers
from gateway.demo.workspace import example_visitors, seed_segments, seed_workspace, simulate_experiment
from gateway.kernel import Visitor, VisitorId
from gateway.recommendations import publish_vectors
from gateway.visitors import EventService, EventStatus
from gateway.wiring import Services, Stores

log = logging.getLogger(__name__)


async def seed_demo(stores: Stores, services: Services) -> bool:
    """Load the demo if the catalogue is empty. Returns True if it loaded anything."""
    count, _ = await stores.catalog.revision()
    if count:
        return False
    started = time.monotonic()
    catalog = generate_catalog()
    await load_catalog(stores.catalog, catalog)
    log.info(
        "demo catalogue loaded: %d products, %d brands, %d categories",
        len(catalog.products),
        len(catalog.brands),
        len(catalog.categories),
    )
    vectors, missing = demo_vectors.load(catalog)
    await stores.recommendations.vectors.put(vectors)
    recs = stores.recommendations
    for model in sorted({v.model for v in vectors}):  # one commit, as an `index` run ends (no graph: demo-sized)
        await publish_vectors(recs.vectors, recs.graphs, model, exact_max=len(vectors), threads=1)
    if missing:  # the generator changed since the file was written: scripts/generate_demo_vectors.py
        log.warning("%d demo products have no precomputed embedding (SIMILAR skips them)", missing)
    log.info("demo embeddings loaded: %d products (precomputed, %s)", len(vectors), demo_vectors.FILE.name)
    await seed_segments(services.segments)
    shoppers = await seed_shoppers(services.catalog, services.events, catalog.products)
    release = await seed_workspace(services.slot_definitions)
    now = datetime.now(UTC)
    await simulate_experiment(services.visitors, services.slots, services.events, catalog.products, now)
    log.info("demo ready in %.1f s: slots, audiences, a segment and a running A/B test (release %d); "
             "the console is at /console/", time.monotonic() - started, release)  # fmt: skip
    for audience, visitor_id in example_visitors(shoppers, catalog).items():
        log.info("demo: preview %s as a real visitor with id %s (console: Preview)", audience, visitor_id)
    return True


async def seed_shoppers(
    catalog: CatalogService, events: EventService, products: Sequence[Product]
) -> list[tuple[str, list[dict[str, Any]]]]:
    """Send the synthetic shoppers' events through the normal intake; returns (visitor id, events).

    Gives a fresh demo co-viewed, bought-together and trending signals (docs/recommendations.md).
    """
    await catalog.refresh()  # the intake resolves products and categories through it
    accepted = 0
    now = datetime.now(UTC)
    sent: list[tuple[str, list[dict[str, Any]]]] = []
    for shopper in synthetic_shoppers(products, now):
        visitor = Visitor(VisitorId(f"v_demo{shopper.number:016d}"), is_new=False)
        result = await events.track(visitor, shopper.events, now=now)
        accepted += result.count(EventStatus.ACCEPTED)
        sent.append((visitor.id, shopper.events))
    log.info("demo shoppers seeded: %d events", accepted)
    return sent
