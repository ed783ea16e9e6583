"""Wiring of the customer-data services: identity, consent, engagement, segments, triggers.

Built by `gateway.container` in the lifespan from the same stores; kept in its own module so
the container stays a short list. `jobs()` names the background work (segment
re-evaluation, trigger timers, webhook delivery) that `python -m gateway worker` runs, and
that the main process runs too in single-instance mode (VITRINE_WORKERS_IN_PROCESS=true).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta

import httpx

from gateway.audiences.audience_facts import AudienceFacts
from gateway.audiences.segment_service import SegmentService
from gateway.catalogue.service import CatalogService
from gateway.identity.gate import IdentityAttribution, IntakeGate
from gateway.identity.listener import IdentityListener
from gateway.identity.service import IdentityService
from gateway.privacy.consent import ConsentService
from gateway.privacy.service import PrivacyService
from gateway.settings import Settings
from gateway.store_factory import Stores
from gateway.triggers.service import TriggerPolicy, TriggerService
from gateway.triggers.webhooks import WebhookSender
from gateway.visitors.intake import EventService
from gateway.visitors.values.engagement import DEFAULT_POINTS, EngagementPolicy

TRIGGER_TICK_SECONDS = 5.0
WEBHOOK_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class CustomerServices:
    identity: IdentityService
    consent: ConsentService
    engagement: EngagementPolicy
    segments: SegmentService
    triggers: TriggerService
    webhooks: WebhookSender | None  # None when no VITRINE_WEBHOOK_URL is configured
    privacy: PrivacyService
    audience_facts: AudienceFacts  # a slot-audience fact provider (segments, engagement, channels)

    def jobs(self, settings: Settings) -> list[tuple[float, Callable[[], Awaitable[object]], str]]:
        """(every seconds, job, name) for the background work of these services."""
        jobs: list[tuple[float, Callable[[], Awaitable[object]], str]] = [
            (settings.segment_reevaluate_seconds, self.segments.reevaluate_all, "segment re-evaluation")
        ]
        if self.webhooks is not None:
            jobs += [
                (TRIGGER_TICK_SECONDS, self.triggers.fire_due, "trigger timers"),
                (TRIGGER_TICK_SECONDS, self.webhooks.deliver_due, "webhook delivery"),
            ]
        return jobs


def engagement_policy(settings: Settings) -> EngagementPolicy:
    active, lapsing = settings.engagement_tiers
    points = dict(settings.engagement_points) if settings.engagement_points is not None else dict(DEFAULT_POINTS)
    return EngagementPolicy(settings.engagement_half_life_days, points, active, lapsing)


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


def build_customer_services(
    settings: Settings, stores: Stores, events: EventService, catalog: CatalogService, stack: AsyncExitStack
) -> CustomerServices:
    identity = IdentityService(
        stores.identities,
        stores.profiles,
        stores.sessions,
        stores.leases,
        max_identifiers=settings.identity_max_identifiers,
        blocklist=settings.identity_blocklist,
    )
    events.set_hooks(
        gate=IntakeGate(settings, stores.profiles),
        attribution=IdentityAttribution(settings, stores.profiles, identity),
    )
    events.add_listener(IdentityListener(identity, unlinked_channels=settings.identity_unlinked_channels))
    consent = ConsentService(stores.profiles, stores.sessions, identity, required=settings.consent_required)
    engagement = engagement_policy(settings)
    segments = SegmentService(
        stores.segments,
        stores.memberships,
        stores.profiles,
        stores.profile_index,
        stores.events,
        identity,
        catalog,
        stores.leases,
        interest_half_life_days=settings.interest_half_life_days,
        engagement=engagement,
        consent_required=settings.consent_required,
    )
    events.add_listener(segments)
    identity.add_merge_hook(segments.after_merge)
    triggers = TriggerService(
        stores.timers,
        stores.outbox,
        stores.profiles,
        stores.profile_index,
        stores.sessions,
        stores.events,
        identity,
        stores.catalog,
        trigger_policy(settings),
    )
    webhooks: WebhookSender | None = None
    if settings.webhook_url and settings.webhook_secret:
        events.add_listener(triggers)  # without a receiver, no timers are kept at all
        client = httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT_SECONDS, follow_redirects=False)
        stack.push_async_callback(client.aclose)
        webhooks = WebhookSender(
            stores.outbox,
            settings.webhook_url,
            settings.webhook_secret,
            client,
            max_attempts=settings.webhook_max_attempts,
            backoff_base_seconds=settings.webhook_backoff_seconds,
        )
    privacy = PrivacyService(stores, identity, stores.leases)
    audience_facts = AudienceFacts(segments, engagement, settings.interest_half_life_days)
    return CustomerServices(identity, consent, engagement, segments, triggers, webhooks, privacy, audience_facts)
