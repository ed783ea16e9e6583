"""Commerce backends as product sources for standalone mode (`VITRINE_CATALOG_URL`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AsyncExitStack

import httpx

from gateway.catalogue.connectors.catalog_store import ConnectorCatalogStore
from gateway.catalogue.connectors.http import HttpCommerceConnector, open_http_client
from gateway.catalogue.connectors.mapping import FieldMap
from gateway.kernel import ConfigError


def open_connector_store(
    url: str,
    *,
    field_map: Mapping[str, str],
    auth_header: str,
    timeout_ms: int,
    cache_seconds: float,
    stack: AsyncExitStack,
    instrument: Callable[[httpx.AsyncClient], None] | None = None,
) -> ConnectorCatalogStore:
    """A read-only catalogue store backed by the commerce backend at `url`; its HTTP client
    closes when `stack` unwinds. `instrument` sees the client first (tracing: spans, `traceparent`)."""
    try:
        fields = FieldMap(dict(field_map))
    except ValueError as exc:
        raise ConfigError("VITRINE_CATALOG_FIELD_MAP", str(exc)) from None
    timeout = timeout_ms / 1000
    client = open_http_client(url, auth_header, timeout)
    stack.push_async_callback(client.aclose)
    if instrument is not None:
        instrument(client)
    connector = HttpCommerceConnector(client, field_map=fields, cache_seconds=cache_seconds, timeout_seconds=timeout)
    return ConnectorCatalogStore(connector)
