"""Where demands are routed, and every query that needs a demand's owner.

``owner_column`` is the SQL form of ``suqiu.ownership.owner``: the route's department when the
demand has a route (NULL for the triage queue), else the configured department its source named,
by canonical name. Every query that filters or shows a demand's department uses it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, case, func, literal, null, or_, select, update
from sqlalchemy.engine import Connection

from suqiu.config import Config
from suqiu.disclosure import grants
from suqiu.model import Status
from suqiu.principals import Principal
from suqiu.store import schema
from suqiu.store.analysis import changed_ids
from suqiu.store.engine import local_times, now_local, to_db_time
from suqiu.store.records import RecordsMixin

TRIAGE = "triage"


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


def with_routes(q: Select[Any], work: bool = False) -> Select[Any]:
    """``q`` over records joined with their analysis and route (both optional), and with ``work``
    their work order (``work_orders``, optional too)."""
    rec, an, rt, wo = schema.records, schema.analysis, schema.routes, schema.work_orders
    joined = rec.outerjoin(an, an.c.record_id == rec.c.id).outerjoin(rt, rt.c.record_id == rec.c.id)
    return q.select_from(joined.outerjoin(wo, wo.c.record_id == rec.c.id) if work else joined)


def save_work_order(conn: Connection, record_id: str, values: dict[str, Any]) -> None:
    """Insert or update a demand's work order (times in local time)."""
    save_work_orders(conn, {record_id: values})


def save_work_orders(conn: Connection, values_by_id: dict[str, dict[str, Any]]) -> None:
    """``save_work_order`` for many demands: per 500, one SELECT, then bulk UPDATEs and INSERTs (one
    of each per set of columns). Routing and receipts had written a million one statement each."""
    wo, now, ids = schema.work_orders, to_db_time(now_local()), list(values_by_id)
    for i in range(0, len(ids), 500):
        have = set(conn.execute(select(wo.c.record_id).where(wo.c.record_id.in_(ids[i:i + 500]))).scalars())
        updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        inserts: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for rid in ids[i:i + 500]:
            row = {k: (to_db_time(v) if isinstance(v, datetime) else v) for k, v in values_by_id[rid].items()}
            row["updated_at"] = now
            if rid in have:
                updates.setdefault(tuple(row), []).append({"b_id": rid, **{f"v_{k}": v for k, v in row.items()}})
            else:
                inserts.setdefault(tuple(row), []).append({"record_id": rid, **row})
        for columns, params in updates.items():
            conn.execute(update(wo).where(wo.c.record_id == bindparam("b_id"))
                         .values({c: bindparam(f"v_{c}") for c in columns}), params)
        for rows in inserts.values():
            conn.execute(wo.insert(), rows)


# what a work-order listing adds to a demand (the due time a step set, signing, returns, 督办, 回访)
WORK_COLUMNS = ("routed_at", "signed_at", "returned_by", "returned_at", "return_reason", "suspended_at",
                "supervised_at", "supervise_note", "callback_at", "solved", "alerted_to", "alerted_office_at")


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
    triage: bool = False                  # with ``owners``: or in the triage queue; alone: the triage queue
    visible_to: Principal | None = None   # only what this principal may see (``suqiu.disclosure``)
    co_handler: str | None = None         # only demands this department co-handles (协办)
    returned_by: str | None = None        # only demands this department returned
    urgency: Sequence[str] | None = None  # any of these urgency levels
    levels: Sequence[str] | None = None   # publication levels (分级), e.g. what any department may see
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
        """Demands joined with their masked analysis, owner and work order (raw columns: the caller discloses)."""
        rec, an, rt, wo = schema.records, schema.analysis, schema.routes, schema.work_orders
        owner = owner_column(config)
        cols = [rec.c[c] for c in DEMAND_COLUMNS] + [
            an.c.masked_title, an.c.masked_text, an.c.urgency_level, an.c.urgency_reasons, an.c.dup_group,
            an.c.keywords, an.c.topic_id, an.c.publication, an.c.route_reason, an.c.route_confidence,
            an.c.route_candidates,
            rt.c.queue, rt.c.reason.label("route_kind"), rt.c.note.label("route_note"), owner.label("owner"),
            wo.c.due_at.label("due_override"), *(wo.c[c] for c in WORK_COLUMNS)]
        q = self._filtered(config, with_routes(select(*cols), work=True), f)
        order = (rec.c.received_at.desc(), rec.c.id) if f.newest_first else (rec.c.received_at, rec.c.id)
        q = q.order_by(*order).offset(f.offset)
        if f.limit is not None:
            q = q.limit(f.limit)
        with self.engine.connect() as conn:
            return [local_times(dict(r)) for r in conn.execute(q).mappings()]

    def demand_count(self, config: Config, f: DemandFilter) -> int:
        """How many demands ``f`` selects (ignoring its limit and offset)."""
        q = self._filtered(config, with_routes(select(func.count()), work=True), f)
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar_one())

    @staticmethod
    def _filtered(config: Config, q: Select[Any], f: DemandFilter) -> Select[Any]:
        rec, rt, wo = schema.records, schema.routes, schema.work_orders
        owner = owner_column(config)
        if f.co_handler is not None:
            ch = schema.co_handlers
            q = q.where(rec.c.id.in_(select(ch.c.record_id).where(ch.c.department == f.co_handler)))
        if f.returned_by is not None:
            q = q.where(wo.c.returned_by == f.returned_by)
        if f.levels is not None:
            q = q.where(schema.analysis.c.publication.in_(list(f.levels)))
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
            q = q.where(schema.analysis.c.urgency_level.in_(list(f.urgency)))
        if f.owners is not None:
            cond = owner.in_(list(f.owners))
            q = q.where(cond | (rt.c.queue == TRIAGE) if f.triage else cond)
        if f.triage and f.owners is None:
            q = q.where(rt.c.queue == TRIAGE)
        return q

    def owned_rows(self, config: Config, department: str | None = None, statuses: Sequence[str] | None = None,
                   since: datetime | None = None) -> list[dict[str, Any]]:
        """Every demand some department owns (or ``department``; received from ``since``), with what
        reply figures need. Raw text: for internal scoring only, never shown."""
        rec, an, h, wo = schema.records, schema.analysis, schema.record_history, schema.work_orders
        owner = owner_column(config)
        q = with_routes(select(
            rec.c.id, rec.c.status, rec.c.received_at, rec.c.replied_at, rec.c.reply_text, rec.c.satisfaction,
            rec.c.category_given, rec.c.title, rec.c.content, rec.c.transfer_count, an.c.urgency_level, an.c.keywords,
            an.c.normalized_text, an.c.publication, owner.label("department"), wo.c.due_at.label("due_override"),
            wo.c.routed_at, wo.c.signed_at, wo.c.callback_at, wo.c.solved), work=True)
        q = q.where(owner.is_not(None) if department is None else owner == department)
        if statuses is not None:
            q = q.where(rec.c.status.in_(list(statuses)))
        q = q if since is None else q.where(rec.c.received_at >= to_db_time(since))   # a report's weeks, not the history
        with self.engine.connect() as conn:
            reopened = {r[0] for r in conn.execute(
                select(h.c.record_id).where(h.c.field == "status", h.c.new_value == Status.REOPENED.value))}
            rows = [local_times(dict(r)) for r in conn.execute(q).mappings()]
        for r in rows:
            r["ever_reopened"] = r["id"] in reopened or r["status"] == Status.REOPENED.value
        return rows

    def open_rows(self, config: Config, statuses: Sequence[str]) -> list[tuple[Any, ...]]:
        """(received_at, category, owner, urgency, due override) of every demand in ``statuses``."""
        rec, an, wo = schema.records, schema.analysis, schema.work_orders
        q = with_routes(select(rec.c.received_at, rec.c.category_given, owner_column(config), an.c.urgency_level,
                               wo.c.due_at), work=True)
        with self.engine.connect() as conn:
            rows = conn.execute(q.where(rec.c.status.in_(list(statuses)))).all()
        return [(local_times({"t": r[0]})["t"], *r[1:4], local_times({"t": r[4]})["t"]) for r in rows]

    # ------------------------------------------------------------------ routing
    def routing_candidates(self, record_ids: Sequence[str] | None = None,
                           since: datetime | None = None) -> list[dict[str, Any]]:
        """Analysed demands without a route, and those the router itself sent to triage whose analysis
        changed since (or whose source named a department, which the settings may now know). With
        ``since``, the unrouted ones only among demands whose record or analysis changed after it
        (both ``updated_at`` indexed): a day's routing reads the day, not the history."""
        rec, an, rt = schema.records, schema.analysis, schema.routes
        base = (select(rec.c.id, rec.c.status, rec.c.department_given, an.c.department, an.c.route_reason,
                       an.c.route_confidence, rt.c.queue, rt.c.reason.label("current_reason"), rec.c.received_at)
                .select_from(rec.join(an, an.c.record_id == rec.c.id).outerjoin(rt, rt.c.record_id == rec.c.id))
                .where(an.c.route_reason.is_not(None) | rec.c.department_given.is_not(None)))
        if record_ids is not None:
            base = base.where(rec.c.id.in_(list(record_ids)))
        again = ((rt.c.queue == TRIAGE) & (rt.c.reason == TRIAGE)
                 & ((an.c.updated_at > rt.c.routed_at) | rec.c.department_given.is_not(None)))
        if since is None:
            queries = [base.where(rt.c.record_id.is_(None) | again)]
        else:
            queries = [base.where(rt.c.record_id.is_(None), rec.c.id.in_(changed_ids(since))), base.where(again)]
        with self.engine.connect() as conn:
            rows = {r["id"]: dict(r) for q in queries for r in conn.execute(q).mappings()}
        return sorted(rows.values(), key=lambda r: (r.pop("received_at"), r["id"]))

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
                    triage_label: str, routable: Collection[str] = ()) -> None:
        """Route one demand (None: the triage queue), with history; its status follows and its
        version moves so the search index picks the change up. A demand in one of ``routable`` (the
        caller's lifecycle says which: ``suqiu.twoway.lifecycle.routable``) moves to routed."""
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
        moved = False
        if department and (status in routable or status == Status.ROUTED):
            # a source may have said 已派单 already: the department's signing clock starts all the same
            moved = self.set_fields(record_id, {"status": Status.ROUTED}, origin=origin, actor=actor,
                                    note=f"分派至 {department}", conn=conn)
            save_work_order(conn, record_id, {"routed_at": now, "signed_at": None, "signed_by": None})
        elif department is None and status == Status.ROUTED.value:
            moved = self.set_fields(record_id, {"status": Status.RECEIVED}, origin=origin, actor=actor,
                                    note="转入待人工分派", conn=conn)
        if not moved:
            conn.execute(update(schema.records).where(schema.records.c.id == record_id)
                         .values(version=schema.records.c.version + 1))

    def write_routes(self, conn: Connection, routes: Sequence[tuple[str, str | None, str, float | None]],
                     origin: str, triage_label: str, routable: Collection[str] = ()) -> None:
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
            self._route_statuses(conn, part, status, origin, routable, now)

    def _route_statuses(self, conn: Connection, part: Sequence[tuple[str, str | None, str, float | None]],
                        status: dict[str, str], origin: str, routable: Collection[str], now: datetime) -> None:
        """Statuses follow the routes (as ``write_route``: a demand in ``routable`` moves to routed and
        its signing clock starts); every other routed record's version moves."""
        notes: dict[str, dict[str, dict[str, Any]]] = {}
        bump: list[str] = []
        clocks: list[str] = []
        for rid, dept, _, _ in part:
            if dept and (status.get(rid) in routable or status.get(rid) == Status.ROUTED.value):
                clocks.append(rid)
                if status.get(rid) != Status.ROUTED.value:
                    notes.setdefault(f"分派至 {dept}", {})[rid] = {"status": Status.ROUTED}
                    continue
            elif dept is None and status.get(rid) == Status.ROUTED.value:
                notes.setdefault("转入待人工分派", {})[rid] = {"status": Status.RECEIVED}
                continue
            bump.append(rid)
        clock = {"routed_at": now, "signed_at": None, "signed_by": None}
        save_work_orders(conn, dict.fromkeys(clocks, clock))
        for note, changes in notes.items():
            self.set_fields_many(changes, origin=origin, note=note, conn=conn)
        if bump:
            rec = schema.records
            conn.execute(update(rec).where(rec.c.id.in_(bump)).values(version=rec.c.version + 1))
