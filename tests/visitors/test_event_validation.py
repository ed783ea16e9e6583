"""Event validation rules (pure)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from gateway.kernel.visitor import Channel, VisitorId
from gateway.visitors.validation import parse_event
from gateway.visitors.values.events import Event, EventType, RejectCode, Rejection
from tests.support.factories import NOW

V = VisitorId("v_aaaaaaaaaaaaaaaaaaaaaa")


def parse(raw: Any) -> Event | Rejection:
    return parse_event(raw, 0, V, Channel.APP, NOW)


def test_minimal_track_event_defaults() -> None:
    event = parse({"messageId": "m", "name": "Cart Viewed"})
    assert isinstance(event, Event)
    assert event.type is EventType.TRACK and event.channel is Channel.APP and event.timestamp == NOW
    assert event.key == f"{V}:m"


def test_page_screen_identify() -> None:
    page = parse({"messageId": "m", "type": "page", "properties": {"path": "/"}})
    assert isinstance(page, Event) and page.name == "page"
    ident = parse({"messageId": "m", "type": "identify", "properties": {"traits": {"tier": "gold"}}})
    assert isinstance(ident, Event) and ident.type is EventType.IDENTIFY


def test_timestamp_with_offset_is_normalized() -> None:
    event = parse({"messageId": "m", "name": "Cart Viewed", "timestamp": "2026-11-22T13:00:00+01:00"})
    assert isinstance(event, Event) and event.timestamp == NOW


@pytest.mark.parametrize(
    ("raw", "code", "fragment"),
    [
        ("not an object", RejectCode.INVALID_FORMAT, "JSON object"),
        ({"name": "Cart Viewed"}, RejectCode.INVALID_FORMAT, "messageId is required"),
        ({"messageId": "m", "name": "Cart Viewed", "extra": 1}, RejectCode.INVALID_FORMAT, "unknown field(s) extra"),
        ({"messageId": "m", "type": "alias"}, RejectCode.INVALID_FORMAT, "type must be one of"),
        (
            {"messageId": "m", "name": "Cart Viewed", "channel": "fax"},
            RejectCode.INVALID_FORMAT,
            "channel must be one of",
        ),
        ({"messageId": "m"}, RejectCode.INVALID_FORMAT, "name is required for track"),
        ({"messageId": "m", "name": "Order Complete"}, RejectCode.UNKNOWN_EVENT, "did you mean 'Order Completed'"),
        ({"messageId": "m", "name": "Cart Viewed", "timestamp": "yesterday"}, RejectCode.INVALID_TIMESTAMP, "ISO 8601"),
        (
            {"messageId": "m", "name": "Cart Viewed", "timestamp": "2026-11-22T12:00:00"},
            RejectCode.INVALID_TIMESTAMP,
            "no time zone",
        ),
        (
            {"messageId": "m", "name": "Cart Viewed", "timestamp": (NOW + timedelta(minutes=6)).isoformat()},
            RejectCode.INVALID_TIMESTAMP,
            "future",
        ),
        ({"messageId": "m", "name": "Cart Viewed", "properties": {"a.b": 1}}, RejectCode.INVALID_PROPERTY, "'a.b'"),
        (
            {"messageId": "m", "name": "Cart Viewed", "properties": {"x": "y" * 9000}},
            RejectCode.TOO_LARGE,
            "limit is 8192",
        ),
        (
            {"messageId": "m", "name": "Cart Viewed", "properties": {"a": {"b": {"c": {"d": {"e": {}}}}}}},
            RejectCode.INVALID_PROPERTY,
            "deeper",
        ),
        (
            {"messageId": "m", "name": "Product Added", "properties": {"product_id": "p", "quantity": "2"}},
            RejectCode.INVALID_PROPERTY,
            "quantity",
        ),
        (
            {"messageId": "m", "name": "Order Completed", "properties": {"order_id": "o1"}},
            RejectCode.MISSING_PROPERTY,
            "products",
        ),
        (
            {
                "messageId": "m",
                "name": "Order Completed",
                "properties": {"order_id": "o1", "products": [{"quantity": 1}]},
            },
            RejectCode.MISSING_PROPERTY,
            "products[0].product_id",
        ),
        (
            {"messageId": "m", "name": "Products Searched", "properties": {"query": "  "}},
            RejectCode.MISSING_PROPERTY,
            "query",
        ),
    ],
)
def test_rejections_say_why(raw: Any, code: RejectCode, fragment: str) -> None:
    result = parse(raw)
    assert isinstance(result, Rejection), result
    assert result.code is code and fragment in result.reason


def _props(properties: Any) -> dict[str, Any]:
    return {"messageId": "m", "type": "page", "properties": properties}


@pytest.mark.parametrize(
    ("raw", "code", "fragment"),
    [
        (_props({"n": 2**63}), RejectCode.INVALID_PROPERTY, "properties.n is an integer outside -2^63..2^63-1"),
        (_props({"n": -(2**63) - 1}), RejectCode.INVALID_PROPERTY, "outside -2^63..2^63-1"),
        (_props({"n": [1, {"m": 10**30}]}), RejectCode.INVALID_PROPERTY, "properties.n[1].m is an integer"),
        (_props({"x": float("inf")}), RejectCode.INVALID_PROPERTY, "properties.x is not a finite number"),
        (_props({"x": float("nan")}), RejectCode.INVALID_PROPERTY, "not a finite number"),
        (_props({"a\x00b": 1}), RejectCode.INVALID_PROPERTY, "without NUL"),
        (_props({"k" * 129: 1}), RejectCode.INVALID_PROPERTY, "1-128 characters"),
        (_props({"$set": 1}), RejectCode.INVALID_PROPERTY, "not starting with '$'"),
        (_props({"s": "\ud800"}), RejectCode.INVALID_PROPERTY, "lone surrogate"),
        (_props({"s": "é" * 2100}), RejectCode.TOO_LARGE, "4200 bytes; the limit is 4096"),
        (_props({"traits": {"tier": object()}}), RejectCode.INVALID_PROPERTY, "properties.traits.tier is not a JSON"),
        ({"messageId": "m", "type": "page", "name": "\ud800"}, RejectCode.INVALID_FORMAT, "Unicode text"),
        (
            {"messageId": "m", "type": "page", "timestamp": "9999-12-31T23:59:59-23:59"},
            RejectCode.INVALID_TIMESTAMP,
            "out of range",
        ),
        (
            {"messageId": "m", "type": "page", "timestamp": "0001-01-01T00:00:00+23:59"},
            RejectCode.INVALID_TIMESTAMP,
            "out of range",
        ),
        ({"messageId": "m", "type": "page", "timestamp": "2" * 500}, RejectCode.INVALID_TIMESTAMP, "too long"),
    ],
)
def test_values_every_store_can_hold(raw: Any, code: RejectCode, fragment: str) -> None:
    result = parse(raw)
    assert isinstance(result, Rejection), result
    assert result.code is code and fragment in result.reason, result.reason


def test_the_edges_of_what_stores_hold_are_accepted_and_times_kept_to_the_millisecond() -> None:
    edges = {"max": 2**63 - 1, "min": -(2**63), "tiny": 5e-324, "big": 1.7e308, "nul": "a\x00b", "k" * 128: True}
    event = parse({**_props(edges), "timestamp": "2026-11-22T11:59:59.123456Z"})
    assert isinstance(event, Event) and event.properties == edges
    assert event.timestamp.microsecond == 123000
