"""Who a Segment message is about: its anonymousId or userId, as one Vitrine visitor id, always the same.

- An anonymousId that is a signed Vitrine visitor token (`v_….sig`, what the storefront gets in
  `vt_vid` / `X-Vitrine-Visitor`) is that very visitor: a storefront that calls
  `analytics.setAnonymousId(token)` sends its analytics.js events to the visitor its GraphQL
  requests read. Only a holder of the token can do that, as with the cookie itself.
- Any other anonymousId (analytics.js's random UUID, an app install id) is the visitor
  `v_` + base64url(HMAC-SHA256(key, "anonymous:" + anonymousId))[:22]: deterministic, so the
  same anonymousId always lands on the same visitor from every source (browser and server write
  keys alike), and keyed, so nobody can choose an anonymousId that lands on a visitor of their
  choosing, or tell from a visitor id which anonymousId it came from.
- A userId without an anonymousId (a server's `analytics.track(user_id=…)`) is the visitor of
  "user:" + userId under the same key; its first identify from a server write key links it to
  the customer, so every later call with that userId feeds the customer's profile.

The key is `VITRINE_ANONYMOUS_ID_KEY`, by default the current `VITRINE_SECRET_KEY`: it must not
change, or every anonymousId moves to a new visitor (set it to the old secret before rotating).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field

from gateway.kernel import VisitorId
from gateway.visitors.tokens import verify


@dataclass(frozen=True, slots=True)
class IdKeys:
    """The keys visitor ids come from: the signing keys (tokens) and the anonymousId key."""

    signing: Sequence[str]
    anonymous: str = field(repr=False)


def _derived(keys: IdKeys, namespace: str, value: str) -> VisitorId:
    mac = hmac.new(keys.anonymous.encode(), f"{namespace}:{value}".encode(), hashlib.sha256).digest()
    return VisitorId("v_" + base64.urlsafe_b64encode(mac).decode()[:22])


def visitor_for_anonymous(anonymous_id: str, keys: IdKeys) -> VisitorId:
    """The visitor an anonymousId names: a genuine visitor token's own, else the keyed hash."""
    return verify(anonymous_id, keys.signing) or _derived(keys, "anonymous", anonymous_id)


def visitor_for_user(user_id: str, keys: IdKeys) -> VisitorId:
    """The visitor of a userId sent alone (only a server write key may: see the mapping)."""
    return _derived(keys, "user", user_id)
