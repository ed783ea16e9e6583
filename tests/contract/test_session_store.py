"""SessionStore contract, run against the memory store, a Redis server and a Redis Cluster (over TCP)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from gateway.catalogue.values import ProductId
from gateway.kernel.visitor import Channel, VisitorId
from gateway.visitors.values.profile import Profile
from gateway.visitors.values.session import RECENTLY_VIEWED_CAP, CartLine, SessionChange
from gateway.wiring import Stores
from tests.conftest import REDIS_BACKENDS
from tests.support.factories import NOW

pytestmark = REDIS_BACKENDS

V1, V2 = VisitorId("v_session1aaaaaaaaaaaaaaa"), VisitorId("v_session2aaaaaaaaaaaaaaa")
P1, P2 = ProductId("p-00001"), ProductId("p-00002")


def view(key: str, product: str, minutes: int = 0) -> SessionChange:
    return SessionChange(key, NOW + timedelta(minutes=minutes), Channel.WEB, viewed=ProductId(product))


async def test_unknown_session_is_none(stores: Stores) -> None:
    assert await stores.visitors.sessions.get_many([V1]) == [None]


async def test_recent_views_most_recent_first_deduplicated_and_capped(stores: Stores) -> None:
    changes = [view(f"k{i}", f"p-{i:05d}", i) for i in range(RECENTLY_VIEWED_CAP + 5)]
    changes.append(view("again", "p-00010", 100))
    await stores.visitors.sessions.apply(V1, changes)
    (session,) = await stores.visitors.sessions.get_many([V1])
    assert session is not None
    assert len(session.recently_viewed) == RECENTLY_VIEWED_CAP
    assert session.recently_viewed[0] == "p-00010"
    assert session.recently_viewed.count(ProductId("p-00010")) == 1
    assert session.last_activity == NOW + timedelta(minutes=100)


async def test_cart_add_remove_clear(stores: Stores) -> None:
    add = SessionChange("a1", NOW, Channel.APP, cart_delta=((P1, 2), (P2, 1)))
    remove = SessionChange("r1", NOW, Channel.APP, cart_delta=((P1, -1),))
    session = await stores.visitors.sessions.apply(V1, [add, remove])
    assert session.cart == (CartLine(P1, 1), CartLine(P2, 1))
    assert session.channel is Channel.APP
    cleared = await stores.visitors.sessions.apply(V1, [SessionChange("o1", NOW, Channel.WEB, cart_clear=True)])
    assert cleared.cart == ()
    (stored,) = await stores.visitors.sessions.get_many([V1])
    assert stored is not None and stored.cart == ()


async def test_apply_is_idempotent_per_event_key(stores: Stores) -> None:
    add = SessionChange("a1", NOW, Channel.WEB, cart_delta=((P1, 2),))
    await stores.visitors.sessions.apply(V1, [add])
    session = await stores.visitors.sessions.apply(V1, [add])
    assert session.cart == (CartLine(P1, 2),)


async def test_profile_cache_rides_with_session(stores: Stores) -> None:
    profile = Profile(V1, {"tier": "gold"}, {"Product Viewed": 3}, {"brand:b-x": 1.5}, NOW, NOW, ("k",))
    await stores.visitors.sessions.cache_profile(V1, profile)
    (session,) = await stores.visitors.sessions.get_many([V1])
    assert session is not None and session.profile == profile


async def test_many_sessions_in_one_call_and_isolation(stores: Stores) -> None:
    await stores.visitors.sessions.apply(V1, [view("k1", "p-00001")])
    await stores.visitors.sessions.apply(V2, [view("k1", "p-00002")])
    s1, missing, s2 = await stores.visitors.sessions.get_many([V1, VisitorId("v_nobodyaaaaaaaaaaaaaaaaa"), V2])
    assert s1 is not None and s2 is not None and missing is None
    assert s1.recently_viewed == (P1,) and s2.recently_viewed == (P2,)
    await stores.visitors.sessions.delete(V1)
    assert (await stores.visitors.sessions.get_many([V1]))[0] is None


async def test_concurrent_cart_updates_lose_nothing(stores: Stores) -> None:
    changes = [SessionChange(f"c{i}", NOW, Channel.WEB, cart_delta=((P1, 1),)) for i in range(15)]
    await asyncio.gather(*(stores.visitors.sessions.apply(V1, [c]) for c in changes))
    (session,) = await stores.visitors.sessions.get_many([V1])
    assert session is not None and session.cart == (CartLine(P1, 15),)
