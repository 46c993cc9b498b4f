"""The FastAPI application factory for ``suqiu serve``.

Other parts of the system mount their routers here: either pass them in ``routers`` or call
``fastapi_app.include_router(...)`` on the returned application. Handlers reach the installation
through ``request.app.state.suqiu`` (see :func:`suqiu.web.deps.get_suqiu`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from suqiu.app import App

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATES_DIR = WEB_DIR / "templates"


def create_app(app: App, routers: Iterable[APIRouter] = ()) -> FastAPI:
    """Build the web application for one installation; nothing runs until a request arrives."""
    from suqiu.web import pages
    from suqiu.web.auth import LoginThrottle, SessionSigner, load_secret

    api = FastAPI(title="suqiu 诉求", docs_url=None, redoc_url=None, openapi_url=None)
    api.state.suqiu = app
    api.state.signer = SessionSigner(load_secret(app))
    api.state.login_throttle = LoginThrottle()
    api.state.templates = pages.make_templates()
    api.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    pages.install(api)
    from suqiu.web.api import router as department_api_router
    from suqiu.web.open311 import router as open311_router
    api.include_router(department_api_router)
    api.include_router(open311_router)
    for router in routers:
        api.include_router(router)
    return api
