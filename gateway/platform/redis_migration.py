"""One-off move of Redis keys to their hash-tagged names (`python -m gateway redis-migrate-keys`).

Releases before Redis Cluster support named per-visitor and per-experiment keys without hash
tags (`vt:bc:<visitor>:<day>`); now the owner is tagged (`vt:bc:{<visitor>}:<day>`,
`gateway.platform.redis_keys`). The gateway reads only the new names. What that means per key:

| old name | lifetime | what the command does |
|---|---|---|
| `s:<v>`, `sp:<v>` session, profile copy | 30 min | moved (a cart survives the upgrade) |
| `bc:<v>:<day>`, `bcs:<v>` behaviour counts | 367 days | moved; counts added to any new ones |
| `imp:<v>:<variant>` impressions | 90 days | moved; serve times merged |
| `xe:<e>`, `xm:<e>:<metric>` exposures, clicks | experiment | moved; merged; `xc:{<e>}` recounted from them |
| `gh:<v>`, `gk:<v>:<message>` recommendation history, marks | 90 / 35 days | moved; history merged |

Unchanged names (signal lists `g:`, `gc`, trusted documents, leases, rate limits) need nothing.
APQ documents (`apq:<sha>`, now `apq:{registry}:<sha>`) are not moved: they expire within a day
and clients re-send a document's text when its hash is unknown; the old count (`apq:index`) is
deleted.

Run it once, right after the new release is deployed, against the single Redis server the old
release used (old names never exist on a fresh cluster: there is nothing to migrate there).
Each key is moved with RENAMENX, which keeps its expiry; where the new release already wrote
the new name in between, the two are merged as the table says (expiry: the later of the two).
It is safe to run again: keys already moved are not found under their old names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gateway.platform.redis_keys import owned

# (old kind, how to split the rest into owner + parts, how to merge into an existing new key)
Splitter = Callable[[str], tuple[str, tuple[str, ...]]]


def _whole(rest: str) -> tuple[str, tuple[str, ...]]:
    return rest, ()


def _head(rest: str) -> tuple[str, tuple[str, ...]]:
    owner, _, tail = rest.partition(":")
    return owner, (tail,) if tail else ()


def _experiment_metric(rest: str) -> tuple[str, tuple[str, ...]]:
    owner, _, metric = rest.rpartition(":")
    return owner, (metric,)


@dataclass(frozen=True, slots=True)
class _Kind:
    kind: str
    split: Splitter
    merge: str  # keep-new | sum-hash | first-hash | union-set | union-zset | append-list


KINDS = (
    _Kind("s", _whole, "keep-new"),
    _Kind("sp", _whole, "keep-new"),
    _Kind("bcs", _whole, "union-zset"),
    _Kind("bc", _head, "sum-hash"),
    _Kind("imp", _head, "union-zset"),
    _Kind("xe", _whole, "first-hash"),
    _Kind("xm", _experiment_metric, "union-set"),
    _Kind("gh", _whole, "append-list"),
    _Kind("gk", _head, "keep-new"),
)


@dataclass
class MigrationReport:
    moved: int = 0
    merged: int = 0
    experiments: set[str] = field(default_factory=set)

    def __str__(self) -> str:
        return f"{self.moved} keys moved, {self.merged} merged into keys the new release had written"


def new_name(prefix: str, key: str) -> str | None:
    """The tagged name of an old-style key; None for a key that is already tagged or not ours."""
    if not key.startswith(prefix):
        return None
    kind, sep, rest = key[len(prefix) :].partition(":")
    spec = next((k for k in KINDS if k.kind == kind), None)
    if spec is None or not sep or not rest or rest.startswith("{"):
        return None
    owner, parts = spec.split(rest)
    if not owner:
        return None
    return owned(prefix, kind, owner, *parts)


async def _merge(client: Any, how: str, old: str, new: str) -> None:
    if how == "sum-hash":
        for name, value in (await client.hgetall(old)).items():
            await client.hincrby(new, name, int(value))
    elif how == "first-hash":
        for name, value in (await client.hgetall(old)).items():
            await client.hsetnx(new, name, value)
    elif how == "union-set":
        await client.sunionstore(new, [new, old])
    elif how == "union-zset":
        await client.zunionstore(new, [new, old], aggregate="MAX")
    elif how == "append-list":
        entries = await client.lrange(old, 0, -1)
        if entries:
            await client.rpush(new, *entries)
    ttl_old, ttl_new = await client.pttl(old), await client.pttl(new)
    if ttl_old > 0 and ttl_new > 0 and ttl_old > ttl_new:
        await client.pexpire(new, ttl_old)
    elif ttl_old == -1 and ttl_new > 0:
        await client.persist(new)
    await client.delete(old)


async def _recount_experiment(client: Any, prefix: str, experiment: str) -> None:
    """`xc:{e}` (unique visitors per arm and metric) from the merged exposures and metric sets."""
    exposures = {
        k: v.decode().partition("|")[0] for k, v in (await client.hgetall(owned(prefix, "xe", experiment))).items()
    }
    counts: dict[str, int] = {}
    for arm in exposures.values():
        counts[f"{arm}|exposures"] = counts.get(f"{arm}|exposures", 0) + 1
    for metric in ("clicks", "conversions"):
        for visitor in await client.smembers(owned(prefix, "xm", experiment, metric)):
            arm = exposures.get(visitor)
            if arm is not None:
                counts[f"{arm}|{metric}"] = counts.get(f"{arm}|{metric}", 0) + 1
    target = owned(prefix, "xc", experiment)
    await client.delete(target, f"{prefix}xc:{experiment}")
    if counts:
        await client.hset(target, mapping=counts)


async def migrate_keys(client: Any, prefix: str, *, dry_run: bool = False) -> MigrationReport:
    """Move every old-style key under `prefix` to its tagged name (see the module docstring)."""
    report = MigrationReport()
    for spec in KINDS:
        async for raw in client.scan_iter(match=f"{prefix}{spec.kind}:*", count=1000):
            old = raw.decode() if isinstance(raw, bytes) else str(raw)
            new = new_name(prefix, old)
            if new is None:
                continue
            if spec.kind in ("xe", "xm"):
                report.experiments.add(spec.split(old[len(prefix) + len(spec.kind) + 1 :])[0])
            if dry_run:
                report.moved += 1
                continue
            if await client.renamenx(old, new):
                report.moved += 1
            else:
                await _merge(client, spec.merge, old, new)
                report.merged += 1
    if not dry_run:
        for experiment in sorted(report.experiments):
            await _recount_experiment(client, prefix, experiment)
        await client.delete(f"{prefix}apq:index")  # the old APQ count; its documents expire on their own
    return report
