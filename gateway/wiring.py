"""The composition root: every store and service of the gateway, built in one place.

`open_stores` asks each area to build its stores from the opened clients (`Backends`);
`build_services` builds every service with its collaborators passed to the constructor, in
dependency order, so reading this module top to bottom tells which service hears which event:
the intake's listeners are the list handed to `EventService`, the merge listeners the list
handed to `IdentityService`, the slot-audience fact providers the list handed to `SlotService`.
Nothing is attached after construction. Importing this module opens nothing.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta

import httpx

from gateway import access, audiences, catalogue, identity, recommendations, slots, triggers, visitors
from gateway.access import ApiKeyService, ApiKeyStore
from gateway.audiences import (
    AudienceFacts,
    AudienceSizes,
    AudienceStores,
    ReferenceCheck,
    SegmentService,
    Vocabulary,
    built_in_events,
)
from gateway.catalogue import CatalogFeed, CatalogService, CatalogStore
from gateway.execution import persisted
from gateway.execution.persisted import PersistedDocuments, PersistedQueryStore
from gateway.http import rate_limits
from gateway.http.rate_limits import RateLimitStore
from gateway.identity import (
    IdentityAttribution,
    IdentityDirectory,
    IdentityListener,
    IdentityRules,
    IdentityService,
    IdentityStore,
    IdentityTokenVerifier,
    IntakeGate,
    SharedDeviceAttribution,
)
from gateway.instrumentation import TracedSimilarItems
from gateway.platform import leases
from gateway.platform.backends import Backends, is_memory, open_backends
from gateway.platform.leases import LeaseStore
from gateway.platform.lru import Lru
from gateway.platform.metrics import Metrics
from gateway.platform.tracing import Tracing
from gateway.privacy import ConsentService, PrivacyService
from gateway.recommendations import (
    ListCache,
    RecommendationList,
    RecommendationService,
    RecommendationStores,
    Rules,
    SignalRecorder,
    SimilarItems,
    VectorService,
)
from gateway.settings import Settings
from gateway.slots import BehaviourCounts, ExperimentTracker, SlotDefinitions, SlotPreviews, SlotService, SlotStores
from gateway.triggers import (
    Actions,
    Automation,
    AutomationDefinitions,
    JourneyRunner,
    MessageContent,
    People,
    PriceWatchingCatalogStore,
    RuleEngine,
    TriggerPolicy,
    TriggerService,
    TriggerStores,
    WebhookSender,
)
from gateway.visitors import (
    DEFAULT_POINTS,
    DurableIntake,
    EngagementPolicy,
    EventListener,
    EventService,
    JournalApplier,
    VisitorService,
    VisitorStores,
)

WEBHOOK_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class Stores:
    """Every store, grouped by the area that owns it."""

    catalog: CatalogStore
    visitors: VisitorStores
    identities: IdentityStore
    audiences: AudienceStores
    slots: SlotStores
    recommendations: RecommendationStores
    triggers: TriggerStores
    api_keys: ApiKeyStore
    leases: LeaseStore
    persisted: PersistedQueryStore
    rate_limits: RateLimitStore
    catalog_feed: CatalogFeed | None = None  # what the mirror follows (None: a commerce backend's catalogue)


def open_stores(
    settings: Settings, backends: Backends, stack: AsyncExitStack, *, tracing: Tracing | None = None
) -> Stores:
    trigger_stores = triggers.open_stores(backends)
    catalog: CatalogStore
    feed: CatalogFeed | None = None
    if settings.catalog_url:  # standalone mode: read through the commerce backend, no imports to watch
        catalog = catalogue.open_connector_store(
            settings.catalog_url,
            field_map=dict(settings.catalog_field_map),
            auth_header=settings.catalog_auth_header,
            timeout_ms=settings.catalog_timeout_ms,
            cache_seconds=settings.catalog_cache_seconds,
            stack=stack,
            instrument=tracing.instrument_httpx if tracing is not None else None,
        )
    else:
        # Imports write here: notice price drops and promotions for the favourite-on-promotion trigger.
        feed = catalogue.open_store(backends)
        catalog = PriceWatchingCatalogStore(feed, trigger_stores.timers)
    return Stores(
        catalog=catalog,
        catalog_feed=feed,
        visitors=visitors.open_stores(
            backends, journal_partitions=settings.intake_partitions, journal_seen_seconds=settings.intake_seen_seconds
        ),
        identities=identity.open_store(backends),
        audiences=audiences.open_stores(backends),
        slots=slots.open_stores(backends),
        recommendations=recommendations.open_stores(backends),
        triggers=trigger_stores,
        api_keys=access.open_store(backends),
        leases=leases.open_store(backends),
        persisted=persisted.open_store(backends, settings.apq_ttl_seconds, settings.apq_max_documents),
        rate_limits=rate_limits.open_store(backends),
    )


OFFLINE_TIMEOUT_MS = 60_000  # a CLI command's bulk writes and file uploads are not requests


async def connect(settings: Settings, stack: AsyncExitStack) -> Stores:
    """Open the clients the settings' URLs ask for and every store on them (CLI commands: each
    store call may wait up to a minute, or VITRINE_STORE_TIMEOUT_MS if that is longer)."""
    backends = await open_backends(
        settings.mongodb_url,
        settings.mongodb_database,
        settings.redis_url,
        settings.redis_prefix,
        max(settings.store_timeout_ms, OFFLINE_TIMEOUT_MS),
        stack,
        settings.store_breaker_seconds,
    )
    return open_stores(settings, backends, stack)


MONGO_INDEXES = (
    catalogue.create_indexes,
    visitors.create_indexes,
    identity.create_indexes,
    audiences.create_indexes,
    triggers.create_indexes,
    access.create_indexes,
)


@dataclass(frozen=True, slots=True)
class Services:
    """Every service of one process."""

    catalog: CatalogService
    visitors: VisitorService
    events: EventService
    directory: IdentityDirectory
    identity: IdentityService
    consent: ConsentService
    engagement: EngagementPolicy
    segments: SegmentService
    audience_sizes: AudienceSizes
    vocabulary: Vocabulary
    audience_facts: AudienceFacts
    behaviour: BehaviourCounts
    experiments: ExperimentTracker
    slot_definitions: SlotDefinitions
    slots: SlotService
    previews: SlotPreviews
    vectors: VectorService
    recommendations: RecommendationService
    automation: AutomationDefinitions
    triggers: TriggerService
    webhooks: WebhookSender | None  # None when no VITRINE_WEBHOOK_URL is configured
    journal_applier: JournalApplier | None  # None without an intake journal (memory:// Redis)
    privacy: PrivacyService
    api_keys: ApiKeyService
    persisted: PersistedDocuments
    metrics: Metrics


def engagement_policy(settings: Settings) -> EngagementPolicy:
    active, lapsing = settings.engagement_tiers
    points = dict(settings.engagement_points) if settings.engagement_points is not None else dict(DEFAULT_POINTS)
    return EngagementPolicy(settings.engagement_half_life_days, points, active, lapsing)


def identity_token_verifier(settings: Settings) -> IdentityTokenVerifier | None:
    if not (settings.identity_token_secret or settings.identity_jwks_url):
        return None
    return IdentityTokenVerifier(
        secret=settings.identity_token_secret,
        jwks_url=settings.identity_jwks_url,
        audience=settings.identity_token_audience,
        max_age_seconds=settings.identity_token_max_age_seconds,
        hash_emails=settings.hash_emails,
    )


def trigger_policy(settings: Settings) -> TriggerPolicy:
    return TriggerPolicy(
        abandoned_cart_after=timedelta(minutes=settings.trigger_abandoned_cart_minutes),
        inactivity_after=timedelta(days=settings.trigger_inactivity_days),
        holdout_percent=settings.trigger_holdout_percent,
        cap_count=settings.trigger_cap_count,
        cap_window=timedelta(days=settings.trigger_cap_days),
        affinity_score=settings.trigger_affinity_score,
        consent_required=settings.consent_required,
        interest_half_life_days=settings.interest_half_life_days,
    )


def build_services(
    settings: Settings,
    stores: Stores,
    metrics: Metrics,
    stack: AsyncExitStack,
    *,
    tracing: Tracing | None = None,
    freeze_gc: bool = False,
) -> Services:
    """Build every service, collaborators first; `stack` closes the webhook HTTP client. With
    `tracing`, vector searches are spans and webhooks carry `traceparent`.

    `freeze_gc`: a serving process that freezes its long-lived objects out of the garbage
    collector's way (`gateway.app`); the catalogue mirror then builds its snapshots gently.
    """
    v = stores.visitors
    half_life = settings.interest_half_life_days
    # A commerce backend owns its catalogue: read through (cached), never mirrored.
    catalog = CatalogService(
        stores.catalog,
        feed=stores.catalog_feed,
        preload_max=0 if settings.catalog_url else settings.catalog_preload_max,
        gentle_builds=freeze_gc,
    )
    engagement = engagement_policy(settings)
    visitor_service = VisitorService(
        v.sessions,
        v.profiles,
        on_degraded=metrics.degraded_store,
        consent_required=settings.consent_required,
        half_life_days=half_life,
        engagement=engagement,
    )
    directory = IdentityDirectory(stores.identities, v.profiles)
    vectors = VectorService(
        stores.recommendations.vectors,
        exact_max=settings.recs_exact_max,
        graphs=stores.recommendations.graphs,
        # With memory:// MongoDB nobody else can publish a graph to this process: build at once.
        graph_wait_seconds=0 if is_memory(settings.mongodb_url) else settings.recs_graph_wait_seconds,
    )
    similar: SimilarItems = TracedSimilarItems(vectors, tracing.tracer) if tracing is not None else vectors
    recommendation_service = RecommendationService(
        stores.recommendations.signals,
        catalog,
        similar,
        rules=Rules(exclude_viewed=settings.recs_exclude_viewed, boosts=dict(settings.recs_boosts)),
        cache=ListCache(settings.visitor_cache_size) if settings.visitor_cache_size else None,
        on_list=lambda rec: _count_recommendations(metrics, rec),
    )
    webhooks = _webhook_sender(settings, stores.triggers, stack, tracing)
    automation, trigger_service = _automation(
        settings, stores, catalog, directory, engagement, recommendation_service, webhooks
    )

    def event_names() -> frozenset[str]:
        """What definitions may count: the built-in names and those the automation release declares."""
        return built_in_events() | frozenset(automation.vocabulary().events)

    # What editors' definitions may name: the event vocabulary and the catalogue as it is now.
    references = ReferenceCheck(catalog, events=event_names)
    segments = SegmentService(
        stores.audiences.segments,
        stores.audiences.memberships,
        v.profiles,
        v.profile_index,
        v.events,
        directory,
        catalog,
        stores.leases,
        interest_half_life_days=half_life,
        engagement=engagement,
        consent_required=settings.consent_required,
        references=references,
        change_listeners=[trigger_service],  # rules and journeys that start on a segment entry or exit
    )
    identity_service = IdentityService(
        directory,
        stores.identities,
        v.profiles,
        v.sessions,
        stores.leases,
        max_identifiers=settings.identity_max_identifiers,
        blocklist=settings.identity_blocklist,
        merge_listeners=[segments.after_merge],
        token_keys=settings.secret_keys,
        unlinked_channels=settings.identity_unlinked_channels,
    )
    consent = ConsentService(v.profiles, v.sessions, identity_service, required=settings.consent_required)
    slot_stores = stores.slots
    definitions = SlotDefinitions(
        slot_stores.drafts, slot_stores.releases, slot_stores.broadcaster, references=references
    )
    behaviour = BehaviourCounts(slot_stores.behaviour, catalog)
    experiments = ExperimentTracker(slot_stores.experiments, definitions)
    audience_facts = AudienceFacts(segments, engagement, half_life)
    slot_service = SlotService(
        definitions,
        behaviour,
        slot_stores.impressions,
        experiments,
        catalog,
        half_life_days=half_life,
        fact_providers=[audience_facts],  # slot audiences can use segments, engagement and channels
        inputs_cache=Lru(settings.visitor_cache_size) if settings.visitor_cache_size else None,
    )
    previews = SlotPreviews(
        definitions,
        visitor_service,
        behaviour,
        slot_stores.impressions,
        catalog,
        recommendation_service,
        half_life_days=half_life,
        fact_providers=[audience_facts],  # the same facts as slot_service: a preview decides as `slot` does
    )
    personal_listeners: list[EventListener] = [
        SignalRecorder(stores.recommendations.signals, catalog.category_map),
        behaviour,
        experiments,
    ]
    listeners: list[EventListener] = [
        IdentityListener(identity_service, unlinked_channels=settings.identity_unlinked_channels),
        segments,
        trigger_service,  # rules and journeys (without a receiver, webhook-only rules keep no timers)
    ]
    events = EventService(
        v.events,
        v.profiles,
        v.sessions,
        catalog,
        max_batch=settings.events_max_batch,
        half_life_days=half_life,
        listeners=listeners,
        personal_listeners=personal_listeners,
        engagement=engagement,
        gate=IntakeGate(
            settings,
            visitor_service.consents,
            IdentityRules(
                identity_token_verifier(settings),
                identity_service,
                stores.leases,
                stores.rate_limits,
                settings.identify_attempts_per_minute,
            ),
        ),
        # Shared devices (kiosks, tills) keep nothing of the people who identify on them.
        attribution=SharedDeviceAttribution(
            IdentityAttribution(settings, visitor_service.consents, identity_service),
            settings.identity_unlinked_channels,
        ),
        on_outcomes=metrics.count_events,
        on_kept_unused=metrics.count_kept_unused,
        vocabulary=automation.vocabulary,  # the shop's declared events and channels, per release
        durable=_durable_intake(settings, v),
    )
    privacy = PrivacyService(
        directory,
        stores.leases,
        visitors=v,
        identities=stores.identities,
        audiences=stores.audiences,
        triggers=stores.triggers,
        recommendations=stores.recommendations,
        slots=slot_stores,
        unlinked_channels=settings.identity_unlinked_channels,
        hash_emails=settings.hash_emails,
        readable=visitor_service,
    )
    return Services(
        catalog=catalog,
        visitors=visitor_service,
        events=events,
        directory=directory,
        identity=identity_service,
        consent=consent,
        engagement=engagement,
        segments=segments,
        audience_sizes=AudienceSizes(
            segments, v.profile_index, stores.audiences.memberships, consent_required=settings.consent_required
        ),
        vocabulary=Vocabulary(catalog, events=event_names),
        audience_facts=audience_facts,
        behaviour=behaviour,
        experiments=experiments,
        slot_definitions=definitions,
        slots=slot_service,
        previews=previews,
        vectors=vectors,
        recommendations=recommendation_service,
        automation=automation,
        triggers=trigger_service,
        webhooks=webhooks,
        journal_applier=_journal_applier(settings, events, v, stores.leases),
        privacy=privacy,
        api_keys=ApiKeyService(stores.api_keys, settings.admin_api_key),
        persisted=PersistedDocuments(stores.persisted, settings.persisted_queries, settings.apq_max_document_bytes),
        metrics=metrics,
    )


def _automation(
    settings: Settings,
    stores: Stores,
    catalog: CatalogService,
    directory: IdentityDirectory,
    engagement: EngagementPolicy,
    recommendations: RecommendationService,
    webhooks: WebhookSender | None,
) -> tuple[AutomationDefinitions, TriggerService]:
    """The marketing automation: definitions and releases, the engine, journeys, actions."""
    v, t, policy = stores.visitors, stores.triggers, trigger_policy(settings)
    automation = AutomationDefinitions(
        t.drafts, t.releases, policy.rule_defaults, policy.default_definitions, webhooks=webhooks is not None
    )
    people = People(
        v.profiles,
        v.events,
        directory,
        stores.audiences.memberships,
        catalog,
        engagement=engagement,
        interest_half_life_days=settings.interest_half_life_days,
    )
    content = MessageContent(stores.catalog, recommendations, people)  # the store: prices of the import
    actions = Actions(
        people,
        content,
        t.outbox,
        t.timers,
        v.profiles,
        stores.audiences.memberships,
        stores.audiences.segments,
        v.events,
        webhooks=webhooks is not None,
        consent_required=settings.consent_required,
    )

    def current() -> Automation:
        return automation.current

    journeys = JourneyRunner(t.positions, people, actions, current, lease_seconds=settings.journey_lease_seconds)
    engine = RuleEngine(
        current,
        people,
        actions,
        journeys,
        t.timers,
        v.profile_index,
        directory,
        stores.catalog,
        claim_seconds=settings.trigger_claim_seconds,
    )
    service = TriggerService(
        current, engine, journeys, people, content, t.outbox, t.positions, v.events, directory, webhooks
    )
    return automation, service


def _count_recommendations(metrics: Metrics, rec: RecommendationList) -> None:
    metrics.count_recommendations(rec.strategy.value, [f.step.value for f in rec.fallbacks])


def _durable_intake(settings: Settings, stores: VisitorStores) -> DurableIntake | None:
    if stores.journal is None:
        return None
    return DurableIntake(
        stores.journal,
        deferred=settings.intake_apply == "deferred",
        apply_budget_seconds=settings.intake_apply_budget_ms / 1000,
    )


def _journal_applier(
    settings: Settings, events: EventService, stores: VisitorStores, leases: LeaseStore
) -> JournalApplier | None:
    if stores.journal is None:
        return None
    # Inline mode: leave the newest entries to the request that is applying them right now.
    grace = 0.0 if settings.intake_apply == "deferred" else 2 * settings.intake_apply_budget_ms / 1000 + 1.0
    return JournalApplier(events, stores.journal, leases, grace_seconds=grace)


def _webhook_sender(
    settings: Settings, stores: TriggerStores, stack: AsyncExitStack, tracing: Tracing | None = None
) -> WebhookSender | None:
    if not (settings.webhook_url and settings.webhook_secret):
        return None
    limits = httpx.Limits(max_connections=max(100, settings.webhook_concurrency))
    client = httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT_SECONDS, follow_redirects=False, limits=limits)
    stack.push_async_callback(client.aclose)
    if tracing is not None:
        tracing.instrument_httpx(client)  # a span per attempt; the receiver gets `traceparent`
    return WebhookSender(
        stores.outbox,
        settings.webhook_url,
        settings.webhook_secret,
        client,
        max_attempts=settings.webhook_max_attempts,
        backoff_base_seconds=settings.webhook_backoff_seconds,
        per_receiver=settings.webhook_concurrency,
        claim_seconds=settings.webhook_claim_seconds,
    )
