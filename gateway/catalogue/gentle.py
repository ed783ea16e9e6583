"""CPU work that runs in a worker thread beside the event loop without stalling it.

A worker thread shares the GIL with the event loop. Plain Python hands the GIL over every few
milliseconds (`sys.getswitchinterval`), and numpy sorts and gathers release it, but one long
C call that holds it (`sorted()` of 100,000 keys: ~150 ms here; `np.array` of a long list)
stalls every request for that long. These helpers cut such work into short calls.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

SLICE = 2048  # items per C-level sort: a few milliseconds at most

Ordinals = npt.NDArray[np.int32]


def argsort_by(count: int, key: Callable[[int], Any]) -> Ordinals:
    """`sorted(range(count), key=key)` as int32, in slices merged in Python (never one long C call).

    Keys must be totally ordered and distinct (callers end them with the product id), so the
    result does not depend on how the slices fall.
    """
    runs: list[list[tuple[Any, int]]] = []
    for start in range(0, count, SLICE):
        runs.append(sorted((key(i), i) for i in range(start, min(count, start + SLICE))))
    out = np.empty(count, dtype=np.int32)
    for n, (_, i) in enumerate(heapq.merge(*runs)):
        out[n] = i
    for run in runs:  # freed a run at a time (see `release`)
        run.clear()
    return out


def sorted_distinct(items: Iterable[str]) -> list[str]:
    """`sorted(set(items))`, sorted in slices and merged in Python."""
    distinct = list(set(items))
    runs = [sorted(distinct[start : start + SLICE]) for start in range(0, len(distinct), SLICE)]
    return list(heapq.merge(*runs))


def int32_array(chunks: Sequence[Sequence[int]]) -> Ordinals:
    """One int32 array from many short sequences, copied a short sequence at a time."""
    total = sum(len(c) for c in chunks)
    out = np.empty(total, dtype=np.int32)
    at = 0
    for chunk in chunks:
        out[at : at + len(chunk)] = chunk
        at += len(chunk)
    return out


def release(items: list[Any]) -> None:
    """Empty a big list a slice at a time. Freeing it in one go (when its last reference goes)
    is one C call that holds the GIL while every element is freed: tens of milliseconds for
    100,000 tuples of tokens."""
    while items:
        del items[-SLICE:]
