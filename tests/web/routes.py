"""The application's routes as a flat list (FastAPI ≥0.150 nests included routers)."""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts


def api_routes(api: Any) -> list[APIRoute]:
    """Every API route of ``api``, whatever router included it."""
    routes = [c.route for c in iter_route_contexts(api.routes)]
    return [r for r in routes if isinstance(r, APIRoute)]
