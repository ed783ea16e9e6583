"""Hash-tagged Redis keys: the naming rule, and the one-off move of keys from older releases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from gateway.kernel import ConfigError, VisitorId
from gateway.platform.redis_keys import owned, owner_of
from gateway.platform.redis_migration import migrate_keys, new_name
from gateway.settings import load_settings
from gateway.wiring import Stores, connect
from tests.support.settings import make_settings


def test_owned_keys_carry_their_owner_as_hash_tag() -> None:
    assert owned("vt:", "s", "v_abc") == "vt:s:{v_abc}"
    assert owned("vt:", "bc", "v_abc", "20261204") == "vt:bc:{v_abc}:20261204"
    assert owner_of("vt:xm:{exp:1}:clicks") == "exp:1"


def test_old_names_map_to_tagged_ones_and_tagged_names_are_left_alone() -> None:
    assert new_name("vt:", "vt:s:v_abc") == "vt:s:{v_abc}"
    assert new_name("vt:", "vt:bc:v_abc:20261204") == "vt:bc:{v_abc}:20261204"
    assert new_name("vt:", "vt:imp:v_abc:hero-a") == "vt:imp:{v_abc}:hero-a"
    assert new_name("vt:", "vt:xm:spring:sale:clicks") == "vt:xm:{spring:sale}:clicks"
    assert new_name("vt:", "vt:gk:v_abc:m-1:x") == "vt:gk:{v_abc}:m-1:x"
    assert new_name("vt:", "vt:bc:{v_abc}:20261204") is None
    assert new_name("vt:", "vt:g:view:p-1") is None  # used alone: never renamed
    assert new_name("vt:", "other:s:v_abc") is None


def test_a_prefix_with_braces_is_refused() -> None:
    with pytest.raises(ConfigError, match="VITRINE_REDIS_PREFIX"):
        load_settings({"VITRINE_REDIS_PREFIX": "shop{1}:"})


def test_cluster_and_sentinel_urls_are_checked() -> None:
    ok = load_settings({"VITRINE_REDIS_URL": "redis+cluster://10.0.0.1:7000,10.0.0.2:7000"})
    assert ok.redis_url.startswith("redis+cluster://")
    assert load_settings({"VITRINE_REDIS_URL": "redis+sentinel://10.0.0.1:26379/shop/0"}).redis_url
    with pytest.raises(ConfigError, match=r"VITRINE_REDIS_URL.*bad port"):
        load_settings({"VITRINE_REDIS_URL": "redis+cluster://10.0.0.1:x"})
    with pytest.raises(ConfigError, match=r"VITRINE_REDIS_URL.*name the master"):
        load_settings({"VITRINE_REDIS_URL": "redis+sentinel://10.0.0.1:26379"})


@pytest.fixture
async def old_release(redis_url: str, mongodb_url: str, unique: str) -> AsyncIterator[tuple[Redis, Stores, str]]:
    prefix = f"m{unique}:"
    settings = make_settings(mongodb_url, redis_url, mongodb_database=f"t_{unique}", redis_prefix=prefix)
    async with AsyncExitStack() as stack:
        raw = Redis.from_url(redis_url)
        stack.push_async_callback(raw.aclose)
        yield raw, await connect(settings, stack), prefix


async def test_migration_moves_and_merges_what_older_releases_wrote(old_release: tuple[Redis, Stores, str]) -> None:
    raw, stores, p = old_release
    v, today = VisitorId("v_migrateaaaaaaaaaaaaaaa"), datetime.now(UTC).strftime("%Y%m%d")
    # What the previous release left: untagged names.
    await raw.hset(f"{p}bc:{v}:{today}", mapping={"Product Viewed|*": 2})
    await raw.expire(f"{p}bc:{v}:{today}", 3600)
    await raw.set(f"{p}s:{v}", b'{"rv": ["p-00001"]}', ex=600)
    await raw.hset(
        f"{p}xe:spring", mapping={v: f"b|{datetime.now(UTC).isoformat()}", "v_other": "a|2026-01-01T00:00:00+00:00"}
    )
    await raw.sadd(f"{p}xm:spring:clicks", v)
    await raw.hset(f"{p}xc:spring", mapping={"b|exposures": 1, "a|exposures": 1, "b|clicks": 1})
    # ... and what the new release wrote for the same visitor before the migration ran.
    assert await stores.slots.behaviour.record(v, "k-new", today, ["Product Viewed|*"])

    report = await migrate_keys(raw, p)
    assert (report.moved, report.merged) == (3, 1)
    assert await stores.slots.behaviour.counts([v], [(today, "Product Viewed|*")]) == [3]
    assert 0 < await raw.ttl(owned(p, "bc", v, today)) <= 367 * 86400
    (session,) = await stores.visitors.sessions.get_many([v])
    assert session is not None and session.recently_viewed == ("p-00001",)
    assert await stores.slots.experiments.counts("spring") == {
        "a": {"exposures": 1, "clicks": 0, "conversions": 0},
        "b": {"exposures": 1, "clicks": 1, "conversions": 0},
    }
    assert not await raw.exists(f"{p}bc:{v}:{today}", f"{p}s:{v}", f"{p}xe:spring", f"{p}xc:spring")
    again = await migrate_keys(raw, p)
    assert (again.moved, again.merged) == (0, 0)
