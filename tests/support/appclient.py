"""Running the real app in-process (lifespan included) behind an httpx client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.types import ASGIApp

from gateway.app import create_app
from gateway.catalogue.values import Brand, Category, Product
from gateway.platform.tracing import Tracing
from gateway.runtime import Runtime
from gateway.settings import Settings
from gateway.testing.asgi import with_state
from tests.support.factories import BRANDS, CATEGORIES, product

HOME_PAGE_PRODUCTS = [product(i, price=f"{50 + i}.00", stock=0 if i % 10 == 0 else 3) for i in range(1, 41)]


@dataclass
class Gateway:
    app: Starlette
    client: httpx.AsyncClient
    served: ASGIApp | None = None  # the app as a server calls it (the lifespan's state in each scope)

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.app.state.runtime
        return runtime

    async def gql(self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        response = await self.client.post("/graphql", json={"query": query, "variables": variables or {}}, **kwargs)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def admin(
        self, query: str, variables: dict[str, Any] | None = None, *, key: str | None, status: int = 200
    ) -> dict[str, Any]:
        """Call /admin/graphql with `key` as the bearer token and check the HTTP status."""
        headers = {"authorization": f"Bearer {key}"} if key else {}
        response = await self.client.post(
            "/admin/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        return body


@asynccontextmanager
async def running_gateway(
    settings: Settings,
    products: Sequence[Product] = HOME_PAGE_PRODUCTS,
    brands: Sequence[Brand] = BRANDS,
    categories: Sequence[Category] = CATEGORIES,
    tracing: Tracing | None = None,
) -> AsyncIterator[Gateway]:
    app = create_app(settings, background=False, freeze_gc=False, tracing=tracing)
    async with app.router.lifespan_context(app) as state:
        runtime: Runtime = app.state.runtime
        if products:
            await runtime.stores.catalog.upsert(products, brands, categories)
            await runtime.services.catalog.refresh()
        served = with_state(app, state)
        transport = httpx.ASGITransport(app=served)
        async with httpx.AsyncClient(transport=transport, base_url="http://vitrine.test") as client:
            yield Gateway(app, client, served)
