"""What operators point their tools at: ``/healthz`` (JSON, 200 or 503) and ``/metrics`` (Prometheus).

``/healthz`` asks the store for one round trip and the search backend for its document count; a
load balancer or systemd watchdog reads the status code, a person the JSON. ``/metrics`` is the
Prometheus text format from the maintained client library: requests by route template, method and
status, a latency histogram by route, and, read from the store at each scrape, the work pending
per stage, overdue demands and rows in the quarantine. Each application has its own registry (no
process-wide state), and nothing here shows a demand's text: only counts leave.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from search.service import get_backend
from suqiu.installation import Installation
from suqiu.store import INDEX_STAGE
from suqiu.twoway.tracking import overdue_count

router = APIRouter()
# (stage, the key its pending work is measured at, the stage whose output it reads)
PENDING_STAGES = (("analyze", "text_hash", None), ("classify", "text_hash", "analyze"), (INDEX_STAGE, "version", None))
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def health(app: Installation) -> tuple[bool, dict[str, Any]]:
    """Whether the store and the search backend answer, and what each said."""
    checks: dict[str, Any] = {}
    try:
        app.store.ping()
        checks["store"] = {"ok": True, "dialect": app.store.engine.dialect.name}
    except Exception as exc:  # a health check reports, it does not raise
        checks["store"] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    try:
        backend = get_backend(app)
        checks["search"] = {"ok": True, "backend": backend.name, "documents": backend.count()}
    except Exception as exc:
        checks["search"] = {"ok": False, "backend": app.config.search.backend, "error": f"{type(exc).__name__}: {exc}"[:300]}
    ok = all(c["ok"] for c in checks.values())
    return ok, {"status": "ok" if ok else "unavailable", "checks": checks}


class StoreCollector(Collector):
    """Gauges read from the store at scrape time; ``suqiu_store_up`` 0 when it cannot be read."""

    def __init__(self, app: Installation) -> None:
        self.app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("suqiu_store_up", "1 when the store answered this scrape")
        try:
            store = self.app.store
            pending = GaugeMetricFamily("suqiu_pending", "Records waiting for a stage", labels=["stage"])
            for stage, key, after in PENDING_STAGES:
                pending.add_metric([stage], store.pending_count(stage, key, after=after))
            overdue = GaugeMetricFamily("suqiu_overdue", "Open demands past their time limit (时限)")
            overdue.add_metric([], overdue_count(store, self.app.config))
            quarantined = GaugeMetricFamily("suqiu_quarantined", "Rows in the quarantine, not re-admitted")
            quarantined.add_metric([], sum(store.quarantine_by_reason().values()))
        except Exception:  # the scrape still answers, saying the store is down
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield from (up, pending, overdue, quarantined)


class Metrics:
    """The application's registry and its request metrics."""

    def __init__(self, app: Installation) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("suqiu_http_requests", "HTTP requests by route template, method and status",
                                ["route", "method", "status"], registry=self.registry)
        self.latency = Histogram("suqiu_http_request_duration_seconds", "HTTP request latency by route template",
                                 ["route"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.registry.register(StoreCollector(app))

    async def middleware(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = getattr(request.scope.get("route"), "path", None) or "unmatched"
            self.requests.labels(route, request.method, str(status)).inc()
            self.latency.labels(route).observe(time.perf_counter() - started)


@router.get("/healthz", include_in_schema=False)
def healthz(request: Request) -> JSONResponse:
    ok, body = health(request.app.state.suqiu)
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)


def install(api: FastAPI, app: Installation) -> None:
    """Count every request and add the two endpoints."""
    api.state.metrics = Metrics(app)
    api.middleware("http")(api.state.metrics.middleware)
    api.include_router(router)
