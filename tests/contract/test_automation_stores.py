"""Journey position and automation workspace/release contracts, on memory and on MongoDB."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from gateway.kernel.visitor import VisitorId
from gateway.platform.releases import Release, ReleaseInfo
from gateway.triggers.values.journeys import Position, PositionStatus
from gateway.wiring import Stores
from tests.support.factories import NOW

P = VisitorId("v_journeyaaaaaaaaaaaaaa1")
Q = VisitorId("v_journeyaaaaaaaaaaaaaa2")


def position(journey: str, who: VisitorId = P, run: str = "r1", minutes: int = 0) -> Position:
    at = NOW + timedelta(minutes=minutes)
    return Position(journey, who, run, "first", PositionStatus.ACTIVE, at, at, context={"name": "Product Added"})


async def test_positions_enter_once_move_by_compare_and_set_and_claim_once(stores: Stores) -> None:
    positions = stores.triggers.positions
    assert await positions.enter(position("j1")) is True
    assert await positions.enter(position("j1", run="r2")) is False  # in the journey now
    assert await positions.enter(position("j2", minutes=5)) is True
    assert await positions.enter(position("j1", Q)) is True
    claims = await asyncio.gather(*(positions.claim_due(NOW + timedelta(minutes=1), o, 30, 10) for o in "abcd"))
    assert sorted(p.key for c in claims for p in c) == [f"j1:{P}", f"j1:{Q}"]  # each claimed once
    (held,) = [p for c in claims for p in c if p.profile_id == P]
    assert held.context == {"name": "Product Added"}
    assert await positions.claim_due(NOW + timedelta(minutes=1), "e", 30, 10) == []  # still held
    moved = replace(held, step="second", waiting=True, due_at=NOW + timedelta(hours=1))
    assert await positions.move(moved, release=False) is True
    assert await positions.move(moved, release=True) is False  # its seq is gone: someone moved it
    (now_at,) = await positions.get_many([held.key])
    assert now_at is not None and now_at.step == "second" and now_at.waiting and now_at.seq == held.seq + 1
    assert await positions.move(replace(now_at, step="third"), release=True) is True
    assert await positions.claim_due(NOW + timedelta(minutes=1, seconds=10), "e", 30, 10) == []  # P due in an hour
    # Q's holder died: after its lease another worker takes it.
    (again,) = await positions.claim_due(NOW + timedelta(minutes=1, seconds=31), "f", 30, 10)
    assert again.profile_id == Q
    assert await positions.exit(P, ["j1", "j2"], NOW) == 2
    assert await positions.enter(position("j1", run="r1")) is False  # that run started already
    assert await positions.enter(position("j1", run="r3", minutes=9)) is True
    found = await positions.find("j1", None, None, 10)
    assert [(p.profile_id, p.status) for p in found] == [(P, PositionStatus.ACTIVE), (Q, PositionStatus.ACTIVE)]
    assert [p.journey for p in await positions.find(None, PositionStatus.EXITED, P, 10)] == ["j2"]
    assert await positions.erase(P) == 2
    assert await positions.get_many([f"j1:{P}", f"j1:{Q}"]) == [None, again]


async def test_the_automation_workspace_and_its_releases(stores: Stores) -> None:
    drafts, releases = stores.triggers.drafts, stores.triggers.releases
    rule = {"key": "r", "when": {"event": "Order Refunded"}, "do": [{"webhook": {"data": {"$odd.key": 1}}}]}
    await drafts.put("rules", "r", rule, "editor")
    await drafts.put("channels", "email", {"name": "email"}, "editor")
    assert (await drafts.all()) == {"events": [], "channels": [{"name": "email"}], "rules": [rule], "journeys": []}
    assert await drafts.delete("rules", "r") is True and await drafts.delete("rules", "r") is False
    await drafts.replace_all({"rules": [rule]}, "editor")
    assert (await drafts.all())["channels"] == [] and (await drafts.all())["rules"] == [rule]
    first = Release(ReleaseInfo(1, NOW, "editor", "one"), {"rules": [rule]})
    assert await releases.append(first) is True
    assert await releases.append(first) is False  # the number is taken
    await releases.append(Release(ReleaseInfo(2, NOW, "editor", "two", rollback_of=1), {"rules": []}))
    assert [i.version for i in await releases.history(5)] == [2, 1]
    got = await releases.get(1)
    assert got is not None and got.definitions == {"rules": [rule]}  # exactly as published
    assert await releases.get(3) is None
