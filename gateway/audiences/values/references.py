"""What a condition names that must exist elsewhere: event names, categories, brands, products (pure).

`parse_condition` checks a condition's shape; it cannot know whether `"Product Viewd"` is an
event anyone sends or `"c-runing"` a category of this shop, and such a condition would save and
never match. `condition_references` lists every such name with the JSON path of the field that
holds it, so a service that knows what exists (`gateway.audiences.references`) can refuse the
save with a did-you-mean message at that path.

Where names appear:
- a behaviour leaf: `behaviour.event`, `behaviour.category`, `behaviour.brand`, `behaviour.product`;
- a field leaf whose values are catalogue ids (`profile.interests.categories`,
  `session.viewedCategories`, `profile.interests.brands`, `session.recentlyViewed`, `cart.items`)
  compared by equality or membership: each value;
- `profile.counters.<name>`: the event name (after a channel prefix such as `pos:`); a
  `wishlist:<product id>` counter names a product.
Call it on a condition that parsed: shapes are not checked again here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any


class RefKind(Enum):
    EVENT = "event"
    CATEGORY = "category"
    BRAND = "brand"
    PRODUCT = "product"


@dataclass(frozen=True, slots=True)
class Reference:
    kind: RefKind
    value: str
    path: str  # the JSON path of the field holding it, e.g. "conditions.any[1].behaviour.event"


# Fields whose values are catalogue ids, and the ops that compare them as ids.
ID_FIELDS: Mapping[str, RefKind] = {
    "profile.interests.categories": RefKind.CATEGORY,
    "session.viewedCategories": RefKind.CATEGORY,
    "profile.interests.brands": RefKind.BRAND,
    "session.recentlyViewed": RefKind.PRODUCT,
    "cart.items": RefKind.PRODUCT,
}
ID_OPS = frozenset({"equals", "notEquals", "contains", "in", "notIn"})
COUNTERS = "profile.counters."
WISHLIST = "wishlist"
BEHAVIOUR_SCOPES = (("category", RefKind.CATEGORY), ("brand", RefKind.BRAND), ("product", RefKind.PRODUCT))


def condition_references(raw: Any, path: str = "conditions") -> list[Reference]:
    """Every name in a parsed condition tree that must exist, in document order."""
    if not isinstance(raw, Mapping):
        return []
    for combinator in ("all", "any"):
        children = raw.get(combinator)
        if isinstance(children, list):
            return [r for i, c in enumerate(children) for r in condition_references(c, f"{path}.{combinator}[{i}]")]
    if "not" in raw:
        return condition_references(raw["not"], f"{path}.not")
    spec = raw.get("behaviour")
    if isinstance(spec, Mapping):
        return _behaviour(spec, f"{path}.behaviour")
    field = raw.get("field")
    if isinstance(field, str):
        return _field(field, raw.get("op"), raw.get("value"), path)
    return []


def _behaviour(spec: Mapping[str, Any], path: str) -> list[Reference]:
    found: list[Reference] = []
    if isinstance(spec.get("event"), str):
        found.append(Reference(RefKind.EVENT, spec["event"], f"{path}.event"))
    for key, kind in BEHAVIOUR_SCOPES:
        value = spec.get(key)
        if isinstance(value, str) and value:
            found.append(Reference(kind, value, f"{path}.{key}"))
    return found


def _field(field: str, op: Any, value: Any, path: str) -> list[Reference]:
    if field.startswith(COUNTERS):
        prefix, colon, name = field[len(COUNTERS) :].partition(":")
        if not colon:
            return [Reference(RefKind.EVENT, prefix, f"{path}.field")]
        counted = RefKind.PRODUCT if prefix == WISHLIST else RefKind.EVENT
        return [Reference(counted, name, f"{path}.field")]
    kind = ID_FIELDS.get(field)
    if kind is None or op not in ID_OPS:
        return []
    if isinstance(value, str):
        return [Reference(kind, value, f"{path}.value")]
    if isinstance(value, list):
        return [Reference(kind, v, f"{path}.value[{i}]") for i, v in enumerate(value) if isinstance(v, str)]
    return []
