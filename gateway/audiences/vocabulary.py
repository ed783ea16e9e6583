"""What an editor can write in a condition, with what exists now: the pickers of a condition builder.

The language (fields, operators) is `values.vocabulary.language()`; this adds the event names
the definitions' checks accept (`references.built_in_events`, or what the wiring passes), the
category tree and, when the catalogue is mirrored in process, every brand. Categories come in
tree order with their depth, so a picker can indent them. Nothing here is a second copy of a rule: validation stays in
`parse_condition` and the definitions' checks.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from gateway.audiences.references import built_in_events
from gateway.audiences.values.vocabulary import Language, language
from gateway.catalogue import CatalogService, Category, CategoryId

MAX_BRANDS = 5000


@dataclass(frozen=True, slots=True)
class Choice:
    """One entry of a picker: an id, the name an editor reads, and its depth in a tree."""

    id: str
    name: str
    depth: int = 0


@dataclass(frozen=True, slots=True)
class ConditionVocabulary:
    language: Language
    events: tuple[str, ...]
    categories: tuple[Choice, ...]
    brands: tuple[Choice, ...]
    brands_listed: bool  # False when the catalogue is too big to list (type a brand id instead)


class Vocabulary:
    def __init__(self, catalog: CatalogService, *, events: Callable[[], Collection[str]] = built_in_events) -> None:
        self._catalog = catalog
        self._events = events  # the same names the definitions' checks accept (ReferenceCheck)

    def conditions(self, locale: str) -> ConditionVocabulary:
        brands = self._catalog.listed_brands()
        return ConditionVocabulary(
            language=language(),
            events=tuple(sorted(self._events())),
            categories=tuple(_tree(self._catalog.category_map(), locale)),
            brands=tuple(Choice(b.id, b.name) for b in (brands or [])[:MAX_BRANDS]),
            brands_listed=brands is not None and len(brands) <= MAX_BRANDS,
        )


def _tree(categories: Mapping[CategoryId, Category], locale: str) -> list[Choice]:
    """Categories depth first, siblings by name (a node whose parent is missing counts as a root)."""
    children: dict[CategoryId | None, list[Category]] = {}
    for node in categories.values():
        parent = node.parent_id if node.parent_id in categories else None
        children.setdefault(parent, []).append(node)
    out: list[Choice] = []

    def walk(parent: CategoryId | None, depth: int) -> None:
        for node in sorted(children.get(parent, []), key=lambda c: (c.name(locale).casefold(), c.id)):
            out.append(Choice(node.id, node.name(locale), depth))
            walk(node.id, depth + 1)

    walk(None, 0)
    return out
