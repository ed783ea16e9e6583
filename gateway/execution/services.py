"""What a request may call: typed sets of services, yielded by the app's lifespan as its state.

The storefront's resolvers get `StorefrontServices`, the admin API's `AdminServices`, the HTTP
edge (views, middleware, health) `EdgeServices`. None of them holds a store or the settings:
a resolver parses arguments, calls one service, and maps the result.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypedDict

from gateway.access import ApiKeyService
from gateway.audiences import AudienceSizes, SegmentService, Vocabulary
from gateway.catalogue import CatalogService
from gateway.execution.page_views import PageViews
from gateway.execution.persisted import PersistedDocuments
from gateway.http.rate_limits import RateLimitStore
from gateway.identity import IdentityService
from gateway.platform.metrics import Metrics
from gateway.privacy import ConsentService, PrivacyService
from gateway.recommendations import RecommendationService
from gateway.settings import Settings
from gateway.slots import ExperimentTracker, SlotDefinitions, SlotPreviews, SlotService
from gateway.triggers import AutomationDefinitions, TriggerService
from gateway.visitors import EventService, VisitorService


@dataclass(frozen=True, slots=True)
class StorefrontServices:
    catalog: CatalogService
    visitors: VisitorService
    events: EventService
    identity: IdentityService
    consent: ConsentService
    segments: SegmentService
    slots: SlotService
    recommendations: RecommendationService
    privacy: PrivacyService
    page_views: PageViews[object]  # GraphQL views of mirrored catalogue pages, per snapshot


@dataclass(frozen=True, slots=True)
class AdminServices:
    api_keys: ApiKeyService
    slot_definitions: SlotDefinitions
    previews: SlotPreviews
    experiments: ExperimentTracker
    segments: SegmentService
    audience_sizes: AudienceSizes
    vocabulary: Vocabulary
    automation: AutomationDefinitions
    triggers: TriggerService
    privacy: PrivacyService


@dataclass(frozen=True, slots=True)
class EdgeServices:
    """What the HTTP layer itself needs: its settings, persisted documents, rate limits, metrics."""

    settings: Settings
    api_keys: ApiKeyService  # servers' ingest keys on /v1/events
    persisted: PersistedDocuments
    rate_limits: RateLimitStore
    metrics: Metrics
    readiness: Callable[[], Awaitable[dict[str, str]]]  # 'ok' or 'down' per dependency
    loading: Callable[[], list[str]]  # startup steps not done yet: the process cannot serve until empty


class AppState(TypedDict):
    """The lifespan's state: Starlette copies it into every request's `request.state`."""

    storefront: StorefrontServices
    admin: AdminServices
    edge: EdgeServices
