"""A REST commerce backend as a product source, on an injected `httpx.AsyncClient`.

The backend contract (docs/connectors.md), relative to the base URL:

    GET products?ids=a,b,c                 {"products": [record, ...]}   (unknown ids left out)
    GET products?offset=0&limit=20&...     {"products": [record, ...], "total": 123}
    GET brands?ids=a,b                      {"brands": [{"id", "name", "slug"}, ...]}
    GET categories                          {"categories": [{"id", "parent_id", "names" | "name", "slug"}]}

Product records are read through a `FieldMap`, so a backend's own field names work.

What protects the request path:
- batching: one `get_products` call is one HTTP request per `max_batch` ids (the per-request
  DataLoader already gathers a GraphQL request's ids into one call), ids deduplicated;
- a short-TTL cache per id (misses too), so a hot product is fetched once per TTL, and
  concurrent requests for the same ids share one in-flight fetch;
- a timeout on every call, and a circuit breaker that fails fast while the backend is down;
- every failure -> `ConnectorUnavailable` with a reason; one malformed record -> that
  product is None (logged), the others are served.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import httpx

from gateway.catalogue.connectors.breaker import CircuitBreaker
from gateway.catalogue.connectors.mapping import FieldMap, MalformedRecord, brand, category
from gateway.catalogue.connectors.protocol import ConnectorUnavailable, ProductListing
from gateway.catalogue.values import Brand, BrandId, Category, CategoryId, Product, ProductId

log = logging.getLogger(__name__)

K = TypeVar("K", bound=str)
V = TypeVar("V")

MAX_BATCH = 100
CACHE_ENTRIES = 20_000


class TTLCache(Generic[K, V]):
    """Values (None included: a known miss) for `ttl` seconds, least recently used evicted."""

    def __init__(self, ttl: float, max_entries: int = CACHE_ENTRIES, clock: Callable[[], float] = time.monotonic):
        self._ttl = ttl
        self._max = max_entries
        self._clock = clock
        self._data: OrderedDict[K, tuple[V | None, float]] = OrderedDict()

    def get(self, key: K) -> tuple[bool, V | None]:
        entry = self._data.get(key)
        if entry is None or entry[1] <= self._clock():
            return False, None
        self._data.move_to_end(key)
        return True, entry[0]

    def put(self, key: K, value: V | None) -> None:
        if self._ttl <= 0:
            return
        self._data[key] = (value, self._clock() + self._ttl)
        self._data.move_to_end(key)
        while len(self._data) > self._max:
            self._data.popitem(last=False)


class HttpCommerceConnector:
    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        field_map: FieldMap | None = None,
        cache_seconds: float = 30.0,
        timeout_seconds: float = 2.0,
        breaker: CircuitBreaker | None = None,
        max_batch: int = MAX_BATCH,
    ) -> None:
        """`client` carries the base URL and auth headers (see `open_http_connector`)."""
        self._client = client
        self._map = field_map or FieldMap()
        self._timeout = timeout_seconds
        self.breaker = breaker or CircuitBreaker()
        self._max_batch = max_batch
        self._products: TTLCache[ProductId, Product] = TTLCache(cache_seconds)
        self._brands: TTLCache[BrandId, Brand] = TTLCache(cache_seconds)
        self._in_flight: dict[str, asyncio.Future[Any]] = {}
        self.requests = 0  # HTTP requests sent, for tests and metrics

    # --- the CommerceConnector protocol --------------------------------------------------

    async def get_products(self, ids: Sequence[ProductId]) -> list[Product | None]:
        return await self._batched(ids, self._products, "products", self._parse_products, "get_products")

    async def get_brands(self, ids: Sequence[BrandId]) -> list[Brand | None]:
        return await self._batched(ids, self._brands, "brands", self._parse_brands, "get_brands")

    async def categories(self) -> list[Category]:
        body = await self._get("categories", {}, "categories")
        if not isinstance(body, dict):  # unlike products and brands, never a bare list
            raise ConnectorUnavailable("categories", "malformed", "expected {categories: [...]}")
        found = {CategoryId(k): c for k, c in _parse_each(body, "categories", "categories", category).items()}
        return [_with_path(c, found) for c in found.values()]

    async def list_products(self, params: dict[str, str], offset: int, limit: int) -> ProductListing:
        body = await self._get("products", {**params, "offset": str(offset), "limit": str(limit)}, "list_products")
        records = body.get("products") if isinstance(body, dict) else None
        total = body.get("total") if isinstance(body, dict) else None
        if not isinstance(records, list) or not isinstance(total, int):
            raise ConnectorUnavailable("list_products", "malformed", "expected {products: [...], total: N}")
        ids: list[ProductId] = []
        for record in records:
            try:
                product = self._map.product(record)
            except MalformedRecord as exc:
                log.warning("commerce backend: skipping a listed product: %s", exc)
                continue
            self._products.put(product.id, product)
            ids.append(product.id)
        return ProductListing(ids, total)

    # --- batching, caching, single flight ------------------------------------------------

    async def _batched(
        self,
        ids: Sequence[K],
        cache: TTLCache[K, V],
        path: str,
        parse: Callable[[Any], dict[str, V]],
        operation: str,
    ) -> list[V | None]:
        wanted = list(dict.fromkeys(ids))  # deduplicated, order kept
        missing = [i for i in wanted if not cache.get(i)[0]]
        for start in range(0, len(missing), self._max_batch):
            chunk = missing[start : start + self._max_batch]
            key = f"{path}:{','.join(sorted(chunk))}"
            await self._single_flight(key, lambda c=chunk: self._fetch(c, cache, path, parse, operation))  # type: ignore[misc]
        return [cache.get(i)[1] if cache.get(i)[0] else None for i in ids]

    async def _single_flight(self, key: str, fetch: Callable[[], Awaitable[None]]) -> None:
        """Concurrent identical fetches share one HTTP request."""
        running = self._in_flight.get(key)
        if running is not None:
            await asyncio.shield(running)
            return
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = future
        try:
            await fetch()
            future.set_result(None)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody else waited
            raise
        finally:
            del self._in_flight[key]

    async def _fetch(
        self, chunk: list[K], cache: TTLCache[K, V], path: str, parse: Callable[[Any], dict[str, V]], operation: str
    ) -> None:
        body = await self._get(path, {"ids": ",".join(chunk)}, operation)
        found = parse(body)
        for i in chunk:
            cache.put(i, found.get(i))  # absent: a known miss, cached too

    def _parse_products(self, body: Any) -> dict[str, Product]:
        return _parse_each(body, "products", "get_products", self._map.product)

    @staticmethod
    def _parse_brands(body: Any) -> dict[str, Brand]:
        return _parse_each(body, "brands", "get_brands", brand)

    # --- one HTTP call: timeout, breaker, error translation -----------------------------

    async def _get(self, path: str, params: dict[str, str], operation: str) -> Any:
        if not self.breaker.allow():
            raise ConnectorUnavailable(operation, "circuit_open", "failing fast after repeated errors")
        self.requests += 1
        try:
            response = await self._client.get(path, params=params, timeout=self._timeout)
        except httpx.TimeoutException as exc:
            self.breaker.failure()
            raise ConnectorUnavailable(operation, "timeout", f"no answer within {self._timeout}s", exc) from exc
        except httpx.HTTPError as exc:
            self.breaker.failure()
            raise ConnectorUnavailable(operation, "connect", type(exc).__name__, exc) from exc
        if response.status_code != 200:
            self.breaker.failure()
            raise ConnectorUnavailable(operation, "http_status", f"HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            self.breaker.failure()
            raise ConnectorUnavailable(operation, "malformed", "the body is not JSON", exc) from exc
        self.breaker.success()
        return body


def _with_path(c: Category, all_: dict[CategoryId, Category]) -> Category:
    from dataclasses import replace

    path: list[CategoryId] = [c.id]
    parent = c.parent_id
    while parent is not None and parent in all_ and parent not in path and len(path) < 32:
        path.insert(0, parent)
        parent = all_[parent].parent_id
    return replace(c, path=tuple(path))


def open_http_client(base_url: str, auth_header: str = "", timeout_seconds: float = 2.0) -> httpx.AsyncClient:
    """The client the connector is given: base URL, auth header, bounded pool and timeouts."""
    headers = {"accept": "application/json", "user-agent": "vitrine-connector"}
    if auth_header:
        name, _, value = auth_header.partition(":")
        headers[name.strip()] = value.strip()
    return httpx.AsyncClient(
        base_url=base_url.rstrip("/") + "/",
        headers=headers,
        timeout=timeout_seconds,
        limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
        follow_redirects=False,
    )


R = TypeVar("R", Product, Brand, Category)


def _parse_each(body: Any, key: str, operation: str, parse: Callable[[Any], R]) -> dict[str, R]:
    """`{key: [records]}` (or a bare list) -> parsed records by id; a malformed record is skipped
    with a warning, a malformed body is the backend failing."""
    records = body.get(key) if isinstance(body, dict) else body
    if not isinstance(records, list):
        raise ConnectorUnavailable(operation, "malformed", f"expected {{{key}: [...]}}")
    found: dict[str, R] = {}
    for record in records:
        try:
            item = parse(record)
        except MalformedRecord as exc:
            log.warning("commerce backend: skipping a record of %s: %s", key, exc)
            continue
        found[item.id] = item
    return found
