"""The composition root: `create_app(settings)` wires HTTP, GraphQL, services and stores.

This is the only module that imports `resolvers`. The container (stores, services,
background tasks) opens in the lifespan and is shared by every request via `app.state`.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import Route

from gateway.container import open_container
from gateway.http.admin_view import AdminGraphQLView
from gateway.http.events_api import post_events
from gateway.http.graphql_view import GraphQLView
from gateway.http.health import healthz, readyz
from gateway.settings import Settings
from resolvers.admin.schema import build_admin_schema
from resolvers.schema import build_schema

log = logging.getLogger(__name__)


def create_app(settings: Settings, *, background: bool = True, freeze_gc: bool = True) -> Starlette:
    schema = build_schema()
    graphql = GraphQLView(schema, graphql_ide="graphiql" if not settings.is_production else None)
    admin = AdminGraphQLView(build_admin_schema(), graphql_ide="graphiql" if not settings.is_production else None)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if settings.secret_is_ephemeral:
            log.warning("VITRINE_SECRET_KEY is not set: visitor ids are signed with a random key and reset on restart")
        async with open_container(settings, background=background) as container:
            app.state.container = container
            if freeze_gc:
                # Startup objects live forever: keep them out of the collector's way (shorter GC pauses).
                gc.collect()
                gc.freeze()
            log.info(
                "Vitrine ready: MongoDB %s, Redis %s",
                "memory" if settings.mongodb_url.startswith("memory") else "configured",
                "memory" if settings.redis_url.startswith("memory") else "configured",
            )
            yield

    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/admin/graphql", admin, methods=["GET", "POST"]),
        Route("/v1/events", post_events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan, debug=settings.debug)


def export_schema_sdl() -> str:
    """The published contract, exactly as `schema.graphql` holds it."""
    return build_schema().as_str() + "\n"
