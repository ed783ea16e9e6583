"""Identity tokens: how the shop's backend vouches for who a visitor is.

A browser can claim any customer id, email or loyalty card; only the shop's backend knows who
logged in. At login it issues a short-lived JSON Web Token (RFC 7519) that names the visitor it
is for and *every* identifier it vouches for; the storefront passes it to `identify`. Vitrine
links only what a valid token names.

Signed with HS256 under the shared `VITRINE_IDENTITY_TOKEN_SECRET`, or with RS256/ES256 under a
private key whose public keys the gateway reads from `VITRINE_IDENTITY_JWKS_URL`. Claims:

| claim | meaning |
|---|---|
| `vid` | the visitor id the token is for (`viewer.visitorId`); required |
| `aud` | `VITRINE_IDENTITY_TOKEN_AUDIENCE` (default `vitrine`); required |
| `iat`, `exp` | issued at / expires; required; `exp - iat` at most `VITRINE_IDENTITY_TOKEN_MAX_AGE_SECONDS` |
| `jti` | a unique id; a token is used once (a retry of the same event is not a reuse) |
| `customer_id`, `email` (or `email_hash`), `loyalty_card_id` | the identifiers vouched for; at least one |

Verification uses PyJWT; nothing here parses or signs by hand.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt

from gateway.identity.values import IdentifierError, IdKind, email_hash, identifier, normalise_email
from gateway.kernel import VisitorId

ALGORITHMS_SHARED = ("HS256",)
ALGORITHMS_PUBLIC = ("RS256", "ES256")
LEEWAY_SECONDS = 30
IDENTIFIER_CLAIMS = ("customer_id", "email", "email_hash", "loyalty_card_id")


class TokenRefused(Exception):
    """Why a token was not accepted; `code` is what the client sees."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True, slots=True)
class IdentityClaims:
    visitor_id: VisitorId
    identifiers: tuple[str, ...]  # `kind:value`, the email hashed as stored
    token_id: str  # `jti`, or a digest of the token when it has none
    expires_at: datetime


def identifiers_from(
    *,
    customer_id: Any = None,
    email: Any = None,
    email_hash_value: Any = None,
    loyalty_card_id: Any = None,
    hash_emails: bool = True,
    where: str = "",
) -> list[str]:
    """The `kind:value` identifiers named by these fields, validated; raises IdentifierError."""
    found: list[str] = []
    for kind, value, name in (
        (IdKind.CUSTOMER, customer_id, "customer_id"),
        (IdKind.LOYALTY, loyalty_card_id, "loyalty_card_id"),
    ):
        if value is not None:
            if not isinstance(value, str):
                raise IdentifierError(f"{where}{name} must be a string")
            found.append(identifier(kind, value))
    if email is not None:
        if not isinstance(email, str):
            raise IdentifierError(f"{where}email must be a string")
        found.append(f"{IdKind.EMAIL.value}:{email_hash(email) if hash_emails else normalise_email(email)}")
    elif email_hash_value is not None:
        if not isinstance(email_hash_value, str) or len(email_hash_value) != 64:
            raise IdentifierError(f"{where}email_hash must be the 64-character SHA-256 hex of the address")
        found.append(f"{IdKind.EMAIL.value}:{email_hash_value.lower()}")
    return found


class IdentityTokenVerifier:
    def __init__(
        self,
        *,
        secret: str | None,
        jwks_url: str | None,
        audience: str,
        max_age_seconds: int,
        hash_emails: bool = True,
    ) -> None:
        if not secret and not jwks_url:
            raise ValueError("an identity token verifier needs a shared secret or a JWKS URL")
        self._secret = secret
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300) if jwks_url else None
        self._audience = audience
        self._max_age = max_age_seconds
        self._hash_emails = hash_emails

    async def verify(self, token: Any, visitor_id: VisitorId) -> IdentityClaims:
        """The claims of a valid token issued for `visitor_id`; raises TokenRefused otherwise."""
        if not isinstance(token, str) or not token or len(token) > 8192:
            raise TokenRefused("TOKEN_INVALID", "identityToken must be the JWT your backend issued at login")
        try:
            claims = await self._decode(token)
        except jwt.ExpiredSignatureError:
            raise TokenRefused(
                "TOKEN_EXPIRED", "the identity token has expired: ask your backend for a new one"
            ) from None
        except jwt.InvalidAudienceError:
            raise TokenRefused(
                "TOKEN_INVALID", f"the identity token is not for this gateway (aud {self._audience!r})"
            ) from None
        except (jwt.PyJWTError, ValueError):
            raise TokenRefused("TOKEN_INVALID", "the identity token is not valid: wrong signature or format") from None
        if claims.get("vid") != visitor_id:
            raise TokenRefused("TOKEN_FOREIGN", "the identity token was issued for another visitor")
        issued, expires = claims["iat"], claims["exp"]
        if not isinstance(issued, int | float) or expires - issued > self._max_age:
            raise TokenRefused(
                "TOKEN_INVALID", f"the identity token lives longer than {self._max_age} s: issue short-lived tokens"
            )
        try:
            idents = identifiers_from(
                customer_id=claims.get("customer_id"),
                email=claims.get("email"),
                email_hash_value=claims.get("email_hash"),
                loyalty_card_id=claims.get("loyalty_card_id"),
                hash_emails=self._hash_emails,
                where="token claim ",
            )
        except IdentifierError as exc:
            raise TokenRefused("TOKEN_INVALID", str(exc)) from None
        if not idents:
            raise TokenRefused("TOKEN_INVALID", "the identity token names no identifier (customer_id, email...)")
        jti = claims.get("jti")
        token_id = jti if isinstance(jti, str) and jti else hashlib.sha256(token.encode()).hexdigest()
        return IdentityClaims(VisitorId(visitor_id), tuple(idents), token_id, datetime.fromtimestamp(expires, UTC))

    async def _decode(self, token: str) -> dict[str, Any]:
        options = {"require": ["exp", "iat", "aud", "vid"]}
        if self._secret is not None and jwt.get_unverified_header(token).get("alg") in ALGORITHMS_SHARED:
            key: Any = self._secret
            algorithms: Sequence[str] = ALGORITHMS_SHARED
        elif self._jwks is not None:
            # The key set is fetched over HTTP by PyJWT's blocking client (cached): off the event loop.
            key = (await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)).key
            algorithms = ALGORITHMS_PUBLIC
        else:
            raise jwt.InvalidAlgorithmError("this gateway verifies HS256 identity tokens")
        decoded: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=list(algorithms),
            audience=self._audience,
            options=options,  # type: ignore[arg-type]
            leeway=LEEWAY_SECONDS,
        )
        return decoded


def mint_identity_token(
    secret: str,
    visitor_id: str,
    *,
    customer_id: str | None = None,
    email: str | None = None,
    loyalty_card_id: str | None = None,
    audience: str = "vitrine",
    ttl_seconds: int = 300,
    token_id: str | None = None,
    now: float | None = None,
) -> str:
    """An HS256 identity token, as a shop backend issues one (for the demo, tests and docs)."""
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {"vid": visitor_id, "aud": audience, "iat": issued, "exp": issued + ttl_seconds}
    claims["jti"] = (
        token_id or hashlib.sha256(f"{visitor_id}:{issued}:{time.perf_counter_ns()}".encode()).hexdigest()[:32]
    )
    for name, value in (("customer_id", customer_id), ("email", email), ("loyalty_card_id", loyalty_card_id)):
        if value is not None:
            claims[name] = value
    return jwt.encode(claims, secret, algorithm="HS256")
