"""The intake gate and attribution that EventService consults (identity and consent rules).

Gate, before an event is stored:
- an identifier that can link or merge profiles (customer id, email or its hash, loyalty
  card) is accepted only when proven: named by a valid identity token issued for this very
  visitor (`properties.identityToken`, see `gateway.identity.tokens`), or sent by a server with
  an ingest API key (`trusted`). A proven event carries its identifiers in `Event.proven`;
  anything else naming an identifier is refused (IDENTITY_UNPROVEN), never linked;
- a token is used once (TOKEN_REPLAYED; a retry of the same event is not a reuse), must be
  for this visitor (TOKEN_FOREIGN) and unexpired (TOKEN_EXPIRED);
- identify attempts are rate-limited per visitor and per identifier (RATE_LIMITED);
- an identify that would fuse two known customers, or pass a per-kind identifier limit, is
  refused before anything is stored (IDENTITY_CONFLICT, IDENTIFIER_LIMIT) and audited;
- emails are replaced by their SHA-256 (`emailHash`) unless the operator turned hashing off;
- analytics withdrawn (or, with consent required, never granted): only the operator's allowed
  events are stored, the others are rejected with NO_CONSENT (never silently dropped).
Attribution, when the events are applied:
- a pos/beacon event with a proven `loyalty_card_id` enriches the profile owning that card
  (the shared terminal's own session is left alone);
- personalization withdrawn (or, with consent required, never granted): nothing enriches the
  profile. A recorded decision counts in every mode; VITRINE_CONSENT_REQUIRED only decides what
  an undecided purpose means.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from gateway.identity.service import IdentityService
from gateway.identity.tokens import IdentityTokenVerifier, TokenRefused, identifiers_from
from gateway.identity.values import IdentifierError, IdKind, email_hash, identifier, kind_of, normalise_email
from gateway.kernel import Channel, StoreUnavailable, Visitor, VisitorId
from gateway.platform.leases import LeaseStore
from gateway.settings import Settings
from gateway.visitors import (
    ConsentRecord,
    Event,
    EventType,
    Profile,
    Purpose,
    RejectCode,
    Rejection,
    Target,
    allows,
)

log = logging.getLogger(__name__)

OFFLINE_CHANNELS = frozenset({Channel.POS, Channel.BEACON})
LOYALTY_PROPERTY = "loyalty_card_id"
TOKEN_PROPERTY = "identityToken"
CLAIM_PROPERTIES = ("customerId", "email", "emailHash", "loyaltyCardId")
ATTEMPT_WINDOW_SECONDS = 60


class Allowance(Protocol):
    @property
    def allowed(self) -> bool: ...


class AttemptCounter(Protocol):
    """Fixed-window counters shared by every instance (the rate-limit store)."""

    async def hit(self, key: str, limit: int, window_seconds: int) -> Allowance: ...


@dataclass(frozen=True, slots=True)
class IdentityRules:
    """What the gate needs to decide identity claims."""

    verifier: IdentityTokenVerifier | None  # None: no token can be verified, only ingest keys prove
    identity: IdentityService
    leases: LeaseStore  # one use per token
    attempts: AttemptCounter
    attempts_per_minute: int = 10


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


def _digest(text: str) -> str:
    # Keys and values kept in Redis for minutes never hold a visitor id or an identifier.
    return hashlib.sha256(text.encode()).hexdigest()[:32]


Consents = Callable[[Sequence[VisitorId]], Awaitable[list[Mapping[str, ConsentRecord]]]]


def _allowed(consent: Mapping[str, ConsentRecord], purpose: Purpose, settings: Settings) -> bool:
    """A recorded decision always counts; an undecided purpose counts as refused only when the
    operator requires consent (VITRINE_CONSENT_REQUIRED)."""
    return allows(consent, purpose, required=settings.consent_required)


class IntakeGate:
    def __init__(self, settings: Settings, consents: Consents, rules: IdentityRules) -> None:
        self._settings = settings
        self._consents = consents
        self._rules = rules

    async def admit(
        self, visitor: Visitor, events: Sequence[Event], *, trusted: bool = False
    ) -> list[Event | Rejection]:
        """Each event as it may be stored, or why not. `trusted`: sent with an ingest API key."""
        (consent,) = await self._consents([visitor.id])
        analytics = _allowed(consent, Purpose.ANALYTICS, self._settings)
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
                if event.type is EventType.IDENTIFY:
                    out.append(await self._identify(visitor, event, trusted))
                else:
                    out.append(self._loyalty(event, trusted))
            except _Bad as bad:
                out.append(Rejection(i, event.message_id, bad.code, bad.reason))
        return out

    def _loyalty(self, event: Event, trusted: bool) -> Event:
        card = _string(event.properties, LOYALTY_PROPERTY)
        if card is None or event.channel not in OFFLINE_CHANNELS:
            return event
        try:
            ident = identifier(IdKind.LOYALTY, card)
        except IdentifierError as exc:
            raise _Bad(RejectCode.INVALID_PROPERTY, f"properties.{LOYALTY_PROPERTY}: {exc}") from None
        if not trusted:
            raise _Bad(
                RejectCode.IDENTITY_UNPROVEN,
                f"a {event.channel.value} event naming a loyalty card must come from the store's server with an "
                "ingest API key (Authorization: Bearer <key>); a browser cannot write into a card holder's profile",
            )
        return replace(event, proven=(ident,))

    async def _identify(self, visitor: Visitor, event: Event, trusted: bool) -> Event:
        props = dict(event.properties)
        token = props.pop(TOKEN_PROPERTY, None)
        signature = props.pop("customerSignature", None)
        traits = props.get("traits")
        if traits is not None and not isinstance(traits, dict):
            raise _Bad(RejectCode.INVALID_PROPERTY, "properties.traits must be an object")
        if isinstance(traits, dict):  # traits are the visitor's own words: kept, never linked
            props["traits"] = self._hashed_email(dict(traits))
        claimed = self._claimed(props)
        proven: list[str] = []
        if token is not None:
            proven = await self._verified(token, visitor, event.message_id)
            extra = [c for c in claimed if c not in proven]
            if extra:
                raise _Bad(
                    RejectCode.IDENTITY_UNPROVEN,
                    f"the identity token does not name {', '.join(kind_of(c).value for c in extra)}: "
                    "put every identifier in the token your backend issues",
                )
        elif trusted:
            proven = claimed
        elif claimed:
            hint = " (customerSignature is replaced by identityToken)" if signature is not None else ""
            raise _Bad(
                RejectCode.IDENTITY_UNPROVEN,
                "customerId, email and loyaltyCardId need proof: pass the identityToken your backend issues at "
                f"login (docs/identity.md){hint}",
            )
        if proven:
            await self._within_limits(visitor, event, proven)
        for key in CLAIM_PROPERTIES:
            props.pop(key, None)
        for ident in proven:  # what the profile and the answer show: only the proven identifiers
            kind, _, value = ident.partition(":")
            name = {"customer": "customerId", "loyalty": "loyaltyCardId", "email": "emailHash"}[kind]
            if kind == "email" and not self._settings.hash_emails:
                name = "email"
            props[name] = value
        return replace(event, properties=props, proven=tuple(proven))

    def _hashed_email(self, traits: dict[str, Any]) -> dict[str, Any]:
        """An email given as a trait is kept as its hash (unless hashing is off), like an identifier's."""
        email = traits.pop("email", None)
        if email is None:
            return traits
        if not isinstance(email, str):
            raise _Bad(RejectCode.INVALID_PROPERTY, "traits.email must be a string")
        try:
            if self._settings.hash_emails:
                traits["emailHash"] = email_hash(email)
            else:
                traits["email"] = normalise_email(email)
        except IdentifierError as exc:
            raise _Bad(RejectCode.INVALID_PROPERTY, f"traits.{exc}") from None
        return traits

    def _claimed(self, props: Mapping[str, Any]) -> list[str]:
        try:
            return identifiers_from(
                customer_id=props.get("customerId"),
                email=props.get("email"),
                email_hash_value=props.get("emailHash"),
                loyalty_card_id=props.get("loyaltyCardId"),
                hash_emails=self._settings.hash_emails,
                where="properties.",
            )
        except IdentifierError as exc:
            raise _Bad(RejectCode.INVALID_PROPERTY, str(exc)) from None

    async def _verified(self, token: Any, visitor: Visitor, message_id: str) -> list[str]:
        rules = self._rules
        if rules.verifier is None:
            raise _Bad(
                RejectCode.TOKEN_INVALID,
                "this gateway has no identity token key (VITRINE_IDENTITY_TOKEN_SECRET or VITRINE_IDENTITY_JWKS_URL)",
            )
        try:
            claims = await rules.verifier.verify(token, visitor.id)
        except TokenRefused as refused:
            raise _Bad(RejectCode(refused.code), refused.reason) from None
        # One use per token: the first event that used it owns it until it expires (a retry of
        # that same event is allowed, and is then answered DUPLICATE by the event log).
        ttl = max(1.0, (claims.expires_at - datetime.now(UTC)).total_seconds() + 60)
        key, owner = f"identity-token:{claims.token_id}", _digest(f"{visitor.id}:{message_id}")
        try:
            first_use = await rules.leases.acquire(key, owner, ttl)
        except StoreUnavailable as exc:
            # Tokens are bound to this visitor, so a replay could only re-link what the token
            # names for the visitor it names: logins keep working through a Redis outage.
            log.warning("identity token reuse not checked (%s); the token is bound to its visitor", exc.message)
            first_use = True
        if not first_use:
            raise _Bad(RejectCode.TOKEN_REPLAYED, "this identity token was already used: issue one per login")
        return list(claims.identifiers)

    async def _within_limits(self, visitor: Visitor, event: Event, proven: Sequence[str]) -> None:
        rules = self._rules
        limit = rules.attempts_per_minute
        keys = [f"identify:v:{_digest(visitor.id)}", *(f"identify:i:{_digest(i)}" for i in proven)]
        for key in keys:
            try:
                allowed = (await rules.attempts.hit(key, limit, ATTEMPT_WINDOW_SECONDS)).allowed
            except StoreUnavailable as exc:
                log.warning("identify attempts not counted: %s", exc.message)
                break
            if not allowed:
                raise _Bad(
                    RejectCode.RATE_LIMITED, f"too many identify attempts (at most {limit} a minute): retry later"
                )
        linkable = event.channel.value not in self._settings.identity_unlinked_channels
        device = [identifier(IdKind.VISITOR, visitor.id)] if linkable else []
        problem = await rules.identity.check_link([*device, *proven])
        if problem is not None:
            code, why = problem
            await rules.identity.refuse([*device, *proven], reason=f"identify via {event.channel.value}", code=code)
            raise _Bad(RejectCode(code), why)


class IdentityAttribution:
    def __init__(self, settings: Settings, consents: Consents, identity: IdentityService) -> None:
        self._settings = settings
        self._consents = consents
        self._identity = identity

    async def applied(self, profiles: Sequence[Profile]) -> None:
        # A merged profile is seen from several devices, each with a cached copy: refresh them.
        for profile in profiles:
            if profile.merged_from:
                await self._identity.refresh_sessions(profile.visitor_id)

    async def targets(self, events: Sequence[Event]) -> list[Target]:
        ids = list(dict.fromkeys(e.visitor_id for e in events))
        consents = await self._consents(ids)
        enrich = {
            vid: _allowed(consent, Purpose.PERSONALIZATION, self._settings)
            for vid, consent in zip(ids, consents, strict=True)
        }
        out: list[Target] = []
        for event in events:
            if not enrich.get(event.visitor_id, True):
                out.append(Target(None))
                continue
            card = event.properties.get(LOYALTY_PROPERTY)
            proven_card = isinstance(card, str) and f"{IdKind.LOYALTY.value}:{card.strip()}" in event.proven
            if event.channel in OFFLINE_CHANNELS and proven_card:
                profile_id = await self._identity.directory.profile_for(identifier(IdKind.LOYALTY, str(card)))
                out.append(Target(profile_id, session=False))
            else:
                out.append(Target(event.visitor_id))
        return out
