"""SessionStore contract, run against the memory store, a Redis server and a Redis Cluster (over TCP)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from gateway.catalogue.values import ProductId
from gateway.kernel.visitor import Channel, VisitorId
from gateway.visitors.values.profile import Profile, ProfileChange
from gateway.visitors.values.session import RECENTLY_VIEWED_CAP, CartLine, SessionChange
from gateway.visitors.values.staged import STAGED_CAP, StagedChange
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


def staged(key: str, product: str, counter: str = "Product Viewed") -> StagedChange:
    return StagedChange(
        key,
        view(key, product),
        ProfileChange(key, NOW, {counter: 1}, {"brand:b-nordvik": 1.0}, {}),
    )


async def test_staged_changes_show_until_unstaged(stores: Stores) -> None:
    sessions = stores.visitors.sessions
    await sessions.apply(V1, [view("k1", "p-00001")])
    await sessions.stage(V1, [staged("k2", "p-00002"), staged("k3", "p-00003")])
    (session,) = await sessions.get_many([V1])
    assert session is not None and session.recently_viewed == ("p-00003", "p-00002", "p-00001")
    assert [c.event_key for c in session.pending] == ["k2", "k3"]
    assert session.pending[0].counters == {"Product Viewed": 1}
    assert session.pending[0].interest_mass == {"brand:b-nordvik": 1.0}
    await sessions.apply(V1, [view("k2", "p-00002")])  # the applier got there...
    await sessions.unstage({V1: ["k2"], V2: ["nothing"]})  # ... and unstaged it
    (session,) = await sessions.get_many([V1])
    assert session is not None and session.recently_viewed == ("p-00003", "p-00002", "p-00001")
    assert [c.event_key for c in session.pending] == ["k3"]


async def test_a_visitor_with_only_staged_changes_reads_as_a_session(stores: Stores) -> None:
    await stores.visitors.sessions.stage(V2, [staged("k1", "p-00001")])
    found = await stores.visitors.sessions.get_many([V1, V2])
    assert found[0] is None
    assert found[1] is not None and found[1].recently_viewed == ("p-00001",) and len(found[1].pending) == 1
    (one,) = await stores.visitors.sessions.get_many([V2])  # the single-visitor read agrees
    assert one is not None and one.recently_viewed == ("p-00001",)
    await stores.visitors.sessions.delete(V2)
    assert await stores.visitors.sessions.get_many([V2]) == [None]


async def test_staged_changes_are_capped_newest_kept(stores: Stores) -> None:
    await stores.visitors.sessions.stage(V1, [staged(f"k{i}", "p-00001") for i in range(STAGED_CAP + 5)])
    (session,) = await stores.visitors.sessions.get_many([V1])
    assert session is not None and len(session.pending) == STAGED_CAP
    assert session.pending[-1].event_key == f"k{STAGED_CAP + 4}"


async def test_staging_and_unstaging_change_the_fingerprint(stores: Stores) -> None:
    """Staged changes are part of the state read: caches keyed by the fingerprint (the visitor
    cache, recommendation lists) must not answer from before a staged event."""
    sessions = stores.visitors.sessions

    async def fingerprint() -> int | None:
        (session,) = await sessions.get_many([V1])
        assert session is not None
        return session.fingerprint

    await sessions.apply(V1, [view("k1", "p-00001")])
    plain = await fingerprint()
    assert plain is not None and await fingerprint() == plain  # reading changes nothing
    await sessions.stage(V1, [staged("k2", "p-00002")])
    with_k2 = await fingerprint()
    assert with_k2 is not None and with_k2 != plain and await fingerprint() == with_k2
    await sessions.stage(V1, [staged("k3", "p-00003")])
    with_k3 = await fingerprint()
    assert with_k3 not in (plain, with_k2)
    await sessions.unstage({V1: ["k2", "k3"]})
    assert await fingerprint() not in (with_k2, with_k3)
