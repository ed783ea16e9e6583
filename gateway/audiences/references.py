"""Checking what editors' definitions name against what exists now, with did-you-mean messages.

A condition that counts `"Product Viewd"` events or views in category `"c-runing"` parses fine
and never matches anyone: a silent mistake. Saves of segments and of slot audiences, variants,
experiments and slots (`SlotDefinitions.put`) pass the names they use
(`values.references.Reference`, each with its JSON path) to `ReferenceCheck.problems`, which
answers every unknown one as (path, message):

- events against a vocabulary the caller gives (`events`, a function so names declared while
  running count at once); the default is every name the intake accepts as a `track` event, the
  call types page, screen and identify (behaviour counts use them), and Segment Entered/Exited;
- categories against the category tree; a category's slug is answered with its id;
- brands and products against the catalogue (one batch read each). Suggestions for those come
  from the in-process mirror; a catalogue too big to mirror is still checked, without them, and
  product suggestions stop above `suggest_max` products (difflib over more takes seconds).

Names are checked only where a definition is saved: a published release that names a product
the catalogue later dropped keeps serving (the condition simply does not match it).
"""

from __future__ import annotations

import asyncio
import difflib
from collections.abc import Callable, Collection, Sequence

from gateway.audiences.values.references import Reference, RefKind
from gateway.audiences.values.segments import ENTERED, EXITED
from gateway.catalogue import BrandId, CatalogService, ProductId
from gateway.visitors import TRACK_EVENT_NAMES, EventType

SUGGEST_MAX = 20_000
CUTOFF = 0.6  # difflib's default: below it a suggestion misleads more than it helps
Problem = tuple[str, str]  # (JSON path, message)


def built_in_events() -> frozenset[str]:
    """Every event name a behaviour condition or a counter can count without declarations."""
    calls = {t.value for t in EventType if t is not EventType.TRACK}
    return TRACK_EVENT_NAMES | calls | {ENTERED, EXITED}


def _closest(word: str, options: Collection[str]) -> str | None:
    """The option most like `word` (difflib's ratio, case-insensitive), if any is close enough.

    Each option also counts by its beginning as long as `word` (and two more characters), so
    a misspelt or shortened id ("c-runing") finds the id it starts ("c-running-shoes") rather
    than an unrelated one of similar length ("c-gardening")."""
    target = word.casefold()
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(target)  # difflib caches what it learns about the second sequence
    best, best_score = None, CUTOFF
    for option in sorted(options):
        folded = option.casefold()
        for candidate in {folded, folded[: len(target) + 2]}:
            matcher.set_seq1(candidate)
            if matcher.real_quick_ratio() <= best_score or matcher.quick_ratio() <= best_score:
                continue
            score = matcher.ratio()
            if score > best_score:
                best, best_score = option, score
    return best


def _hint(word: str, options: Collection[str] | None) -> str:
    close = _closest(word, options) if options else None
    return f"; did you mean {close!r}?" if close else ""


class ReferenceCheck:
    def __init__(
        self,
        catalog: CatalogService,
        *,
        events: Callable[[], Collection[str]] = built_in_events,
        suggest_max: int = SUGGEST_MAX,
    ) -> None:
        self._catalog = catalog
        self._events = events
        self._suggest_max = suggest_max

    async def problems(self, references: Sequence[Reference]) -> list[Problem]:
        """(path, message) for every reference to something that does not exist, in order."""
        by_kind = {kind: [r for r in references if r.kind is kind] for kind in RefKind}
        found = [
            *self._unknown_events(by_kind[RefKind.EVENT]),
            *self._unknown_categories(by_kind[RefKind.CATEGORY]),
            *await self._unknown_brands(by_kind[RefKind.BRAND]),
            *await self._unknown_products(by_kind[RefKind.PRODUCT]),
        ]
        order = {r.path: i for i, r in enumerate(references)}
        return sorted(found, key=lambda problem: order.get(problem[0], 0))

    def _unknown_events(self, refs: Sequence[Reference]) -> list[Problem]:
        if not refs:
            return []
        known = self._events()
        out: list[Problem] = []
        for r in refs:
            if r.value in known:
                continue
            close = _closest(r.value, known)
            if close is not None:
                out.append((r.path, f"unknown event {r.value!r}; did you mean {close!r}?"))
            else:
                out.append(
                    (
                        r.path,
                        f"unknown event {r.value!r}: no event of that name is sent or declared; use an event name "
                        "such as 'Product Viewed' or 'Order Completed', or 'page' or 'screen'",
                    )
                )
        return out

    def _unknown_categories(self, refs: Sequence[Reference]) -> list[Problem]:
        if not refs:
            return []
        tree = self._catalog.category_map()
        by_slug = {c.slug: c.id for c in tree.values()}
        out: list[Problem] = []
        for r in refs:
            if r.value in tree:
                continue
            if r.value in by_slug:
                message = f"{r.value!r} is a category slug; conditions use its id: did you mean {by_slug[r.value]!r}?"
            elif not tree:
                message = f"unknown category {r.value!r}: the catalogue has no categories yet (import it first)"
            else:
                message = f"unknown category {r.value!r}{_hint(r.value, tree.keys())}"
            out.append((r.path, message))
        return out

    async def _unknown_brands(self, refs: Sequence[Reference]) -> list[Problem]:
        wanted = sorted({BrandId(r.value) for r in refs})
        if not wanted:
            return []
        found = {b.id for b in await self._catalog.get_brands(wanted) if b is not None}
        missing = [r for r in refs if r.value not in found]
        if not missing:
            return []
        listed = self._catalog.listed_brands() or []
        by_name = {key: b.id for b in listed for key in (b.slug, b.name.casefold())}
        out: list[Problem] = []
        for r in missing:
            named = by_name.get(r.value.casefold())
            if named is not None:
                out.append((r.path, f"{r.value!r} names a brand; conditions use its id: did you mean {named!r}?"))
            else:
                out.append((r.path, f"unknown brand {r.value!r}{_hint(r.value, [b.id for b in listed])}"))
        return out

    async def _unknown_products(self, refs: Sequence[Reference]) -> list[Problem]:
        wanted = sorted({ProductId(r.value) for r in refs})
        if not wanted:
            return []
        found = {p.id for p in await self._catalog.get_raw(wanted) if p is not None}
        missing = [r for r in refs if r.value not in found]
        if not missing:
            return []
        listed = self._catalog.listed_product_ids()
        options = listed if listed is not None and len(listed) <= self._suggest_max else None
        # difflib over thousands of ids takes a noticeable moment: keep it off the event loop.
        hints = await asyncio.to_thread(lambda: [_hint(r.value, options) for r in missing])
        return [(r.path, f"unknown product {r.value!r}{hint}") for r, hint in zip(missing, hints, strict=True)]
