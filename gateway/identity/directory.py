"""Reading who is who: which profile a visitor's data lives in, and what identifies a profile.

The read side of identity, used by every area that follows a person across devices (segments,
triggers, privacy). Linking and merging (the write side) is `IdentityService`, which calls the
areas that must react to a merge through its merge listeners.
"""

from __future__ import annotations

from collections.abc import Sequence

from gateway.identity.stores.protocol import IdentityStore
from gateway.identity.values import IdKind, MergeRecord, kind_of
from gateway.kernel import VisitorId
from gateway.visitors import ProfileStore, new_visitor_id


def is_visitor_identifier(ident: str) -> bool:
    """True for a device's own identifier (`visitor:<id>`)."""
    return kind_of(ident) is IdKind.VISITOR


class IdentityDirectory:
    def __init__(self, identities: IdentityStore, profiles: ProfileStore) -> None:
        self._ids = identities
        self._profiles = profiles

    async def root(self, visitor_id: VisitorId) -> VisitorId:
        """The profile id a visitor's data lives in now (itself unless merged)."""
        (found,) = await self._profiles.get_many([visitor_id])
        return found.visitor_id if found is not None else visitor_id

    async def roots(self, ids: Sequence[VisitorId]) -> list[VisitorId]:
        found = await self._profiles.get_many(ids)
        return [p.visitor_id if p is not None else i for i, p in zip(ids, found, strict=True)]

    async def profile_for(self, ident: str) -> VisitorId:
        """The profile owning `ident`, creating an empty one for it if none does (POS cards)."""
        (owner,) = await self._ids.owners([ident])
        if owner is None:
            (owner,) = await self._ids.claim([ident], new_visitor_id())
        return await self.root(owner)

    async def owner_of(self, ident: str) -> VisitorId | None:
        """The profile an identifier belongs to now (None: nobody's)."""
        (owner,) = await self._ids.owners([ident])
        return None if owner is None else await self.root(owner)

    async def identifiers_of(self, profile_id: VisitorId) -> list[str]:
        return await self._ids.identifiers_of(profile_id)

    async def merges_of(self, profile_id: VisitorId) -> list[MergeRecord]:
        return await self._ids.merges_of(profile_id)
