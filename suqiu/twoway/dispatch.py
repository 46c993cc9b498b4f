"""The routing workflow: analyzed demands go to a department or to the manual triage queue.

The classifier (``analysis.department`` / ``route_reason``) proposes; this module decides and
records. A route lives in the ``routes`` table, and the route decides who owns the demand
(``suqiu.ownership``). Every change is also written to the record's history (field
``department``) so the petition office can see who moved a demand and why. A route's
``routed_at`` is what makes a demand "new" for a department's next digest, so a reassignment
puts the demand into the new department's next digest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from suqiu.config import Config
from suqiu.installation import Installation
from suqiu.store import CHANGE_MARGIN, TRIAGE
from suqiu.twoway.lifecycle import OFFICE, SYSTEM, routable
from suqiu.twoway.receipts import issue_receipts

ROUTE_BATCH = 200


class RoutingError(ValueError):
    """A routing request cannot be carried out; the message says why (in Chinese, for users)."""


@dataclass
class RouteStats:
    routed: int = 0
    triage: int = 0
    unchanged: int = 0
    by_department: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"routed": self.routed, "triage": self.triage, "unchanged": self.unchanged,
                "by_department": dict(sorted(self.by_department.items()))}


@dataclass(frozen=True)
class Decision:
    department: str | None    # canonical config name, None for the triage queue
    reason: str               # given, rule, model, triage
    confidence: float | None

    @property
    def queue(self) -> str:
        return "department" if self.department else TRIAGE


def decide(config: Config, department_given: str | None, department: str | None,
           route_reason: str | None, confidence: float | None) -> Decision:
    """Pick the route for one demand: the source's own department, else the classifier's if sure.

    A department named by the source (a hotline export's 承办单位) wins when the configuration knows
    it. The classifier's choice is taken unless it said triage, named an unknown department or, for
    a model decision, is below ``routing.confidence_threshold``.
    """
    given = config.department(department_given) if department_given else None
    if given is not None:
        return Decision(given.name, "given", 1.0)
    if route_reason == TRIAGE or not department:
        return Decision(None, TRIAGE, confidence)
    dept = config.department(department)
    if dept is None:
        return Decision(None, TRIAGE, confidence)
    if route_reason == "model" and confidence is not None and confidence < config.routing.confidence_threshold:
        return Decision(None, TRIAGE, confidence)
    return Decision(dept.name, route_reason or "model", confidence)


def route_pending(app: Installation, record_ids: list[str] | None = None) -> RouteStats:
    """Route every classified demand without a route, and re-try the automatic triage queue.

    A demand whose source named a configured department (a hotline export's 承办单位) is routed as
    soon as the text stage has masked it, without waiting for the classifier.

    Idempotent: a demand routed once keeps its route (a reassignment is the way to move it); a
    demand the classifier sent to triage is looked at again when its analysis changes. Recorded as
    a ``route`` run; each batch of ``ROUTE_BATCH`` is one transaction, so a run killed midway keeps
    the batches it committed and the next run routes the rest.
    """
    stats = RouteStats()
    store = app.store
    last = store.last_ok_start("route")
    since = None if last is None else last - CHANGE_MARGIN
    issue_receipts(app, since=since)   # every demand entering the workflow gets its citizen's verification code
    rows = store.routing_candidates(record_ids, since)
    if not rows:
        return stats
    run_id = store.start_run("route")
    try:
        for start in range(0, len(rows), ROUTE_BATCH):  # short transactions: readers and API writers wait less
            writes = [w for row in rows[start:start + ROUTE_BATCH] if (w := _decide_one(app, row, stats))]
            with store.begin() as conn:  # bulk writes (``Store.write_routes``), not five statements a demand
                store.write_routes(conn, writes, origin="routing", triage_label=app.config.routing.triage_queue,
                                   routable=routable(SYSTEM))
            store.heartbeat(run_id)
    except BaseException as exc:
        store.finish_run(run_id, stats.as_dict(), error=f"{type(exc).__name__}: {exc}")
        raise
    store.finish_run(run_id, stats.as_dict())
    return stats


def _decide_one(app: Installation, row: dict[str, Any],
                stats: RouteStats) -> tuple[str, str | None, str, float | None] | None:
    """The route to write for one candidate (counted in ``stats``), or None to leave it as it is."""
    d = decide(app.config, row["department_given"], row["department"], row["route_reason"], row["route_confidence"])
    if row["route_reason"] is None and d.reason != "given":
        return None  # not classified yet and the source's department is unknown: wait for the classifier
    if row["queue"] == TRIAGE and d.department is None:
        stats.unchanged += 1
        return None
    if d.department:
        stats.routed += 1
        stats.by_department[d.department] = stats.by_department.get(d.department, 0) + 1
    else:
        stats.triage += 1
    return row["id"], d.department, d.reason, d.confidence


def reassign(app: Installation, record_id: str, department: str, reason: str, actor: str) -> dict[str, Any]:
    """The petition office moves a demand to another department; the reason goes into history."""
    reason = (reason or "").strip()
    if not reason:
        raise RoutingError("改派必须填写原因")
    if not actor:
        raise RoutingError("改派必须注明操作人")
    dept = app.config.department(department)
    if dept is None:
        raise RoutingError(f"未知部门: {department}")
    store = app.store
    if store.get(record_id) is None:
        raise RoutingError(f"诉求不存在: {record_id}")
    current = store.owner_of(app.config, record_id)
    if current == dept.name:
        raise RoutingError(f"诉求已在 {dept.name}，无需改派")
    with store.begin() as conn:
        store.write_route(conn, record_id, dept.name, "reassign", 1.0, origin="reassign", actor=actor,
                          note=reason, triage_label=app.config.routing.triage_queue, routable=routable(OFFICE))
        store.audit({"actor": actor, "role": "office", "department": None, "action": "reassign",
                     "record_id": record_id, "origin": "reassign",
                     "detail": f"{current or app.config.routing.triage_queue} → {dept.name}：{reason}"[:2000]}, conn)
    return {"record_id": record_id, "from": current, "to": dept.name, "reason": reason, "actor": actor}
