"""PersistedQueryStore contract, run against the memory store, a Redis server and a Redis Cluster."""

from __future__ import annotations

from gateway.execution.persisted.documents import sha256_hex
from gateway.wiring import Stores
from tests.conftest import REDIS_BACKENDS

pytestmark = REDIS_BACKENDS

DOC = "query Home { products(first: 2) { nodes { id } } }"
H = sha256_hex(DOC)


async def test_unknown_hashes_are_none(stores: Stores) -> None:
    assert await stores.persisted.get_automatic(H) is None
    assert await stores.persisted.get_trusted(H) is None
    assert await stores.persisted.count_trusted() == 0


async def test_automatic_documents_round_trip_unicode(stores: Stores) -> None:
    text = 'query { product(id: "żółw") { name } }'
    await stores.persisted.put_automatic(sha256_hex(text), text)
    assert await stores.persisted.get_automatic(sha256_hex(text)) == text
    # APQ and trusted are separate namespaces: an APQ entry is not trusted.
    assert await stores.persisted.get_trusted(sha256_hex(text)) is None


async def test_register_trusted_counts_only_new_documents(stores: Stores) -> None:
    other = "query Other { categories { id } }"
    assert await stores.persisted.register_trusted({H: DOC}) == 1
    assert await stores.persisted.register_trusted({H: DOC, sha256_hex(other): other}) == 1
    assert await stores.persisted.register_trusted({}) == 0
    assert await stores.persisted.count_trusted() == 2
    assert await stores.persisted.get_trusted(H) == DOC
    assert await stores.persisted.get_automatic(H) is None
