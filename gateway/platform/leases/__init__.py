"""Short exclusive leases shared by every instance: memory, or Redis (`SET NX PX`)."""

from __future__ import annotations

from gateway.platform.backends import Backends
from gateway.platform.leases.protocol import LeaseStore


def open_store(backends: Backends) -> LeaseStore:
    if backends.redis is None:
        from gateway.platform.leases.memory import MemoryLeaseStore

        return MemoryLeaseStore()
    from gateway.platform.leases.redis import RedisLeaseStore

    return RedisLeaseStore(backends.redis, backends.redis_prefix)


__all__ = ["LeaseStore", "open_store"]
