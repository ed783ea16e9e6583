"""What docs/connectors.md says a commerce-backend outage does to each root field, as written.

`product(id:)` is nullable: that field is null and the rest of the answer stands. `products`
is non-null: its null reaches the root, so the whole `data` is null, other root fields included.
`categories` keeps answering from the tree held in process. Always HTTP 200 and
STORE_UNAVAILABLE naming the reason, never a 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.catalogue.test_connector import standalone
from tests.support.asgiserver import serve_asgi
from tests.support.upstream import Upstream

ACCEPT = {"accept": "application/graphql-response+json"}


@pytest.fixture
def backend() -> Iterator[tuple[Upstream, str]]:
    upstream = Upstream()
    with serve_asgi(upstream.app()) as url:
        yield upstream, f"{url}/api"


async def test_an_outage_nulls_product_the_whole_data_for_products_and_spares_categories(
    backend: tuple[Upstream, str],
) -> None:
    upstream, url = backend
    async with standalone(url) as gw:
        upstream.mode = "fail"

        async def ask(query: str) -> dict[str, Any]:
            response = await gw.client.post("/graphql", json={"query": query}, headers=ACCEPT)
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            return body

        one = await ask('{ product(id: "p-00003") { name } categories { id } }')
        assert one["data"] == {"product": None, "categories": [{"id": "c-home"}, {"id": "c-shoes"}]}
        assert [(e["path"], e["extensions"]["code"]) for e in one["errors"]] == [(["product"], "STORE_UNAVAILABLE")]
        assert "http_status" in one["errors"][0]["message"]

        listing = await ask("{ categories { id } products(first: 2) { totalCount nodes { id } } }")
        assert listing["data"] is None  # products is non-null: the null reaches the root
        assert [(e["path"], e["extensions"]["code"]) for e in listing["errors"]] == [
            (["products"], "STORE_UNAVAILABLE")
        ]

        alone = await ask("{ categories { id } }")
        assert alone == {"data": {"categories": [{"id": "c-home"}, {"id": "c-shoes"}]}}
