"""Events outside the vocabulary, where the caller keeps them (the Segment API): stored, never applied."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from gateway.audiences.values.conditions import BehaviourQuery
from gateway.audiences.values.profile_facts import behaviour_counter
from gateway.kernel import Channel, Visitor, VisitorId
from gateway.visitors import EventStatus
from gateway.visitors.validation import parse_event
from gateway.visitors.values.events import Event, RejectCode, Rejection
from gateway.visitors.values.vocabulary import closest_name
from tests.support.appclient import Gateway
from tests.support.factories import NOW

V = VisitorId("v_aaaaaaaaaaaaaaaaaaaaaa")


def keep(raw: Any) -> Event | Rejection:
    return parse_event(raw, 0, V, Channel.WEB, NOW, keep_unknown=True)


def test_an_unknown_name_is_kept_inert_only_where_the_caller_keeps_unknown_names() -> None:
    raw = {"messageId": "m", "name": "Newsletter Signed Up", "properties": {"list": "weekly"}}
    kept = keep(raw)
    assert isinstance(kept, Event) and kept.inert and kept.name == "Newsletter Signed Up"
    refused = parse_event(raw, 0, V, Channel.WEB, NOW)
    assert isinstance(refused, Rejection) and refused.code is RejectCode.UNKNOWN_EVENT


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        # Vocabulary names keep their rules: a Product Viewed without a product is still refused.
        ({"messageId": "m", "name": "Product Viewed"}, RejectCode.MISSING_PROPERTY),
        # The rules of every event hold for kept ones too.
        ({"messageId": "m", "name": "Video Played", "properties": {"a.b": 1}}, RejectCode.INVALID_PROPERTY),
        ({"messageId": "m", "name": "Video Played", "timestamp": "yesterday"}, RejectCode.INVALID_TIMESTAMP),
        ({"messageId": "m", "name": "x" * 201}, RejectCode.UNKNOWN_EVENT),
        ({"name": "Video Played"}, RejectCode.INVALID_FORMAT),
    ],
)
def test_kept_events_still_follow_the_rules_of_every_event(raw: dict[str, Any], code: RejectCode) -> None:
    refused = keep(raw)
    assert isinstance(refused, Rejection) and refused.code is code


def test_vocabulary_names_are_applied_as_ever() -> None:
    event = keep({"messageId": "m", "name": "Cart Viewed"})
    assert isinstance(event, Event) and not event.inert


def test_the_closest_name_ignores_case() -> None:
    assert closest_name("product viewed") == "Product Viewed"
    assert closest_name("Order Complete") == "Order Completed"
    assert closest_name("Newsletter Signed Up") is None


def test_behaviour_windows_do_not_count_inert_events() -> None:
    kept = keep({"messageId": "m", "name": "Video Played"})
    assert isinstance(kept, Event)
    count = behaviour_counter([kept], {}, {}, datetime(2026, 11, 23, tzinfo=UTC))
    assert count(BehaviourQuery(event="Video Played", within_days=7)) == 0


async def test_kept_events_are_stored_counted_and_change_nothing(gateway: Gateway) -> None:
    visitor = Visitor(VisitorId("v_bbbbbbbbbbbbbbbbbbbbbb"), is_new=False)
    events = gateway.runtime.services.events
    drafts = [
        {"messageId": "k1", "name": "Video Played", "properties": {"video": "intro"}},
        {"messageId": "k2", "name": "Product Viewed", "properties": {"product_id": "p-00001"}},
    ]
    result = await events.track(visitor, drafts, keep_unknown=True)
    assert [(o.status.value, o.kept_unused) for o in result.outcomes] == [("ACCEPTED", True), ("ACCEPTED", False)]
    assert result.kept_unused == 1
    again = await events.track(visitor, drafts[:1], keep_unknown=True)  # a retry: a duplicate, not kept twice
    assert again.count(EventStatus.DUPLICATE) == 1 and again.kept_unused == 0

    stores = gateway.runtime.stores.visitors
    (profile,) = await stores.profiles.get_many([visitor.id])
    assert profile is not None and profile.counters == {"Product Viewed": 1, "web:Product Viewed": 1}
    stored = {s.event.message_id: s for s in await stores.events.history([visitor.id], [], None, 10)}
    assert stored["k1"].event.inert and stored["k1"].applied  # kept, and nothing left to replay
    assert stored["k1"].event.properties == {"video": "intro"}
    assert not stored["k2"].event.inert
    assert await events.replay_unapplied(older_than_seconds=0) == 0
    metrics = (await gateway.client.get("/metrics")).text
    assert "vitrine_events_kept_unused_total 1.0" in metrics
