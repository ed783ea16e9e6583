"""One release of the automation: declared events and channels, rules and journeys (pure).

`build_automation` validates a whole set of raw definitions together (a rule may name a
declared event; a follow-up must name a follow-up rule) and indexes it for the engine, which
asks per event name which rules start, which absences start or end, which journeys start or
end. `default_definitions` are the three built-in triggers as rules: what a gateway serves
before anyone published automation, and what the editors' workspace starts from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeAlias

from gateway.kernel import Channel
from gateway.triggers.values.durations import AutomationError, format_duration
from gateway.triggers.values.journeys import Do, Journey, parse_journey
from gateway.triggers.values.rules import Action, FollowUp, Rule, Webhook, parse_rule
from gateway.triggers.values.when import (
    Context,
    OnAbsence,
    OnEvent,
    OnFollowUp,
    OnPromotion,
    OnSegment,
    OnTier,
    RuleDefaults,
)
from gateway.visitors import DeclarationError, Vocabulary, parse_vocabulary

KINDS = ("events", "channels", "rules", "journeys")
ID_FIELD: Mapping[str, str] = {"events": "name", "channels": "name", "rules": "key", "journeys": "key"}
RawDefinitions: TypeAlias = Mapping[str, list[dict[str, Any]]]

Owner: TypeAlias = Rule | Journey  # what a trigger starts


@dataclass(frozen=True, slots=True)
class Automation:
    """What one instance serves: swapped as a whole when a newer release arrives."""

    version: int
    vocabulary: Vocabulary
    rules: Mapping[str, Rule]
    journeys: Mapping[str, Journey]
    definitions: RawDefinitions = field(default_factory=dict)
    active: tuple[Owner, ...] = ()  # enabled owners that can act, rules first, each in key order

    def owners(self) -> tuple[Owner, ...]:
        """Enabled rules and journeys that can act (not those that only send webhooks when no
        receiver is configured), rules first, each in key order."""
        return self.active

    def started_by_event(self, name: str, channel: Channel) -> list[Owner]:
        return [
            o
            for o in self.owners()
            if isinstance(o.when, OnEvent)
            and name in o.when.names
            and (not o.when.channels or channel.value in o.when.channels)
        ]

    def absences(self) -> list[tuple[Owner, OnAbsence]]:
        return [(o, o.when) for o in self.owners() if isinstance(o.when, OnAbsence)]

    def started_by_segment(self, key: str, entered: bool) -> list[Owner]:
        return [o for o in self.owners() if o.when == OnSegment(key, entered)]

    def started_by_tier(self, old: str, new: str) -> list[Owner]:
        return [
            o
            for o in self.owners()
            if isinstance(o.when, OnTier) and o.when.old in (None, old) and o.when.new in (None, new)
        ]

    def promotions(self) -> list[tuple[Owner, OnPromotion]]:
        return [(o, o.when) for o in self.owners() if isinstance(o.when, OnPromotion)]

    def exits(self, name: str) -> list[str]:
        """Journeys an event named `name` takes a person out of."""
        return [j.key for j in self.journeys.values() if j.enabled and name in j.exit_on]

    @property
    def watches_tiers(self) -> bool:
        return any(isinstance(o.when, OnTier) for o in self.owners())

    def watches_segment(self, key: str) -> bool:
        return any(isinstance(o.when, OnSegment) and o.when.key == key for o in self.owners())

    def owner(self, key: str) -> Owner | None:
        return self.rules.get(key) or self.journeys.get(key)


def actions_of(owner: Owner) -> list[Action]:
    if isinstance(owner, Rule):
        return list(owner.actions)
    return [a for s in owner.steps if isinstance(s, Do) for a in s.actions]


def _cross_check(rules: Mapping[str, Rule], journeys: Mapping[str, Journey], positions: Mapping[str, str]) -> None:
    for key in journeys:
        if key in rules:
            raise AutomationError(
                f"{positions[key]}.key", f"{key!r} is a rule's key too: rules and journeys share keys"
            )
    owners: list[Owner] = [*rules.values(), *journeys.values()]
    for owner in owners:
        for action in actions_of(owner):
            if isinstance(action, FollowUp):
                target = rules.get(action.rule)
                if target is None or not isinstance(target.when, OnFollowUp):
                    raise AutomationError(
                        f"{positions[owner.key]}.do",
                        f"followUp names {action.rule!r}, which is not a rule whose 'when' is {{\"followUp\": {{}}}}",
                    )


def build_automation(version: int, raw: RawDefinitions, defaults: RuleDefaults, *, webhooks: bool = True) -> Automation:
    """Validate and index a whole release; raises AutomationError with a path into `raw`.
    Without a webhook receiver (`webhooks` false) rules and journeys that only send webhooks
    are inert: nothing is scheduled for them (no timer writes on every event)."""
    try:
        vocabulary = parse_vocabulary(raw.get("events", []), raw.get("channels", []))
    except DeclarationError as exc:
        raise AutomationError(exc.path, exc.message) from None
    ctx = Context(vocabulary, defaults)
    positions: dict[str, str] = {}
    rules: dict[str, Rule] = {}
    for i, item in enumerate(raw.get("rules", [])):
        rule = parse_rule(item, f"rules[{i}]", ctx)
        if rule.key in rules:
            raise AutomationError(f"rules[{i}].key", f"rule {rule.key!r} is defined twice")
        rules[rule.key], positions[rule.key] = rule, f"rules[{i}]"
    journeys: dict[str, Journey] = {}
    for i, item in enumerate(raw.get("journeys", [])):
        journey = parse_journey(item, f"journeys[{i}]", ctx)
        if journey.key in journeys:
            raise AutomationError(f"journeys[{i}].key", f"journey {journey.key!r} is defined twice")
        journeys[journey.key], positions[journey.key] = journey, f"journeys[{i}]"
    _cross_check(rules, journeys, positions)
    owners: list[Owner] = [*(r for _, r in sorted(rules.items())), *(j for _, j in sorted(journeys.items()))]
    active = tuple(o for o in owners if o.enabled and (webhooks or not uses_webhooks_only(o)))
    return Automation(version, vocabulary, rules, journeys, {k: list(raw.get(k, [])) for k in KINDS}, active)


# --- the built-in triggers, as rules ---------------------------------------------------------

CART_CHANGES = ["Product Added", "Product Removed", "Wishlist Product Added to Cart"]
CHECKOUT = ["Checkout Started", "Order Completed"]


def default_definitions(
    abandoned_cart_after: timedelta, inactivity_after: timedelta, affinity_score: float
) -> RawDefinitions:
    """The three triggers Vitrine shipped before rules, as rules of the same keys (their
    deliveries, holdout groups and lift carry on). Holdout and caps follow the settings."""
    rules: list[dict[str, Any]] = [
        {
            "key": "abandoned_cart",
            "name": "Abandoned cart",
            "description": "The cart changed and no checkout followed.",
            "when": {"absence": {"after": CART_CHANGES, "of": CHECKOUT, "for": format_duration(abandoned_cart_after)}},
            "if": {"field": "cart.itemCount", "op": "gt", "value": 0},
            "do": [{"webhook": {"headline": "You left something in your cart", "products": "cart"}}],
        },
        {
            "key": "inactivity",
            "name": "Inactivity",
            "description": "No event at all from the person, on any device or channel.",
            "when": {"absence": {"for": format_duration(inactivity_after)}},
            "do": [{"webhook": {"headline": "We miss you: here is what is new"}}],
        },
        {
            "key": "favourite_on_promotion",
            "name": "Favourite on promotion",
            "description": "A product the person wishlisted or likes got cheaper or went on promotion.",
            "when": {"promotion": {"affinityScore": affinity_score}},
            "do": [{"webhook": {"headline": "Something you like is on promotion", "products": "promotion"}}],
        },
    ]
    return {"events": [], "channels": [], "rules": rules, "journeys": []}


def uses_webhooks_only(owner: Owner) -> bool:
    return all(isinstance(a, Webhook) for a in actions_of(owner))


@dataclass(frozen=True, slots=True)
class Change:
    kind: str
    key: str
    change: str  # added, removed, changed
    fields: tuple[str, ...] = ()


def diff(before: RawDefinitions, after: RawDefinitions) -> list[Change]:
    changes: list[Change] = []
    for kind in KINDS:
        old = {str(d.get(ID_FIELD[kind])): d for d in before.get(kind, [])}
        new = {str(d.get(ID_FIELD[kind])): d for d in after.get(kind, [])}
        for key in sorted(old.keys() | new.keys()):
            if key not in new:
                changes.append(Change(kind, key, "removed"))
            elif key not in old:
                changes.append(Change(kind, key, "added"))
            elif old[key] != new[key]:
                fields = sorted(k for k in old[key].keys() | new[key].keys() if old[key].get(k) != new[key].get(k))
                changes.append(Change(kind, key, "changed", tuple(fields)))
    return changes
