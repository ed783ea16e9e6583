"""Segment messages as Vitrine events (pure): who each is about, and the draft the intake validates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gateway.kernel import VisitorId
from gateway.visitors import (
    IdKeys,
    SegmentCall,
    SegmentRefusal,
    sign,
    to_call,
    visitor_for_anonymous,
    visitor_for_user,
)
from gateway.visitors.segment import context_subset, event_time, message_id_of
from gateway.visitors.tokens import verify
from gateway.visitors.values.events import RejectCode

KEYS = IdKeys(signing=("signing-key-0123456789-abcdefghijklmnopqrstuv",), anonymous="anon-key-0123456789-abcdefghijk")
RECEIVED = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def call(message: dict[str, Any], *, trusted: bool = False, sent_at: Any = None) -> SegmentCall:
    found = to_call(message, trusted=trusted, keys=KEYS, received_at=RECEIVED, batch_sent_at=sent_at)
    assert isinstance(found, SegmentCall), found
    return found


def refusal(message: Any, *, trusted: bool = False) -> SegmentRefusal:
    found = to_call(message, trusted=trusted, keys=KEYS, received_at=RECEIVED)
    assert isinstance(found, SegmentRefusal), found
    return found


def test_an_anonymous_id_is_always_the_same_visitor_and_a_well_formed_one() -> None:
    first, again = visitor_for_anonymous("ajs-123", KEYS), visitor_for_anonymous("ajs-123", KEYS)
    assert first == again and first != visitor_for_anonymous("ajs-124", KEYS)
    # A visitor id like any other, so it can be signed, served and erased as one.
    assert verify(sign(first, KEYS.signing), KEYS.signing) == first
    # Keyed: another gateway's key (or none) gives another visitor; users and devices never collide.
    assert first != visitor_for_anonymous("ajs-123", IdKeys(KEYS.signing, "another-key-0123456789-abcdefghijkl"))
    assert visitor_for_user("ajs-123", KEYS) != first


def test_a_signed_visitor_token_as_anonymous_id_is_that_very_visitor() -> None:
    mine = VisitorId("v_" + "a" * 22)
    token = sign(mine, KEYS.signing)
    assert visitor_for_anonymous(token, KEYS) == mine
    # A forged or foreign signature is only a string: it is hashed, never trusted.
    assert visitor_for_anonymous(f"{mine}.forgedsignatureforgedsignatur", KEYS) != mine
    assert visitor_for_anonymous(mine, KEYS) != mine


def test_a_track_call_becomes_a_track_event_with_its_context() -> None:
    found = call(
        {
            "type": "track",
            "event": "Product Viewed",
            "anonymousId": "ajs-1",
            "messageId": "ajs-next-1",
            "properties": {"product_id": "p-1"},
            "context": {
                "ip": "203.0.113.9",
                "userAgent": "Mozilla/5.0",
                "locale": "pl-PL",
                "page": {"url": "https://shop.example/p-1", "path": "/p-1", "hash": "#x"},
                "campaign": {"name": "spring", "source": "news"},
                "library": {"name": "analytics.js", "version": "next-1.70.0"},
                "traits": {"email": "x@example.com"},
            },
        }
    )
    assert found.visitor_id == visitor_for_anonymous("ajs-1", KEYS)
    draft = found.draft
    assert (draft.message_id, draft.type, draft.name, draft.channel) == ("ajs-next-1", "track", "Product Viewed", "web")
    assert draft.properties == {
        "product_id": "p-1",
        "context": {
            "page": {"url": "https://shop.example/p-1", "path": "/p-1"},
            "campaign": {"name": "spring", "source": "news"},
            "library": {"name": "analytics.js", "version": "next-1.70.0"},
            "locale": "pl-PL",
            "userAgent": "Mozilla/5.0",
        },
    }
    assert "203.0.113.9" not in repr(draft)  # the IP address is never kept


def test_context_is_cut_and_left_out_rather_than_making_properties_too_large() -> None:
    assert context_subset({"userAgent": "u" * 2000})["userAgent"] == "u" * 512
    big = {"blob": "x" * 8000}
    found = call({"type": "track", "event": "Video Played", "anonymousId": "a", "properties": big,
                  "context": {"userAgent": "u" * 500}})  # fmt: skip
    assert found.draft.properties == big


def test_page_and_screen_calls() -> None:
    page = call(
        {"type": "page", "anonymousId": "a", "name": "Home", "category": "Landing",
         "context": {"page": {"path": "/", "url": "https://shop.example/", "title": "Shop"}},
         "properties": {"title": "Own title"}}
    )  # fmt: skip
    assert (page.draft.type, page.draft.name) == ("page", "Home")
    props = page.draft.properties
    assert (props["path"], props["url"], props["title"], props["category"]) == (
        "/",
        "https://shop.example/",
        "Own title",
        "Landing",
    )
    screen = call({"type": "screen", "anonymousId": "a", "name": "Cart", "context": {"device": {"type": "ios"}}})
    assert (screen.draft.type, screen.draft.name, screen.draft.channel) == ("screen", "Cart", "app")


@pytest.mark.parametrize(
    ("extra", "channel"),
    [
        ({"channel": "mobile"}, "app"),
        ({"channel": "server"}, "web"),
        ({"context": {"device": {"type": "android"}}}, "app"),
        ({"integrations": {"Vitrine": {"channel": "pos"}}}, "pos"),
    ],
)
def test_the_channel(extra: dict[str, Any], channel: str) -> None:
    assert call({"type": "track", "event": "Cart Viewed", "anonymousId": "a", **extra}).draft.channel == channel


def test_a_browser_identify_keeps_traits_and_proves_nothing() -> None:
    found = call(
        {"type": "identify", "anonymousId": "a", "userId": "cust-1", "traits": {"email": "A@x.com", "plan": "pro"}}
    )
    assert found.draft.type == "identify"
    assert found.draft.properties == {"traits": {"email": "A@x.com", "plan": "pro"}}  # no customerId, no email claim
    assert found.note is not None and "not linked" in found.note
    assert found.companion is None


def test_a_browser_identify_with_an_identity_token_claims_the_user_id() -> None:
    found = call(
        {
            "type": "identify",
            "anonymousId": "a",
            "userId": "cust-1",
            "integrations": {"Vitrine": {"identityToken": "jwt"}},
        }
    )
    assert found.draft.properties == {"traits": {}, "identityToken": "jwt", "customerId": "cust-1"}


def test_a_server_identify_proves_the_user_id_and_email_and_links_the_users_own_visitor() -> None:
    found = call(
        {"type": "identify", "anonymousId": "a", "userId": "cust-1", "messageId": "m1",
         "traits": {"email": "A@x.com", "plan": "pro"}}, trusted=True
    )  # fmt: skip
    assert found.visitor_id == visitor_for_anonymous("a", KEYS)  # the device
    assert found.draft.properties == {
        "traits": {"email": "A@x.com", "plan": "pro"},
        "customerId": "cust-1",
        "email": "A@x.com",
    }
    link = found.companion
    assert link is not None and link.visitor_id == visitor_for_user("cust-1", KEYS)
    assert link.draft.type == "identify" and link.draft.properties == {"customerId": "cust-1"}
    assert (
        link.draft.message_id
        == call(
            {"type": "identify", "anonymousId": "a", "userId": "cust-1", "messageId": "m1"}, trusted=True
        ).companion.draft.message_id
    )  # type: ignore[union-attr]  # the same on a retry
    alone = call({"type": "identify", "userId": "cust-1", "traits": {}}, trusted=True)
    assert alone.visitor_id == visitor_for_user("cust-1", KEYS) and alone.companion is None
    assert call(
        {"type": "identify", "traits": {"plan": "x"}, "context": {}, "anonymousId": 7}
    ).visitor_id == visitor_for_anonymous("7", KEYS)


def test_traits_may_come_in_context_as_rudderstacks_browser_sdk_sends_them() -> None:
    found = call({"type": "identify", "anonymousId": "a", "context": {"traits": {"plan": "pro"}}})
    assert found.draft.properties == {"traits": {"plan": "pro"}}


def test_alias_from_a_server_links_the_previous_id_and_from_a_browser_is_kept_inert() -> None:
    server = call({"type": "alias", "previousId": "ajs-9", "userId": "cust-9"}, trusted=True)
    assert server.visitor_id == visitor_for_anonymous("ajs-9", KEYS)
    assert (server.draft.type, server.draft.properties) == ("identify", {"traits": {}, "customerId": "cust-9"})
    assert server.companion is not None and server.companion.visitor_id == visitor_for_user("cust-9", KEYS)
    browser = call({"type": "alias", "previousId": "ajs-9", "userId": "cust-9"})
    assert (browser.draft.type, browser.draft.name) == ("track", "alias")
    assert browser.visitor_id == visitor_for_anonymous("ajs-9", KEYS) and browser.note
    group = call({"type": "group", "anonymousId": "a", "groupId": "acme", "traits": {"seats": 5}})
    assert (group.draft.type, group.draft.name, group.draft.properties) == (
        "track",
        "group",
        {"groupId": "acme", "traits": {"seats": 5}},
    )


def test_who_a_message_is_about_needs_an_id_a_browser_key_cannot_prove() -> None:
    assert call({"type": "track", "event": "Cart Viewed", "userId": "u"}, trusted=True).visitor_id == visitor_for_user(
        "u", KEYS
    )
    # A user id alone from a browser would write into that customer's visitor: refused.
    assert refusal({"type": "track", "event": "Cart Viewed", "userId": "u"}).code is RejectCode.IDENTITY_UNPROVEN
    assert "anonymousId or userId" in refusal({"type": "track", "event": "Cart Viewed"}).reason


@pytest.mark.parametrize(
    ("message", "code", "fragment"),
    [
        ("not an object", RejectCode.INVALID_FORMAT, "JSON object"),
        ({"type": "purchase", "anonymousId": "a"}, RejectCode.INVALID_FORMAT, "type must be one of"),
        ({"anonymousId": "a"}, RejectCode.INVALID_FORMAT, "type must be one of"),
        ({"type": "track", "anonymousId": "a"}, RejectCode.INVALID_FORMAT, 'needs "event"'),
        ({"type": "track", "event": "X", "anonymousId": ["a"]}, RejectCode.INVALID_FORMAT, "anonymousId must be"),
        ({"type": "track", "event": "X", "anonymousId": "a" * 257}, RejectCode.INVALID_FORMAT, "at most 256"),
        ({"type": "track", "event": "X", "anonymousId": "a", "context": []}, RejectCode.INVALID_FORMAT, "context"),
        ({"type": "identify", "anonymousId": "a", "traits": "x"}, RejectCode.INVALID_FORMAT, "traits"),
        (
            {"type": "track", "event": "X", "anonymousId": "a", "properties": {"b": "x" * 33_000}},
            RejectCode.TOO_LARGE,
            "32 KB",
        ),
    ],
)
def test_refusals_say_why(message: Any, code: RejectCode, fragment: str) -> None:
    found = refusal(message)
    assert found.code is code and fragment in found.reason


def test_a_missing_message_id_is_derived_from_the_message_so_a_retry_is_stored_once() -> None:
    message = {"type": "track", "event": "Cart Viewed", "anonymousId": "a", "timestamp": "2026-11-22T11:00:00Z"}
    derived = message_id_of(message)
    assert isinstance(derived, str) and derived.startswith("sgmt-") and len(derived) <= 128
    assert message_id_of({**message, "sentAt": "2026-11-22T11:00:05Z", "writeKey": "k"}) == derived
    assert message_id_of({**message, "timestamp": "2026-11-22T11:00:01Z"}) != derived
    assert message_id_of({**message, "messageId": 42}) == "42"


def test_the_device_clock_is_corrected_by_sent_at() -> None:
    # The device's clock is 2 hours behind: the event happened 30 s before it was sent.
    message = {"timestamp": "2026-11-22T10:00:00Z", "sentAt": "2026-11-22T10:00:30Z"}
    assert event_time(message, None, RECEIVED) == (RECEIVED - timedelta(seconds=30)).isoformat()
    # A batch's sentAt applies to messages without their own; originalTimestamp (RudderStack) counts as timestamp.
    assert (
        event_time({"originalTimestamp": "2026-11-22T10:00:00.000+00:00"}, "2026-11-22T10:01:00Z", RECEIVED)
        == (RECEIVED - timedelta(minutes=1)).isoformat()
    )
    # Nothing to correct with, or already corrected by the hop that received it: as sent.
    assert event_time({"timestamp": "2026-11-22T10:00:00Z"}, None, RECEIVED) == "2026-11-22T10:00:00Z"
    forwarded = {"timestamp": "2026-11-22T10:00:00Z", "sentAt": "2026-11-22T11:00:00Z", "receivedAt": "x"}
    assert event_time(forwarded, None, RECEIVED) == "2026-11-22T10:00:00Z"
    assert event_time({"timestamp": "yesterday", "sentAt": "2026-11-22T10:00:30Z"}, None, RECEIVED) == "yesterday"
    assert event_time({}, None, RECEIVED) is None  # the intake's default: now
    assert (
        call({"type": "track", "event": "X", "anonymousId": "a", **message}).draft.timestamp
        == (RECEIVED - timedelta(seconds=30)).isoformat()
    )
