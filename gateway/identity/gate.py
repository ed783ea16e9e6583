"""The intake gate and attribution that EventService consults (identity and consent rules).

Gate, before an event is stored:
- identify events: `customerId`, `email`, `loyaltyCardId` are checked; with
  VITRINE_IDENTIFY_SECRET set, `customerId` needs `customerSignature` = hex HMAC-SHA256 of the
  customer id under that secret (so a browser cannot claim someone else's customer id);
  the email is replaced by its SHA-256 (`emailHash`) unless the operator turned hashing off;
- consent required and analytics not granted: only the operator's allowed events are stored,
  the others are rejected with NO_CONSENT (never silently dropped).
Attribution, when the events are applied:
- a pos/beacon event with `properties.loyalty_card_id` enriches the profile owning that card
  (the shared terminal's own session is left alone);
- consent required and personalization not granted: nothing enriches the profile.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from gateway.identity.service import IdentityService
from gateway.identity.values import IdentifierError, IdKind, email_hash, identifier, normalise_email
from gateway.kernel import Channel, Visitor, VisitorId
from gateway.settings import Settings
from gateway.visitors import Event, EventType, Profile, ProfileStore, Purpose, RejectCode, Rejection, Target, allows

OFFLINE_CHANNELS = frozenset({Channel.POS, Channel.BEACON})
LOYALTY_PROPERTY = "loyalty_card_id"


def customer_signature(secret: str, customer_id: str) -> str:
    """What the shop's backend sends beside a customer id: hex HMAC-SHA256 under VITRINE_IDENTIFY_SECRET."""
    return hmac.new(secret.encode(), customer_id.encode(), hashlib.sha256).hexdigest()


class _Bad(Exception):
    def __init__(self, code: RejectCode, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


def _string(props: Mapping[str, Any], key: str) -> str | None:
    value = props.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _Bad(RejectCode.INVALID_PROPERTY, f"properties.{key} must be a non-empty string")
    return value


class IntakeGate:
    def __init__(self, settings: Settings, profiles: ProfileStore) -> None:
        self._settings = settings
        self._profiles = profiles

    async def admit(self, visitor: Visitor, events: Sequence[Event]) -> list[Event | Rejection]:
        analytics = True
        if self._settings.consent_required:
            (profile,) = await self._profiles.get_many([visitor.id])
            analytics = allows(profile.consent if profile else {}, Purpose.ANALYTICS, required=True)
        out: list[Event | Rejection] = []
        for i, event in enumerate(events):
            if not analytics and event.counter_name not in self._settings.consent_allowed_events:
                out.append(
                    Rejection(
                        i,
                        event.message_id,
                        RejectCode.NO_CONSENT,
                        "the visitor has not consented to analytics: record consent (setConsent) first",
                    )
                )
                continue
            try:
                out.append(self._identify(event) if event.type is EventType.IDENTIFY else self._loyalty(event))
            except _Bad as bad:
                out.append(Rejection(i, event.message_id, bad.code, bad.reason))
        return out

    def _loyalty(self, event: Event) -> Event:
        card = _string(event.properties, LOYALTY_PROPERTY)
        if card is not None:
            try:
                identifier(IdKind.LOYALTY, card)
            except IdentifierError as exc:
                raise _Bad(RejectCode.INVALID_PROPERTY, f"properties.{LOYALTY_PROPERTY}: {exc}") from None
        return event

    def _identify(self, event: Event) -> Event:
        props = dict(event.properties)
        customer = _string(props, "customerId")
        signature = props.pop("customerSignature", None)
        if customer is not None:
            try:
                identifier(IdKind.CUSTOMER, customer)
            except IdentifierError as exc:
                raise _Bad(RejectCode.INVALID_PROPERTY, f"properties.customerId: {exc}") from None
            secret = self._settings.identify_secret
            if secret and not (
                isinstance(signature, str) and hmac.compare_digest(signature, customer_signature(secret, customer))
            ):
                raise _Bad(
                    RejectCode.INVALID_SIGNATURE,
                    "customerSignature is missing or wrong: the shop backend signs customerId (docs/identity.md)",
                )
        card = _string(props, "loyaltyCardId")
        if card is not None:
            try:
                identifier(IdKind.LOYALTY, card)
            except IdentifierError as exc:
                raise _Bad(RejectCode.INVALID_PROPERTY, f"properties.loyaltyCardId: {exc}") from None
        traits = props.get("traits")
        for where in (props, traits if isinstance(traits, dict) else None):
            if where is None:
                continue
            email = where.pop("email", None)
            if email is None:
                continue
            if not isinstance(email, str):
                raise _Bad(RejectCode.INVALID_PROPERTY, "email must be a string")
            try:
                if self._settings.hash_emails:
                    where["emailHash"] = email_hash(email)
                else:
                    where["email"] = normalise_email(email)
            except IdentifierError as exc:
                raise _Bad(RejectCode.INVALID_PROPERTY, str(exc)) from None
        return replace(event, properties=props)


class IdentityAttribution:
    def __init__(self, settings: Settings, profiles: ProfileStore, identity: IdentityService) -> None:
        self._settings = settings
        self._profiles = profiles
        self._identity = identity

    async def applied(self, profiles: Sequence[Profile]) -> None:
        # A merged profile is seen from several devices, each with a cached copy: refresh them.
        for profile in profiles:
            if profile.merged_from:
                await self._identity.refresh_sessions(profile.visitor_id)

    async def targets(self, events: Sequence[Event]) -> list[Target]:
        enrich: dict[VisitorId, bool] = {}
        if self._settings.consent_required:
            ids = list(dict.fromkeys(e.visitor_id for e in events))
            for vid, profile in zip(ids, await self._profiles.get_many(ids), strict=True):
                enrich[vid] = allows(profile.consent if profile else {}, Purpose.PERSONALIZATION, required=True)
        out: list[Target] = []
        for event in events:
            if not enrich.get(event.visitor_id, True):
                out.append(Target(None))
                continue
            card = event.properties.get(LOYALTY_PROPERTY)
            if event.channel in OFFLINE_CHANNELS and isinstance(card, str) and card:
                profile_id = await self._identity.directory.profile_for(identifier(IdKind.LOYALTY, card))
                out.append(Target(profile_id, session=False))
            else:
                out.append(Target(event.visitor_id))
        return out
