"""The HTTP application: `create_app(settings)` wires routes, GraphQL schemas and middleware.

This is the only module that imports `resolvers`. The runtime (stores, services, background
tasks; `gateway.runtime`) opens in the lifespan, which yields the typed services requests may
call (`gateway.execution.services.AppState`): Starlette hands a copy to every request as
`request.state`. `app.state.runtime` keeps the whole runtime for tests and operator tools.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.execution.page_views import PageViews
from gateway.execution.services import AdminServices, AppState, EdgeServices, StorefrontServices
from gateway.http.admin_view import AdminGraphQLView
from gateway.http.events_api import post_events
from gateway.http.graphql_view import GraphQLView
from gateway.http.health import healthz, readyz, startupz
from gateway.http.metrics import MetricsMiddleware
from gateway.http.rate_limit import RateLimitMiddleware
from gateway.http.state import edge_of
from gateway.platform.metrics import Metrics
from gateway.runtime import Runtime, open_runtime
from gateway.settings import Settings
from resolvers.admin_schema import build_admin_schema
from resolvers.schema import build_schema

log = logging.getLogger(__name__)


def create_app(settings: Settings, *, background: bool = True, freeze_gc: bool = True) -> Starlette:
    metrics = Metrics()
    schema = build_schema(
        introspection=settings.introspection,
        compiled_execution=settings.compiled_execution,
        trusted_documents=settings.persisted_queries == "trusted",
        count=lambda _context, kind: metrics.count_execution(kind),
    )
    graphql = GraphQLView(
        schema, prepared=schema.prepared, graphql_ide="graphiql" if not settings.is_production else None
    )
    admin = AdminGraphQLView(build_admin_schema(), graphql_ide="graphiql" if not settings.is_production else None)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[AppState]:
        if settings.secret_is_ephemeral:
            log.warning("VITRINE_SECRET_KEY is not set: visitor ids are signed with a random key and reset on restart")
        async with open_runtime(settings, metrics, background=background, freeze_gc=freeze_gc) as runtime:
            app.state.runtime = runtime
            if freeze_gc:
                # Startup objects live forever: keep them out of the collector's way (shorter GC pauses).
                gc.collect()
                gc.freeze()
            log.info(
                "Vitrine up (%s): MongoDB %s, Redis %s",
                "loading in the background: /startupz" if runtime.loading else "started",
                "memory" if settings.mongodb_url.startswith("memory") else "configured",
                "memory" if settings.redis_url.startswith("memory") else "configured",
            )
            yield request_state(runtime)

    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/admin/graphql", admin, methods=["GET", "POST"]),
        Route("/v1/events", post_events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/startupz", startupz, methods=["GET"]),
        Route("/metrics", serve_metrics, methods=["GET"]),
    ]
    middleware = [Middleware(MetricsMiddleware, metrics=metrics)]
    if settings.rate_limit_ip_per_minute or settings.rate_limit_visitor_per_minute:
        middleware.append(Middleware(RateLimitMiddleware))
    if settings.cors_origins:
        middleware.insert(0, cors_middleware(settings.cors_origins))
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan, debug=settings.debug)


def cors_middleware(origins: tuple[str, ...]) -> Middleware:
    """Browsers on these origins may call the API with the visitor cookie (`*`: any, without cookies)."""
    anyone = "*" in origins
    return Middleware(
        CORSMiddleware,
        allow_origins=["*"] if anyone else list(origins),
        allow_credentials=not anyone,
        allow_methods=["GET", "POST"],
        allow_headers=[
            "content-type",
            "accept",
            "x-vitrine-visitor",
            "x-vitrine-locale",
            "x-vitrine-channel",
            "apollographql-client-name",
            "apollographql-client-version",
        ],
        expose_headers=["x-vitrine-visitor", "retry-after"],
        max_age=600,
    )


def request_state(runtime: Runtime) -> AppState:
    """The services each kind of request may call, and nothing else."""
    s = runtime.services
    return AppState(
        storefront=StorefrontServices(
            catalog=s.catalog,
            visitors=s.visitors,
            events=s.events,
            identity=s.identity,
            consent=s.consent,
            segments=s.segments,
            slots=s.slots,
            recommendations=s.recommendations,
            privacy=s.privacy,
            page_views=PageViews(),
        ),
        admin=AdminServices(
            api_keys=s.api_keys,
            slot_definitions=s.slot_definitions,
            slots=s.slots,
            experiments=s.experiments,
            segments=s.segments,
            triggers=s.triggers,
            privacy=s.privacy,
        ),
        edge=EdgeServices(
            settings=runtime.settings,
            api_keys=s.api_keys,
            persisted=s.persisted,
            rate_limits=runtime.stores.rate_limits,
            metrics=s.metrics,
            readiness=runtime.readiness,
            loading=lambda: list(runtime.loading),
        ),
    )


async def serve_metrics(request: Request) -> Response:
    return Response(edge_of(request).metrics.render(), media_type="text/plain; version=0.0.4")


def export_schema_sdl() -> str:
    """The published contract, exactly as `schema.graphql` holds it."""
    return build_schema().as_str() + "\n"


def document_errors(document: str) -> list[str]:
    """Why `document` would not run against the schema, limits included (empty when it would)."""
    from graphql import GraphQLError, parse, specified_rules, validate

    from resolvers.execution.limits import LIMIT_RULES, MAX_TOKENS

    try:
        ast = parse(document, max_tokens=MAX_TOKENS)
    except GraphQLError as exc:
        return [exc.message]
    schema = build_schema()._schema
    return [e.message for e in validate(schema, ast, [*specified_rules, *LIMIT_RULES])]
