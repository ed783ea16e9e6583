"""Commerce backends as product sources for standalone mode (`VITRINE_CATALOG_URL`)."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AsyncExitStack

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
) -> ConnectorCatalogStore:
    """A read-only catalogue store backed by the commerce backend at `url`; its HTTP client
    closes when `stack` unwinds."""
    try:
        fields = FieldMap(dict(field_map))
    except ValueError as exc:
        raise ConfigError("VITRINE_CATALOG_FIELD_MAP", str(exc)) from None
    timeout = timeout_ms / 1000
    client = open_http_client(url, auth_header, timeout)
    stack.push_async_callback(client.aclose)
    connector = HttpCommerceConnector(client, field_map=fields, cache_seconds=cache_seconds, timeout_seconds=timeout)
    return ConnectorCatalogStore(connector)
