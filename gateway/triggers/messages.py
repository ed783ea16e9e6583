"""What a message carries, worked out for one person when it is sent: products (their cart,
the occasion's, the product on promotion), a recommendation list, their best hour to send.

Recommendations come from the recommendation area's own service (`RecommendationService`),
asked as if the person were browsing: their recent views and cart across devices (from the
event log) stand in for a session. Product strategies (SIMILAR, ALSO_VIEWED, BOUGHT_TOGETHER)
start from up to three anchors: what they bought, have in the cart, the occasion's products,
or what they viewed (`basedOn`); the lists are interleaved. A recommendation that fails (a
filter naming a category that went away, a store down) leaves the list empty, never the
message unsent.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from gateway.catalogue import CatalogStore, ProductId, ProductQuery
from gateway.kernel import InputError, StoreUnavailable
from gateway.recommendations import PRODUCT_STRATEGIES, RecommendationService, Recommended, RecRequest, Strategy
from gateway.triggers.payloads import product_json
from gateway.triggers.people import People, Person
from gateway.triggers.values.activity import best_send_hour, cart_of, recent_products
from gateway.triggers.values.occasions import Occasion
from gateway.triggers.values.rules import RecommendationSpec
from gateway.visitors import CartLine, Session, VisitorState

log = logging.getLogger(__name__)

ANCHORS = 3
VIEWS = 20
PURCHASES = ("Order Completed",)


def _price(raw: Any) -> str | None:
    return None if raw is None else str(Decimal(str(raw)))


class MessageContent:
    """Reads products from the catalogue store itself (not the mirror), so a message carries the
    prices of the import that fired it."""

    def __init__(self, catalog: CatalogStore, recommendations: RecommendationService, people: People) -> None:
        self._catalog = catalog
        self._recs = recommendations
        self._people = people

    async def products(self, source: str, person: Person, occasion: Occasion) -> list[dict[str, Any]]:
        """`cart`, `event` or `promotion` products as the payload lists them (known ones only)."""
        lines = await self._people.cart(person) if source == "cart" else list(occasion.products)
        found = await self._catalog.get_products([p for p, _ in lines])
        with_quantity = source != "promotion"
        return [
            product_json(p, q if with_quantity else None)
            for (_, q), p in zip(lines, found, strict=True)
            if p is not None
        ]

    async def best_hour(self, person: Person, now: datetime) -> int | None:
        return best_send_hour(await self._people.history(person), now)

    async def recommend(
        self, spec: RecommendationSpec, person: Person, occasion: Occasion, now: datetime
    ) -> dict[str, Any]:
        history = await self._people.history(person)
        views = recent_products(history, ["Product Viewed"], VIEWS)
        cart = cart_of(history)
        bought = recent_products(history, PURCHASES, 1000)
        session = Session(
            person.id, recently_viewed=tuple(views), cart=tuple(CartLine(p, q) for p, q in cart), last_activity=now
        )
        state = VisitorState(person.id, session, person.profile)
        based_on = spec.based_on or (
            ("event" if occasion.products else "purchases") if spec.strategy in PRODUCT_STRATEGIES else None
        )
        anchors = {
            "purchases": bought,
            "cart": [p for p, _ in cart],
            "event": [p for p, _ in occasion.products],
            "views": views,
            None: [],
        }[based_on][:ANCHORS]
        exclude = frozenset(bought if based_on == "purchases" else ()) | frozenset(anchors)
        f = spec.filters
        query = ProductQuery(
            f.get("category"),
            f.get("brand"),
            None,
            f.get("inStock"),
            _price(f.get("minPrice")),
            _price(f.get("maxPrice")),
        )
        strategy = spec.strategy
        if strategy in PRODUCT_STRATEGIES and not anchors:
            strategy = Strategy.FOR_YOU  # nothing to start from: the person's own mix
        try:
            items = await self._lists(strategy, spec.count, anchors, query, state, now, exclude)
        except (InputError, StoreUnavailable) as exc:
            log.warning("no recommendations for a message (%s): %s", spec.strategy.value, exc)
            items = []
        found = await self._catalog.get_products([r.product_id for r in items])
        return {
            "strategy": strategy.value,
            "basedOn": based_on,
            "items": [
                {**product_json(p), "reason": r.reason.signal.value}
                for r, p in zip(items, found, strict=True)
                if p is not None
            ],
        }

    async def _lists(
        self,
        strategy: Strategy,
        count: int,
        anchors: Sequence[ProductId],
        query: ProductQuery,
        state: VisitorState,
        now: datetime,
        exclude: frozenset[ProductId],
    ) -> list[Recommended]:
        if strategy not in PRODUCT_STRATEGIES:
            result = await self._recs.recommend(
                RecRequest(strategy, count, query=query), state, now=now, exclude=exclude
            )
            return list(result.items)
        lists = [
            (await self._recs.recommend(RecRequest(strategy, count, a, query), state, now=now, exclude=exclude)).items
            for a in anchors
        ]
        merged: dict[ProductId, Recommended] = {}
        for rank in range(count):  # interleave: each anchor's best first
            for items in lists:
                if rank < len(items) and items[rank].product_id not in merged:
                    merged[items[rank].product_id] = items[rank]
        return list(merged.values())[:count]
