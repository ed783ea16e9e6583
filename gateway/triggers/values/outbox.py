"""Timers and webhook deliveries (pure): signing, backoff, holdout.

Timers are "fire at" records of the automation (a rule's "no event for a delay", a follow-up,
a message held until the person's best hour, a segment change or an engagement tier to act
on, a catalogue change to fan out). A delivery is one webhook call in the durable outbox,
keyed by its idempotency key, sent for one rule (or one step of a journey).

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
    """The built-in triggers, now the default rules of the same keys (`triggerLift(kind:)`)."""

    ABANDONED_CART = "abandoned_cart"
    INACTIVITY = "inactivity"
    FAVOURITE_ON_PROMOTION = "favourite_on_promotion"
    PROMOTION_SCAN = "promotion_scan"  # internal: fans a catalogue change out to profiles


class TimerKind(Enum):
    ABSENCE = "absence"  # a rule's "no such event for a delay" (data: rule, since, start)
    FOLLOW_UP = "follow_up"  # a follow-up rule scheduled by another rule's action
    SEND = "send"  # a webhook action held until the person's best hour
    SEGMENT_CHANGE = "segment_change"  # a membership change, for the rules that start from it
    TIER = "tier"  # when the engagement score is due to decay into a lower tier
    PROMOTION_SCAN = "promotion_scan"  # fans a catalogue change out to profiles
    # Timers the fixed triggers left before rules: fired as absences of the default rules.
    ABANDONED_CART = "abandoned_cart"
    INACTIVITY = "inactivity"


class DeliveryStatus(Enum):
    PENDING = "pending"  # waiting for its (next) attempt
    DELIVERED = "delivered"  # the receiver answered 2xx
    DEAD = "dead"  # gave up after the last attempt: the dead-letter list
    HOLDOUT = "holdout"  # in the trigger's control group: recorded, never sent (to measure lift)


COUNTS_FOR_CAP = (DeliveryStatus.PENDING, DeliveryStatus.DELIVERED, DeliveryStatus.DEAD, DeliveryStatus.HOLDOUT)


@dataclass(frozen=True, slots=True)
class Timer:
    key: str  # one live timer per key, e.g. "abandoned_cart:<profile>"
    kind: TimerKind
    profile_id: VisitorId | None
    due_at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)
    version: int = 0  # grows with every reschedule; `done` only removes the version it fired


@dataclass(frozen=True, slots=True)
class Delivery:
    id: str  # the idempotency key, sent as Idempotency-Key
    rule: str  # the rule or journey that sent it (frequency caps, lift)
    profile_id: VisitorId
    payload: Mapping[str, Any]
    created_at: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    step: str | None = None  # the journey step that sent it
    type: str = ""  # the Vitrine-Event header (the payload's `type`); the rule's key when empty

    @property
    def event_type(self) -> str:
        return self.type or self.rule


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def backoff_seconds(attempts: int, base: float, key: str) -> float:
    """Delay before attempt `attempts + 1`: base * 2^(attempts-1), capped, with up to 20%
    jitter derived from the key (deterministic, so retries of many deliveries spread out)."""
    delay = min(base * 2 ** max(0, attempts - 1), MAX_BACKOFF_SECONDS)
    jitter = int.from_bytes(hashlib.sha256(f"{key}:{attempts}".encode()).digest()[:2], "big") / 65535
    return float(delay * (1 + 0.2 * jitter))


def in_holdout(rule: str, profile_id: str, percent: float) -> bool:
    """A stable control group per rule or journey: the same profile is always in or out of it.
    (The default rules' keys are the old trigger kinds, so their groups did not move.)"""
    if percent <= 0:
        return False
    bucket = int.from_bytes(hashlib.sha256(f"holdout:{rule}:{profile_id}".encode()).digest()[:8], "big")
    return bucket % 10_000 < percent * 100
