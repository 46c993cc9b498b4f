"""Route flow: route analysed demands to departments, alert critical ones at once, then deliver
each department's digest. The hourly ingest flow runs the same routing and alerts after analysis."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task

from nlp.stages.base import claimed
from reports.alerts import send_alerts
from reports.digests import deliver_digest
from suqiu.installation import Installation
from suqiu.twoway.dispatch import route_pending


@task(name="route-pending")
def route_pending_task(home: str | None) -> dict[str, Any]:
    return route_pending(Installation.load(home)).as_dict()


@task(name="critical-alerts")
def send_alerts_task(home: str | None) -> dict[str, Any]:
    # a critical demand reaches its department and the office in the run that routed it
    return send_alerts(Installation.load(home))


@task(name="departments")
def department_names(home: str | None) -> list[str]:
    return [d.name for d in Installation.load(home).config.departments]


@task(name="deliver-digest")
def deliver_digest_task(home: str | None, department: str, period: str) -> dict[str, Any]:
    # SMTP failures are kept in the deliveries table and retried by the next run, never lost
    return deliver_digest(Installation.load(home), department, period)


@flow(name="route")
def route(home: str | None = None, period: str = "day", departments: list[str] | None = None) -> dict[str, Any]:
    """Under the ``route`` lease: a second worker's route run waits, so no demand is routed twice
    and no department gets two digests of the same demands."""
    log = get_run_logger()
    with claimed(Installation.load(home), "route"):
        routed = route_pending_task(home)
        log.info("route: %s", routed)
        alerts = send_alerts_task(home)
        log.info("alerts: %s", {k: alerts[k] for k in ("departments", "office")})
        digests = {}
        for name in departments or department_names(home):
            d = deliver_digest_task(home, name, period)
            digests[name] = d
            log.info("digest %s: %s items, %s", name, d.get("items"), d.get("status"))
    return {"route": routed, "alerts": alerts, "digests": digests}
