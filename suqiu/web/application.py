"""The FastAPI application factory for ``suqiu serve``.

Handlers reach the installation through ``request.app.state.suqiu`` (see
:func:`suqiu.web.deps.get_suqiu`). Nothing runs until a request arrives.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from suqiu.installation import Installation
from suqiu.web import dashboard, errors, ops, pages, report_pages
from suqiu.web.api import router as department_api_router
from suqiu.web.api_steps import router as department_steps_router
from suqiu.web.auth import LoginThrottle, SessionSigner, load_secret
from suqiu.web.open311 import router as open311_router
from suqiu.web.office_pages import router as office_router
from suqiu.web.office_reports import router as office_reports_router
from suqiu.web.rendering import STATIC_DIR, make_templates
from suqiu.web.security import SecurityHeadersMiddleware
from suqiu.web.status_pages import LookupLimiter
from suqiu.web.status_pages import router as status_router
from suqiu.web.workbench_pages import router as workbench_router


def create_app(app: Installation, routers: Iterable[APIRouter] = ()) -> FastAPI:
    """Build the web application for one installation."""
    api = FastAPI(title="suqiu 诉求", docs_url=None, redoc_url=None, openapi_url=None)
    server = app.config.server
    app.store.set_busy_timeout(server.busy_timeout_s)  # a request never hangs behind an import
    api.state.suqiu = app
    api.state.signer = SessionSigner(load_secret(app))
    api.state.login_throttle = LoginThrottle(app.store)
    api.state.templates = make_templates()
    api.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    ops.install(api, app)   # /healthz, /metrics and the request metrics
    pages.install(api)
    errors.install(api)
    api.include_router(dashboard.router)
    api.include_router(report_pages.router)
    api.include_router(department_api_router)
    api.include_router(department_steps_router)
    api.include_router(open311_router)
    api.include_router(workbench_router)
    api.include_router(office_router)
    api.include_router(office_reports_router)
    api.include_router(status_router)
    api.state.status_limiter = LookupLimiter()
    for router in routers:
        api.include_router(router)
    api.add_middleware(SecurityHeadersMiddleware)
    if server.trusted_proxies:  # outermost: client address and scheme are the proxy's word only when trusted
        api.add_middleware(ProxyHeadersMiddleware, trusted_hosts=server.trusted_proxies)
    return api
