"""The offline protocol: leave-one-out, full ranking, masked history, bootstrap intervals (pure).

- Each user's interactions are ordered by timestamp; equal timestamps keep file order.
- The last interaction is the test item; every other interaction of every user is training.
- A method ranks all items for the user with the user's training items masked, and returns
  its top `MAX_RANK`; ties between equal scores are broken by a seeded order.
- HR@10, NDCG@10 (one relevant item: 1/log2(rank+1)) and MRR@20, averaged over users, each
  with a 95% percentile bootstrap interval over users (seeded resamples).
Users with fewer than two interactions have nothing to learn from and are skipped (counted).
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from gateway.kernel import InputError

MAX_RANK = 20
BOOTSTRAP_SAMPLES = 1000


@dataclass(frozen=True, slots=True)
class Interaction:
    user_id: str
    item_id: str
    timestamp: float
    line: int  # position in the file: breaks timestamp ties


@dataclass(frozen=True, slots=True)
class Item:
    item_id: str
    title: str
    description: str = ""
    category: str = ""
    brand: str = ""


@dataclass(frozen=True, slots=True)
class Case:
    """One user's evaluation case."""

    user_id: str
    history: tuple[Interaction, ...]  # training interactions, oldest first
    target: str


@dataclass(frozen=True, slots=True)
class Split:
    train: tuple[Interaction, ...]  # every training interaction, in (timestamp, line) order
    cases: tuple[Case, ...]
    skipped_users: int


def _rows(path: Path, required: Sequence[str]) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(
                f"{path}: missing column(s) {', '.join(missing)}; the header must name {', '.join(required)}"
            )
        return list(reader)


def read_interactions(path: Path) -> list[Interaction]:
    out: list[Interaction] = []
    for n, row in enumerate(_rows(path, ("user_id", "item_id", "timestamp")), start=2):
        try:
            ts = float(row["timestamp"])
        except ValueError:
            raise InputError(f"{path}:{n}: timestamp {row['timestamp']!r} is not a number (unix seconds)") from None
        if not row["user_id"] or not row["item_id"]:
            raise InputError(f"{path}:{n}: user_id and item_id must not be empty")
        out.append(Interaction(row["user_id"], row["item_id"], ts, n))
    return out


def read_items(path: Path) -> list[Item]:
    items: list[Item] = []
    for n, row in enumerate(_rows(path, ("item_id", "title")), start=2):
        if not row["item_id"]:
            raise InputError(f"{path}:{n}: item_id must not be empty")
        items.append(
            Item(
                row["item_id"],
                row["title"] or row["item_id"],
                row.get("description") or "",
                row.get("category") or "",
                row.get("brand") or "",
            )
        )
    return items


def leave_one_out(interactions: Sequence[Interaction]) -> Split:
    ordered = sorted(interactions, key=lambda i: (i.timestamp, i.line))
    by_user: dict[str, list[Interaction]] = {}
    for i in ordered:
        by_user.setdefault(i.user_id, []).append(i)
    cases: list[Case] = []
    held: set[int] = set()
    skipped = 0
    for user, seq in by_user.items():
        if len(seq) < 2:
            skipped += 1
            continue
        cases.append(Case(user, tuple(seq[:-1]), seq[-1].item_id))
        held.add(seq[-1].line)
    train = tuple(i for i in ordered if i.line not in held)
    return Split(train, tuple(cases), skipped)


def rank_of(target: str, ranked: Sequence[str]) -> int | None:
    """1-based rank of `target` in `ranked`, or None when absent."""
    try:
        return ranked.index(target) + 1
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Metric:
    mean: float
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class Result:
    method: str
    users: int
    hr10: Metric
    ndcg10: Metric
    mrr20: Metric


def per_user(rank: int | None) -> tuple[float, float, float]:
    """(hit@10, ndcg@10, reciprocal rank@20) of one case."""
    if rank is None:
        return 0.0, 0.0, 0.0
    hit = 1.0 if rank <= 10 else 0.0
    ndcg = 1.0 / math.log2(rank + 1) if rank <= 10 else 0.0
    rr = 1.0 / rank if rank <= MAX_RANK else 0.0
    return hit, ndcg, rr


def _bootstrap(values: Sequence[float], rng: random.Random, samples: int) -> Metric:
    n = len(values)
    mean = sum(values) / n if n else 0.0
    if n == 0:
        return Metric(0.0, 0.0, 0.0)
    means = sorted(sum(values[rng.randrange(n)] for _ in range(n)) / n for _ in range(samples))
    return Metric(mean, means[int(0.025 * samples)], means[min(samples - 1, int(0.975 * samples))])


def summarize(method: str, ranks: Sequence[int | None], seed: int, samples: int = BOOTSTRAP_SAMPLES) -> Result:
    scored = [per_user(r) for r in ranks]
    metrics = []
    for column in range(3):
        # Same resampled users for every metric of a method: one rng state per column, same seed.
        metrics.append(_bootstrap([s[column] for s in scored], random.Random(seed), samples))
    return Result(method, len(ranks), metrics[0], metrics[1], metrics[2])


def top_k(scores: dict[str, float], masked: set[str], k: int, tie: Callable[[str], float]) -> list[str]:
    """The `k` best unmasked items by score; equal scores ordered by the seeded `tie`."""
    candidates = [(s, i) for i, s in scores.items() if i not in masked]
    candidates.sort(key=lambda si: (-si[0], tie(si[1])))
    return [i for _, i in candidates[:k]]
