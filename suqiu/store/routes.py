"""Where demands are routed, and every query that needs a demand's owner.

``owner_column`` is the SQL form of ``suqiu.ownership.owner``: the route's department when the
demand has a route (NULL for the triage queue), else the configured department its source named,
by canonical name. Every query that filters or shows a demand's department uses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, case, literal, null, or_, select, update
from sqlalchemy.engine import Connection

from suqiu.config import Config
from suqiu.disclosure import grants
from suqiu.model import Status
from suqiu.principals import Principal
from suqiu.store import schema
from suqiu.store.engine import local_times, now_local, to_db_time
from suqiu.store.records import RecordsMixin

TRIAGE = "triage"
# statuses routing may advance to "routed"; a replied or closed demand keeps its status
ROUTABLE_STATUSES = (Status.RECEIVED.value,)


def owner_column(config: Config) -> ColumnElement[Any]:
    """The owning department of ``records`` outer-joined with ``routes`` (see the module docstring)."""
    rec, rt = schema.records, schema.routes
    whens: list[tuple[Any, Any]] = [(rt.c.record_id.is_not(None), rt.c.department)]
    whens += [(rec.c.department_given.in_([d.name, *d.aliases]), literal(d.name)) for d in config.departments]
    return case(*whens, else_=null())


def grants_clause(principal: Principal, owner: ColumnElement[Any]) -> ColumnElement[bool] | None:
    """``suqiu.disclosure.grants`` in SQL over ``analysis.publication`` and ``owner`` (None: all)."""
    rules, level = grants(principal), schema.analysis.c.publication
    return None if rules is None else or_(*[and_(level.in_(g.levels), *(
        () if g.departments is None else (owner.in_(g.departments),))) for g in rules])


def with_routes(q: Select[Any]) -> Select[Any]:
    """``q`` over records joined with their analysis and route (both optional)."""
    rec, an, rt = schema.records, schema.analysis, schema.routes
    return q.select_from(rec.outerjoin(an, an.c.record_id == rec.c.id).outerjoin(rt, rt.c.record_id == rec.c.id))


@dataclass(frozen=True)
class DemandFilter:
    """Which demands a listing wants (every field optional); the store turns it into SQL."""

    ids: Sequence[str] | None = None
    owner: str | None = None              # only demands this department owns
    routed_only: bool = False             # only demands routed to a department
    statuses: Sequence[str] | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    owners: Sequence[str] | None = None   # any of these departments
    triage: bool = False                  # with ``owners``: or in the triage queue
    visible_to: Principal | None = None   # only what this principal may see (``suqiu.disclosure``)
    urgency: Sequence[str] | None = None  # any of these urgency levels
    newest_first: bool = False
    limit: int | None = None
    offset: int = 0


DEMAND_COLUMNS = ("id", "source", "channel", "received_at", "district", "address", "category_given",
                  "department_given", "status", "reply_text", "replied_at", "replied_by", "satisfaction",
                  "updated_at", "requester_type", "url", "version", "lat", "lon")


class RoutesMixin(RecordsMixin):
    """Routes, and demand listings by owner."""

    # ------------------------------------------------------------------ owners
    def owner_of(self, config: Config, record_id: str) -> str | None:
        q = with_routes(select(owner_column(config))).where(schema.records.c.id == record_id)
        with self.engine.connect() as conn:
            return conn.execute(q).scalar()

    def owners_of(self, config: Config, ids: Sequence[str]) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(ids), 500):
                q = with_routes(select(schema.records.c.id, owner_column(config))).where(
                    schema.records.c.id.in_(list(ids[i:i + 500])))
                out.update(conn.execute(q).all())
        return out

    def demand_rows(self, config: Config, f: DemandFilter) -> list[dict[str, Any]]:
        """Demands joined with their masked analysis and owner (raw columns: the caller discloses)."""
        rec, an, rt = schema.records, schema.analysis, schema.routes
        owner = owner_column(config)
        cols = [rec.c[c] for c in DEMAND_COLUMNS] + [
            an.c.masked_title, an.c.masked_text, an.c.urgency_level, an.c.dup_group, an.c.keywords,
            an.c.topic_id, an.c.publication, rt.c.queue, owner.label("owner")]
        q = with_routes(select(*cols))
        if f.ids is not None:
            q = q.where(rec.c.id.in_(list(f.ids)))
        if f.owner is not None:
            q = q.where(owner == f.owner)
        if f.visible_to is not None and (seen := grants_clause(f.visible_to, owner)) is not None:
            q = q.where(seen)
        if f.routed_only:
            q = q.where(rt.c.department.is_not(None))
        if f.statuses is not None:
            q = q.where(rec.c.status.in_(list(f.statuses)))
        if f.received_from is not None:
            q = q.where(rec.c.received_at >= to_db_time(f.received_from))
        if f.received_to is not None:
            q = q.where(rec.c.received_at <= to_db_time(f.received_to))
        if f.urgency is not None:
            q = q.where(an.c.urgency_level.in_(list(f.urgency)))
        if f.owners is not None:
            cond = owner.in_(list(f.owners))
            q = q.where(cond | (rt.c.queue == TRIAGE) if f.triage else cond)
        order = (rec.c.received_at.desc(), rec.c.id) if f.newest_first else (rec.c.received_at, rec.c.id)
        q = q.order_by(*order).offset(f.offset)
        if f.limit is not None:
            q = q.limit(f.limit)
        with self.engine.connect() as conn:
            return [local_times(dict(r)) for r in conn.execute(q).mappings()]

    def owned_rows(self, config: Config, department: str | None = None,
                   statuses: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Every demand some department owns (or ``department``), with what reply figures need.

        Raw text: for internal scoring only, never shown."""
        rec, an, h = schema.records, schema.analysis, schema.record_history
        owner = owner_column(config)
        q = with_routes(select(
            rec.c.id, rec.c.status, rec.c.received_at, rec.c.replied_at, rec.c.reply_text, rec.c.satisfaction,
            rec.c.category_given, rec.c.title, rec.c.content, rec.c.transfer_count, an.c.urgency_level, an.c.keywords,
            an.c.normalized_text, an.c.publication, owner.label("department")))
        q = q.where(owner.is_not(None) if department is None else owner == department)
        if statuses is not None:
            q = q.where(rec.c.status.in_(list(statuses)))
        with self.engine.connect() as conn:
            reopened = {r[0] for r in conn.execute(
                select(h.c.record_id).where(h.c.field == "status", h.c.new_value == Status.REOPENED.value))}
            rows = [local_times(dict(r)) for r in conn.execute(q).mappings()]
        for r in rows:
            r["ever_reopened"] = r["id"] in reopened or r["status"] == Status.REOPENED.value
        return rows

    def open_rows(self, config: Config, statuses: Sequence[str]) -> list[tuple[Any, ...]]:
        """(received_at, category, owner, urgency) of every demand in ``statuses`` (overdue counting)."""
        rec, an = schema.records, schema.analysis
        q = with_routes(select(rec.c.received_at, rec.c.category_given, owner_column(config), an.c.urgency_level))
        with self.engine.connect() as conn:
            return [(local_times({"t": r[0]})["t"], *r[1:]) for r in conn.execute(
                q.where(rec.c.status.in_(list(statuses))))]

    # ------------------------------------------------------------------ routing
    def routing_candidates(self, record_ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Analysed demands without a route, and those the router itself sent to triage."""
        rec, an, rt = schema.records, schema.analysis, schema.routes
        q = (select(rec.c.id, rec.c.status, rec.c.department_given, an.c.department, an.c.route_reason,
                    an.c.route_confidence, rt.c.queue, rt.c.reason.label("current_reason"))
             .select_from(rec.join(an, an.c.record_id == rec.c.id).outerjoin(rt, rt.c.record_id == rec.c.id))
             .where(an.c.route_reason.is_not(None) | rec.c.department_given.is_not(None))
             .where(rt.c.record_id.is_(None) | ((rt.c.queue == TRIAGE) & (rt.c.reason == TRIAGE)))
             .order_by(rec.c.received_at, rec.c.id))
        if record_ids is not None:
            q = q.where(rec.c.id.in_(list(record_ids)))
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    def route_of(self, record_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(schema.routes).where(schema.routes.c.record_id == record_id)).mappings().first()
        return None if row is None else local_times(dict(row))

    def triage_queue(self, limit: int = 200) -> list[str]:
        """Ids of demands waiting for a person to pick the department, oldest first."""
        rt, rec = schema.routes, schema.records
        q = (select(rt.c.record_id).select_from(rt.join(rec, rec.c.id == rt.c.record_id))
             .where(rt.c.queue == TRIAGE).order_by(rec.c.received_at).limit(limit))
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(q)]

    def write_route(self, conn: Connection, record_id: str, department: str | None, reason: str,
                    confidence: float | None, origin: str, actor: str | None, note: str | None,
                    triage_label: str) -> None:
        """Route one demand (None: the triage queue), with history; its status follows and its
        version moves so the search index picks the change up."""
        rt, now = schema.routes, to_db_time(now_local())
        old = conn.execute(select(rt.c.department).where(rt.c.record_id == record_id)).first()
        values = {"department": department, "queue": "department" if department else TRIAGE, "reason": reason,
                  "confidence": confidence, "routed_at": now, "actor": actor, "note": note}
        if old is None:
            conn.execute(rt.insert().values(record_id=record_id, **values))
        else:
            conn.execute(update(rt).where(rt.c.record_id == record_id).values(**values))
        conn.execute(schema.record_history.insert().values(
            record_id=record_id, at=now, field="department",
            old_value=None if old is None else (old.department or triage_label),
            new_value=department or triage_label, origin=origin, actor=actor, note=note or reason))
        status = conn.execute(select(schema.records.c.status).where(schema.records.c.id == record_id)).scalar()
        if department and status in ROUTABLE_STATUSES:
            self.set_fields(record_id, {"status": Status.ROUTED}, origin=origin, actor=actor,
                            note=f"分派至 {department}", conn=conn)
        elif department is None and status == Status.ROUTED.value:
            self.set_fields(record_id, {"status": Status.RECEIVED}, origin=origin, actor=actor,
                            note="转入待人工分派", conn=conn)
        else:
            conn.execute(update(schema.records).where(schema.records.c.id == record_id)
                         .values(version=schema.records.c.version + 1))

    def write_routes(self, conn: Connection, routes: Sequence[tuple[str, str | None, str, float | None]],
                     origin: str, triage_label: str) -> None:
        """``write_route`` for many (record_id, department, reason, confidence) at once, without actor
        or note: two SELECTs and bulk writes per 500, the same rows and history as one by one."""
        rt, rec = schema.routes, schema.records
        for i in range(0, len(routes), 500):
            part = routes[i:i + 500]
            ids = [r[0] for r in part]
            old = dict(conn.execute(select(rt.c.record_id, rt.c.department).where(rt.c.record_id.in_(ids))).all())
            status = dict(conn.execute(select(rec.c.id, rec.c.status).where(rec.c.id.in_(ids))).all())
            now = to_db_time(now_local())
            values = [{"b_id": rid, "department": dept, "queue": "department" if dept else TRIAGE, "reason": reason,
                       "confidence": conf, "routed_at": now, "actor": None, "note": None}
                      for rid, dept, reason, conf in part]
            fresh = [{"record_id": v["b_id"], **{k: x for k, x in v.items() if k != "b_id"}}
                     for v in values if v["b_id"] not in old]
            if fresh:
                conn.execute(rt.insert(), fresh)
            if len(fresh) < len(values):
                conn.execute(update(rt).where(rt.c.record_id == bindparam("b_id")).values(
                    {k: bindparam(f"v_{k}") for k in values[0] if k != "b_id"}),
                    [{"b_id": v["b_id"], **{f"v_{k}": x for k, x in v.items() if k != "b_id"}}
                     for v in values if v["b_id"] in old])
            conn.execute(schema.record_history.insert(), [{
                "record_id": rid, "at": now, "field": "department",
                "old_value": None if rid not in old else (old[rid] or triage_label),
                "new_value": dept or triage_label, "origin": origin, "actor": None, "note": reason}
                for rid, dept, reason, _ in part])
            self._route_statuses(conn, part, status, origin)

    def _route_statuses(self, conn: Connection, part: Sequence[tuple[str, str | None, str, float | None]],
                        status: dict[str, str], origin: str) -> None:
        """Statuses follow the routes (as ``write_route``); every other routed record's version moves."""
        notes: dict[str, dict[str, dict[str, Any]]] = {}
        bump: list[dict[str, Any]] = []
        for rid, dept, _, _ in part:
            if dept and status.get(rid) in ROUTABLE_STATUSES:
                notes.setdefault(f"分派至 {dept}", {})[rid] = {"status": Status.ROUTED}
            elif dept is None and status.get(rid) == Status.ROUTED.value:
                notes.setdefault("转入待人工分派", {})[rid] = {"status": Status.RECEIVED}
            else:
                bump.append({"b_id": rid})
        for note, changes in notes.items():
            self.set_fields_many(changes, origin=origin, note=note, conn=conn)
        if bump:
            rec = schema.records
            conn.execute(update(rec).where(rec.c.id == bindparam("b_id")).values(version=rec.c.version + 1), bump)
