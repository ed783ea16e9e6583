"""MongoDB indexes: created at start-up by each area, idempotently, and enough for the shard keys."""

from __future__ import annotations

import pytest
from pymongo import AsyncMongoClient

from gateway.platform.sharding import SHARD_KEYS
from gateway.runtime import open_runtime
from gateway.settings import Settings

on_real_servers = pytest.mark.parametrize("backend", ["real"])

EXPECTED = {
    "products": {
        (("category_ids", 1), ("_id", 1)),
        (("brand_id", 1),),
        (("tokens", 1),),
        (("price_value", 1), ("_id", 1)),
    },
    "events": {(("visitor_id", 1), ("timestamp", -1)), (("received_at", 1),), (("properties.loyalty_card_id", 1),)},
    "identities": {(("profile_id", 1),)},
    "merges": {(("owner", 1), ("at", 1))},
    "segment_members": {(("profile", 1),), (("segment", 1),)},
    "trigger_timers": {(("due_at", 1),), (("profile_id", 1),)},
    "webhook_outbox": {(("status", 1), ("next_attempt_at", 1)), (("profile_id", 1), ("kind", 1), ("created_at", 1))},
    "api_keys": {(("digest", 1),)},
}


async def indexes(settings: Settings) -> dict[str, set[tuple[tuple[str, int], ...]]]:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(settings.mongodb_url)
    try:
        db = client[settings.mongodb_database]
        found: dict[str, set[tuple[tuple[str, int], ...]]] = {}
        for name in await db.list_collection_names():
            found[name] = {
                tuple((k, int(v)) for k, v in ix["key"].items()) async for ix in await db[name].list_indexes()
            }
        return found
    finally:
        await client.close()


@on_real_servers
async def test_start_up_creates_the_indexes_and_a_second_start_changes_nothing(backend_settings: Settings) -> None:
    async with open_runtime(backend_settings, background=False):
        pass
    first = await indexes(backend_settings)
    for collection, wanted in EXPECTED.items():
        assert wanted <= first.get(collection, set()), collection
    async with open_runtime(backend_settings, background=False):  # again: no error, nothing new
        pass
    assert await indexes(backend_settings) == first
    # A ranged shard key needs an index that starts with it; hashed ones get theirs from shardCollection.
    for key in SHARD_KEYS:
        if not key.hashed:
            present = first.get(key.collection, set()) | {(("_id", 1),)}
            assert any(ix[0][0] == key.field for ix in present), key.collection
