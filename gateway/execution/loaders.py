"""Per-request loaders over the services' batch reads: products (a DataLoader), visitor states.

Built inside the running event loop for each request (aiodataloader binds the loop when a
loader is constructed), so batches never leak between requests or visitors.

Products the in-process catalogue mirror has already localized skip the loader altogether
(`Loaders.get_products`): they are one dictionary read each, with nothing to batch.

A product's brand and categories come with it: the products batch function reads the brands
of the whole batch in one more call (see `CatalogService.get_products`), so product cards
cost one batched read each way and need no per-field loader.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from aiodataloader import DataLoader

from gateway.catalogue import CatalogService, LocalizedProduct, ProductId
from gateway.kernel import VisitorId
from gateway.visitors import VisitorService, VisitorState


class VisitorStates:
    """Visitor states for one request, each loaded once however many resolvers ask.

    In practice only the request's own visitor is asked for, by several root fields at once
    (viewer, recommendations, slots): the first asker loads it, the others await the same
    answer. No batching is needed, so this costs no loader scheduling.
    """

    def __init__(self, visitors: VisitorService) -> None:
        self._visitors = visitors
        self._states: dict[VisitorId, VisitorState] = {}
        self._pending: dict[VisitorId, asyncio.Future[VisitorState]] = {}

    async def load(self, visitor_id: VisitorId) -> VisitorState:
        state = self._states.get(visitor_id)
        if state is not None:
            return state
        pending = self._pending.get(visitor_id)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[VisitorState] = asyncio.get_running_loop().create_future()
        self._pending[visitor_id] = future
        try:
            (state,) = await self._visitors.load([visitor_id])
        except BaseException as exc:
            if self._pending.get(visitor_id) is future:
                del self._pending[visitor_id]
            if isinstance(exc, asyncio.CancelledError):
                future.cancel()
            else:
                future.set_exception(exc)
                future.exception()  # retrieved: the askers waiting on it get it, nobody else must
            raise
        if self._pending.get(visitor_id) is future:
            del self._pending[visitor_id]
            self._states[visitor_id] = state
        future.set_result(state)
        return state

    def clear(self, visitor_id: VisitorId) -> None:
        """Forget the visitor's state: the next `load` reads it again (after a write)."""
        self._states.pop(visitor_id, None)
        self._pending.pop(visitor_id, None)


class LocalizedCache(Protocol):
    def cached_products(self, ids: Sequence[ProductId], locale: str) -> list[LocalizedProduct | None] | None: ...


@dataclass(slots=True)
class Loaders:
    products: DataLoader[ProductId, LocalizedProduct | None]
    visitors: VisitorStates
    catalog: LocalizedCache
    locale: str

    async def get_products(self, ids: Sequence[ProductId]) -> list[LocalizedProduct | None]:
        """Products in the request's locale: straight from the in-process mirror when it has
        them all already localized (nothing to batch), else through the batching loader."""
        found = self.catalog.cached_products(ids, self.locale)
        if found is not None:
            return found
        return await self.products.load_many(ids)

    async def get_product(self, product_id: ProductId) -> LocalizedProduct | None:
        (found,) = await self.get_products((product_id,))
        return found


def build_loaders(catalog: CatalogService, visitors: VisitorService, locale: str) -> Loaders:
    async def load_products(ids: Sequence[ProductId]) -> list[LocalizedProduct | None]:
        return await catalog.get_products(ids, locale)

    return Loaders(
        products=DataLoader(load_products, max_batch_size=500),
        visitors=VisitorStates(visitors),
        catalog=catalog,
        locale=locale,
    )
