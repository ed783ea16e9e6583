"""A small commerce backend for connector tests: its own field names, a bearer token, and
switchable misbehaviour (slow, failing, malformed). Every request is logged."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.appclient import HOME_PAGE_PRODUCTS
from tests.support.factories import BRANDS, CATEGORIES

TOKEN = "Bearer upstream-test-token"
FIELD_MAP = {
    "name": "title",
    "description": "body",
    "slug": "handle",
    "price.amount": "price.value",
    "price.currency": "price.currency_code",
    "stock": "inventory",
    "brand_id": "vendor",
    "category_ids": "collections",
    "image_url": "image",
}


def record(n: int) -> dict[str, Any]:
    p = HOME_PAGE_PRODUCTS[n - 1]
    en = p.translations["en"]
    return {
        "id": p.id,
        "sku": p.sku,
        "title": en.name,
        "body": en.description,
        "handle": en.slug,
        "price": {"value": str(p.price.amount), "currency_code": p.price.currency},
        "inventory": p.stock,
        "vendor": p.brand_id,
        "collections": list(p.category_ids),
        "image": p.images[0].url,
    }


RECORDS = {f"p-{n:05d}": record(n) for n in range(1, 21)}


@dataclass
class Upstream:
    mode: str = "ok"  # ok | slow | fail | malformed_json | wrong_shape | bad_record
    delay: float = 1.0
    log: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def calls(self, path: str, param: str | None = None) -> list[dict[str, str]]:
        return [q for p, q in self.log if p == path and (param is None or param in q)]

    async def _misbehave(self) -> Response | None:
        if self.mode == "slow":
            await asyncio.sleep(self.delay)
        if self.mode == "fail":
            return JSONResponse({"error": "boom"}, status_code=500)
        if self.mode == "malformed_json":
            return Response(b'{"products": [', media_type="application/json")
        if self.mode == "wrong_shape":
            return JSONResponse({"products": "not a list", "brands": 7, "categories": None, "total": "x"})
        return None

    async def products(self, request: Request) -> Response:
        if (denied := self._auth(request)) is not None:
            return denied
        q = dict(request.query_params)
        self.log.append(("products", q))
        if (bad := await self._misbehave()) is not None:
            return bad
        if "ids" in q:
            found = [RECORDS[i] for i in q["ids"].split(",") if i in RECORDS]
            if self.mode == "bad_record" and found:
                found[0] = {k: v for k, v in found[0].items() if k != "price"}
            return JSONResponse({"products": found})
        matches = [
            r
            for r in RECORDS.values()
            if all(w in r["title"].lower() for w in q.get("q", "").split())
            and (q.get("in_stock") != "true" or r["inventory"] > 0)
        ]
        if q.get("sort") == "price_desc":
            matches.sort(key=lambda r: -float(r["price"]["value"]))
        offset, limit = int(q.get("offset", 0)), int(q.get("limit", 20))
        return JSONResponse({"products": matches[offset : offset + limit], "total": len(matches)})

    async def brands(self, request: Request) -> Response:
        if (denied := self._auth(request)) is not None:
            return denied
        q = dict(request.query_params)
        self.log.append(("brands", q))
        if (bad := await self._misbehave()) is not None:
            return bad
        wanted = set(q.get("ids", "").split(","))
        return JSONResponse(
            {"brands": [{"id": b.id, "name": b.name, "slug": b.slug} for b in BRANDS if b.id in wanted]}
        )

    async def categories(self, request: Request) -> Response:
        if (denied := self._auth(request)) is not None:
            return denied
        self.log.append(("categories", {}))
        if (bad := await self._misbehave()) is not None:
            return bad
        return JSONResponse(
            {
                "categories": [
                    {"id": c.id, "parent_id": c.parent_id, "names": dict(c.names), "slug": c.slug} for c in CATEGORIES
                ]
            }
        )

    @staticmethod
    def _auth(request: Request) -> Response | None:
        if request.headers.get("authorization") != TOKEN:
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        return None

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/api/products", self.products),
                Route("/api/brands", self.brands),
                Route("/api/categories", self.categories),
            ]
        )
