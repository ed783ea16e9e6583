"""Typed access to the lifespan's state (`gateway.execution.services.AppState`) from a request."""

from __future__ import annotations

from typing import cast

from starlette.requests import HTTPConnection

from gateway.execution.services import AdminServices, EdgeServices, StorefrontServices


def storefront_of(conn: HTTPConnection) -> StorefrontServices:
    return cast(StorefrontServices, conn.state.storefront)


def admin_of(conn: HTTPConnection) -> AdminServices:
    return cast(AdminServices, conn.state.admin)


def edge_of(conn: HTTPConnection) -> EdgeServices:
    return cast(EdgeServices, conn.state.edge)
