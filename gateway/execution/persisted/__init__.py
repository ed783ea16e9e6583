"""Persisted GraphQL documents: automatic persisted queries (APQ) and trusted documents."""

from __future__ import annotations

from gateway.execution.persisted.documents import PersistedDocuments, ResolvedDocument, register_manifest_file
from gateway.execution.persisted.protocol import PersistedQueryStore
from gateway.platform.backends import Backends


def open_store(backends: Backends, ttl_seconds: int, max_entries: int = 2000) -> PersistedQueryStore:
    """APQ documents expire after `ttl_seconds`; at most `max_entries` are kept (oldest dropped)."""
    if backends.redis is None:
        from gateway.execution.persisted.memory import MemoryPersistedQueryStore

        return MemoryPersistedQueryStore(ttl_seconds=ttl_seconds, max_entries=max_entries)
    from gateway.execution.persisted.redis import RedisPersistedQueryStore

    return RedisPersistedQueryStore(backends.redis, backends.redis_prefix, ttl_seconds, max_entries)


__all__ = ["PersistedDocuments", "PersistedQueryStore", "ResolvedDocument", "open_store", "register_manifest_file"]
