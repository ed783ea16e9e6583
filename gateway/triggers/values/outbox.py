"""Triggers, their timers and webhook deliveries (pure): signing, backoff, holdout.

Kinds: `abandoned_cart` (cart changed, no checkout within T), `inactivity` (no event for N
days), `favourite_on_promotion` (a wishlisted or high-affinity product got cheaper or a
promotion flag in a catalogue import). Timers are "fire at" records; a delivery is one
webhook call in the durable outbox, keyed by its idempotency key.

Signature: `Vitrine-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from gateway.kernel import VisitorId

MAX_BACKOFF_SECONDS = 6 * 3600.0


class TriggerKind(Enum):
    ABANDONED_CART = "abandoned_cart"
    INACTIVITY = "inactivity"
    FAVOURITE_ON_PROMOTION = "favourite_on_promotion"
    PROMOTION_SCAN = "promotion_scan"  # internal: fans a catalogue change out to profiles


class DeliveryStatus(Enum):
    PENDING = "pending"  # waiting for its (next) attempt
    DELIVERED = "delivered"  # the receiver answered 2xx
    DEAD = "dead"  # gave up after the last attempt: the dead-letter list
    HOLDOUT = "holdout"  # in the trigger's control group: recorded, never sent (to measure lift)


COUNTS_FOR_CAP = (DeliveryStatus.PENDING, DeliveryStatus.DELIVERED, DeliveryStatus.DEAD, DeliveryStatus.HOLDOUT)


@dataclass(frozen=True, slots=True)
class Timer:
    key: str  # one live timer per key, e.g. "abandoned_cart:<profile>"
    kind: TriggerKind
    profile_id: VisitorId | None
    due_at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)
    version: int = 0  # grows with every reschedule; `done` only removes the version it fired


@dataclass(frozen=True, slots=True)
class Delivery:
    id: str  # the idempotency key, sent as Idempotency-Key
    kind: TriggerKind
    profile_id: VisitorId
    payload: Mapping[str, Any]
    created_at: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def backoff_seconds(attempts: int, base: float, key: str) -> float:
    """Delay before attempt `attempts + 1`: base * 2^(attempts-1), capped, with up to 20%
    jitter derived from the key (deterministic, so retries of many deliveries spread out)."""
    delay = min(base * 2 ** max(0, attempts - 1), MAX_BACKOFF_SECONDS)
    jitter = int.from_bytes(hashlib.sha256(f"{key}:{attempts}".encode()).digest()[:2], "big") / 65535
    return float(delay * (1 + 0.2 * jitter))


def in_holdout(kind: TriggerKind, profile_id: str, percent: float) -> bool:
    """A stable control group per trigger: the same profile is always in or out of it."""
    if percent <= 0:
        return False
    bucket = int.from_bytes(hashlib.sha256(f"holdout:{kind.value}:{profile_id}".encode()).digest()[:8], "big")
    return bucket % 10_000 < percent * 100
