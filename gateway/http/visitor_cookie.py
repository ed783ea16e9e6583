"""Reading the visitor from a request and issuing the signed cookie to new visitors."""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import Response

from gateway.kernel import Visitor
from gateway.settings import Settings
from gateway.visitors import COOKIE_MAX_AGE, COOKIE_NAME, identify, sign


def visitor_of(conn: HTTPConnection, settings: Settings) -> Visitor:
    return identify(conn.headers, conn.cookies, settings.secret_keys)


def issue_cookie(response: Response, visitor: Visitor, settings: Settings) -> None:
    """Give a new visitor a signed id; apps read it from the cookie or the response header."""
    if not visitor.is_new:
        return
    token = sign(visitor.id, settings.secret_keys)
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
    )
    response.headers["x-vitrine-visitor"] = token
