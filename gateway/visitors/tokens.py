"""Visitor identity from a signed token: `<visitor id>.<issued>.<signature>`.

Web browsers carry the token in the `vt_vid` cookie; native apps and kiosks send it in the
`X-Vitrine-Visitor` header. The signature is HMAC-SHA256 over the id and the issue time with the
server secret, so a client can neither pick or forge another visitor's id nor make its token
younger. `issued` is the issue time in seconds since the epoch, base 36.

Expiry slides with activity: a token is accepted until it is `max_idle` old (VITRINE_VISITOR_IDLE_DAYS,
a year by default), and one older than `refresh_after` (a tenth of that, at most a day) is
re-issued on the visitor's next request, so a visitor seen at least once per idle period keeps
their id for ever, and one who stays away longer starts afresh.

Key rotation: verification accepts the current key and any previous keys
(VITRINE_SECRET_KEY_PREVIOUS); a token signed with a previous key is re-issued with the current
one at once. Once every active visitor has come back (one idle period), the previous key can go.

Tokens of the first format (`<visitor id>.<signature>`, no issue time) are accepted while
`legacy` is allowed (VITRINE_VISITOR_LEGACY_TOKENS, on by default) and re-issued in the new
format at once; turn it off one idle period after upgrading: by then, any visitor still holding
one has been away longer than a new token would have lived. docs/identity.md tells operators.

A missing, malformed, forged or expired token yields a brand-new visitor: never an error, never trust.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from gateway.kernel import Channel, Visitor, VisitorId

COOKIE_NAME = "vt_vid"
HEADER_NAME = "x-vitrine-visitor"
CHANNEL_HEADER = "x-vitrine-channel"
COOKIE_MAX_AGE = 400 * 24 * 3600  # browsers cap cookie lifetime at 400 days
DEFAULT_MAX_IDLE_SECONDS = 365 * 24 * 3600.0
CLOCK_SKEW_SECONDS = 300.0  # instances' clocks may differ this much

_ID = re.compile(r"^v_[A-Za-z0-9_-]{22}$")
_ISSUED = re.compile(r"^[0-9a-z]{1,10}$")
_SIG_LEN = 27  # 20 bytes of HMAC, base64url without padding


@dataclass(frozen=True, slots=True)
class TokenPolicy:
    """How long tokens live and whether first-format tokens still count."""

    max_idle_seconds: float = DEFAULT_MAX_IDLE_SECONDS
    legacy: bool = True

    @property
    def refresh_after_seconds(self) -> float:
        return min(self.max_idle_seconds / 10, 24 * 3600.0)


@dataclass(frozen=True, slots=True)
class Verified:
    visitor_id: VisitorId
    refresh: bool  # sign a new token: old, signed with a previous key, or of the first format


def new_visitor_id() -> VisitorId:
    return VisitorId("v_" + secrets.token_urlsafe(16))


def _signature(key: str, message: str) -> str:
    mac = hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()[:20]
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def sign(visitor_id: VisitorId, keys: Sequence[str], issued_at: float | None = None) -> str:
    """A token for `visitor_id`, issued now (or at `issued_at`), signed with the current key."""
    issued = _base36(int(time.time() if issued_at is None else issued_at))
    message = f"{visitor_id}.{issued}"
    return f"{message}.{_signature(keys[0], message)}"


def check(token: str, keys: Sequence[str], policy: TokenPolicy, now: float | None = None) -> Verified | None:
    """The visitor in `token` if it is genuine and alive under `policy`, else None."""
    message, dot, sig = token.strip().rpartition(".")
    if not dot or len(sig) != _SIG_LEN:
        return None
    visitor_id, dot, issued = message.rpartition(".")
    if not dot:  # the first format: no issue time
        visitor_id, issued = message, ""
        if not policy.legacy:
            return None
    if not _ID.match(visitor_id) or (issued and not _ISSUED.match(issued)):
        return None
    signed_by = next((i for i, key in enumerate(keys) if hmac.compare_digest(sig, _signature(key, message))), None)
    if signed_by is None:
        return None
    if not issued:
        return Verified(VisitorId(visitor_id), refresh=True)
    age = (time.time() if now is None else now) - int(issued, 36)
    if age > policy.max_idle_seconds or age < -CLOCK_SKEW_SECONDS:
        return None
    return Verified(VisitorId(visitor_id), refresh=signed_by > 0 or age > policy.refresh_after_seconds)


def verify(token: str, keys: Sequence[str], policy: TokenPolicy | None = None) -> VisitorId | None:
    """The visitor id in `token` if it is genuine and alive (the default policy unless given), else None."""
    found = check(token, keys, policy or TokenPolicy())
    return found.visitor_id if found is not None else None


def parse_channel(raw: str | None) -> Channel:
    if raw:
        for channel in Channel:
            if channel.value == raw.strip().lower():
                return channel
    return Channel.WEB


def identify(
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
    keys: Sequence[str],
    policy: TokenPolicy | None = None,
    now: float | None = None,
) -> Visitor:
    """Who is asking: the header wins over the cookie; anything unverifiable is a new visitor."""
    channel = parse_channel(headers.get(CHANNEL_HEADER))
    for token in (headers.get(HEADER_NAME), cookies.get(COOKIE_NAME)):
        if token:
            found = check(token, keys, policy or TokenPolicy(), now)
            if found is not None:
                return Visitor(found.visitor_id, is_new=False, channel=channel, refresh=found.refresh)
    return Visitor(new_visitor_id(), is_new=True, channel=channel)
