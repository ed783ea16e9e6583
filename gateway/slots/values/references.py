"""What one slot definition names that must exist in the catalogue or the event vocabulary (pure).

The definitions' own cross-references (a variant's slot and audience, an experiment's variants)
are checked by `definitions.build_snapshot`; this lists the names outside the workspace: event
names and catalogue ids in conditions (`gateway.audiences.condition_references`) and the
products of a carousel's fixed list. Paths are relative to the definition, as the admin API
reports them: `audience.conditions.any[1].behaviour.event`, `variant.content.productIds[0]`.
Call it on a definition that validated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gateway.audiences import Reference, RefKind, condition_references

CONTENT_OF = {"slots": "default", "variants": "content"}


def definition_references(kind: str, definition: Mapping[str, Any]) -> list[Reference]:
    """The names `definition` (of `kind`: slots, variants, audiences, experiments) uses."""
    root = kind[:-1]
    found: list[Reference] = []
    if isinstance(definition.get("conditions"), Mapping):
        found += condition_references(definition["conditions"], f"{root}.conditions")
    content_key = CONTENT_OF.get(kind)
    content = definition.get(content_key) if content_key else None
    if isinstance(content, Mapping) and isinstance(content.get("productIds"), list):
        found += [
            Reference(RefKind.PRODUCT, pid, f"{root}.{content_key}.productIds[{i}]")
            for i, pid in enumerate(content["productIds"])
            if isinstance(pid, str)
        ]
    return found
