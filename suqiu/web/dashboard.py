"""The dashboard (一屏观全城): the page, its data as JSON and the city's outlines.

The office sees the whole city; a department sees the same panels for its own demands only (the
data module, ``reports.dashboard``, applies the owner rule); the public role gets 403. The page is
a static shell: ``/static/dashboard.js`` (CSP ``script-src 'self'``, no inline script) fetches
``/dashboard/data.json`` under the same rules and refreshes it every minute. The data is kept for
``CACHE_S`` per scope, so many open screens cost one computation.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from reports.citymap import MapError, geojson_path, load_geojson
from reports.dashboard import dashboard_data
from suqiu.twoway.accounts import User
from suqiu.web.deps import get_suqiu, require_user
from suqiu.web.rendering import render

router = APIRouter()
CACHE_S = 55.0
REFRESH_S = 60
NO_STORE = {"Cache-Control": "no-store"}  # the other security headers: suqiu.web.security


def _allowed(user: User) -> None:
    if user.role not in ("office", "department"):
        raise StarletteHTTPException(403)


@router.get("/dashboard")
def dashboard_page(request: Request, user: User = Depends(require_user)) -> Response:
    _allowed(user)
    app = get_suqiu(request)
    scope = user.principal.canonical(app.config).required_department
    return render(request, "dashboard.html", {"scope": scope or "全市", "city": app.config.city.name,
                                              "refresh_s": REFRESH_S})


def _cached(request: Request, key: str) -> dict[str, Any] | None:
    cache: dict[str, tuple[float, dict[str, Any]]] = request.app.state.__dict__.setdefault("dashboard_cache", {})
    hit = cache.get(key)
    return hit[1] if hit and hit[0] > time.monotonic() else None


@router.get("/dashboard/data.json")
def dashboard_json(request: Request, user: User = Depends(require_user)) -> Response:
    _allowed(user)
    app = get_suqiu(request)
    principal = user.principal.canonical(app.config)
    key = principal.required_department or "office"
    data = _cached(request, key)
    if data is None:
        data = dashboard_data(app, principal)
        request.app.state.dashboard_cache[key] = (time.monotonic() + CACHE_S, data)
    return JSONResponse(data, headers=NO_STORE)


@router.get("/dashboard/city.geojson")
def city_geojson(request: Request, user: User = Depends(require_user)) -> Response:
    """The configured district outlines (checked before they are served)."""
    _allowed(user)
    try:
        path = geojson_path(get_suqiu(request))
        if path is None:
            raise StarletteHTTPException(404)
        load_geojson(path)
    except MapError:
        raise StarletteHTTPException(404) from None
    return FileResponse(path, media_type="application/geo+json", headers={"Cache-Control": "private, max-age=300"})
