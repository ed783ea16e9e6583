"""Linking identifiers to one profile and merging every profile that shares one.

`link(identifiers)` makes all of them belong to a single profile:
1. find the profiles that own any of them (plus the asking visitor's own profile);
2. take a lease on each of those profiles, in sorted order (no deadlock), re-read, and
   start over if the set changed meanwhile (another merge got there first);
3. the survivor is the smallest profile id: concurrent requests that see the same set pick
   the same survivor, so two devices identifying at once converge on one profile;
4. absorb the others (each absorb is idempotent and crash-safe), re-point their
   identifiers, claim the new ones, record the merge, refresh cached copies in sessions.
A claim that loses a race to another profile makes the loop run again, now merging both.

Limits: identifiers on the block list (shared kiosk ids, placeholder customer ids) are never
linked, and a merge that would give one profile more than `max_identifiers` is refused.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from gateway.identity.directory import IdentityDirectory, is_visitor_identifier
from gateway.identity.stores.protocol import IdentityStore
from gateway.identity.values import IdKind, MergeRecord, identifier
from gateway.kernel import InputError, StoreUnavailable, Visitor, VisitorId
from gateway.platform.leases.protocol import LeaseStore
from gateway.visitors import ProfileStore, SessionStore, new_visitor_id, verify

log = logging.getLogger(__name__)

LEASE_SECONDS = 15.0
MAX_ATTEMPTS = 60


@dataclass(frozen=True, slots=True)
class LinkResult:
    profile_id: VisitorId
    merged: tuple[VisitorId, ...]  # profiles absorbed by this call
    linked: tuple[str, ...]  # identifiers now on the profile from this call
    refused: str | None = None  # why nothing was linked (cap exceeded, all blocked)


MergeListener = Callable[[VisitorId, Sequence[VisitorId]], Awaitable[None]]


class IdentityService:
    def __init__(
        self,
        directory: IdentityDirectory,
        identities: IdentityStore,
        profiles: ProfileStore,
        sessions: SessionStore,
        leases: LeaseStore,
        *,
        max_identifiers: int,
        blocklist: frozenset[str] = frozenset(),
        merge_listeners: Sequence[MergeListener] = (),
        token_keys: Sequence[str] = (),
        unlinked_channels: Collection[str] = (),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """`merge_listeners` are called as listener(target, sources) after profiles merged
        (segments re-evaluate the survivor, for one)."""
        self.directory = directory
        self._ids = identities
        self._profiles = profiles
        self._sessions = sessions
        self._leases = leases
        self._max = max_identifiers
        self._blocked = blocklist
        self._clock = clock
        self._merge_listeners = tuple(merge_listeners)
        self._token_keys = tuple(token_keys)
        self._unlinked = frozenset(unlinked_channels)

    def check_linkable(self, visitor: Visitor) -> None:
        """Shared devices (kiosks, POS terminals by default) are never linked to a person."""
        if visitor.channel.value in self._unlinked:
            raise InputError(f"visitors on the {visitor.channel.value} channel are shared devices and never linked")

    async def alias(self, visitor: Visitor, visitor_token: str) -> LinkResult:
        """Link another device of the same person, named by its signed visitor token."""
        other = verify(visitor_token, self._token_keys)
        if other is None:
            raise InputError("not a valid visitor token: pass the other device's signed vt_vid", field="visitorToken")
        self.check_linkable(visitor)
        devices = [identifier(IdKind.VISITOR, visitor.id), identifier(IdKind.VISITOR, other)]
        result = await self.link(devices, reason="alias")
        if result.refused:
            raise InputError(f"not linked: {result.refused}")
        return result

    def blocked(self, ident: str) -> bool:
        return ident in self._blocked

    async def root(self, visitor_id: VisitorId) -> VisitorId:
        """The profile id a visitor's data lives in now (itself unless merged)."""
        return await self.directory.root(visitor_id)

    async def roots(self, ids: Sequence[VisitorId]) -> list[VisitorId]:
        return await self.directory.roots(ids)

    async def link(self, identifiers: Sequence[str], *, reason: str) -> LinkResult:
        wanted = list(dict.fromkeys(i for i in identifiers if not self.blocked(i)))
        if not wanted:
            raise InputError("every identifier given is on the block list; nothing to link")
        me = secrets.token_hex(8)
        for attempt in range(MAX_ATTEMPTS):
            participants = await self._participants(wanted)
            target = min(participants)
            held = await self._lease_all(participants, me)
            if held is None:
                await asyncio.sleep(min(0.5, 0.01 * (attempt + 1)) + secrets.randbelow(20) / 1000)
                continue
            try:
                if await self._participants(wanted) != participants:
                    continue  # someone merged meanwhile: start over with the new picture
                result = await self._merge(target, participants, wanted, reason)
                if result is not None:
                    return result
            finally:
                for key in held:
                    await self._leases.release(key, me)
        raise StoreUnavailable("identity", f"link (still contended after {MAX_ATTEMPTS} attempts)")

    async def _participants(self, wanted: Sequence[str]) -> frozenset[VisitorId]:
        owners = await self._ids.owners(wanted)
        ids = [o for o in owners if o is not None]
        # An unowned visitor id still has its own (anonymous) profile under its own id.
        unowned = [i for i, o in zip(wanted, owners, strict=True) if o is None and is_visitor_identifier(i)]
        ids += [VisitorId(i.partition(":")[2]) for i in unowned]
        if not ids:  # a customer first seen through a channel without a device id: give it a profile
            ids = await self._ids.claim(wanted[:1], new_visitor_id())
        return frozenset(await self.roots(ids))

    async def _lease_all(self, participants: frozenset[VisitorId], me: str) -> list[str] | None:
        held: list[str] = []
        for pid in sorted(participants):
            key = f"profile-merge:{pid}"
            if not await self._leases.acquire(key, me, LEASE_SECONDS):
                for k in held:
                    await self._leases.release(k, me)
                return None
            held.append(key)
        return held

    async def _merge(
        self, target: VisitorId, participants: frozenset[VisitorId], wanted: Sequence[str], reason: str
    ) -> LinkResult | None:
        sources = sorted(participants - {target})
        existing = {i for pid in participants for i in await self._ids.identifiers_of(pid)}
        total = len(existing | set(wanted))
        if total > self._max:
            log.warning("identity link refused: %d identifiers would exceed the cap of %d", total, self._max)
            return LinkResult(target, (), (), refused=f"more than {self._max} identifiers on one profile")
        for source in sources:
            await self._profiles.absorb(target, source)
            await self._ids.repoint(source, target)
        owners = await self._ids.claim(wanted, target)
        if any(o != target for o in owners):
            return None  # lost a claim race: loop again, merging the winner in too
        new = tuple(i for i in wanted if i not in existing)
        if sources:
            await self._ids.record_merge(MergeRecord(target, tuple(sources), tuple(wanted), reason, self._clock()))
            log.info("merged %d profiles (%s)", len(sources) + 1, reason)
            for listener in self._merge_listeners:
                try:
                    await listener(target, sources)
                except StoreUnavailable as exc:  # the merge stands; the next event or run catches up
                    log.warning("after-merge work deferred: %s", exc.message)
        await self.refresh_sessions(target)
        return LinkResult(target, tuple(sources), new)

    async def refresh_sessions(self, target: VisitorId) -> None:
        """Sessions keep a copy of the profile: give every device of the merged profile the new one."""
        (profile,) = await self._profiles.get_many([target])
        if profile is None:
            return
        for ident in await self._ids.identifiers_of(target):
            if is_visitor_identifier(ident):
                try:
                    await self._sessions.cache_profile(VisitorId(ident.partition(":")[2]), profile)
                except StoreUnavailable as exc:  # the copy expires with the session anyway
                    log.warning("could not refresh a session's profile copy after a merge: %s", exc.message)
