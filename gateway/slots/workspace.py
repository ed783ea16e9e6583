"""Editors' definitions: the draft workspace, publishing releases, and the served snapshot.

Invariant: the workspace is always a valid release. Every change (put or delete) is
validated together with everything else in the workspace before it is stored, so
`publish` only has to number and store it. Validation failures raise `DefinitionInvalid`
(an InputError carrying every problem found, each with its JSON path), which the admin API
shows to the editor. A save also checks what the saved definition names outside the workspace
(event names, categories, brands, products: `gateway.audiences.ReferenceCheck`); publishing and
rolling back do not, so a release keeps working when the catalogue later drops a product.

Serving: each instance holds one immutable `Snapshot` and swaps the reference when a newer
release appears, so a request (which reads the reference once) sees one release, never a
mix. New releases arrive by broadcast (Redis pub/sub: every instance within milliseconds),
with a poll as a safety net. A release that fails to parse on an instance (a code
rollback that no longer understands it, say) is logged and the previous snapshot kept: a
bad definition never takes down the storefront.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from gateway.audiences import ConditionError, ReferenceCheck, problems_of
from gateway.kernel import InputError, NotFound, StoreUnavailable
from gateway.platform.releases import Release, ReleaseInfo
from gateway.slots.stores.protocol import Broadcaster, DraftStore, ReleaseStore
from gateway.slots.values.definitions import (
    EMPTY,
    ID_FIELD,
    KINDS,
    Change,
    RawDefinitions,
    Snapshot,
    build_snapshot,
    diff,
)
from gateway.slots.values.references import definition_references

log = logging.getLogger(__name__)

RELEASE_MESSAGE = "release:"
RETRY_SECONDS = 1.0
MAX_NOTE = 500
PUBLISH_ATTEMPTS = 5


class DefinitionInvalid(InputError):
    """Definitions an editor must fix: `problems` holds every (JSON path, message) found;
    `path` and `detail` are the first one's."""

    def __init__(self, path: str, message: str, more: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message, field=path)
        self.path = path
        self.detail = message
        self.problems: tuple[tuple[str, str], ...] = ((path, message), *more)

    @classmethod
    def of(cls, problems: Sequence[tuple[str, str]]) -> DefinitionInvalid:
        (path, message), *more = problems
        return cls(path, message, more)


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise InputError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}", field="kind")
    return kind


class SlotDefinitions:
    def __init__(
        self,
        drafts: DraftStore,
        releases: ReleaseStore,
        broadcaster: Broadcaster,
        *,
        references: ReferenceCheck | None = None,
    ) -> None:
        """`references` checks the events and catalogue ids a saved definition names (None: unchecked)."""
        self._drafts = drafts
        self._releases = releases
        self._broadcaster = broadcaster
        self._references = references
        self._snapshot: Snapshot = EMPTY
        self._publishing = asyncio.Lock()

    @property
    def snapshot(self) -> Snapshot:
        """The release this instance serves now. Read it once per request."""
        return self._snapshot

    # --- serving -----------------------------------------------------------------------

    def _install(self, release: Release) -> bool:
        if release.version <= self._snapshot.version:
            return False
        try:
            snapshot = build_snapshot(release.version, release.definitions)
        except ConditionError as exc:
            log.error("release %d not served (keeping %d): %s", release.version, self._snapshot.version, exc)
            return False
        self._snapshot = snapshot  # one reference swap: requests see the old or the new release
        log.info("serving slot definitions release %d", release.version)
        return True

    async def load_latest(self) -> bool:
        """Serve the newest release if it is newer than the served one. True if it changed."""
        newest = await self._releases.history(1)  # the version only: cheap enough to poll
        if not newest or newest[0].version <= self._snapshot.version:
            return False
        release = await self._releases.get(newest[0].version)
        return release is not None and self._install(release)

    async def follow(self) -> None:
        """Run forever: apply releases as they are broadcast, re-sync on every (re)connect."""
        while True:
            try:
                async for message in self._broadcaster.listen():
                    if message == "" or message.startswith(RELEASE_MESSAGE):
                        await self.load_latest()
            except StoreUnavailable as exc:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    # redis-py reports a cancelled read as a connection error: stop, as asked.
                    raise asyncio.CancelledError from exc
                log.warning("release broadcasts unavailable, polling: %s", exc.message)
                await asyncio.sleep(RETRY_SECONDS)
                await self._poll_once()

    async def poll(self) -> None:
        """The safety net: a background job calls this every few seconds."""
        await self._poll_once()

    async def _poll_once(self) -> None:
        try:
            await self.load_latest()
        except StoreUnavailable as exc:
            log.warning("could not check for new slot releases: %s", exc.message)

    # --- the workspace -------------------------------------------------------------------

    async def workspace(self) -> dict[str, list[dict[str, Any]]]:
        return await self._drafts.all()

    @staticmethod
    def _validate(definitions: RawDefinitions) -> Snapshot:
        try:
            return build_snapshot(0, definitions)
        except ConditionError as exc:
            raise DefinitionInvalid.of([(p.path, p.message) for p in problems_of(exc)]) from None

    async def put(self, kind: str, definition: Mapping[str, Any], by: str) -> dict[str, Any]:
        """Create or replace one definition after validating the workspace with it."""
        kind = _kind(kind)
        if not isinstance(definition, Mapping):
            raise DefinitionInvalid(kind, "a definition must be a JSON object")
        key = definition.get(ID_FIELD[kind])
        if not isinstance(key, str):
            raise DefinitionInvalid(f"{kind[:-1]}.{ID_FIELD[kind]}", "required: the definition's key")
        current = await self._drafts.all()
        items = [d for d in current.get(kind, []) if d.get(ID_FIELD[kind]) != key]
        candidate = {**current, kind: [*items, dict(definition)]}
        try:
            self._validate(candidate)
        except DefinitionInvalid as exc:
            raise _relative(exc, kind, len(items)) from None
        if self._references is not None:
            unknown = await self._references.problems(definition_references(kind, definition))
            if unknown:
                raise DefinitionInvalid.of(unknown)
        await self._drafts.put(kind, key, definition, by)
        return dict(definition)

    async def delete(self, kind: str, key: str, by: str) -> None:
        kind = _kind(kind)
        current = await self._drafts.all()
        items = current.get(kind, [])
        if not any(d.get(ID_FIELD[kind]) == key for d in items):
            raise NotFound(f"no {kind[:-1]} {key!r} in the workspace")
        candidate = {**current, kind: [d for d in items if d.get(ID_FIELD[kind]) != key]}
        try:
            self._validate(candidate)
        except DefinitionInvalid as exc:
            why = f"cannot delete {kind[:-1]} {key!r}"
            raise DefinitionInvalid.of(
                [(path, f"{why}: {message} (change or delete what uses it first)") for path, message in exc.problems]
            ) from None
        await self._drafts.delete(kind, key)

    # --- releases ------------------------------------------------------------------------

    async def publish(self, note: str, by: str, *, rollback_of: int | None = None) -> ReleaseInfo:
        """Release the workspace as the next version, serve it here and tell every instance."""
        if len(note) > MAX_NOTE:
            raise InputError(f"at most {MAX_NOTE} characters", field="note")
        async with self._publishing:
            for _ in range(PUBLISH_ATTEMPTS):
                definitions = await self._drafts.all()
                self._validate(definitions)
                newest = await self._releases.history(1)
                version = (newest[0].version if newest else 0) + 1
                info = ReleaseInfo(version, datetime.now(UTC), by, note, rollback_of)
                release = Release(info, definitions)
                if await self._releases.append(release):
                    break
                # Another instance took this number: re-read the (shared) workspace and take the next.
            else:
                raise InputError("other editors kept publishing at the same moment; publish again")
        self._install(release)
        try:
            await self._broadcaster.publish(f"{RELEASE_MESSAGE}{info.version}")
        except StoreUnavailable as exc:  # other instances pick it up by polling
            log.warning("release %d stored but not broadcast: %s", info.version, exc.message)
        log.info("slot definitions release %d published by %s", info.version, by)
        return info

    async def rollback(self, version: int, note: str, by: str) -> ReleaseInfo:
        """Publish the definitions of an earlier release as a new release (and reset the workspace)."""
        old = await self._releases.get(version)
        if old is None:
            raise NotFound(f"no release {version}")
        self._validate(old.definitions)
        await self._drafts.replace_all(old.definitions, by)
        return await self.publish(note or f"rollback to release {version}", by, rollback_of=version)

    async def history(self, limit: int) -> list[ReleaseInfo]:
        return await self._releases.history(max(1, min(limit, 100)))

    async def release(self, version: int) -> Release:
        found = await self._releases.get(version)
        if found is None:
            raise NotFound(f"no release {version}")
        return found

    async def diff(self, base: int | None, target: int | None) -> list[Change]:
        """Changes from release `base` (None: nothing) to release `target` (None: the workspace)."""
        before: RawDefinitions = (await self.release(base)).definitions if base else {k: [] for k in KINDS}
        after: RawDefinitions = (await self.release(target)).definitions if target else await self._drafts.all()
        return diff(before, after)


def _relative(exc: DefinitionInvalid, kind: str, index: int) -> DefinitionInvalid:
    """Report problems in the definition being saved relative to it: 'variant.content.title'."""
    prefix = f"{kind}[{index}]"

    def relative(path: str) -> str:
        if path == prefix or path.startswith((f"{prefix}.", f"{prefix}[")):
            return kind[:-1] + path[len(prefix) :]
        return path

    return DefinitionInvalid.of([(relative(path), message) for path, message in exc.problems])
