"""The condition language as data, for editors' pickers (pure).

What `parse_condition` accepts, listed: every known field with its type and what it holds, the
open-ended prefixes, and every operator with the value it takes. The admin API's
`conditionVocabulary` serves this together with what exists now (event names, categories,
brands), so an editor's screen never keeps its own copy of the language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gateway.audiences.values.conditions import BEHAVIOUR_OPS, FIELDS, NO_VALUE, OPEN_PREFIXES, ORDERED, Kind, Op

# What each known field holds, in an editor's words.
FIELD_HELP: Mapping[str, str] = {
    "visitor.id": "the visitor's id (v_...)",
    "customer.id": "the customer id sent with identify",
    "segments": "keys of the segments the profile is in now",
    "profile.interests.categories": "categories the visitor is interested in (decaying with time)",
    "profile.interests.brands": "brands the visitor is interested in (decaying with time)",
    "profile.firstSeen": "when the profile was first seen",
    "profile.lastSeen": "when the profile was last seen",
    "profile.engagementScore": "engagement score now (decaying points per event)",
    "profile.engagementTier": "engagement tier: active, lapsing or dormant",
    "profile.purchases": "orders completed, ever",
    "profile.ageBand": "age band trait",
    "profile.gender": "gender trait",
    "profile.city": "city trait",
    "profile.country": "country trait (ISO code)",
    "profile.campaigns": "campaigns the profile came from",
    "profile.channels": "channels the profile has used (web, app, pos...)",
    "session.channel": "the channel of this page view",
    "session.device": "the device the storefront reports (desktop, mobile, tablet)",
    "session.country": "the country the storefront reports (ISO code, e.g. PL)",
    "session.city": "the city the storefront reports",
    "session.utmSource": "utm_source of this visit",
    "session.utmCampaign": "utm_campaign of this visit",
    "session.referrer": "the referring address",
    "session.viewedCategories": "categories of products viewed this session (with their parents)",
    "session.recentlyViewed": "product ids viewed this session",
    "cart.value": "the cart's value",
    "cart.items": "product ids in the cart",
    "cart.itemCount": "how many items are in the cart",
    "person.cart.items": "product ids in any live cart of the person's devices (after identify)",
    "person.cart.itemCount": "how many items the person's live carts hold together",
    "time.hourOfDay": "the hour now, 0-23, in the slot's time zone",
    "time.dayOfWeek": "the day now (monday..sunday), in the slot's time zone",
    "time.now": "the date and time now",
}
PREFIX_HELP: Mapping[str, str] = {
    "profile.traits.": "any trait sent with identify, e.g. profile.traits.tier",
    "profile.counters.": "how many events of a name the profile has, e.g. profile.counters.Order Completed",
}
# Fields no stored profile holds: they come with the page view (request, live sessions and carts,
# the clock).
PAGE_VIEW_PREFIXES = ("session.", "cart.", "person.cart.", "time.")


@dataclass(frozen=True, slots=True)
class FieldInfo:
    name: str
    kind: str  # string, number, date, list, bool, any
    help: str
    page_view: bool  # known only during a page view, not from a stored profile


@dataclass(frozen=True, slots=True)
class OperatorInfo:
    name: str
    takes: str  # nothing, value, list (in, notIn) or range (between: two bounds)
    ordered: bool  # compares numbers or dates
    behaviour: bool  # may compare a behaviour count


@dataclass(frozen=True, slots=True)
class Language:
    fields: tuple[FieldInfo, ...]
    open_prefixes: tuple[FieldInfo, ...]
    operators: tuple[OperatorInfo, ...]


def _takes(op: Op) -> str:
    if op in NO_VALUE:
        return "nothing"
    if op in (Op.IN, Op.NOT_IN):
        return "list"
    return "range" if op is Op.BETWEEN else "value"


def language() -> Language:
    """Every field and operator `parse_condition` accepts."""
    return Language(
        fields=tuple(
            FieldInfo(name, kind.value, FIELD_HELP.get(name, ""), name.startswith(PAGE_VIEW_PREFIXES))
            for name, kind in FIELDS.items()
        ),
        open_prefixes=tuple(FieldInfo(p, Kind.ANY.value, PREFIX_HELP.get(p, ""), False) for p in OPEN_PREFIXES),
        operators=tuple(OperatorInfo(op.value, _takes(op), op in ORDERED, op in BEHAVIOUR_OPS) for op in Op),
    )


def is_page_view_field(name: str) -> bool:
    return name.startswith(PAGE_VIEW_PREFIXES)
