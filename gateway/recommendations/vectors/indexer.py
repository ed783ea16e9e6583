"""`python -m gateway index`: embed the catalogue, skipping products whose text did not change.

Walks the catalogue a page at a time, hashes each product's embedding text
(`content_hash`: names and descriptions in every locale, and the brand), and embeds only
products whose hash differs from the stored one (or that have no vector for this model).
Vectors of products no longer in the catalogue are removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gateway.catalogue import (
    DEFAULT_LOCALE,
    CatalogStore,
    Category,
    CategoryId,
    Product,
    ProductFilter,
    ProductSort,
    content_hash,
)
from gateway.recommendations.stores.protocol import VectorStore
from gateway.recommendations.values.vectors import ProductVector
from gateway.recommendations.vectors.embedder import Embedder, product_text

PAGE = 1000


@dataclass(frozen=True, slots=True)
class IndexReport:
    products: int
    embedded: int
    unchanged: int
    removed: int


def _text(p: Product, brand: str, categories: dict[CategoryId, Category]) -> str:
    tr = p.text(DEFAULT_LOCALE)
    names = [categories[c].name(DEFAULT_LOCALE) for c in p.category_ids if c in categories]
    return product_text(tr.name, brand, names, tr.description)


async def index_catalogue(
    catalog: CatalogStore,
    vectors: VectorStore,
    embedder: Embedder,
    *,
    batch_size: int = 64,
    progress: Callable[[int, int], None] | None = None,
) -> IndexReport:
    stored = await vectors.hashes(embedder.name)
    categories = {c.id: c for c in await catalog.all_categories()}
    total, _ = await catalog.revision()
    seen: set[str] = set()
    embedded = unchanged = done = 0
    for offset in range(0, total, PAGE):
        ids, _ = await catalog.query(ProductFilter(), ProductSort.RELEVANCE, DEFAULT_LOCALE, offset, PAGE)
        products = [p for p in await catalog.get_products(ids) if p is not None]
        brands = {b.id: b.name for b in await catalog.get_brands(sorted({p.brand_id for p in products})) if b}
        todo: list[tuple[Product, str, str]] = []
        for p in products:
            seen.add(p.id)
            brand = brands.get(p.brand_id, "")
            digest = content_hash(p, brand)
            if stored.get(p.id) == digest:
                unchanged += 1
            else:
                todo.append((p, digest, _text(p, brand, categories)))
        for start in range(0, len(todo), batch_size):
            chunk = todo[start : start + batch_size]
            matrix = embedder.encode([t for _, _, t in chunk], batch_size=batch_size)
            await vectors.put(
                [
                    ProductVector(p.id, embedder.name, digest, row)
                    for (p, digest, _), row in zip(chunk, matrix, strict=True)
                ]
            )
            embedded += len(chunk)
            if progress:
                progress(done + start + len(chunk), total)
        done += len(products)
        if progress:
            progress(done, total)
    gone = [pid for pid in stored if pid not in seen]
    await vectors.remove(gone)
    return IndexReport(len(seen), embedded, unchanged, len(gone))
