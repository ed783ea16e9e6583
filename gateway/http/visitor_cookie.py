"""Reading the visitor from a request, and issuing the signed cookie to new visitors and to those
whose token is due to be signed again (sliding expiry, key rotation: gateway.visitors.tokens)."""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import Response

from gateway.kernel import Visitor
from gateway.settings import Settings
from gateway.visitors import COOKIE_MAX_AGE, COOKIE_NAME, TokenPolicy, identify, sign


def token_policy(settings: Settings) -> TokenPolicy:
    return TokenPolicy(max_idle_seconds=settings.visitor_idle_days * 86_400, legacy=settings.visitor_legacy_tokens)


def visitor_of(conn: HTTPConnection, settings: Settings) -> Visitor:
    return identify(conn.headers, conn.cookies, settings.secret_keys, token_policy(settings))


def issue_cookie(response: Response, visitor: Visitor, settings: Settings) -> None:
    """Give a new visitor a signed id, and a returning one a fresh token when theirs is due;
    apps read it from the cookie or the response header."""
    if not (visitor.is_new or visitor.refresh):
        return
    token = sign(visitor.id, settings.secret_keys)
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=min(COOKIE_MAX_AGE, int(settings.visitor_idle_days * 86_400)),
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
    )
    response.headers["x-vitrine-visitor"] = token
