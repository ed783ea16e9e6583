"""Visitor identity from a signed token: `<visitor id>.<signature>`.

Web browsers carry the token in the `vt_vid` cookie; native apps and kiosks send it in the
`X-Vitrine-Visitor` header. The signature is HMAC-SHA256 over the id with the server secret,
so a client cannot pick or forge another visitor's id. Verification accepts the current key
and any previous keys (rotation); new tokens are always signed with the current key.
A missing, malformed or forged token yields a brand-new visitor: never an error, never trust.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping, Sequence

from gateway.kernel import Channel, Visitor, VisitorId

COOKIE_NAME = "vt_vid"
HEADER_NAME = "x-vitrine-visitor"
CHANNEL_HEADER = "x-vitrine-channel"
COOKIE_MAX_AGE = 400 * 24 * 3600  # browsers cap cookie lifetime at 400 days

_ID = re.compile(r"^v_[A-Za-z0-9_-]{22}$")
_SIG_LEN = 27  # 20 bytes of HMAC, base64url without padding


def new_visitor_id() -> VisitorId:
    return VisitorId("v_" + secrets.token_urlsafe(16))


def _signature(key: str, visitor_id: str) -> str:
    mac = hmac.new(key.encode(), visitor_id.encode(), hashlib.sha256).digest()[:20]
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def sign(visitor_id: VisitorId, keys: Sequence[str]) -> str:
    return f"{visitor_id}.{_signature(keys[0], visitor_id)}"


def verify(token: str, keys: Sequence[str]) -> VisitorId | None:
    """The visitor id in `token` if its signature matches one of `keys`, else None."""
    visitor_id, dot, sig = token.strip().rpartition(".")
    if not dot or not _ID.match(visitor_id) or len(sig) != _SIG_LEN:
        return None
    for key in keys:
        if hmac.compare_digest(sig, _signature(key, visitor_id)):
            return VisitorId(visitor_id)
    return None


def parse_channel(raw: str | None) -> Channel:
    if raw:
        for channel in Channel:
            if channel.value == raw.strip().lower():
                return channel
    return Channel.WEB


def identify(headers: Mapping[str, str], cookies: Mapping[str, str], keys: Sequence[str]) -> Visitor:
    """Who is asking: the header wins over the cookie; anything unverifiable is a new visitor."""
    channel = parse_channel(headers.get(CHANNEL_HEADER))
    for token in (headers.get(HEADER_NAME), cookies.get(COOKIE_NAME)):
        if token:
            found = verify(token, keys)
            if found is not None:
                return Visitor(found, is_new=False, channel=channel)
    return Visitor(new_visitor_id(), is_new=True, channel=channel)
