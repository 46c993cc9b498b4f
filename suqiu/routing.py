"""The routing workflow: analyzed demands go to a department or to the manual triage queue.

The classifier (``analysis.department`` / ``route_reason``) proposes; this module decides and
records. A route lives in the ``routes`` table; every change is also written to the record's
history (field ``department``) so the petition office can see who moved a demand and why. A
route's ``routed_at`` is what makes a demand "new" for a department's next digest, so a
reassignment puts the demand into the new department's next digest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from suqiu import schema
from suqiu.app import App
from suqiu.config import Config
from suqiu.model import Status
from suqiu.store import now_local, to_db_time

TRIAGE = "triage"
# statuses that routing may advance to "routed"; a replied or closed demand keeps its status
ROUTABLE_STATUSES = (Status.RECEIVED.value,)


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


def route_pending(app: App, record_ids: list[str] | None = None) -> RouteStats:
    """Route every classified demand without a route, and re-try the automatic triage queue.

    A demand whose source named a configured department (a hotline export's 承办单位) is routed as
    soon as the text stage has masked it, without waiting for the classifier.

    Idempotent: a demand routed once keeps its route (a reassignment is the way to move it); a
    demand the classifier sent to triage is looked at again when its analysis changes.
    """
    rec, an, rt = schema.records, schema.analysis, schema.routes
    q = (select(rec.c.id, rec.c.status, rec.c.department_given, an.c.department, an.c.route_reason,
                an.c.route_confidence, rt.c.queue, rt.c.reason.label("current_reason"))
         .select_from(rec.join(an, an.c.record_id == rec.c.id).outerjoin(rt, rt.c.record_id == rec.c.id))
         .where(an.c.route_reason.is_not(None) | rec.c.department_given.is_not(None))
         .where(rt.c.record_id.is_(None) | ((rt.c.queue == TRIAGE) & (rt.c.reason == TRIAGE)))
         .order_by(rec.c.received_at, rec.c.id))
    if record_ids is not None:
        q = q.where(rec.c.id.in_(record_ids))
    stats = RouteStats()
    with app.store.begin() as conn:
        for row in conn.execute(q).mappings().all():
            d = decide(app.config, row["department_given"], row["department"], row["route_reason"],
                       row["route_confidence"])
            if row["route_reason"] is None and d.reason != "given":
                continue  # not classified yet and the source's department is unknown: wait for the classifier
            if row["queue"] == TRIAGE and d.department is None:
                stats.unchanged += 1
                continue
            _write_route(app, conn, row["id"], d.department, d.reason, d.confidence,
                         origin="routing", actor=None, note=None, status=row["status"])
            if d.department:
                stats.routed += 1
                stats.by_department[d.department] = stats.by_department.get(d.department, 0) + 1
            else:
                stats.triage += 1
    return stats


def reassign(app: App, record_id: str, department: str, reason: str, actor: str) -> dict[str, Any]:
    """The petition office moves a demand to another department; the reason goes into history."""
    reason = (reason or "").strip()
    if not reason:
        raise RoutingError("改派必须填写原因")
    if not actor:
        raise RoutingError("改派必须注明操作人")
    dept = app.config.department(department)
    if dept is None:
        raise RoutingError(f"未知部门: {department}")
    with app.store.begin() as conn:
        row = conn.execute(select(schema.records.c.status).where(schema.records.c.id == record_id)).first()
        if row is None:
            raise RoutingError(f"诉求不存在: {record_id}")
        current = conn.execute(select(schema.routes.c.department)
                               .where(schema.routes.c.record_id == record_id)).scalar()
        if current == dept.name:
            raise RoutingError(f"诉求已在 {dept.name}，无需改派")
        _write_route(app, conn, record_id, dept.name, "reassign", 1.0, origin="reassign", actor=actor,
                     note=reason, status=row.status)
    return {"record_id": record_id, "from": current, "to": dept.name, "reason": reason, "actor": actor}


def route_of(app: App, record_id: str) -> dict[str, Any] | None:
    with app.store.engine.connect() as conn:
        row = conn.execute(select(schema.routes).where(schema.routes.c.record_id == record_id)).mappings().first()
    return None if row is None else dict(row)


def triage_queue(app: App, limit: int = 200) -> list[str]:
    """Ids of demands waiting for a person to pick the department, oldest first."""
    rt, rec = schema.routes, schema.records
    q = (select(rt.c.record_id).select_from(rt.join(rec, rec.c.id == rt.c.record_id))
         .where(rt.c.queue == TRIAGE).order_by(rec.c.received_at).limit(limit))
    with app.store.engine.connect() as conn:
        return [r[0] for r in conn.execute(q)]


def _write_route(app: App, conn: Connection, record_id: str, department: str | None, reason: str,
                 confidence: float | None, origin: str, actor: str | None, note: str | None,
                 status: str) -> None:
    rt = schema.routes
    now = to_db_time(now_local())
    old = conn.execute(select(rt.c.department, rt.c.queue).where(rt.c.record_id == record_id)).first()
    values = {"department": department, "queue": "department" if department else TRIAGE, "reason": reason,
              "confidence": confidence, "routed_at": now, "actor": actor, "note": note}
    if old is None:
        conn.execute(rt.insert().values(record_id=record_id, **values))
    else:
        conn.execute(update(rt).where(rt.c.record_id == record_id).values(**values))
    old_label = (old.department or app.config.routing.triage_queue) if old is not None else None
    new_label = department or app.config.routing.triage_queue
    conn.execute(schema.record_history.insert().values(
        record_id=record_id, at=now, field="department", old_value=old_label, new_value=new_label,
        origin=origin, actor=actor, note=note or reason))
    if department and status in ROUTABLE_STATUSES:
        app.store.set_fields(record_id, {"status": Status.ROUTED}, origin=origin, actor=actor,
                             note=f"分派至 {department}", conn=conn)
    elif department is None and status == Status.ROUTED.value:
        app.store.set_fields(record_id, {"status": Status.RECEIVED}, origin=origin, actor=actor,
                             note="转入待人工分派", conn=conn)
    # search and the web read the classifier's field: keep it on the decided department
    an = schema.analysis
    conn.execute(update(an).where(an.c.record_id == record_id).values(
        department=department, route_reason=reason, route_confidence=confidence, updated_at=now))
    conn.execute(update(schema.records).where(schema.records.c.id == record_id)
                 .values(version=schema.records.c.version + 1))
