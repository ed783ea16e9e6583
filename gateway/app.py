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
from contextlib import AsyncExitStack, asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.execution.operations import OperationObserver, trace_root_fields
from gateway.execution.page_views import PageViews
from gateway.execution.services import AdminServices, AppState, EdgeServices, StorefrontServices
from gateway.exit_guard import install_exit_guard
from gateway.http.admin_view import AdminGraphQLView
from gateway.http.console import console_mount
from gateway.http.events_api import post_events
from gateway.http.graphql_view import GraphQLView
from gateway.http.health import healthz, readyz, startupz
from gateway.http.metrics import MetricsMiddleware
from gateway.http.rate_limit import RateLimitMiddleware
from gateway.http.request_id import RequestIdMiddleware
from gateway.http.segment_api import segment_routes
from gateway.http.server_spans import ServerSpanMiddleware
from gateway.http.state import edge_of
from gateway.platform.collector import CollectorPauses, apply_thresholds
from gateway.platform.metrics import Metrics
from gateway.platform.tracing import Tracing, open_tracing
from gateway.runtime import Runtime, open_runtime
from gateway.settings import Settings
from resolvers.admin_schema import build_admin_schema
from resolvers.schema import build_schema

log = logging.getLogger(__name__)


def create_app(
    settings: Settings,
    *,
    background: bool = True,
    freeze_gc: bool = True,
    exit_guard: bool = False,
    tracing: Tracing | None = None,
) -> Starlette:
    """The app. `exit_guard`: the process serves for real, so a SIGTERM ends it within
    VITRINE_SHUTDOWN_GRACE_SECONDS whatever holds it (gateway.exit_guard). `tracing` replaces
    what the OTEL_* settings ask for (tests: an in-memory exporter)."""
    metrics = Metrics()
    owned_tracing = None
    if tracing is None:
        tracing = owned_tracing = open_tracing(
            settings.traces_exporters,
            service_name=settings.service_name,
            sampler=settings.traces_sampler,
            sampler_arg=settings.traces_sampler_arg,
        )
    tracer = tracing.tracer if tracing is not None else None
    trusted = settings.persisted_queries == "trusted"
    schema = build_schema(
        introspection=settings.introspection,
        compiled_execution=settings.compiled_execution,
        trusted_documents=trusted,
        count=lambda _context, kind: metrics.count_execution(kind),
        federation=settings.federation_mode,
        validation_budget_ms=settings.validation_budget_ms,
        observer=OperationObserver(metrics, tracer, trusted_documents=trusted),
    )
    if tracer is not None:
        trace_root_fields(schema._schema, tracer)
    compiler = getattr(schema.execution_context_class, "compiler", None)
    if compiler is not None:
        metrics.watch_cache("compiled_plans", lambda: (compiler.plan_hits, compiler.plan_misses))
    page_views: PageViews[object] = PageViews()
    collector_pauses = CollectorPauses(metrics.registry)
    metrics.watch_cache("page_views", lambda: (page_views.hits, page_views.misses))
    graphql = GraphQLView(
        schema, prepared=schema.prepared, graphql_ide="graphiql" if not settings.is_production else None
    )
    admin_schema = build_admin_schema(validation_budget_ms=settings.validation_budget_ms)
    admin = AdminGraphQLView(admin_schema, graphql_ide="graphiql" if not settings.is_production else None)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[AppState]:
        if settings.secret_is_ephemeral:
            log.warning("VITRINE_SECRET_KEY is not set: visitor ids are signed with a random key and reset on restart")
        async with AsyncExitStack() as stack:
            if owned_tracing is not None:
                stack.callback(owned_tracing.shutdown)  # exports what is still buffered
            if exit_guard:  # installed here, after the server has installed the signal handlers it wraps
                stack.callback(install_exit_guard(settings.shutdown_grace_seconds))
            runtime = await stack.enter_async_context(
                open_runtime(settings, metrics, background=background, tracing=tracing, freeze_gc=freeze_gc)
            )
            app.state.runtime = runtime
            persisted = runtime.services.persisted
            metrics.watch_cache("persisted_documents", lambda: (persisted.hits, persisted.misses))
            metrics.watch_cache("neighbours", runtime.services.vectors.cache_counts)
            collector_pauses.watch()
            stack.callback(collector_pauses.close)
            if freeze_gc:
                # Startup objects live forever: keep them out of the collector's way (shorter GC pauses).
                gc.collect()
                gc.freeze()
                stack.callback(gc.set_threshold, *apply_thresholds(settings.gc_thresholds))
            log.info(
                "Vitrine up (%s): MongoDB %s, Redis %s",
                "loading in the background: /startupz" if runtime.loading else "started",
                "memory" if settings.mongodb_url.startswith("memory") else "configured",
                "memory" if settings.redis_url.startswith("memory") else "configured",
            )
            yield request_state(runtime, page_views)

    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/admin/graphql", admin, methods=["GET", "POST"]),
        Route("/v1/events", post_events, methods=["POST"]),
        *segment_routes(),  # Segment's Tracking API (/v1/track, /v1/batch, ...): docs/events.md
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/startupz", startupz, methods=["GET"]),
        Route("/metrics", serve_metrics, methods=["GET"]),
        console_mount(),
    ]
    middleware = [Middleware(MetricsMiddleware, metrics=metrics)]
    if settings.rate_limit_ip_per_minute or settings.rate_limit_visitor_per_minute:
        middleware.append(Middleware(RateLimitMiddleware))
    if settings.cors_origins:
        middleware.insert(0, cors_middleware(settings.cors_origins))
    # Outermost: every log line of a request carries its id; the server span covers the rest.
    if tracer is not None:
        middleware.insert(0, Middleware(ServerSpanMiddleware, tracer=tracer))
    middleware.insert(0, Middleware(RequestIdMiddleware))
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
            "x-request-id",
            "traceparent",
            "tracestate",
        ],
        expose_headers=["x-vitrine-visitor", "retry-after", "x-request-id"],
        max_age=600,
    )


def request_state(runtime: Runtime, page_views: PageViews[object] | None = None) -> AppState:
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
            page_views=page_views if page_views is not None else PageViews(),
        ),
        admin=AdminServices(
            api_keys=s.api_keys,
            slot_definitions=s.slot_definitions,
            previews=s.previews,
            experiments=s.experiments,
            segments=s.segments,
            audience_sizes=s.audience_sizes,
            vocabulary=s.vocabulary,
            automation=s.automation,
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


def export_schema_sdl(mode: str = "owning") -> str:
    """The published contract of a federation mode, exactly as `schema.graphql` (owning) or
    `schema-contributing.graphql` holds it."""
    return build_schema(federation=mode).as_str() + "\n"


def document_errors(document: str, mode: str = "owning") -> list[str]:
    """Why `document` would not run against the schema of federation `mode`, limits included
    (empty when it would)."""
    from graphql import GraphQLError, parse, specified_rules, validate

    from resolvers.execution.document_shape import shape_errors
    from resolvers.execution.limits import LIMIT_RULES, MAX_TOKENS, SHAPE_LIMITS

    try:
        ast = parse(document, max_tokens=MAX_TOKENS)
    except GraphQLError as exc:
        return [exc.message]
    refused = shape_errors(ast, SHAPE_LIMITS)
    if refused:
        return [e.message for e in refused]
    schema = build_schema(federation=mode)._schema
    return [e.message for e in validate(schema, ast, [*specified_rules, *LIMIT_RULES])]
