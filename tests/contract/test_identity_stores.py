"""Identity contracts, run on memory and on real MongoDB + Redis: merges, identifiers, leases."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from gateway.identity.values import MergeRecord
from gateway.kernel.visitor import VisitorId
from gateway.visitors.values.profile import ConsentRecord, ProfileChange
from gateway.wiring import Stores
from tests.support.factories import NOW

A, B, C = (VisitorId(f"v_merge{x}aaaaaaaaaaaaaaaaa") for x in "abc")


def change(key: str, at_minutes: int = 0, traits: dict[str, object] | None = None, **counters: int) -> ProfileChange:
    return ProfileChange(
        key,
        NOW + timedelta(minutes=at_minutes),
        {k.replace("_", " "): v for k, v in counters.items()},
        {"brand:b-nordvik": 1.0},
        traits or {},
        engagement=2.0,
    )


async def test_absorb_sums_and_redirects(stores: Stores) -> None:
    await stores.visitors.profiles.apply(
        A, [change("a1", Product_Viewed=2, traits={"tier": "silver", "city": "Gdańsk"})]
    )
    await stores.visitors.profiles.apply(
        B, [change("b1", at_minutes=5, Product_Viewed=1, Order_Completed=1, traits={"tier": "gold"})]
    )
    merged = await stores.visitors.profiles.absorb(A, B)
    assert merged.visitor_id == A
    assert merged.counters == {"Product Viewed": 3, "Order Completed": 1}
    assert merged.interest_mass == {"brand:b-nordvik": 2.0} and merged.engagement_mass == 4.0
    assert merged.traits == {"tier": "gold", "city": "Gdańsk"}  # B was seen later: its explicit value wins
    assert merged.first_seen == NOW and merged.last_seen == NOW + timedelta(minutes=5)
    assert merged.merged_from == (B,)
    # Reads and writes by the old id follow the merge.
    got_b, _ = await stores.visitors.profiles.get_many([B, A])
    assert got_b is not None and got_b.visitor_id == A and got_b.counters == merged.counters
    after = await stores.visitors.profiles.apply(B, [change("b2", Product_Added=1)])
    assert after.visitor_id == A and after.counters["Product Added"] == 1
    # A replayed event already applied to B before the merge is not applied again.
    again = await stores.visitors.profiles.apply(B, [change("b1", Product_Viewed=1)])
    assert again.counters["Product Viewed"] == 3


async def test_absorb_is_idempotent_and_tolerates_missing_source(stores: Stores) -> None:
    await stores.visitors.profiles.apply(A, [change("a1", Product_Viewed=1)])
    await stores.visitors.profiles.apply(B, [change("b1", Product_Viewed=1)])
    await stores.visitors.profiles.absorb(A, B)
    twice = await stores.visitors.profiles.absorb(A, B)
    assert twice.counters == {"Product Viewed": 2}
    empty = await stores.visitors.profiles.absorb(A, C)  # C never had a profile: it just points at A now
    assert empty.counters == {"Product Viewed": 2}
    (via_c,) = await stores.visitors.profiles.get_many([C])
    assert via_c is not None and via_c.visitor_id == A
    live = await stores.visitors.profile_index.scan(None, 10)
    assert [p.visitor_id for p in live] == [A]


async def test_concurrent_events_during_merge_are_not_lost(stores: Stores) -> None:
    await stores.visitors.profiles.apply(B, [change("b0", Product_Viewed=1)])
    await asyncio.gather(
        stores.visitors.profiles.absorb(A, B),
        *(stores.visitors.profiles.apply(B, [change(f"b{i}", Product_Viewed=1)]) for i in range(1, 11)),
    )
    (profile,) = await stores.visitors.profiles.get_many([A])
    assert profile is not None and profile.counters == {"Product Viewed": 11}


async def test_consent_latest_decision_wins_and_merges(stores: Stores) -> None:
    await stores.visitors.profiles.set_consent(A, "marketing", ConsentRecord(True, NOW, "banner"))
    await stores.visitors.profiles.set_consent(
        A, "marketing", ConsentRecord(False, NOW - timedelta(hours=1), "late-import")
    )
    (a,) = await stores.visitors.profiles.get_many([A])
    assert a is not None and a.consent["marketing"] == ConsentRecord(True, NOW, "banner")
    await stores.visitors.profiles.set_consent(B, "marketing", ConsentRecord(False, NOW + timedelta(hours=1), "app"))
    merged = await stores.visitors.profiles.absorb(A, B)
    assert merged.consent["marketing"].granted is False  # the later withdrawal wins


async def test_with_interest_finds_affine_profiles(stores: Stores) -> None:
    await stores.visitors.profiles.apply(A, [change("a1", Product_Viewed=1), change("a2", Product_Viewed=1)])
    await stores.visitors.profiles.apply(B, [change("b1", Product_Viewed=1)])
    found = await stores.visitors.profile_index.with_interest("brand:b-nordvik", 1.5, 10)
    assert [p.visitor_id for p in found] == [A]


async def test_identifier_claims_never_steal(stores: Stores) -> None:
    owners = await asyncio.gather(*(stores.identities.claim(["customer:42"], v) for v in (A, B, C)))
    winners = {o[0] for o in owners}
    assert len(winners) == 1
    (winner,) = winners
    assert await stores.identities.owners(["customer:42", "customer:43"]) == [winner, None]
    await stores.identities.claim(["visitor:x"], winner)
    await stores.identities.repoint(winner, C if winner != C else A)
    moved = C if winner != C else A
    assert await stores.identities.identifiers_of(moved) == ["customer:42", "visitor:x"]
    record = MergeRecord(moved, (winner,), ("customer:42",), "identify", NOW)
    await stores.identities.record_merge(record)
    assert await stores.identities.merges_of(moved) == [record]
    await stores.identities.erase(moved)
    assert await stores.identities.identifiers_of(moved) == [] and await stores.identities.merges_of(moved) == []


async def test_leases_are_exclusive_until_released_or_expired(stores: Stores) -> None:
    assert await stores.leases.acquire("k", "one", 5)
    assert not await stores.leases.acquire("k", "two", 5)
    assert await stores.leases.acquire("k", "one", 5)  # the holder may renew
    await stores.leases.release("k", "two")  # not the holder: no effect
    assert not await stores.leases.acquire("k", "two", 5)
    await stores.leases.release("k", "one")
    assert await stores.leases.acquire("k", "two", 0.05)
    await asyncio.sleep(0.1)
    assert await stores.leases.acquire("k", "three", 5)
