"""The triggers area's values (pure): timers and deliveries, rules, journeys, a release of them."""

from gateway.triggers.values.outbox import (
    COUNTS_FOR_CAP,
    Delivery,
    DeliveryStatus,
    Timer,
    TimerKind,
    TriggerKind,
    backoff_seconds,
    in_holdout,
    signature_header,
)

__all__ = [
    "COUNTS_FOR_CAP",
    "Delivery",
    "DeliveryStatus",
    "Timer",
    "TimerKind",
    "TriggerKind",
    "backoff_seconds",
    "in_holdout",
    "signature_header",
]
