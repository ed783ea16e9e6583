"""Editors' automation: declared events and channels, rules and journeys, released like slots.

The workspace is always a valid release: each change (put or delete) is validated with the
whole workspace (a rule may name a declared event; a follow-up must name a follow-up rule)
before it is stored, so `publish` only numbers and stores it. The workspace starts as the
default rules (the three built-in triggers) until someone publishes.

Serving: each instance holds one immutable `Automation` and swaps the reference when a newer
release appears: the publishing instance at once, the others (and `python -m gateway worker`)
at their next poll, every few seconds. No restart. A release that does not parse here (a code
rollback, say) is logged and the previous one kept.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from gateway.kernel import InputError, NotFound, StoreUnavailable
from gateway.platform.releases import Release, ReleaseInfo
from gateway.triggers.stores.protocol import AutomationDraftStore, AutomationReleaseStore
from gateway.triggers.values.automation import (
    ID_FIELD,
    KINDS,
    Automation,
    Change,
    RawDefinitions,
    build_automation,
    diff,
)
from gateway.triggers.values.durations import AutomationError
from gateway.triggers.values.when import RuleDefaults
from gateway.visitors import Vocabulary

log = logging.getLogger(__name__)

MAX_NOTE = 500
PUBLISH_ATTEMPTS = 5


class AutomationInvalid(InputError):
    """A definition an editor must fix; `path` is the JSON path of the problem."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message, field=path)
        self.path = path
        self.detail = message


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise InputError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}", field="kind")
    return kind


class AutomationDefinitions:
    def __init__(
        self,
        drafts: AutomationDraftStore,
        releases: AutomationReleaseStore,
        defaults: RuleDefaults,
        default_definitions: RawDefinitions,
        *,
        webhooks: bool,
    ) -> None:
        """`webhooks`: whether a receiver is configured (rules that only send webhooks are
        inert without one)."""
        self._drafts = drafts
        self._releases = releases
        self._defaults = defaults
        self._default_definitions = default_definitions
        self._webhooks = webhooks
        self._current = build_automation(0, default_definitions, defaults, webhooks=webhooks)
        self._publishing = asyncio.Lock()

    @property
    def current(self) -> Automation:
        """The release this instance serves now (version 0: the defaults). Read it once per job."""
        return self._current

    def vocabulary(self) -> Vocabulary:
        """The declared events and channels served now (the event intake asks per batch)."""
        return self._current.vocabulary

    # --- serving -------------------------------------------------------------------------

    def _install(self, release: Release) -> bool:
        if release.version <= self._current.version:
            return False
        try:
            automation = build_automation(release.version, release.definitions, self._defaults, webhooks=self._webhooks)
        except AutomationError as exc:
            log.error("automation release %d not served (keeping %d): %s", release.version, self._current.version, exc)
            return False
        self._current = automation
        log.info("serving automation release %d", release.version)
        return True

    async def load_latest(self) -> bool:
        """Serve the newest release if it is newer than the served one. True if it changed."""
        newest = await self._releases.history(1)
        if not newest or newest[0].version <= self._current.version:
            return False
        release = await self._releases.get(newest[0].version)
        return release is not None and self._install(release)

    async def poll(self) -> None:
        """A background job calls this every few seconds, on gateway instances and workers."""
        try:
            await self.load_latest()
        except StoreUnavailable as exc:
            log.warning("could not check for new automation releases: %s", exc.message)

    # --- the workspace -------------------------------------------------------------------

    async def workspace(self) -> dict[str, list[dict[str, Any]]]:
        drafts = await self._drafts.all()
        if any(drafts.get(k) for k in KINDS) or await self._releases.history(1):
            return drafts
        return {k: [dict(d) for d in self._default_definitions.get(k, [])] for k in KINDS}

    def _validate(self, definitions: RawDefinitions) -> Automation:
        try:
            return build_automation(0, definitions, self._defaults)
        except AutomationError as exc:
            raise AutomationInvalid(exc.path, exc.message) from None

    async def _materialise(self, current: RawDefinitions, by: str) -> None:
        """The first edit of a workspace that only showed the defaults stores them (one by one:
        never wiping what a concurrent first edit stored)."""
        stored = await self._drafts.all()
        if any(stored.get(k) for k in KINDS):
            return
        for kind in KINDS:
            for definition in current.get(kind, []):
                await self._drafts.put(kind, str(definition[ID_FIELD[kind]]), definition, by)

    async def put(self, kind: str, definition: Mapping[str, Any], by: str) -> dict[str, Any]:
        """Create or replace one definition after validating the workspace with it."""
        kind = _kind(kind)
        if not isinstance(definition, Mapping):
            raise AutomationInvalid(kind, "a definition must be a JSON object")
        key = definition.get(ID_FIELD[kind])
        if not isinstance(key, str):
            raise AutomationInvalid(ID_FIELD[kind], "required: the definition's key")
        current = await self.workspace()
        items = [d for d in current.get(kind, []) if d.get(ID_FIELD[kind]) != key]
        candidate = {**current, kind: [*items, dict(definition)]}
        try:
            self._validate(candidate)
        except AutomationInvalid as exc:
            raise _relative(exc, kind, len(items)) from None
        await self._materialise(current, by)
        await self._drafts.put(kind, key, definition, by)
        return dict(definition)

    async def delete(self, kind: str, key: str, by: str) -> None:
        kind = _kind(kind)
        current = await self.workspace()
        items = current.get(kind, [])
        if not any(d.get(ID_FIELD[kind]) == key for d in items):
            raise NotFound(f"no {kind[:-1]} {key!r} in the automation workspace")
        candidate = {**current, kind: [d for d in items if d.get(ID_FIELD[kind]) != key]}
        try:
            self._validate(candidate)
        except AutomationInvalid as exc:
            raise AutomationInvalid(
                exc.path, f"cannot delete {kind[:-1]} {key!r}: {exc.detail} (change or delete what uses it first)"
            ) from None
        await self._materialise(current, by)
        await self._drafts.delete(kind, key)

    # --- releases ------------------------------------------------------------------------

    async def publish(self, note: str, by: str, *, rollback_of: int | None = None) -> ReleaseInfo:
        """Release the workspace as the next version and serve it here (others poll for it)."""
        if len(note) > MAX_NOTE:
            raise InputError(f"at most {MAX_NOTE} characters", field="note")
        async with self._publishing:
            for _ in range(PUBLISH_ATTEMPTS):
                definitions = await self.workspace()
                self._validate(definitions)
                newest = await self._releases.history(1)
                version = (newest[0].version if newest else 0) + 1
                info = ReleaseInfo(version, datetime.now(UTC), by, note, rollback_of)
                release = Release(info, definitions)
                if await self._releases.append(release):
                    break
            else:
                raise InputError("other editors kept publishing at the same moment; publish again")
        self._install(release)
        log.info("automation release %d published by %s", info.version, by)
        return info

    async def rollback(self, version: int, note: str, by: str) -> ReleaseInfo:
        """Publish the definitions of an earlier release as a new release (and reset the workspace)."""
        old = await self.release(version)
        self._validate(old.definitions)
        await self._drafts.replace_all(old.definitions, by)
        return await self.publish(note or f"rollback to release {version}", by, rollback_of=version)

    async def history(self, limit: int) -> list[ReleaseInfo]:
        return await self._releases.history(max(1, min(limit, 100)))

    async def release(self, version: int) -> Release:
        found = await self._releases.get(version)
        if found is None:
            raise NotFound(f"no automation release {version}")
        return found

    async def diff(self, base: int | None, target: int | None) -> list[Change]:
        """Changes from release `base` (None: nothing) to `target` (None: the workspace)."""
        before: RawDefinitions = (await self.release(base)).definitions if base else {k: [] for k in KINDS}
        after: RawDefinitions = (await self.release(target)).definitions if target else await self.workspace()
        return diff(before, after)


def _relative(exc: AutomationInvalid, kind: str, index: int) -> AutomationInvalid:
    """Report a problem in the definition being saved relative to it: 'rule.when.event'."""
    prefix = f"{kind}[{index}]"
    if exc.path == prefix or exc.path.startswith((f"{prefix}.", f"{prefix}[")):
        return AutomationInvalid(kind[:-1] + exc.path[len(prefix) :], exc.detail)
    return exc
