"""The served pipeline, fed with the training log: the code a gateway runs, in memory.

Training interactions become `Product Viewed` events, replayed in time order through the
gateway's own appliers: sessions and profiles (the domain rules the stores apply) and the
`SignalRecorder` listener (collaborative signals). Each case is then answered by
`RecommendationService.recommend(FOR_YOU)` for that visitor, with the visitor's training
items excluded (the protocol's masking, passed the way the gateway passes exclusions).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal

from gateway.catalogue import (
    Brand,
    BrandId,
    CatalogService,
    Category,
    CategoryId,
    MemoryCatalogStore,
    Money,
    Product,
    ProductId,
    Translation,
)
from gateway.kernel import Channel, VisitorId
from gateway.recommendations.evaluation.protocol import MAX_RANK, Case, Interaction, Item
from gateway.recommendations.service import RecommendationService, RecRequest, SimilarItems
from gateway.recommendations.signal_recorder import SignalRecorder
from gateway.recommendations.stores.memory_signals import MemorySignalStore
from gateway.recommendations.values.recommendations import Strategy
from gateway.recommendations.values.signals import SignalConfig
from gateway.visitors import (
    Event,
    EventType,
    MemoryProfileStore,
    MemorySessionStore,
    VisitorService,
    profile_change,
    session_change,
)

NO_BRAND = BrandId("b-none")
REPLAY_BATCH = 500


def products_of(items: Sequence[Item]) -> tuple[list[Product], list[Brand], list[Category]]:
    """Catalogue values for evaluation items: every item in stock, one leaf category each."""
    categories = {i.category: CategoryId(f"c-{i.category}") for i in items if i.category}
    brands = {i.brand: BrandId(f"b-{i.brand}") for i in items if i.brand}
    products = [
        Product(
            id=ProductId(i.item_id),
            sku=i.item_id,
            brand_id=brands.get(i.brand, NO_BRAND),
            category_ids=(categories[i.category],) if i.category else (),
            price=Money(Decimal("1.00"), "EUR"),
            compare_at_price=None,
            stock=1,
            images=(),
            attributes=(),
            translations={"en": Translation(i.title, i.description, i.item_id)},
        )
        for i in items
    ]
    brand_values = [Brand(b, name, b) for name, b in brands.items()] + [Brand(NO_BRAND, "", "none")]
    category_values = [Category(c, None, {"en": name}, c, (c,)) for name, c in categories.items()]
    return products, brand_values, category_values


def _visitor(user_id: str) -> VisitorId:
    return VisitorId(f"u:{user_id}")


def _event(i: Interaction) -> Event:
    at = datetime.fromtimestamp(i.timestamp, UTC)
    return Event(
        f"line-{i.line}",
        _visitor(i.user_id),
        EventType.TRACK,
        "Product Viewed",
        Channel.WEB,
        at,
        at,
        {"product_id": i.item_id},
    )


async def served_rankings(
    items: Sequence[Item],
    train: Sequence[Interaction],
    cases: Sequence[Case],
    *,
    tie_seed: int,
    vectors: SimilarItems | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[list[str]]:
    products, brands, categories = products_of(items)
    store = MemoryCatalogStore()
    await store.upsert(products, brands, categories)
    catalog = CatalogService(store, feed=store, preload_max=max(len(products), 1))
    await catalog.refresh()
    by_id = {p.id: p for p in products}
    tree = catalog.category_map()
    first_at = datetime.fromtimestamp(min((i.timestamp for i in train), default=0.0), UTC)
    signals = MemorySignalStore()
    recorder = SignalRecorder(signals, catalog.category_map, SignalConfig(epoch=first_at))
    sessions = MemorySessionStore(clock=lambda: 0.0)  # evaluation time does not expire sessions
    profiles = MemoryProfileStore()
    known = [i for i in train if ProductId(i.item_id) in by_id]
    for start in range(0, len(known), REPLAY_BATCH):
        events = [_event(i) for i in known[start : start + REPLAY_BATCH]]
        for e in events:
            await sessions.apply(e.visitor_id, [session_change(e)])
            await profiles.apply(e.visitor_id, [profile_change(e, by_id, tree, 14.0)])
        await recorder.on_events(events, by_id)
        if progress:
            progress(start + len(events), len(known) + len(cases))
    service = RecommendationService(signals, catalog, vectors, tie_seed=tie_seed)
    visitors = VisitorService(sessions, profiles)
    now = datetime.fromtimestamp(max((i.timestamp for i in train), default=0.0), UTC)
    ranked: list[list[str]] = []
    for n, case in enumerate(cases):
        (state,) = await visitors.load([_visitor(case.user_id)])
        masked = frozenset(ProductId(h.item_id) for h in case.history)
        result = await service.recommend(RecRequest(Strategy.FOR_YOU, MAX_RANK), state, now=now, exclude=masked)
        ranked.append([str(r.product_id) for r in result.items])
        if progress and n % 100 == 0:
            progress(len(known) + n, len(known) + len(cases))
    return ranked
