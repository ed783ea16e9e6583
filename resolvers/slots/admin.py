"""Admin API for slots: definitions (viewer reads, editor writes), releases, preview, results.

Definitions travel as the JSON editors write (see docs/editors.md); a save validates the
definition together with the whole workspace and answers with typed problems (JSON path and
a message that says how to fix it; every problem found, not only the first) instead of a
GraphQL error, so an editor UI can show them next to their fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from gateway.access import Principal, Role
from gateway.audiences import BehaviourQuery
from gateway.catalogue import LocalizedProduct
from gateway.kernel import InputError
from gateway.slots import ArmResult as DomainArmResult
from gateway.slots import Decision as DomainDecision
from gateway.slots import DefinitionInvalid, HypotheticalVisitor, PreviewedVisitor, ReleaseInfo, RequestFacts
from gateway.slots import Interval as DomainInterval
from gateway.slots import content as dcontent
from resolvers.access.auth import AdminInfo, require_role
from resolvers.audiences import DefinitionProblem
from resolvers.slots.storefront import Decision, to_decision


@strawberry.enum
class DefinitionKind(Enum):
    SLOTS = "slots"
    VARIANTS = "variants"
    AUDIENCES = "audiences"
    EXPERIMENTS = "experiments"


@strawberry.type(description="Every definition in the editors' workspace (what the next publish releases).")
class Workspace:
    slots: list[JSON]
    variants: list[JSON]
    audiences: list[JSON]
    experiments: list[JSON]


@strawberry.type
class DefinitionPayload:
    ok: bool
    definition: JSON | None
    problems: list[DefinitionProblem]


@strawberry.type(description="A published release of all slot definitions.")
class Release:
    version: int
    published_at: datetime
    published_by: str = strawberry.field(description="The id of the API key that published it.")
    published_by_name: str | None = strawberry.field(
        description="That key's name (revoked keys too); null when no key has that id (a tool published it)."
    )
    note: str
    rollback_of: int | None = strawberry.field(description="The release whose definitions this one restored.")


@strawberry.type
class ReleaseDetail:
    release: Release
    definitions: JSON


@strawberry.type(description="One definition that differs between two releases (or a release and the workspace).")
class DefinitionChange:
    kind: str
    key: str
    change: str = strawberry.field(description="added, removed or changed")
    fields: list[str] = strawberry.field(description="Top-level fields that differ (for changed).")


@strawberry.type(description="A product of a previewed carousel, as a storefront would list it.")
class PreviewProduct:
    id: str
    name: str
    price: str = strawberry.field(description="The amount as a decimal string, e.g. 129.99.")
    currency: str
    compare_at_price: str | None
    image_url: str | None
    image_alt: str | None
    in_stock: bool
    url: str


@strawberry.type(description="A behaviour count the decision used: read for a real visitor, or given.")
class PreviewBehaviourCount:
    event: str
    within_days: float
    category: str | None
    brand: str | None
    product: str | None
    count: int
    given: bool = strawberry.field(description="True when the preview's input set it; false when read.")


@strawberry.type(description="Who the preview decided for.")
class PreviewVisitor:
    visitor_id: str
    profile_id: str = strawberry.field(description="The profile read: another id once this visitor was merged.")
    known: bool = strawberry.field(
        description="A profile or session is stored for this id: a real visitor, read as `slot` reads them."
    )
    personalized: bool
    reason: str | None = strawberry.field(description="NO_CONSENT or STORE_UNAVAILABLE when not personalized.")
    segments: list[str]
    behaviour: list[PreviewBehaviourCount]
    facts: JSON = strawberry.field(description="Every fact the audiences were evaluated against, by field name.")


@strawberry.type(description="What a slot would show; nothing is recorded.")
class Preview:
    decision: Decision
    content_type: str
    content: JSON
    products: list[PreviewProduct] = strawberry.field(
        description="A carousel's products for this visitor (its fixed list, else its strategy); empty otherwise."
    )
    visitor: PreviewVisitor


@strawberry.input
class BehaviourCountInput:
    event: str
    within_days: float
    count: int
    category: str | None = None
    brand: str | None = None
    product: str | None = None


@strawberry.input(description="A hypothetical visitor, and optionally a variant to force.")
class PreviewInput:
    slot_key: str
    variant_id: str | None = strawberry.field(default=None, description="Show this variant (drafts too).")
    visitor_id: str = strawberry.field(
        default="v_preview",
        description="A real visitor's id previews them as they are: profile, session, segments and behaviour "
        "counts are loaded. Any other id is a new, hypothetical visitor. It also decides the experiment arm.",
    )
    locale: str = strawberry.field(default="en", description="For a carousel's product names.")
    traits: JSON | None = strawberry.field(default=None, description="Merged over the visitor's own traits.")
    segments: list[str] | None = strawberry.field(default=None, description="Added to the visitor's own segments.")
    channel: str | None = None
    device: str | None = None
    country: str | None = None
    city: str | None = None
    utm_source: str | None = None
    utm_campaign: str | None = None
    referrer: str | None = None
    cart_value: float | None = None
    cart_items: list[str] | None = None
    behaviour: list[BehaviourCountInput] | None = None
    facts: JSON | None = strawberry.field(default=None, description="Any other condition field, by name.")
    at: datetime | None = strawberry.field(default=None, description="Evaluate at this time (schedules).")


@strawberry.type
class Interval:
    estimate: float
    low: float
    high: float


@strawberry.type
class ArmResult:
    arm: str
    is_control: bool
    is_holdout: bool
    expected_share: float
    exposures: int
    clicks: int
    conversions: int
    click_rate: float | None
    conversion_rate: float | None
    click_rate_interval: Interval | None = strawberry.field(
        description="The click rate with its Wilson score 95% interval; null with no exposures."
    )
    conversion_rate_interval: Interval | None = strawberry.field(
        description="The conversion rate with its Wilson score 95% interval; null with no exposures."
    )
    difference: Interval | None = strawberry.field(description="Conversion rate minus control's, 95% interval.")
    uplift: Interval | None = strawberry.field(description="Relative to control's rate, 95% interval.")
    probability_best: float | None = strawberry.field(description="Bayesian P(highest conversion rate).")


@strawberry.type
class ExperimentResults:
    key: str
    name: str
    status: str = strawberry.field(description="draft, running or stopped, as served (or in the workspace).")
    published: bool = strawberry.field(description="In the release this gateway serves; false: workspace only.")
    notice: str | None = strawberry.field(description="Why there is nothing (yet) to read; null when running.")
    total_exposures: int
    srm_chi_square: float | None
    srm_p_value: float | None = strawberry.field(description="Sample-ratio check; below 0.001 the split is broken.")
    srm_detected: bool
    arms: list[ArmResult]


def _release(release: ReleaseInfo, names: Mapping[str, str]) -> Release:
    return Release(
        version=release.version,
        published_at=release.published_at,
        published_by=release.published_by,
        published_by_name=names.get(release.published_by),
        note=release.note,
        rollback_of=release.rollback_of,
    )


def _by(principal: Principal) -> dict[str, str]:
    """The publisher's name, known without a lookup: the caller's own key."""
    return {principal.key_id: principal.name}


def _content_json(d: DomainDecision) -> dict[str, Any]:
    c = d.content
    if isinstance(c, dcontent.Banner):
        return {
            "title": c.title,
            "subtitle": c.subtitle,
            "imageUrl": c.image_url,
            "altText": c.alt_text,
            "cta": c.cta,
            "link": c.link,
            "textColour": c.text_colour,
            "backgroundColour": c.background_colour,
        }
    if isinstance(c, dcontent.ProductCarousel):
        return {"title": c.title, "strategy": c.strategy, "productIds": list(c.product_ids)}
    if isinstance(c, dcontent.HtmlBlock):
        return {"html": c.html}
    return {"data": dict(c.data)}


def _preview_product(p: LocalizedProduct) -> PreviewProduct:
    image = p.images[0] if p.images else None
    return PreviewProduct(
        id=p.id,
        name=p.name,
        price=str(p.price.amount),
        currency=p.price.currency,
        compare_at_price=str(p.compare_at_price.amount) if p.compare_at_price else None,
        image_url=image.url if image else None,
        image_alt=image.alt if image else None,
        in_stock=p.in_stock,
        url=p.url,
    )


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


def _preview_visitor(v: PreviewedVisitor) -> PreviewVisitor:
    return PreviewVisitor(
        visitor_id=v.visitor_id,
        profile_id=v.profile_id,
        known=v.known,
        personalized=v.personalized,
        reason=v.reason,
        segments=list(v.segments),
        behaviour=[
            PreviewBehaviourCount(
                event=q.event,
                within_days=q.within_days,
                category=q.category,
                brand=q.brand,
                product=q.product,
                count=n,
                given=given,
            )
            for q, n, given in v.behaviour
        ],
        facts=cast(JSON, {k: _json_safe(v.facts[k]) for k in sorted(v.facts)}),
    )


def _interval(value: DomainInterval | None) -> Interval | None:
    return Interval(estimate=value.estimate, low=value.low, high=value.high) if value else None


def _arm(a: DomainArmResult) -> ArmResult:
    return ArmResult(
        arm=a.arm,
        is_control=a.is_control,
        is_holdout=a.is_holdout,
        expected_share=a.expected_share,
        exposures=a.exposures,
        clicks=a.clicks,
        conversions=a.conversions,
        click_rate=a.click_rate,
        conversion_rate=a.conversion_rate,
        click_rate_interval=_interval(a.click_rate_interval),
        conversion_rate_interval=_interval(a.conversion_rate_interval),
        difference=_interval(a.difference),
        uplift=_interval(a.uplift),
        probability_best=a.probability_best,
    )


async def _save(info: AdminInfo, kind: str, definition: Any) -> DefinitionPayload:
    by = require_role(info, Role.EDITOR)
    try:
        saved = await info.context.services.slot_definitions.put(kind, definition, by.key_id)
    except DefinitionInvalid as exc:
        return DefinitionPayload(ok=False, definition=None, problems=_problems(exc))
    return DefinitionPayload(ok=True, definition=cast(JSON, saved), problems=[])


def _problems(exc: DefinitionInvalid) -> list[DefinitionProblem]:
    return [DefinitionProblem(path=path, message=message) for path, message in exc.problems]


@strawberry.type
class SlotsAdminQuery:
    @strawberry.field(description="The draft workspace (viewer).")
    async def workspace(self, info: AdminInfo) -> Workspace:
        require_role(info, Role.VIEWER)
        w = await info.context.services.slot_definitions.workspace()
        return Workspace(
            slots=cast(list[JSON], w["slots"]),
            variants=cast(list[JSON], w["variants"]),
            audiences=cast(list[JSON], w["audiences"]),
            experiments=cast(list[JSON], w["experiments"]),
        )

    @strawberry.field(description="One definition of the workspace, or null (viewer).")
    async def definition(self, info: AdminInfo, kind: DefinitionKind, key: str) -> JSON | None:
        require_role(info, Role.VIEWER)
        items = (await info.context.services.slot_definitions.workspace())[kind.value]
        id_field = "id" if kind is DefinitionKind.VARIANTS else "key"
        return next((cast(JSON, d) for d in items if d.get(id_field) == key), None)

    @strawberry.field(description="The release this gateway instance serves now (viewer).")
    def served_release(self, info: AdminInfo) -> int:
        require_role(info, Role.VIEWER)
        return info.context.services.slot_definitions.snapshot.version

    @strawberry.field(description="Published releases, newest first (viewer).")
    async def releases(self, info: AdminInfo, first: int = 20) -> list[Release]:
        require_role(info, Role.VIEWER)
        services = info.context.services
        history = await services.slot_definitions.history(first)
        names = await services.api_keys.names() if history else {}
        return [_release(i, names) for i in history]

    @strawberry.field(description="One release with its definitions (viewer).")
    async def release(self, info: AdminInfo, version: int) -> ReleaseDetail:
        require_role(info, Role.VIEWER)
        found = await info.context.services.slot_definitions.release(version)
        names = await info.context.services.api_keys.names()
        return ReleaseDetail(release=_release(found.info, names), definitions=cast(JSON, dict(found.definitions)))

    @strawberry.field(description="Changes from release `base` (null: empty) to `target` (null: the workspace).")
    async def release_diff(
        self, info: AdminInfo, base: int | None = None, target: int | None = None
    ) -> list[DefinitionChange]:
        require_role(info, Role.VIEWER)
        changes = await info.context.services.slot_definitions.diff(base, target)
        return [DefinitionChange(kind=c.kind, key=c.key, change=c.change, fields=list(c.fields)) for c in changes]

    @strawberry.field(
        description="What a slot of the workspace shows a visitor, and why: a real visitor (by id) as they are, "
        "or as the input changes them; a hypothetical one otherwise. Records nothing."
    )
    async def preview(self, info: AdminInfo, input: PreviewInput) -> Preview:
        require_role(info, Role.VIEWER)
        traits: dict[str, Any] = input.traits if isinstance(input.traits, dict) else {}
        facts: dict[str, Any] = input.facts if isinstance(input.facts, dict) else {}
        behaviour = {
            BehaviourQuery(b.event, float(b.within_days), b.category, b.brand, b.product): b.count
            for b in input.behaviour or []
        }
        who = HypotheticalVisitor(
            visitor_id=input.visitor_id,
            traits=traits,
            segments=input.segments or (),
            request=RequestFacts(
                channel=input.channel,
                device=input.device,
                country=input.country.upper() if input.country else None,
                city=input.city,
                utm_source=input.utm_source,
                utm_campaign=input.utm_campaign,
                referrer=input.referrer,
            ),
            cart_value=input.cart_value,
            cart_items=input.cart_items or (),
            facts=facts,
            behaviour=behaviour,
        )
        found = await info.context.services.previews.preview(
            who, input.slot_key, input.variant_id, input.at, locale=input.locale
        )
        decision = found.decision
        return Preview(
            decision=to_decision(decision),
            content_type=decision.slot.content_kind.value,
            content=cast(JSON, _content_json(decision)),
            products=[_preview_product(p) for p in found.products],
            visitor=_preview_visitor(found.visitor),
        )

    @strawberry.field(
        description="Per-arm exposures, clicks, conversions, rates with intervals, uplift, P(best) and SRM "
        "(viewer). An experiment not published yet answers its arms with a notice; NOT_FOUND only when "
        "neither the workspace nor the served release has it."
    )
    async def experiment_results(self, info: AdminInfo, key: str) -> ExperimentResults:
        require_role(info, Role.VIEWER)
        report = await info.context.services.experiments.results(key)
        experiment, results = report.experiment, report.results
        return ExperimentResults(
            key=experiment.key,
            name=experiment.name,
            status=experiment.status.value,
            published=report.published,
            notice=report.notice,
            total_exposures=results.total_exposures,
            srm_chi_square=results.srm_chi_square,
            srm_p_value=results.srm_p_value,
            srm_detected=results.srm_detected,
            arms=[_arm(a) for a in results.arms],
        )


@strawberry.type
class SlotsAdminMutation:
    @strawberry.mutation(description="Create or replace a slot (editor).")
    async def save_slot(self, info: AdminInfo, definition: JSON) -> DefinitionPayload:
        return await _save(info, "slots", definition)

    @strawberry.mutation(description="Create or replace a variant (editor).")
    async def save_variant(self, info: AdminInfo, definition: JSON) -> DefinitionPayload:
        return await _save(info, "variants", definition)

    @strawberry.mutation(description="Create or replace an audience (editor).")
    async def save_audience(self, info: AdminInfo, definition: JSON) -> DefinitionPayload:
        return await _save(info, "audiences", definition)

    @strawberry.mutation(description="Create or replace an experiment (editor).")
    async def save_experiment(self, info: AdminInfo, definition: JSON) -> DefinitionPayload:
        return await _save(info, "experiments", definition)

    @strawberry.mutation(description="Delete a definition from the workspace (editor); refused while used.")
    async def delete_definition(self, info: AdminInfo, kind: DefinitionKind, key: str) -> DefinitionPayload:
        by = require_role(info, Role.EDITOR)
        try:
            await info.context.services.slot_definitions.delete(kind.value, key, by.key_id)
        except DefinitionInvalid as exc:
            return DefinitionPayload(ok=False, definition=None, problems=_problems(exc))
        return DefinitionPayload(ok=True, definition=None, problems=[])

    @strawberry.mutation(description="Release the workspace to every gateway instance (editor).")
    async def publish(self, info: AdminInfo, note: str = "") -> Release:
        by = require_role(info, Role.EDITOR)
        return _release(await info.context.services.slot_definitions.publish(note, by.key_id), _by(by))

    @strawberry.mutation(description="Set a variant published and release the workspace (editor).")
    async def publish_variant(self, info: AdminInfo, id: str, note: str = "") -> Release:
        return await _set_status(info, id, "published", note or f"publish variant {id}")

    @strawberry.mutation(description="Set a variant back to draft and release the workspace (editor).")
    async def unpublish_variant(self, info: AdminInfo, id: str, note: str = "") -> Release:
        return await _set_status(info, id, "draft", note or f"unpublish variant {id}")

    @strawberry.mutation(description="Publish the definitions of an earlier release as a new release (editor).")
    async def rollback(self, info: AdminInfo, version: int, note: str = "") -> Release:
        by = require_role(info, Role.EDITOR)
        return _release(await info.context.services.slot_definitions.rollback(version, note, by.key_id), _by(by))


async def _set_status(info: AdminInfo, variant_id: str, status: str, note: str) -> Release:
    by = require_role(info, Role.EDITOR)
    definitions = info.context.services.slot_definitions
    current = next((v for v in (await definitions.workspace())["variants"] if v.get("id") == variant_id), None)
    if current is None:
        raise InputError(f"no variant {variant_id!r} in the workspace", field="id")
    await definitions.put("variants", {**current, "status": status}, by.key_id)
    return _release(await definitions.publish(note, by.key_id), _by(by))
