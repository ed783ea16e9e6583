"""Pure trigger rules: signatures, backoff, holdout split, promotion detection."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from gateway.catalogue.values import Money
from gateway.triggers.price_watch import promotion_changes
from gateway.triggers.values import backoff_seconds, in_holdout, signature_header
from tests.support.factories import product


def test_signature_is_hmac_sha256_over_timestamp_and_body() -> None:
    header = signature_header("s" * 32, 1_700_000_000, b'{"a":1}')
    assert header == "t=1700000000,v1=" + __import__("hmac").new(b"s" * 32, b'1700000000.{"a":1}', "sha256").hexdigest()


def test_backoff_doubles_with_bounded_jitter_and_a_cap() -> None:
    delays = [backoff_seconds(n, 30, "k") for n in range(1, 6)]
    for n, d in enumerate(delays, start=1):
        base = 30 * 2 ** (n - 1)
        assert base <= d <= base * 1.2
    assert backoff_seconds(40, 30, "k") <= 6 * 3600 * 1.2


def test_holdout_is_stable_and_close_to_the_target_share() -> None:
    ids = [f"v_{i:022d}" for i in range(20_000)]
    held = [i for i in ids if in_holdout("abandoned_cart", i, 10)]
    assert 0.09 < len(held) / len(ids) < 0.11
    assert held == [i for i in ids if in_holdout("abandoned_cart", i, 10)]
    other = {i for i in ids if in_holdout("inactivity", i, 10)}
    assert len(other & set(held)) < len(held) * 0.2  # each trigger has its own control group
    assert not any(in_holdout("inactivity", i, 0) for i in ids[:100])


def test_price_drops_and_new_promotions_are_noticed() -> None:
    old = product(1, price="100.00")
    cheaper = product(1, price="90.00")
    flagged = replace(product(2), tags=("promotion",))
    struck = replace(product(3), compare_at_price=Money(Decimal("150.00"), "PLN"))
    same = product(4)
    changes = promotion_changes([old, product(2), product(3), same, None], [cheaper, flagged, struck, same, product(5)])
    assert [(p.id, why) for p, why in changes] == [
        ("p-00001", "price_drop"),
        ("p-00002", "promotion"),
        ("p-00003", "promotion"),
    ]
