"""Admin API for marketing automation: declared events and channels, rules and journeys.

The same shape as slot definitions (docs/editors.md): a workspace that is always valid, saves
that answer with typed problems (a JSON path and how to fix it) for an editor UI to show next
to the field, numbered releases with diffs and rollback. A publish is served at once by the
instance that took it and by every other instance and worker within seconds: no restart.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from gateway.access import Role
from gateway.triggers import Automation as DomainAutomation
from gateway.triggers import AutomationInvalid, AutomationReleaseInfo, Owner, describe
from resolvers.access.auth import AdminInfo, require_role
from resolvers.audiences import DefinitionProblem
from resolvers.execution.info import expose
from resolvers.slots.admin import DefinitionChange, DefinitionPayload


@strawberry.enum(description="What an automation definition is.")
class AutomationKind(Enum):
    EVENTS = "events"
    CHANNELS = "channels"
    RULES = "rules"
    JOURNEYS = "journeys"


ID_FIELD = {"events": "name", "channels": "name", "rules": "key", "journeys": "key"}


@strawberry.type(description="Every automation definition in the workspace (what the next publish releases).")
class AutomationWorkspace:
    events: list[JSON] = strawberry.field(description="Declared events: name, properties, points, channels.")
    channels: list[JSON] = strawberry.field(description="Declared channels (email, sms, push, voice...).")
    rules: list[JSON]
    journeys: list[JSON]


@strawberry.type(description="A published release of the automation definitions.")
class AutomationRelease:
    version: int
    published_at: datetime
    published_by: str
    note: str
    rollback_of: int | None


@strawberry.type
class AutomationReleaseDetail:
    release: AutomationRelease
    definitions: JSON


@strawberry.type(description="A rule or journey this instance serves now.")
class ServedRule:
    key: str
    name: str
    kind: str = strawberry.field(description="rule or journey")
    enabled: bool
    active: bool = strawberry.field(description="False when it can do nothing here (only webhooks, no receiver).")
    when: str = strawberry.field(description="What starts it, in words.")
    steps: list[str] = strawberry.field(description="A journey's step ids, in order (empty for a rule).")
    holdout_percent: float
    goal: str
    definition: JSON


def _release(info: AutomationReleaseInfo) -> AutomationRelease:
    return expose(info, AutomationRelease)


def _served(automation: DomainAutomation) -> list[ServedRule]:
    active = {o.key for o in automation.owners()}
    owners: list[tuple[str, Owner]] = [("rule", r) for _, r in sorted(automation.rules.items())]
    owners += [("journey", j) for _, j in sorted(automation.journeys.items())]
    return [
        ServedRule(
            key=o.key,
            name=o.name,
            kind=kind,
            enabled=o.enabled,
            active=o.key in active,
            when=describe(o.when),
            steps=[s.id for s in getattr(o, "steps", ())],
            holdout_percent=o.holdout_percent,
            goal=o.goal,
            definition=cast(JSON, dict(o.definition)),
        )
        for kind, o in owners
    ]


def _problem(exc: AutomationInvalid) -> DefinitionPayload:
    return DefinitionPayload(ok=False, definition=None, problems=[DefinitionProblem(path=exc.path, message=exc.detail)])


@strawberry.type
class AutomationQuery:
    @strawberry.field(description="The automation workspace (viewer).")
    async def automation_workspace(self, info: AdminInfo) -> AutomationWorkspace:
        require_role(info, Role.VIEWER)
        w = await info.context.services.automation.workspace()
        return AutomationWorkspace(
            events=cast(list[JSON], w["events"]),
            channels=cast(list[JSON], w["channels"]),
            rules=cast(list[JSON], w["rules"]),
            journeys=cast(list[JSON], w["journeys"]),
        )

    @strawberry.field(description="One automation definition of the workspace, or null (viewer).")
    async def automation_definition(self, info: AdminInfo, kind: AutomationKind, key: str) -> JSON | None:
        require_role(info, Role.VIEWER)
        items = (await info.context.services.automation.workspace())[kind.value]
        return next((cast(JSON, d) for d in items if d.get(ID_FIELD[kind.value]) == key), None)

    @strawberry.field(description="Rules and journeys this instance serves now, with what starts them (viewer).")
    def served_rules(self, info: AdminInfo) -> list[ServedRule]:
        require_role(info, Role.VIEWER)
        return _served(info.context.services.automation.current)

    @strawberry.field(description="The automation release this instance serves (0: the default rules) (viewer).")
    def served_automation_release(self, info: AdminInfo) -> int:
        require_role(info, Role.VIEWER)
        return info.context.services.automation.current.version

    @strawberry.field(description="Published automation releases, newest first (viewer).")
    async def automation_releases(self, info: AdminInfo, first: int = 20) -> list[AutomationRelease]:
        require_role(info, Role.VIEWER)
        return [_release(i) for i in await info.context.services.automation.history(first)]

    @strawberry.field(description="One automation release with its definitions (viewer).")
    async def automation_release(self, info: AdminInfo, version: int) -> AutomationReleaseDetail:
        require_role(info, Role.VIEWER)
        found = await info.context.services.automation.release(version)
        return AutomationReleaseDetail(release=_release(found.info), definitions=cast(JSON, dict(found.definitions)))

    @strawberry.field(description="Changes from release `base` (null: empty) to `target` (null: the workspace).")
    async def automation_diff(
        self, info: AdminInfo, base: int | None = None, target: int | None = None
    ) -> list[DefinitionChange]:
        require_role(info, Role.VIEWER)
        changes = await info.context.services.automation.diff(base, target)
        return [DefinitionChange(kind=c.kind, key=c.key, change=c.change, fields=list(c.fields)) for c in changes]


@strawberry.type
class AutomationMutation:
    @strawberry.mutation(
        description="Create or replace an automation definition (editor); problems come back typed, nothing is saved."
    )
    async def save_automation_definition(
        self, info: AdminInfo, kind: AutomationKind, definition: JSON
    ) -> DefinitionPayload:
        by = require_role(info, Role.EDITOR)
        raw: Any = definition
        try:
            saved = await info.context.services.automation.put(kind.value, raw, by.key_id)
        except AutomationInvalid as exc:
            return _problem(exc)
        return DefinitionPayload(ok=True, definition=cast(JSON, saved), problems=[])

    @strawberry.mutation(description="Delete an automation definition (editor); refused while used.")
    async def delete_automation_definition(self, info: AdminInfo, kind: AutomationKind, key: str) -> DefinitionPayload:
        by = require_role(info, Role.EDITOR)
        try:
            await info.context.services.automation.delete(kind.value, key, by.key_id)
        except AutomationInvalid as exc:
            return _problem(exc)
        return DefinitionPayload(ok=True, definition=None, problems=[])

    @strawberry.mutation(description="Release the automation workspace to every instance and worker (editor).")
    async def publish_automation(self, info: AdminInfo, note: str = "") -> AutomationRelease:
        by = require_role(info, Role.EDITOR)
        return _release(await info.context.services.automation.publish(note, by.key_id))

    @strawberry.mutation(description="Publish the definitions of an earlier automation release again (editor).")
    async def rollback_automation(self, info: AdminInfo, version: int, note: str = "") -> AutomationRelease:
        by = require_role(info, Role.EDITOR)
        return _release(await info.context.services.automation.rollback(version, note, by.key_id))
