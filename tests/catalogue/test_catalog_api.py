"""Storefront catalogue queries through the real app, on memory and real backends."""

from __future__ import annotations

from dataclasses import replace

from gateway.settings import Settings
from tests.support.appclient import Gateway, running_gateway

PRODUCT = """query($id: ID!) { product(id: $id) { id sku name description url inStock
  price { amount currency } compareAtPrice { amount } brand { id name } categories { id name path { slug } }
  images { url alt } attributes { name value } } }"""

LIST = """query($f: ProductFilterInput, $first: Int, $after: String, $sort: ProductSortOrder) {
  products(filter: $f, first: $first, after: $after, sort: $sort) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { id name price { amount } brand { name } categories { name } } } } }"""


async def test_product_by_id_in_both_locales(gateway: Gateway) -> None:
    body = await gateway.gql(PRODUCT, {"id": "p-00003"})
    p = body["data"]["product"]
    assert p["sku"] == "SKU-00003" and p["name"] == "Trail runner 3" and p["url"] == "/en/p/trail-runner-3"
    assert p["price"] == {"amount": "53.00", "currency": "PLN"} and p["compareAtPrice"] is None
    assert p["brand"] == {"id": "b-nordvik", "name": "Nordvik"}
    assert p["categories"] == [{"id": "c-running", "name": "Running", "path": [{"slug": "shoes"}, {"slug": "running"}]}]
    pl = await gateway.gql(PRODUCT, {"id": "p-00003"}, headers={"accept-language": "pl-PL,pl;q=0.9"})
    assert pl["data"]["product"]["name"] == "But biegowy 3"
    assert pl["data"]["product"]["categories"][0]["name"] == "Bieganie"
    missing = await gateway.gql(PRODUCT, {"id": "p-99999"})
    assert missing == {"data": {"product": None}}


async def test_products_filter_sort_and_cursor_pagination(gateway: Gateway) -> None:
    variables = {"f": {"inStock": True, "priceRange": {"min": "60", "max": "80"}}, "first": 5, "sort": "PRICE_DESC"}
    page1 = (await gateway.gql(LIST, variables))["data"]["products"]
    # Prices 60..80 are products 10..30; 10, 20 and 30 are out of stock: 21 - 3 = 18 matches.
    assert page1["totalCount"] == 18
    amounts = [e["node"]["price"]["amount"] for e in page1["edges"]]
    assert amounts == ["79.00", "78.00", "77.00", "76.00", "75.00"]
    assert page1["pageInfo"]["hasNextPage"] and not page1["pageInfo"]["hasPreviousPage"]
    page2 = (await gateway.gql(LIST, {**variables, "after": page1["pageInfo"]["endCursor"]}))["data"]["products"]
    assert [e["node"]["price"]["amount"] for e in page2["edges"]][:2] == ["74.00", "73.00"]
    assert page2["pageInfo"]["hasPreviousPage"]


async def test_search_and_category_filters(gateway: Gateway) -> None:
    found = (await gateway.gql(LIST, {"f": {"search": "runner 17"}}))["data"]["products"]
    assert [e["node"]["id"] for e in found["edges"]] == ["p-00017"]
    by_root = (await gateway.gql(LIST, {"f": {"category": "shoes"}, "first": 1}))["data"]["products"]
    assert by_root["totalCount"] == 40  # the root includes its subcategory "running"
    none = (await gateway.gql(LIST, {"f": {"category": "c-home"}}))["data"]["products"]
    assert none["totalCount"] == 0 and none["edges"] == []


async def test_bad_arguments_get_coded_actionable_errors(gateway: Gateway) -> None:
    body = await gateway.gql(LIST, {"f": {"category": "no-such"}})
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "unknown category 'no-such'" in error["message"]
    body = await gateway.gql(LIST, {"first": 1000})
    assert body["errors"][0]["message"] == "first: must be between 0 and 100"
    body = await gateway.gql(LIST, {"after": "garbage!"})
    assert "is not a cursor" in body["errors"][0]["message"]
    body = await gateway.gql(LIST, {"f": {"priceRange": {"min": "90", "max": "10"}}})
    assert body["errors"][0]["message"] == "filter.priceRange: min is greater than max"


async def test_n_plus_one_guard_twenty_products_with_brands_and_categories(backend_settings: Settings) -> None:
    # No in-process mirror: every catalogue read reaches the store, batched by DataLoaders.
    settings = replace(backend_settings, catalog_preload_max=0)
    async with running_gateway(settings) as gw:
        catalog = gw.runtime.services.catalog
        assert not catalog.mirrored
        before = catalog.store_calls
        body = await gw.gql(LIST, {"first": 20})
        assert len(body["data"]["products"]["edges"]) == 20
        assert all(e["node"]["brand"]["name"] == "Nordvik" for e in body["data"]["products"]["edges"])
        # one query for the page, one batch of products, one batch of brands; categories are in process
        assert catalog.store_calls - before == 3


async def test_categories_tree(gateway: Gateway) -> None:
    body = await gateway.gql("{ categories { slug name children { slug parent { slug } } } }")
    roots = body["data"]["categories"]
    assert [r["slug"] for r in roots] == ["home", "shoes"]
    assert roots[1]["children"] == [{"slug": "running", "parent": {"slug": "shoes"}}]


async def test_catalogue_changes_show_up_after_refresh(gateway: Gateway) -> None:
    from tests.support.factories import product

    query = {"f": {"search": "sprinter"}}
    assert (await gateway.gql(LIST, query))["data"]["products"]["totalCount"] == 0
    await gateway.runtime.stores.catalog.upsert([product(77, name="Sprinter Max")], [], [])
    assert await gateway.runtime.services.catalog.refresh() is True  # the store's revision moved
    found = (await gateway.gql(LIST, query))["data"]["products"]
    assert found["totalCount"] == 1 and found["edges"][0]["node"]["name"] == "Sprinter Max"
    assert await gateway.runtime.services.catalog.refresh() is False  # nothing changed since
