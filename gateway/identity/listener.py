"""Identify events (from `POST /v1/events` or the `identify` mutation) link the visitor.

Runs as an EventService listener, so an identify accepted while a store was down is linked
when the event is replayed. Linking is idempotent, so a replay is harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from gateway.catalogue import Product, ProductId
from gateway.identity.service import IdentityService
from gateway.identity.values import IdKind, identifier
from gateway.kernel import InputError
from gateway.visitors import Event, EventType

log = logging.getLogger(__name__)


def identifiers_of(event: Event, *, unlinked_channels: frozenset[str]) -> list[str]:
    """The identifiers an identify event links: its device first, then those the intake gate
    proved (an identity token or an ingest key vouched for them). Nothing else ever links."""
    found: list[str] = []
    if event.channel.value not in unlinked_channels:  # shared kiosks and tills never merge people
        found.append(identifier(IdKind.VISITOR, event.visitor_id))
    return found + list(event.proven)


class IdentityListener:
    def __init__(self, identity: IdentityService, *, unlinked_channels: frozenset[str]) -> None:
        self._identity = identity
        self._unlinked = unlinked_channels

    async def on_events(self, events: Sequence[Event], products: Mapping[ProductId, Product]) -> None:
        for event in events:
            if event.type is not EventType.IDENTIFY:
                continue
            idents = identifiers_of(event, unlinked_channels=self._unlinked)
            if all(i.startswith("visitor:") for i in idents):
                continue  # nothing to link to (an identify with traits only)
            try:
                result = await self._identity.link(idents, reason=f"identify via {event.channel.value}")
            except InputError as exc:
                log.warning("identify not linked: %s", exc.message)
                continue
            if result.refused:
                log.warning("identify not linked: %s", result.refused)
