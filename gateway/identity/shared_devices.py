"""Shared devices (kiosks and tills: `VITRINE_IDENTITY_UNLINKED_CHANNELS`) keep nothing of the
people who use them.

The identity listener never links a shared device's visitor id to a person, but an identify's
properties (the proven `customerId`, `emailHash`, `loyaltyCardId` and the traits) used to land
as traits on the device's own profile: the next shopper at the kiosk then carried the last one's
customer id. `SharedDeviceAttribution` wraps the attribution the intake uses and sends an
identify from a shared device to no profile at all (its session is unaffected: an identify
changes no session). The customer's identifiers are still linked to their own profile by the
listener; `IdentityService.identify_answer` tells the caller, and `resetVisitor` gives the
device a new visitor id between customers.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from gateway.visitors import Attribution, Event, EventType, Profile, Target


class SharedDeviceAttribution:
    def __init__(self, inner: Attribution, unlinked_channels: Collection[str]) -> None:
        self._inner = inner
        self._unlinked = frozenset(unlinked_channels)

    def _shared_identify(self, event: Event) -> bool:
        return event.type is EventType.IDENTIFY and event.channel.value in self._unlinked

    async def targets(self, events: Sequence[Event]) -> list[Target]:
        targets = await self._inner.targets(events)
        return [
            replace(target, profile_id=None) if self._shared_identify(event) else target
            for event, target in zip(events, targets, strict=True)
        ]

    async def applied(self, profiles: Sequence[Profile]) -> None:
        await self._inner.applied(profiles)
