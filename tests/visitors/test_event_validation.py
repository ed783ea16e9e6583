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
