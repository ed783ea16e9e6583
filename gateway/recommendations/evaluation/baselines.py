"""Baselines under the same protocol: most-popular and item-kNN over the last 10 items."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from gateway.recommendations.evaluation.protocol import MAX_RANK, Case, Interaction, top_k

KNN_HISTORY = 10
MAX_KNN_ITEMS = 50_000  # the dense item-user matrix must fit in memory


def most_popular(
    train: Sequence[Interaction], items: Sequence[str], cases: Sequence[Case], tie: Callable[[str], float]
) -> list[list[str]]:
    counts = Counter(i.item_id for i in train)
    scores = {item: float(counts.get(item, 0)) for item in items}
    return [top_k(scores, {h.item_id for h in c.history}, MAX_RANK, tie) for c in cases]


def item_knn(
    train: Sequence[Interaction], items: Sequence[str], cases: Sequence[Case], tie: Callable[[str], float]
) -> list[list[str]]:
    """Cosine similarity of items' user sets; a user's score is the sum over their last 10 items."""
    if len(items) > MAX_KNN_ITEMS:
        raise ValueError(f"item-kNN baseline is limited to {MAX_KNN_ITEMS} items")
    item_index = {item: n for n, item in enumerate(items)}
    users = {u: n for n, u in enumerate(dict.fromkeys(i.user_id for i in train))}
    matrix = np.zeros((len(items), len(users)), dtype=np.float32)
    for i in train:
        if i.item_id in item_index:
            matrix[item_index[i.item_id], users[i.user_id]] = 1.0
    norms = np.linalg.norm(matrix, axis=1)
    norms[norms == 0] = 1.0
    unit = matrix / norms[:, None]
    ranked: list[list[str]] = []
    for case in cases:
        recent = list(dict.fromkeys(h.item_id for h in reversed(case.history)))[:KNN_HISTORY]
        rows = [item_index[r] for r in recent if r in item_index]
        sims = unit[rows] @ unit.T if rows else np.zeros((1, len(items)), dtype=np.float32)
        total = sims.sum(axis=0)
        scores = {item: float(total[n]) for item, n in item_index.items()}
        ranked.append(top_k(scores, {h.item_id for h in case.history}, MAX_RANK, tie))
    return ranked
