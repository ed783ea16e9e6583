"""Signed visitor ids (pure)."""

from __future__ import annotations

import base64
import hashlib
import hmac

from gateway.kernel.visitor import Channel, VisitorId
from gateway.visitors.tokens import (
    COOKIE_NAME,
    HEADER_NAME,
    TokenPolicy,
    Verified,
    check,
    identify,
    new_visitor_id,
    sign,
    verify,
)

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


DAY = 86_400.0
YEAR = TokenPolicy()  # the default: a year without a visit


def legacy_token(vid: VisitorId, key: str) -> str:
    """A token of the first format, `<id>.<signature>` without an issue time."""
    mac = hmac.new(key.encode(), vid.encode(), hashlib.sha256).digest()[:20]
    return f"{vid}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def test_tokens_carry_their_issue_time_and_expire_after_the_idle_period() -> None:
    vid, now = new_visitor_id(), 1_800_000_000.0
    token = sign(vid, [KEY], issued_at=now)
    assert token.count(".") == 2 and token.split(".")[0] == vid
    assert check(token, [KEY], YEAR, now + 3600) == Verified(vid, refresh=False)
    assert check(token, [KEY], YEAR, now + 364 * DAY) == Verified(vid, refresh=True)  # due for a new token
    assert check(token, [KEY], YEAR, now + 366 * DAY) is None  # away for more than a year: a new visitor
    hour = TokenPolicy(max_idle_seconds=3600)  # re-issued after a tenth of it
    assert check(token, [KEY], hour, now + 300) == Verified(vid, refresh=False)
    assert check(token, [KEY], hour, now + 400) == Verified(vid, refresh=True)
    assert check(token, [KEY], hour, now + 3700) is None


def test_the_issue_time_is_signed_and_cannot_be_moved() -> None:
    vid, now = new_visitor_id(), 1_800_000_000.0
    token = sign(vid, [KEY], issued_at=now - 400 * DAY)
    sig = token.split(".")[2]
    younger = f"{vid}.{sign(vid, [KEY], issued_at=now).split('.')[1]}.{sig}"  # today's issue time, the old signature
    assert check(younger, [KEY], YEAR, now) is None
    assert check(f"{vid}.{sig}", [KEY], YEAR, now) is None  # dropping it does not make a first-format token
    assert check(sign(vid, [KEY], issued_at=now + DAY), [KEY], YEAR, now) is None  # from the future


def test_sliding_refresh_rotation_and_first_format_tokens() -> None:
    vid, now = new_visitor_id(), 1_800_000_000.0
    # Signed with a previous key: accepted, and re-issued with the current one at once.
    assert check(sign(vid, [OLD], issued_at=now), [KEY, OLD], YEAR, now) == Verified(vid, refresh=True)
    # The first format: accepted and re-issued while allowed, then a new visitor.
    old_style = legacy_token(vid, KEY)
    assert check(old_style, [KEY], YEAR, now) == Verified(vid, refresh=True)
    assert check(old_style, [KEY], TokenPolicy(legacy=False), now) is None
    assert check(legacy_token(vid, OTHER), [KEY], YEAR, now) is None
    visitor = identify({HEADER_NAME: old_style}, {}, [KEY], YEAR, now)
    assert visitor.id == vid and not visitor.is_new and visitor.refresh
