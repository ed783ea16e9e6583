"""ProfileStore contract, run against the memory store and MongoDB (SecantusDB over TCP)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from gateway.kernel.visitor import VisitorId
from gateway.visitors.values.profile import ProfileChange
from gateway.wiring import Stores
from tests.support.factories import NOW

V1, V2 = VisitorId("v_profile1aaaaaaaaaaaaaaa"), VisitorId("v_profile2aaaaaaaaaaaaaaa")


def change(key: str, *, at_minutes: int = 0, **counters: int) -> ProfileChange:
    return ProfileChange(
        event_key=key,
        at=NOW + timedelta(minutes=at_minutes),
        counters={k.replace("_", " "): v for k, v in counters.items()},
        interest_mass={"brand:b-nordvik": 2.0},
        traits={},
    )


async def test_missing_profile_is_none(stores: Stores) -> None:
    assert await stores.visitors.profiles.get_many([V1]) == [None]


async def test_apply_creates_then_accumulates(stores: Stores) -> None:
    await stores.visitors.profiles.apply(V1, [change("k1", Product_Viewed=1)])
    after = await stores.visitors.profiles.apply(V1, [change("k2", at_minutes=5, Product_Viewed=1, Product_Added=1)])
    assert after.counters == {"Product Viewed": 2, "Product Added": 1}
    assert after.interest_mass == {"brand:b-nordvik": 4.0}
    assert after.first_seen == NOW and after.last_seen == NOW + timedelta(minutes=5)
    (stored,) = await stores.visitors.profiles.get_many([V1])
    assert stored is not None and stored.counters == after.counters


async def test_apply_is_idempotent_per_event_key(stores: Stores) -> None:
    await stores.visitors.profiles.apply(V1, [change("k1", Product_Viewed=1)])
    again = await stores.visitors.profiles.apply(V1, [change("k1", Product_Viewed=1), change("k1", Product_Viewed=1)])
    assert again.counters == {"Product Viewed": 1}


async def test_traits_latest_value_wins(stores: Stores) -> None:
    first = ProfileChange("t1", NOW, {"identify": 1}, {}, {"tier": "silver", "city": "Kraków"})
    second = ProfileChange("t2", NOW, {"identify": 1}, {}, {"tier": "gold"})
    profile = await stores.visitors.profiles.apply(V1, [first, second])
    assert profile.traits == {"tier": "gold", "city": "Kraków"}


async def test_visitors_are_isolated_and_delete_works(stores: Stores) -> None:
    await stores.visitors.profiles.apply(V1, [change("k1", Product_Viewed=1)])
    await stores.visitors.profiles.apply(V2, [change("k1", Cart_Viewed=1)])
    p1, p2 = await stores.visitors.profiles.get_many([V1, V2])
    assert p1 is not None and p2 is not None
    assert p1.counters == {"Product Viewed": 1} and p2.counters == {"Cart Viewed": 1}
    await stores.visitors.profiles.delete(V1)
    assert (await stores.visitors.profiles.get_many([V1, V2]))[0] is None


async def test_concurrent_applies_lose_nothing(stores: Stores) -> None:
    await asyncio.gather(*(stores.visitors.profiles.apply(V1, [change(f"c{i}", Product_Viewed=1)]) for i in range(20)))
    (profile,) = await stores.visitors.profiles.get_many([V1])
    assert profile is not None and profile.counters == {"Product Viewed": 20}
