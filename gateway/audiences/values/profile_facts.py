"""The facts a condition (segment or audience) sees about a profile, and behaviour counts (pure).

`profile_facts` fills the `profile.*`, `visitor.id`, `customer.id` and `segments` fields of
`domain.conditions.FIELDS` from a stored profile. `behaviour_counter` answers behaviour
leaves ("viewed >= 3 running shoes in 7 days") from the profile's recent events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from gateway.audiences.values.conditions import BehaviourCounter, BehaviourQuery
from gateway.catalogue import CategoryId, Product, ProductId
from gateway.visitors import EngagementPolicy, Event, Profile

INTEREST_FACT_MIN_SCORE = 1.0  # an interest at least this strong counts in profile.interests.*
NOT_CHANNELS = frozenset({"wishlist"})  # counter prefixes that are no channel ("wishlist:<product>")


def channels_used(counters: Mapping[str, int]) -> dict[str, int]:
    """Events per channel, built-in or declared (email, sms...): every event counts once under
    its name and once as `<channel>:<name>`, so a prefixed counter whose rest is itself a
    counter is a channel's."""
    used: dict[str, int] = {}
    for key, count in counters.items():
        channel, sep, name = key.partition(":")
        if sep and channel not in NOT_CHANNELS and name in counters:
            used[channel] = used.get(channel, 0) + count
    return used


TRAIT_FIELDS = {"ageBand": "profile.ageBand", "gender": "profile.gender", "city": "profile.city"}


def profile_facts(
    profile: Profile,
    now: datetime,
    *,
    interest_half_life_days: float,
    engagement: EngagementPolicy,
    segments: Iterable[str] = (),
    customer_id: str | None = None,
) -> dict[str, Any]:
    traits = profile.traits
    interests = profile.interests(now, interest_half_life_days, limit=50)
    score = engagement.score(profile.engagement_mass, now)
    facts: dict[str, Any] = {
        "visitor.id": profile.visitor_id,
        "segments": sorted(segments),
        "profile.interests.categories": [
            i.key for i in interests if i.kind == "category" and i.score >= INTEREST_FACT_MIN_SCORE
        ],
        "profile.interests.brands": [
            i.key for i in interests if i.kind == "brand" and i.score >= INTEREST_FACT_MIN_SCORE
        ],
        "profile.firstSeen": profile.first_seen,
        "profile.lastSeen": profile.last_seen,
        "profile.engagementScore": score,
        "profile.engagementTier": engagement.tier(score).value,
        "profile.purchases": profile.counters.get("Order Completed", 0),
        "profile.channels": sorted(channels_used(profile.counters)),
    }
    customer = customer_id or traits.get("customerId")
    if customer is not None:
        facts["customer.id"] = str(customer)
    for trait, field in TRAIT_FIELDS.items():
        if trait in traits:
            facts[field] = traits[trait]
    country = traits.get("country")
    if country is not None:
        facts["profile.country"] = country
    campaigns = traits.get("campaigns")
    if isinstance(campaigns, list):
        facts["profile.campaigns"] = [str(c) for c in campaigns]
    for name, value in traits.items():
        facts[f"profile.traits.{name}"] = value
    for name, count in profile.counters.items():
        facts[f"profile.counters.{name}"] = count
    return facts


def _lines(event: Event) -> list[ProductId]:
    props = event.properties
    if isinstance(props.get("products"), list):
        return [ProductId(str(p.get("product_id"))) for p in props["products"] if isinstance(p, Mapping)]
    if "product_id" in props:
        return [ProductId(str(props["product_id"]))]
    return []


def behaviour_counter(
    events: Sequence[Event],
    products: Mapping[ProductId, Product],
    ancestors: Mapping[CategoryId, Sequence[CategoryId]],
    now: datetime,
) -> BehaviourCounter:
    """Counts events matching a query within its window; a category matches its descendants."""

    def count(query: BehaviourQuery) -> int:
        since = now - timedelta(days=query.within_days)
        n = 0
        for event in events:
            # Inert events (names outside the vocabulary, kept from a Segment stream) count for nothing.
            if event.inert or event.counter_name != query.event or event.timestamp < since:
                continue
            if query.product is None and query.brand is None and query.category is None:
                n += 1
                continue
            for pid in _lines(event):
                product = products.get(pid)
                if query.product is not None and pid != query.product:
                    continue
                if query.brand is not None and (product is None or product.brand_id != query.brand):
                    continue
                if query.category is not None and (
                    product is None or not any(query.category in ancestors.get(c, (c,)) for c in product.category_ids)
                ):
                    continue
                n += 1
                break
        return n

    return count
