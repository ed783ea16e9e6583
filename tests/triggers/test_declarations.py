"""Declared events and channels (pure): their validation, and checking what clients send."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway.kernel import Channel, VisitorId
from gateway.visitors.validation import parse_event, product_ids
from gateway.visitors.values.events import Event, RejectCode, Rejection
from gateway.visitors.values.vocabulary import DeclarationError, parse_vocabulary

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
V = VisitorId("v_declarationsaaaaaaaaa")
EMAIL_OPENED = {
    "name": "Email Opened",
    "properties": {
        "campaign_id": {"type": "string", "required": True, "maxLength": 64},
        "clicks": {"type": "integer", "min": 0},
        "store": {"type": "string", "enum": ["waw-1", "krk-2"]},
        "product_id": {"type": "product"},
    },
    "points": 2,
    "channels": ["email"],
}
VOCABULARY = parse_vocabulary(
    [EMAIL_OPENED, {"name": "Store Entered", "properties": {"store_id": {"type": "string"}}, "strict": True}],
    [{"name": "email"}, {"name": "sms"}, {"name": "push"}, {"name": "voice"}],
)


def parse(raw: dict[str, object]) -> Event | Rejection:
    return parse_event({"messageId": "m1", **raw}, 0, V, Channel.WEB, NOW, VOCABULARY)


def rejected(raw: dict[str, object]) -> tuple[RejectCode, str]:
    result = parse(raw)
    assert isinstance(result, Rejection), result
    return result.code, result.reason


def test_a_declared_channel_is_a_channel_like_the_built_in_ones() -> None:
    email = Channel("email")
    assert email is Channel("email") and email.value == "email" and not email.builtin
    assert Channel.WEB.builtin and [c.value for c in Channel] == ["web", "app", "kiosk", "pos", "beacon"]
    with pytest.raises(ValueError):
        Channel("Not A Channel")


def test_declared_events_and_channels_are_accepted_and_checked() -> None:
    ok = parse({"name": "Email Opened", "channel": "email", "properties": {"campaign_id": "c-1", "clicks": 2}})
    assert isinstance(ok, Event) and ok.channel is Channel("email") and ok.counter_name == "Email Opened"
    assert rejected({"name": "Email Opened", "channel": "email", "properties": {"campain_id": "c-1"}}) == (
        RejectCode.MISSING_PROPERTY,
        "properties.campaign_id is required for Email Opened; did you mean to send 'campain_id' as 'campaign_id'?",
    )
    assert rejected({"name": "Email Opened", "channel": "email", "properties": {"campaign_id": 7}}) == (
        RejectCode.INVALID_PROPERTY,
        "properties.campaign_id must be a string; got 7",
    )
    code, reason = rejected(
        {"name": "Email Opened", "channel": "email", "properties": {"campaign_id": "c", "store": "waw-2"}}
    )
    assert code is RejectCode.INVALID_PROPERTY and reason.endswith("did you mean 'waw-1'?")
    code, reason = rejected({"name": "Email Opened", "channel": "email", "properties": {"campaign_id": "x" * 65}})
    assert (code, reason.split(";")[0]) == (
        RejectCode.INVALID_PROPERTY,
        "properties.campaign_id must be at most 64 characters",
    )
    assert rejected({"name": "Email Opened", "channel": "sms", "properties": {"campaign_id": "c"}}) == (
        RejectCode.INVALID_FORMAT,
        "Email Opened comes from channel email; got 'sms'",
    )
    # A strict event refuses what it did not declare, with a suggestion for a near miss.
    assert rejected({"name": "Store Entered", "channel": "beacon", "properties": {"store": "waw-1"}}) == (
        RejectCode.INVALID_PROPERTY,
        "property 'store' is not declared for Store Entered; did you mean 'store_id'?",
    )


def test_near_misses_suggest_declared_names_too() -> None:
    assert rejected({"name": "Email Openned"}) == (
        RejectCode.UNKNOWN_EVENT,
        "unknown event name 'Email Openned'; did you mean 'Email Opened'?",
    )
    assert rejected({"name": "Product Viewd", "properties": {"product_id": "p"}})[1].endswith("'Product Viewed'?")
    code, reason = rejected({"name": "Order Refunded", "channel": "emial"})
    assert code is RejectCode.INVALID_FORMAT and reason.endswith("got 'emial'; did you mean 'email'?")
    assert "beacon, email, push, sms, voice" in reason
    # Without declarations the shop's names are unknown, as before.
    bare = parse_event({"messageId": "m", "name": "Email Opened", "channel": "email"}, 0, V, Channel.WEB, NOW)
    assert isinstance(bare, Rejection) and bare.code is RejectCode.INVALID_FORMAT


def test_a_product_property_must_name_a_catalogue_product() -> None:
    ok = parse({"name": "Email Opened", "channel": "email", "properties": {"campaign_id": "c", "product_id": "p-1"}})
    assert isinstance(ok, Event) and product_ids(ok, VOCABULARY) == ["p-1"]
    assert product_ids(ok) == []  # the intake passes the vocabulary: unknown products are then refused


@pytest.mark.parametrize(
    ("events", "channels", "path", "message"),
    [
        ([{"name": "Product Viewed"}], [], "events[0].name", "'Product Viewed' is built in: use it as it is"),
        ([{"name": "Email Opened", "properties": {"a": {"type": "strnig"}}}], [], "events[0].properties.a.type",
         "unknown type 'strnig'; did you mean 'string'?"),
        ([{"name": "Email Opened", "propertes": {}}], [], "events[0].propertes",
         "unknown key; did you mean 'properties'?"),
        ([{"name": "Email Opened", "channels": ["emial"]}], [{"name": "email"}], "events[0].channels[0]",
         "unknown channel 'emial'; did you mean 'email'?"),
        ([{"name": "Email Opened", "properties": {"n": {"type": "number", "maxLength": 3}}}], [],
         "events[0].properties.n.maxLength", "does not apply to a number property"),
        ([], [{"name": "web"}], "channels[0].name", "'web' is built in"),
        ([], [{"name": "wishlist"}], "channels[0].name", "'wishlist' is reserved"),
        ([], [{"name": "Email"}], "channels[0].name", "a channel name is 1-32 lower-case letters"),
        ([{"name": "Email Opened"}, {"name": "Email Opened"}], [], "events[1].name", "declared twice"),
    ],
)  # fmt: skip
def test_declarations_are_refused_with_a_path_and_a_fix(
    events: list[object], channels: list[object], path: str, message: str
) -> None:
    with pytest.raises(DeclarationError) as caught:
        parse_vocabulary(events, channels)
    assert caught.value.path == path and message in caught.value.message
