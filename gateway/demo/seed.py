"""Demo data for the embedded mode: the generated catalogue, loaded when the store is empty."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from gateway.demo.catalog_generator import generate_catalog
from gateway.services.catalog_import import load_catalog

if TYPE_CHECKING:
    from gateway.container import Container

log = logging.getLogger(__name__)


async def seed_demo(container: Container) -> bool:
    """Load the demo catalogue if the catalogue is empty. Returns True if it loaded anything."""
    count, _ = await container.stores.catalog.revision()
    if count:
        return False
    catalog = generate_catalog()
    await load_catalog(container.stores.catalog, catalog)
    log.info(
        "demo catalogue loaded: %d products, %d brands, %d categories",
        len(catalog.products),
        len(catalog.brands),
        len(catalog.categories),
    )
    return True
