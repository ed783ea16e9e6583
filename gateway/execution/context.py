"""Per-request contexts: the storefront's (visitor, locale, loaders) and the admin API's (principal)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.responses import Response

from gateway.access import Principal
from gateway.catalogue import DEFAULT_LOCALE, SUPPORTED_LOCALES
from gateway.execution.loaders import Loaders, build_loaders
from gateway.execution.services import AdminServices, StorefrontServices
from gateway.kernel import Visitor

LOCALE_HEADER = "x-vitrine-locale"


def _not_over_http(visitor: Visitor) -> None:
    """Outside an HTTP response (tests, tools) there is no device to give an id to."""


@dataclass(slots=True)
class RequestContext:
    services: StorefrontServices
    visitor: Visitor
    locale: str
    loaders: Loaders
    # Gives the device a visitor's signed id (cookie and X-Vitrine-Visitor header) in this response.
    issue_visitor: Callable[[Visitor], None] = field(default=_not_over_http)

    def reset_visitor(self) -> None:
        """Forget this request's cached visitor state (after a write, for read-your-writes)."""
        self.loaders.visitors.clear(self.visitor.id)

    def switch_visitor(self, visitor: Visitor) -> None:
        """From here on this request is `visitor` (a device reset), and the device is told so."""
        self.visitor = visitor
        self.issue_visitor(visitor)


def pick_locale(explicit: str | None, accept_language: str | None) -> str:
    """The explicit header wins; otherwise the first supported language in Accept-Language."""
    if explicit and explicit.lower()[:2] in SUPPORTED_LOCALES:
        return explicit.lower()[:2]
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in SUPPORTED_LOCALES:
            return tag
    return DEFAULT_LOCALE


def build_context(services: StorefrontServices, visitor: Visitor, locale: str) -> RequestContext:
    loaders = build_loaders(services.catalog, services.visitors, locale)
    return RequestContext(services, visitor, locale, loaders)


@dataclass(slots=True)
class AdminContext:
    """An authenticated admin API request. `response` lets a resolver set the HTTP status (403)."""

    services: AdminServices
    principal: Principal
    response: Response
