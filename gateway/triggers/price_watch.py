"""A CatalogStore wrapper that notices price drops and promotion flags in every upsert.

Catalogue imports (CLI or admin) and connectors all write through `CatalogStore.upsert`;
wrapping it here catches every path. For each product whose price fell (same currency) or
that newly carries the `promotion` tag or a compare-at price above its price, a
`promotion_scan` timer due now is scheduled; the worker fans it out to the profiles that
wishlisted the product or have a strong affinity for its brand or category, for every rule
whose `when` is `promotion` (the default `favourite_on_promotion` is one). The timer
is durable, so the fan-out survives a restart (only a crash between the upsert and the
scheduling, a few milliseconds, would miss a change).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from gateway.catalogue import Brand, BrandId, CatalogStore, Category, Product, ProductFilter, ProductId, ProductSort
from gateway.kernel import StoreUnavailable
from gateway.triggers.stores.protocol import TimerStore
from gateway.triggers.values import Timer, TimerKind

log = logging.getLogger(__name__)

PROMOTION_TAG = "promotion"


def _on_promotion(p: Product) -> bool:
    return PROMOTION_TAG in p.tags or (p.compare_at_price is not None and p.compare_at_price.amount > p.price.amount)


def promotion_changes(before: Sequence[Product | None], after: Sequence[Product]) -> list[tuple[Product, str]]:
    """(product, why) for each product that got cheaper or newly went on promotion."""
    found = []
    for old, new in zip(before, after, strict=True):
        if old is None:
            continue
        if new.price.currency == old.price.currency and new.price.amount < old.price.amount:
            found.append((new, "price_drop"))
        elif _on_promotion(new) and not _on_promotion(old):
            found.append((new, "promotion"))
    return found


class PriceWatchingCatalogStore:
    def __init__(
        self, inner: CatalogStore, timers: TimerStore, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._inner = inner
        self._timers = timers
        self._clock = clock

    async def get_products(self, ids: Sequence[ProductId]) -> list[Product | None]:
        return await self._inner.get_products(ids)

    async def get_brands(self, ids: Sequence[BrandId]) -> list[Brand | None]:
        return await self._inner.get_brands(ids)

    async def all_categories(self) -> list[Category]:
        return await self._inner.all_categories()

    async def query(
        self, flt: ProductFilter, sort: ProductSort, locale: str, offset: int, limit: int
    ) -> tuple[list[ProductId], int]:
        return await self._inner.query(flt, sort, locale, offset, limit)

    async def revision(self) -> tuple[int, int]:
        return await self._inner.revision()

    async def upsert(
        self, products: Sequence[Product], brands: Sequence[Brand], categories: Sequence[Category]
    ) -> None:
        before = await self._inner.get_products([p.id for p in products]) if products else []
        await self._inner.upsert(products, brands, categories)
        now = self._clock()
        for product, why in promotion_changes(before, products):
            timer = Timer(
                key=f"promotion_scan:{product.id}:{product.price.amount}:{why}",
                kind=TimerKind.PROMOTION_SCAN,
                profile_id=None,
                due_at=now,
                data={"product_id": product.id, "why": why},
            )
            try:
                await self._timers.schedule(timer)
            except StoreUnavailable as exc:  # the catalogue change stands; only the notification is lost
                log.error("could not schedule the promotion trigger for a product: %s", exc.message)
