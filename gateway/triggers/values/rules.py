"""Rules: when something happens and conditions hold, do actions (pure).

A rule as editors write it (docs/triggers.md has every field):

    {"key": "refund-follow-up", "name": "After a return", "enabled": true,
     "when": {"event": "Order Refunded"},
     "if": {"field": "event.properties.reason", "op": "equals", "value": "size"},
     "do": [{"webhook": {"type": "refund_follow_up", "channel": "email", "products": "event",
                         "recommendations": {"strategy": "SIMILAR", "count": 4, "basedOn": "event"}}},
            {"setTrait": {"name": "lastReturnReason", "value": "size"}}],
     "holdoutPercent": 10, "cap": {"count": 1, "days": 7}, "goal": "Order Completed"}

`when` is described in `values.when`. `if` is the condition language of segments and audiences, plus `event.*` fields.
Actions: `webhook`, `setTrait`, `enterSegment`, `leaveSegment`, `followUp`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeAlias

from gateway.audiences import KEY, Condition, ConditionError, ExtraFields, Kind, parse_condition
from gateway.recommendations import Strategy
from gateway.triggers.values.durations import AutomationError, only_keys, parse_duration, suggest
from gateway.triggers.values.when import TRIGGERS, Cap, Context, Trigger, parse_trigger, segment_key

RULE_KEYS = ("key", "name", "description", "enabled", "when", "if", "do", "holdoutPercent", "cap", "goal")
ACTIONS = ("webhook", "setTrait", "enterSegment", "leaveSegment", "followUp")
PRODUCT_SOURCES = ("cart", "event", "promotion")
BASED_ON = ("purchases", "cart", "event", "views")
FILTERS = ("category", "brand", "inStock", "minPrice", "maxPrice")
MAX_ACTIONS = 20
MAX_RECOMMENDATIONS = 20
MAX_DATA_KEYS = 50
EVENT_FIELDS = ExtraFields({"event.name": Kind.STRING, "event.channel": Kind.STRING}, ("event.properties.",))


# --- do --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecommendationSpec:
    strategy: Strategy
    count: int = 4
    based_on: str | None = None  # purchases, cart, event, views (anchors of product strategies)
    filters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Webhook:
    type: str  # the payload's `type` and the Vitrine-Event header
    headline: str = ""
    products: str | None = None  # cart, event or promotion
    recommendations: RecommendationSpec | None = None
    channel: str | None = None  # where the receiver should answer (any channel, declared ones too)
    data: Mapping[str, Any] = field(default_factory=dict)  # passed through, e.g. {"discount": true}
    best_hour: bool = False  # hold it until the person's best hour to send


@dataclass(frozen=True, slots=True)
class SetTrait:
    name: str
    value: Any


@dataclass(frozen=True, slots=True)
class SegmentAction:
    key: str
    enter: bool


@dataclass(frozen=True, slots=True)
class FollowUp:
    rule: str
    after: timedelta


Action: TypeAlias = Webhook | SetTrait | SegmentAction | FollowUp


@dataclass(frozen=True, slots=True)
class Rule:
    key: str
    name: str
    enabled: bool
    when: Trigger
    condition: Condition | None
    actions: tuple[Action, ...]
    holdout_percent: float
    cap: Cap
    goal: str  # the event that counts as a conversion (lift)
    definition: Mapping[str, Any]  # as the editor wrote it


def _text(raw: Any, path: str, limit: int, *, required: bool = False) -> str:
    if raw is None and not required:
        return ""
    if not isinstance(raw, str) or (required and not raw.strip()) or len(raw) > limit:
        raise AutomationError(path, f"a text of {'1' if required else '0'}-{limit} characters")
    return raw


def parse_recommendations(raw: Any, path: str) -> RecommendationSpec:
    only_keys(raw, ("strategy", "count", "basedOn", "filters"), path, "recommendations")
    names = [s.value for s in Strategy]
    strategy = raw.get("strategy", "FOR_YOU")
    if strategy not in names:
        raise AutomationError(f"{path}.strategy", f"unknown strategy {strategy!r}{suggest(str(strategy), names)}")
    count = raw.get("count", 4)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_RECOMMENDATIONS:
        raise AutomationError(f"{path}.count", f"an integer from 1 to {MAX_RECOMMENDATIONS}")
    based_on = raw.get("basedOn")
    if based_on is not None and based_on not in BASED_ON:
        raise AutomationError(f"{path}.basedOn", f"one of {', '.join(BASED_ON)}{suggest(str(based_on), BASED_ON)}")
    filters = raw.get("filters", {})
    only_keys(filters, FILTERS, f"{path}.filters", "filters")
    for key in ("minPrice", "maxPrice"):
        value = filters.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float | str)):
            raise AutomationError(f"{path}.filters.{key}", "a price such as 49.90")
    if "inStock" in filters and not isinstance(filters["inStock"], bool):
        raise AutomationError(f"{path}.filters.inStock", "true or false")
    return RecommendationSpec(Strategy(strategy), count, based_on, dict(filters))


def _webhook(raw: Any, path: str, owner: str, ctx: Context) -> Webhook:
    keys = ("type", "headline", "products", "recommendations", "channel", "data", "at")
    only_keys(raw, keys, path, "a webhook")
    kind = raw.get("type", owner)
    if not isinstance(kind, str) or not KEY.match(kind):
        raise AutomationError(f"{path}.type", "1-64 lower-case letters, digits, '-' or '_' (the Vitrine-Event header)")
    products = raw.get("products")
    if products is not None and products not in PRODUCT_SOURCES:
        hint = suggest(str(products), PRODUCT_SOURCES) or f"; use {', '.join(PRODUCT_SOURCES)}"
        raise AutomationError(f"{path}.products", f"unknown product source {products!r}{hint}")
    recs = (
        parse_recommendations(raw["recommendations"], f"{path}.recommendations") if "recommendations" in raw else None
    )
    channel = ctx.channel(raw["channel"], f"{path}.channel") if raw.get("channel") is not None else None
    data = raw.get("data", {})
    if not isinstance(data, dict) or len(data) > MAX_DATA_KEYS:
        raise AutomationError(f"{path}.data", f"an object of at most {MAX_DATA_KEYS} keys, passed to the receiver")
    at = raw.get("at", "now")
    if at not in ("now", "bestHour"):
        raise AutomationError(f"{path}.at", f"'now' or 'bestHour'{suggest(str(at), ('now', 'bestHour'))}")
    headline = _text(raw.get("headline"), f"{path}.headline", 200)
    return Webhook(kind, headline, products, recs, channel, dict(data), at == "bestHour")


def parse_action(raw: Any, path: str, owner: str, ctx: Context) -> Action:
    if not isinstance(raw, dict) or len(raw) != 1:
        raise AutomationError(path, f"an action is an object with one of {', '.join(ACTIONS)}")
    kind, spec = next(iter(raw.items()))
    where = f"{path}.{kind}"
    if kind == "webhook":
        return _webhook(spec, where, owner, ctx)
    if kind == "setTrait":
        only_keys(spec, ("name", "value"), where, "setTrait")
        name = spec.get("name")
        if not isinstance(name, str) or not name or "." in name or name.startswith("$") or len(name) > 64:
            raise AutomationError(f"{where}.name", "a trait name of 1-64 characters without '.' or a leading '$'")
        if "value" not in spec:
            raise AutomationError(f"{where}.value", "required (null removes nothing: give a value)")
        return SetTrait(name, spec["value"])
    if kind in ("enterSegment", "leaveSegment"):
        return SegmentAction(segment_key(spec, where), kind == "enterSegment")
    if kind == "followUp":
        only_keys(spec, ("rule", "after"), where, "followUp")
        target = spec.get("rule")
        if not isinstance(target, str) or not KEY.match(target):
            raise AutomationError(f"{where}.rule", "the key of a rule whose 'when' is {\"followUp\": {}}")
        return FollowUp(target, parse_duration(spec.get("after"), f"{where}.after"))
    raise AutomationError(
        path, f"unknown action {kind!r}{suggest(str(kind), ACTIONS) or '; use ' + ', '.join(ACTIONS)}"
    )


def parse_actions(raw: Any, path: str, owner: str, ctx: Context) -> tuple[Action, ...]:
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_ACTIONS:
        raise AutomationError(path, f"a list of 1-{MAX_ACTIONS} actions")
    return tuple(parse_action(a, f"{path}[{i}]", owner, ctx) for i, a in enumerate(raw))


def condition_of(raw: Any, path: str, extra: ExtraFields) -> Condition | None:
    if raw is None:
        return None
    try:
        return parse_condition(raw, path, extra)
    except ConditionError as exc:
        raise AutomationError(exc.path, exc.message) from None


def parse_cap(raw: Any, path: str, default: Cap) -> Cap:
    if raw is None:
        return default
    only_keys(raw, ("count", "days"), path, "cap")
    count, days = raw.get("count", default.count), raw.get("days", default.window.total_seconds() / 86400)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 1000:
        raise AutomationError(f"{path}.count", "an integer from 1 to 1000")
    if isinstance(days, bool) or not isinstance(days, int | float) or not 0 < days <= 365:
        raise AutomationError(f"{path}.days", "more than 0 and at most 365 days")
    return Cap(count, timedelta(days=days))


def parse_holdout(raw: Any, path: str, default: float) -> float:
    if raw is None:
        return default
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 <= raw <= 100:
        raise AutomationError(path, "a percentage from 0 to 100")
    return float(raw)


def parse_common(raw: Any, path: str, keys: Sequence[str], what: str) -> tuple[str, str, bool]:
    """key, name, enabled: what rules and journeys share."""
    only_keys(raw, keys, path, what)
    key = raw.get("key")
    if not isinstance(key, str) or not KEY.match(key):
        raise AutomationError(
            f"{path}.key", "1-64 lower-case letters, digits, '-' or '_', starting with a letter or digit"
        )
    name = _text(raw.get("name", key), f"{path}.name", 120, required=True)
    _text(raw.get("description"), f"{path}.description", 1000)
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise AutomationError(f"{path}.enabled", "true or false")
    return key, name, enabled


def parse_rule(raw: Any, path: str, ctx: Context) -> Rule:
    """Validate an editor's rule; raises AutomationError with a JSON path and a fix."""
    key, name, enabled = parse_common(raw, path, RULE_KEYS, "a rule")
    if "when" not in raw:
        raise AutomationError(f"{path}.when", f"required: one of {', '.join(TRIGGERS)}")
    when = parse_trigger(raw["when"], f"{path}.when", ctx)
    condition = condition_of(raw.get("if"), f"{path}.if", EVENT_FIELDS)
    actions = parse_actions(raw.get("do"), f"{path}.do", key, ctx)
    goal = ctx.event(raw["goal"], f"{path}.goal") if "goal" in raw else ctx.defaults.goal
    return Rule(
        key,
        name,
        enabled,
        when,
        condition,
        actions,
        parse_holdout(raw.get("holdoutPercent"), f"{path}.holdoutPercent", ctx.defaults.holdout_percent),
        parse_cap(raw.get("cap"), f"{path}.cap", ctx.defaults.cap),
        goal,
        dict(raw),
    )
