"""The JSONL import: per-line rejection, references, atomic batches, idempotence, progress.

A unit test of the import logic alone, against `RecordingCatalogStore`: a small
dictionary store that records every upsert and can be told to fail one of them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from gateway.catalogue.import_report import ImportReport, RejectedLine
from gateway.catalogue.importer import import_jsonl, load_catalog, plan_batches
from gateway.catalogue.jsonl import write_jsonl
from gateway.catalogue.values import (
    Brand,
    BrandId,
    Category,
    CategoryId,
    Product,
    ProductFilter,
    ProductId,
    ProductSort,
    matches,
    order,
    search_tokens,
)
from gateway.demo.catalog_generator import generate_catalog

pytestmark = pytest.mark.asyncio


class RecordingCatalogStore:
    """A CatalogStore kept in dicts. `fail_on_upsert=n` makes the n-th upsert raise (1-based)
    before it changes anything, as an atomic store would."""

    def __init__(self, fail_on_upsert: int | None = None) -> None:
        self.products: dict[ProductId, Product] = {}
        self.brands: dict[BrandId, Brand] = {}
        self.categories: dict[CategoryId, Category] = {}
        self.upserts: list[tuple[int, int, int]] = []  # (categories, brands, products) per call
        self.brand_lookups: list[list[BrandId]] = []
        self.fail_on_upsert = fail_on_upsert
        self._revision = 0

    async def get_products(self, ids: Sequence[ProductId]) -> list[Product | None]:
        return [self.products.get(i) for i in ids]

    async def get_brands(self, ids: Sequence[BrandId]) -> list[Brand | None]:
        self.brand_lookups.append(list(ids))
        return [self.brands.get(i) for i in ids]

    async def all_categories(self) -> list[Category]:
        return list(self.categories.values())

    async def query(
        self, flt: ProductFilter, sort: ProductSort, locale: str, offset: int, limit: int
    ) -> tuple[list[ProductId], int]:
        names = {b.id: b.name for b in self.brands.values()}
        found = [p for p in self.products.values() if matches(p, flt, search_tokens(p, names.get(p.brand_id, "")))]
        ordered = order(found, sort, locale)
        return [p.id for p in ordered[offset : offset + limit]], len(ordered)

    async def upsert(
        self, products: Sequence[Product], brands: Sequence[Brand], categories: Sequence[Category]
    ) -> None:
        call = len(self.upserts) + 1
        self.upserts.append((len(categories), len(brands), len(products)))
        if call == self.fail_on_upsert:
            raise RuntimeError("simulated outage")
        self.categories.update({c.id: c for c in categories})
        self.brands.update({b.id: b for b in brands})
        self.products.update({p.id: p for p in products})
        self._revision += 1

    async def revision(self) -> tuple[int, int]:
        return len(self.products), self._revision

    def snapshot(self) -> tuple[dict[Any, Any], dict[Any, Any], dict[Any, Any]]:
        return dict(self.products), dict(self.brands), dict(self.categories)


SHOES = Category(CategoryId("c-shoes"), None, {"en": "Shoes", "pl": "Buty"}, "shoes", (CategoryId("c-shoes"),))
KASZTAN = Brand(BrandId("b-kasztan"), "Kasztan", "kasztan")


def seeded_store(**kwargs: Any) -> RecordingCatalogStore:
    store = RecordingCatalogStore(**kwargs)
    store.categories[SHOES.id] = SHOES
    store.brands[KASZTAN.id] = KASZTAN
    return store


def category(cid: str, parent: str | None) -> str:
    name = cid.removeprefix("c-")
    return json.dumps({"kind": "category", "id": cid, "parent": parent, "names": {"en": name}, "slug": name})


def brand(bid: str, name: str) -> str:
    return json.dumps({"kind": "brand", "id": bid, "name": name, "slug": bid.removeprefix("b-")})


def product(
    pid: str,
    *,
    brand_id: str = "b-nordvik",
    categories: Sequence[str] = ("c-trail",),
    amount: str = "349.00",
    compare_at: str | None = None,
) -> str:
    data: dict[str, Any] = {
        "kind": "product",
        "id": pid,
        "sku": f"SKU-{pid}",
        "brand": brand_id,
        "categories": list(categories),
        "price": {"amount": amount, "currency": "PLN"},
        "compareAtPrice": {"amount": compare_at, "currency": "PLN"} if compare_at else None,
        "stock": 3,
        "images": [
            {"url": f"https://img.vitrine.example/products/{pid}/1.jpg", "alt": pid, "width": 800, "height": 800}
        ],
        "attributes": {"colour": "navy"},
        "translations": {
            "en": {"name": f"Runner {pid}", "description": "Light.", "slug": f"runner-{pid}"},
            "pl": {"name": f"Buty {pid}", "description": "Lekkie.", "slug": f"buty-{pid}"},
        },
        "tags": ["new"],
    }
    return json.dumps(data, ensure_ascii=False)


def write(tmp_path: Path, lines: Sequence[str]) -> Path:
    path = tmp_path / "import.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


MIXED = [
    category("c-running", "c-shoes"),  # 1: parent is in the store
    category("c-trail", "c-running"),  # 2: parent is in this file
    "",  # 3
    brand("b-nordvik", "Nordvik"),  # 4
    '{"kind": "product", "id": "p-broken", "sku": ',  # 5: cut off
    json.dumps({"kind": "widget", "id": "w-1"}),  # 6
    product("p-2", amount="3.999"),  # 7
    product("p-3", amount="349.00", compare_at="100.00"),  # 8
    product("p-4", brand_id="b-ghost"),  # 9
    category("c-orphan", "c-missing"),  # 10
    product("p-1"),  # 11: valid
    product("p-1", amount="1.00"),  # 12: duplicate id
    "   ",  # 13
    product("p-5", brand_id="b-kasztan", categories=("c-shoes",)),  # 14: valid, refs in the store only
    product("p-6", categories=("c-trail", "c-orphan")),  # 15
    category("c-loop-a", "c-loop-b"),  # 16
    category("c-loop-b", "c-loop-a"),  # 17
]


async def test_mixed_file_rejects_exact_lines_and_imports_the_rest(tmp_path: Path) -> None:
    store = seeded_store()
    report = await import_jsonl(store, write(tmp_path, MIXED))

    assert report.ok and report.error is None and report.failed_batch is None
    assert report.lines_read == 17
    assert dict(report.accepted) == {"category": 2, "brand": 1, "product": 2}
    assert [r.line_number for r in report.rejected] == [5, 6, 7, 8, 9, 10, 12, 15, 16, 17]
    reasons = {r.line_number: r.reason for r in report.rejected}
    assert reasons[5].startswith("invalid JSON: ")
    assert reasons == {
        5: reasons[5],
        6: 'kind: unknown kind "widget"; expected one of "category", "brand", "product"',
        7: 'price.amount: must have at most 2 decimal places (got "3.999")',
        8: "compareAtPrice: must be greater than price (100.00 is not above 349.00)",
        9: 'brand: unknown brand "b-ghost" (not in this file or the store)',
        10: 'parent: unknown category "c-missing" (not in this file or the store)',
        12: 'id: duplicate of line 11 ("p-1")',
        15: 'categories.1: category "c-orphan" was rejected (line 10)',
        16: "parent: the parent chain loops back: c-loop-a -> c-loop-b -> c-loop-a",
        17: "parent: the parent chain loops back: c-loop-b -> c-loop-a -> c-loop-b",
    }
    assert str(report.rejected[2]) == 'line 7: price.amount: must have at most 2 decimal places (got "3.999")'

    assert set(store.products) == {"p-1", "p-5"}
    assert store.products[ProductId("p-1")].price.amount == Decimal("349.00")  # the first p-1 line won
    assert set(store.brands) == {"b-kasztan", "b-nordvik"}
    assert store.categories[CategoryId("c-trail")].path == ("c-shoes", "c-running", "c-trail")
    assert set(store.categories) == {"c-shoes", "c-running", "c-trail"}
    assert store.upserts == [(2, 1, 2)]  # one batch: categories and brands ride with the products
    # Only the brand missing from the file is looked up, once, in one batch.
    assert store.brand_lookups == [["b-ghost", "b-kasztan"]]


async def test_schema_rejection_explains_itself(tmp_path: Path) -> None:
    bad = json.loads(product("p-1"))
    bad["stock"] = -2
    bad["price"]["currency"] = "pln"
    bad["compare_at_price"] = None
    path = write(tmp_path, [brand("b-nordvik", "N"), category("c-trail", None), json.dumps(bad)])
    report = await import_jsonl(RecordingCatalogStore(), path)
    assert report.rejected == (
        RejectedLine(
            3,
            "price.currency: must be one of PLN, EUR, USD, GBP, CZK, SEK (currency codes are upper-case) "
            '(got "pln"); stock: Input should be greater than or equal to 0 (got -2); '
            'compare_at_price: unknown field; did you mean "compareAtPrice"?',
        ),
    )


async def test_references_to_lines_that_failed_the_schema_name_those_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"kind": "brand", "id": "b-nordvik", "name": "", "slug": "nordvik"}),  # 1: empty name
        json.dumps({"kind": "category", "id": "c-trail", "names": {"pl": "Teren"}, "slug": "trail"}),  # 2: no "en"
        category("c-sub", "c-trail"),  # 3
        product("p-1"),  # 4
    ]
    report = await import_jsonl(RecordingCatalogStore(), write(tmp_path, lines))
    assert [str(r) for r in report.rejected] == [
        'line 1: name: must not be empty (got "")',
        'line 2: names: must include "en" (got "pl")',
        'line 3: parent: category "c-trail" was rejected (line 2)',
        'line 4: brand: brand "b-nordvik" was rejected (line 1); '
        'categories.0: category "c-trail" was rejected (line 2)',
    ]
    assert report.accepted == {"category": 0, "brand": 0, "product": 0}
    assert report.total_batches == 0 and report.ok


async def test_failed_batch_leaves_earlier_batches_whole_and_later_ones_absent(tmp_path: Path) -> None:
    lines = [category("c-trail", None), brand("b-nordvik", "Nordvik")]
    lines += [product(f"p-{n}") for n in range(1, 6)]
    path = write(tmp_path, lines)
    store = RecordingCatalogStore(fail_on_upsert=2)

    report = await import_jsonl(store, path, batch_size=2)

    assert not report.ok
    assert (report.applied_batches, report.failed_batch, report.total_batches) == (1, 2, 3)
    assert report.error == "RuntimeError: simulated outage"
    assert store.upserts == [(1, 1, 2), (0, 0, 2)]  # stopped after the failure
    assert set(store.products) == {"p-1", "p-2"}
    assert set(store.categories) == {"c-trail"} and set(store.brands) == {"b-nordvik"}

    # Running the same file again completes the import; a third run changes nothing.
    store.fail_on_upsert = None
    again = await import_jsonl(store, path, batch_size=2)
    assert again.ok and again.applied_batches == 3
    assert set(store.products) == {f"p-{n}" for n in range(1, 6)}
    before = store.snapshot()
    third = await import_jsonl(store, path, batch_size=2)
    assert third == again
    assert store.snapshot() == before


async def test_store_failure_while_checking_references_is_reported(tmp_path: Path) -> None:
    class Down(RecordingCatalogStore):
        async def all_categories(self) -> list[Category]:
            raise ConnectionError("mongo is down")

    report = await import_jsonl(Down(), write(tmp_path, [category("c-a", None), "{oops"]))
    assert not report.ok
    assert report.error == "could not check references against the store: ConnectionError: mongo is down"
    assert report.failed_batch is None and report.applied_batches == 0
    assert [r.line_number for r in report.rejected] == [2]


async def test_progress_is_monotone_and_reaches_total(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    lines = [*MIXED, *(product(f"p-{n}") for n in range(10, 30))]
    path = write(tmp_path, lines)
    report = await import_jsonl(seeded_store(), path, batch_size=4, progress=lambda d, t: calls.append((d, t)))

    assert report.ok
    totals = {t for _, t in calls}
    non_blank = sum(1 for line in lines if line.strip())
    assert totals == {len(lines) + non_blank}
    done = [d for d, _ in calls]
    assert done == sorted(done)
    assert done[-1] == calls[-1][1]
    assert len(calls) == len(lines) + 1 + report.total_batches


async def test_moving_a_stored_category_updates_its_descendants_paths(tmp_path: Path) -> None:
    store = RecordingCatalogStore()
    a = Category(CategoryId("c-a"), None, {"en": "A"}, "a", (CategoryId("c-a"),))
    b = Category(CategoryId("c-b"), None, {"en": "B"}, "b", (CategoryId("c-b"),))
    child = Category(CategoryId("c-child"), a.id, {"en": "Child"}, "child", (a.id, CategoryId("c-child")))
    store.categories.update({c.id: c for c in (a, b, child)})

    report = await import_jsonl(store, write(tmp_path, [category("c-a", "c-b")]))

    assert report.ok and report.categories_repathed == 1
    assert store.categories[a.id].path == ("c-b", "c-a")
    assert store.categories[child.id].path == ("c-b", "c-a", "c-child")


async def test_undecodable_line_and_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + category("c-a", None).encode() + b"\r\n" + b'{"kind": "\xff"}\r\n')
    report = await import_jsonl(RecordingCatalogStore(), path)
    assert report.accepted["category"] == 1
    assert report.rejected == (RejectedLine(2, "not valid UTF-8 (byte 11)"),)


async def test_generated_catalogue_round_trips_through_the_import(tmp_path: Path) -> None:
    catalog = generate_catalog(count=120, seed=3)
    path = tmp_path / "demo.jsonl"
    write_jsonl(catalog, path)
    store = RecordingCatalogStore()

    report = await import_jsonl(store, path, batch_size=50)

    assert report == ImportReport(
        lines_read=len(catalog.categories) + len(catalog.brands) + 120,
        accepted={"category": len(catalog.categories), "brand": len(catalog.brands), "product": 120},
        rejected=(),
        applied_batches=3,
        total_batches=3,
        ok=True,
    )
    assert report.clean
    assert list(store.products.values()) == list(catalog.products)
    assert sorted(store.categories.values(), key=lambda c: c.id) == sorted(catalog.categories, key=lambda c: c.id)
    assert sorted(store.brands) == sorted(b.id for b in catalog.brands)


async def test_load_catalog_upserts_in_batches() -> None:
    catalog = generate_catalog(count=25, seed=1)
    store = RecordingCatalogStore()
    await load_catalog(store, catalog, batch_size=10)
    assert store.upserts == [(len(catalog.categories), len(catalog.brands), 10), (0, 0, 10), (0, 0, 5)]
    assert list(store.products.values()) == list(catalog.products)
    with pytest.raises(ValueError):
        await load_catalog(store, catalog, batch_size=0)


async def test_plan_batches_edges() -> None:
    assert plan_batches((), (), (), 10) == []
    only_brand = plan_batches((), (KASZTAN,), (), 10)
    assert [(len(b.categories), len(b.brands), len(b.products), b.counted) for b in only_brand] == [(0, 1, 0, 1)]
