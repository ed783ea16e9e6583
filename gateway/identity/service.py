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

Only identifiers someone trusted vouched for reach `link` (see `gateway.identity.gate`).
Limits: identifiers on the block list (shared kiosk ids, placeholder customer ids) are never
linked; a link that would give one profile two customer ids (two known people) is refused with
IDENTITY_CONFLICT, one that passes a per-kind limit or `max_identifiers` with IDENTIFIER_LIMIT;
either way nothing merges and every profile involved records the refused attempt.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from gateway.identity.directory import IdentityDirectory, is_visitor_identifier
from gateway.identity.stores.protocol import IdentityStore
from gateway.identity.values import DEFAULT_KIND_LIMITS, IdKind, MergeRecord, identifier, kind_of
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
    code: str | None = None  # with `refused`: IDENTITY_CONFLICT or IDENTIFIER_LIMIT


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
        kind_limits: Mapping[IdKind, int] | None = None,
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
        self._limits = dict(DEFAULT_KIND_LIMITS if kind_limits is None else kind_limits)
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

    def limit_problem(self, identifiers: Collection[str]) -> tuple[str, str] | None:
        """(code, reason) when one profile holding all of `identifiers` would break a limit."""
        counts: dict[IdKind, int] = {}
        for ident in set(identifiers):
            kind = kind_of(ident)
            counts[kind] = counts.get(kind, 0) + 1
        if counts.get(IdKind.CUSTOMER, 0) > self._limits.get(IdKind.CUSTOMER, 1):
            return "IDENTITY_CONFLICT", "these identifiers belong to different customers: two known people never merge"
        for kind, count in counts.items():
            limit = self._limits.get(kind, self._max)
            if count > limit:
                return "IDENTIFIER_LIMIT", f"a profile may hold at most {limit} {kind.value} identifiers"
        if len(set(identifiers)) > self._max:
            return "IDENTIFIER_LIMIT", f"more than {self._max} identifiers on one profile"
        return None

    async def check_link(self, identifiers: Sequence[str]) -> tuple[str, str] | None:
        """What `link(identifiers)` would refuse, read without taking leases (a pre-check: `link`
        checks again under its leases)."""
        wanted = [i for i in dict.fromkeys(identifiers) if not self.blocked(i)]
        owners = {o for o in await self._ids.owners(wanted) if o is not None}
        owners |= {VisitorId(i.partition(":")[2]) for i in wanted if is_visitor_identifier(i)}
        roots = set(await self.roots(sorted(owners)))
        existing = {i for pid in roots for i in await self._ids.identifiers_of(pid)}
        return self.limit_problem(existing | set(wanted))

    async def refuse(self, identifiers: Sequence[str], *, reason: str, code: str) -> None:
        """Record a link refused before it was tried (the intake's pre-check) in every involved
        profile's merge audit."""
        owners = {o for o in await self._ids.owners(list(identifiers)) if o is not None}
        owners |= {VisitorId(i.partition(":")[2]) for i in identifiers if is_visitor_identifier(i)}
        await self._record_refusal(frozenset(await self.roots(sorted(owners))), identifiers, reason, code)

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
        problem = self.limit_problem(existing | set(wanted))
        if problem is not None:
            code, why = problem
            log.warning("identity link refused (%s) between %d profiles", code, len(participants))
            await self._record_refusal(participants, wanted, reason, code)
            return LinkResult(target, (), (), refused=why, code=code)
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

    async def _record_refusal(
        self, participants: frozenset[VisitorId], wanted: Sequence[str], reason: str, code: str
    ) -> None:
        """Every profile involved keeps the refused attempt in its merge audit."""
        at = self._clock()
        for pid in sorted(participants):
            others = tuple(sorted(participants - {pid}))
            await self._ids.record_merge(MergeRecord(pid, others, tuple(wanted), reason, at, refused=code))

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
