"""Signed visitor ids (pure)."""

from __future__ import annotations

from gateway.kernel.visitor import Channel
from gateway.visitors.tokens import COOKIE_NAME, HEADER_NAME, identify, new_visitor_id, sign, verify

KEY, OLD, OTHER = "k" * 40, "o" * 40, "x" * 40


def test_sign_verify_round_trip_and_rotation() -> None:
    vid = new_visitor_id()
    assert verify(sign(vid, [KEY]), [KEY]) == vid
    assert verify(sign(vid, [OLD]), [KEY, OLD]) == vid  # signed before a key rotation
    assert verify(sign(vid, [OTHER]), [KEY, OLD]) is None


def test_tampering_is_rejected() -> None:
    vid = new_visitor_id()
    token = sign(vid, [KEY])
    other = new_visitor_id()
    assert verify(other + token[len(vid) :], [KEY]) is None  # someone else's id, this signature
    assert verify(vid, [KEY]) is None
    assert verify(token + "x", [KEY]) is None
    assert verify("v_../../etc." + token.split(".")[1], [KEY]) is None


def test_identify_prefers_header_then_cookie_then_new() -> None:
    a, b = new_visitor_id(), new_visitor_id()
    by_header = identify(
        {HEADER_NAME: sign(a, [KEY]), "x-vitrine-channel": "kiosk"}, {COOKIE_NAME: sign(b, [KEY])}, [KEY]
    )
    assert by_header.id == a and not by_header.is_new and by_header.channel is Channel.KIOSK
    by_cookie = identify({HEADER_NAME: "forged.sig"}, {COOKIE_NAME: sign(b, [KEY])}, [KEY])
    assert by_cookie.id == b
    fresh = identify({}, {COOKIE_NAME: "forged"}, [KEY])
    assert fresh.is_new and fresh.id not in (a, b) and fresh.channel is Channel.WEB
