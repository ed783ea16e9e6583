"""The catalogue in MongoDB: `products`, `brands`, `categories` collections.

Every product document carries `rev`, the revision of the upsert that wrote it (the counter in
`meta.catalog`, incremented first in the upsert's transaction: two upserts conflict on that
document, so revisions become visible in order). `changes` reads by (`rev`, `_id`), served by
an index; documents written before `rev` existed are read by `scan` only.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import Any

from bson import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo import AsyncMongoClient, ReplaceOne, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

import gateway.catalogue.stores.codec as codec
from gateway.catalogue.stores.protocol import ChangeCursor, ProductChange
from gateway.catalogue.values import (
    Brand,
    BrandId,
    Category,
    Product,
    ProductFilter,
    ProductId,
    ProductSort,
    search_tokens,
)
from gateway.platform.mongo import BULK_WRITE_SECONDS, Document, operation_time, translated

STORE = "MongoDB catalogue"
_FEED_FIELDS = {"tokens": 0, "sort_name": 0, "price_value": 0}  # derived fields the mirror recomputes
FEED_BATCH = 500  # documents per network batch: each is decoded on the event loop


def build_query(flt: ProductFilter) -> Document:
    query: Document = {}
    if flt.category_ids is not None:
        query["category_ids"] = {"$in": sorted(flt.category_ids)}
    if flt.brand_ids is not None:
        query["brand_id"] = {"$in": sorted(flt.brand_ids)}
    if flt.in_stock is True:
        query["stock"] = {"$gt": 0}
    elif flt.in_stock is False:
        query["stock"] = {"$lte": 0}
    price: Document = {}
    if flt.price.min is not None:
        price["$gte"] = float(flt.price.min)
    if flt.price.max is not None:
        price["$lte"] = float(flt.price.max)
    if price:
        query["price_value"] = price
    if flt.search_tokens:
        # Every search token must prefix one of the product's tokens (anchored, index-friendly).
        query["$and"] = [{"tokens": {"$regex": "^" + re.escape(t)}} for t in flt.search_tokens]
    return query


def sort_spec(sort: ProductSort, locale: str) -> list[tuple[str, int]]:
    if sort is ProductSort.PRICE_ASC:
        return [("price_value", 1), ("_id", 1)]
    if sort is ProductSort.PRICE_DESC:
        return [("price_value", -1), ("_id", 1)]
    if sort is ProductSort.NAME:
        return [(f"sort_name.{locale}", 1), ("_id", 1)]
    return [("_id", 1)]


class MongoCatalogStore:
    def __init__(self, client: AsyncMongoClient[Document], db: AsyncDatabase[Document]) -> None:
        self._client = client
        self._db = db
        # The feed's documents stay raw BSON on the event loop and are decoded in a worker thread.
        self._raw = db.with_options(codec_options=CodecOptions(document_class=RawBSONDocument))

    async def get_products(self, ids: Sequence[ProductId]) -> list[Product | None]:
        async with translated(STORE, "get_products"):
            docs = {d["_id"]: d async for d in self._db.products.find({"_id": {"$in": list(set(ids))}})}
        return [codec.product_in(docs[i]) if i in docs else None for i in ids]

    async def get_brands(self, ids: Sequence[BrandId]) -> list[Brand | None]:
        async with translated(STORE, "get_brands"):
            docs = {d["_id"]: d async for d in self._db.brands.find({"_id": {"$in": list(set(ids))}})}
        return [codec.brand_in(docs[i]) if i in docs else None for i in ids]

    async def all_categories(self) -> list[Category]:
        async with translated(STORE, "all_categories"):
            return [codec.category_in(d) async for d in self._db.categories.find({})]

    async def query(
        self, flt: ProductFilter, sort: ProductSort, locale: str, offset: int, limit: int
    ) -> tuple[list[ProductId], int]:
        query = build_query(flt)
        async with translated(STORE, "query"):
            cursor = self._db.products.find(query, {"_id": 1}).sort(sort_spec(sort, locale))
            ids = [ProductId(d["_id"]) async for d in cursor.skip(offset).limit(limit)]
            total = await self._db.products.count_documents(query)
        return ids, total

    async def upsert(
        self, products: Sequence[Product], brands: Sequence[Brand], categories: Sequence[Category]
    ) -> None:
        # Import batches (offline work) may take longer than the store timeout that bounds requests.
        with operation_time(BULK_WRITE_SECONDS):
            await self._upsert(products, brands, categories)

    async def _upsert(
        self, products: Sequence[Product], brands: Sequence[Brand], categories: Sequence[Category]
    ) -> None:
        async with translated(STORE, "upsert"):
            names = {b.id: b.name for b in brands}
            missing = {p.brand_id for p in products} - set(names)
            if missing:
                async for d in self._db.brands.find({"_id": {"$in": sorted(missing)}}):
                    names[d["_id"]] = d["name"]
            brand_ops = [ReplaceOne({"_id": b.id}, codec.brand_out(b), upsert=True) for b in brands]
            category_ops = [ReplaceOne({"_id": c.id}, codec.category_out(c), upsert=True) for c in categories]
            docs = [self._product_doc(p, names) for p in products]

            async def write(session: AsyncClientSession) -> None:
                # The revision first: two upserts conflict on this document, and the transaction
                # retries the later one after the first commits, so revisions appear in order.
                meta = await self._db.meta.find_one_and_update(
                    {"_id": "catalog"},
                    {"$inc": {"revision": 1}},
                    upsert=True,
                    return_document=ReturnDocument.AFTER,
                    session=session,
                )
                assert meta is not None  # upserted
                rev = meta["revision"]
                product_ops = [ReplaceOne({"_id": d["_id"]}, {**d, "rev": rev}, upsert=True) for d in docs]
                for coll, ops in (("categories", category_ops), ("brands", brand_ops), ("products", product_ops)):
                    if ops:
                        await self._db[coll].bulk_write(ops, ordered=True, session=session)

            # One transaction per batch: all of it is applied or none of it.
            async with self._client.start_session() as session:
                await session.with_transaction(write)

    async def revision(self) -> tuple[int, int]:
        async with translated(STORE, "revision"):
            count = await self._db.products.count_documents({})
            meta = await self._db.meta.find_one({"_id": "catalog"})
        return count, int(meta["revision"]) if meta else 0

    # --- CatalogFeed --------------------------------------------------------------------------

    async def scan(self, after: ProductId | None, limit: int) -> list[Product]:
        query = {} if after is None else {"_id": {"$gt": after}}
        async with translated(STORE, "scan"):
            cursor = self._raw.products.find(query, _FEED_FIELDS).sort("_id", 1).limit(limit).batch_size(FEED_BATCH)
            docs = [d async for d in cursor]
        return await asyncio.to_thread(lambda: [codec.product_in(d) for d in docs])

    async def changes(self, since: int, after: ChangeCursor | None, limit: int) -> list[ProductChange]:
        query: Document = {"rev": {"$gt": since}}
        if after is not None:
            query = {"$or": [{"rev": {"$gt": after[0]}}, {"rev": after[0], "_id": {"$gt": after[1]}}]}
        async with translated(STORE, "changes"):
            cursor = self._raw.products.find(query, _FEED_FIELDS).sort([("rev", 1), ("_id", 1)]).limit(limit)
            docs = [d async for d in cursor.batch_size(FEED_BATCH)]
        return await asyncio.to_thread(lambda: [(int(d["rev"]), codec.product_in(d)) for d in docs])

    @staticmethod
    def _product_doc(p: Product, brand_names: dict[BrandId, str]) -> dict[str, Any]:
        doc = codec.product_out(p)
        doc["tokens"] = list(search_tokens(p, brand_names.get(p.brand_id, "")))
        doc["price_value"] = float(p.price.amount)
        doc["sort_name"] = codec.sort_names(p)
        return doc
