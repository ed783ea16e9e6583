"""`python -m gateway eval recs`: read the files, split, run every method, report."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from gateway.recommendations.evaluation.baselines import item_knn, most_popular
from gateway.recommendations.evaluation.protocol import (
    Result,
    leave_one_out,
    rank_of,
    read_interactions,
    read_items,
    summarize,
)
from gateway.recommendations.evaluation.served import served_rankings
from gateway.recommendations.service import SimilarItems

SERVED = "served (FOR_YOU)"


def seeded_tie(seed: int, items: Sequence[str]) -> Callable[[str], float]:
    order = list(items)
    random.Random(seed).shuffle(order)
    position = {item: float(n) for n, item in enumerate(order)}
    return lambda item: position.get(item, float(len(order)))


async def evaluate(
    interactions_file: Path,
    items_file: Path,
    *,
    seed: int = 0,
    vectors: Callable[[Sequence[Any]], SimilarItems] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    items = read_items(items_file)
    split = leave_one_out(read_interactions(interactions_file))
    item_ids = [i.item_id for i in items]
    tie = seeded_tie(seed, item_ids)
    index = vectors(items) if vectors is not None else None
    runs = {
        SERVED: await served_rankings(items, split.train, split.cases, tie_seed=seed, vectors=index, progress=progress),
        "most-popular": most_popular(split.train, item_ids, split.cases, tie),
        "item-kNN (last 10)": item_knn(split.train, item_ids, split.cases, tie),
    }
    results: list[Result] = []
    for method, ranked in runs.items():
        ranks = [rank_of(c.target, r) for c, r in zip(split.cases, ranked, strict=True)]
        results.append(summarize(method, ranks, seed))
    return {
        "users": len(split.cases),
        "skipped_users": split.skipped_users,
        "items": len(items),
        "train_interactions": len(split.train),
        "seed": seed,
        "embeddings": vectors is not None,
        "results": [asdict(r) for r in results],
    }


def as_text(report: dict[str, Any]) -> str:
    lines = [
        f"{report['users']} users ({report['skipped_users']} skipped), {report['items']} items, "
        f"{report['train_interactions']} training interactions; leave-one-out, full ranking, seed {report['seed']}",
        f"{'method':<22} {'HR@10':>22} {'NDCG@10':>22} {'MRR@20':>22}",
    ]
    for r in report["results"]:
        cells = [f"{m['mean']:.4f} [{m['low']:.4f}, {m['high']:.4f}]" for m in (r["hr10"], r["ndcg10"], r["mrr20"])]
        lines.append(f"{r['method']:<22} " + " ".join(f"{c:>22}" for c in cells))
    return "\n".join(lines)
