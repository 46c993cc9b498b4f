"""Work orders: replies, co-handling departments, extension requests, and the lifecycle's own events.

The steps themselves are decided in ``suqiu.twoway.workorders`` against ``suqiu.twoway.lifecycle``; this
module only reads and writes their rows, inside the caller's transaction where a step writes
several tables at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import literal, or_, select, tuple_, update
from sqlalchemy.engine import Connection

from suqiu.store import schema
from suqiu.store.engine import local_times, now_local, to_db_time
from suqiu.store.routes import RoutesMixin, save_work_order, save_work_orders


# requester fields that name nobody in particular (张先生, 匿名 …): never a match on their own
GENERIC_NAMES = ("先生", "女士", "小姐", "匿名", "市民", "群众", "网友", "来电人")


def _db(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (to_db_time(v) if isinstance(v, datetime) else v) for k, v in values.items()}


class WorkOrdersMixin(RoutesMixin):
    """The ``work_orders``, ``replies``, ``co_handlers`` and ``extensions`` tables."""

    # ------------------------------------------------------------------ work orders
    def work_order(self, record_id: str, conn: Connection | None = None) -> dict[str, Any] | None:
        """``conn``: the caller's write transaction (another pooled connection would wait for the pool)."""
        wo = schema.work_orders
        if conn is None:
            with self.engine.connect() as c:
                return self.work_order(record_id, c)
        row = conn.execute(select(wo).where(wo.c.record_id == record_id)).mappings().first()
        return None if row is None else local_times(dict(row))

    def save_work_order(self, conn: Connection, record_id: str, values: dict[str, Any]) -> None:
        save_work_order(conn, record_id, values)

    def save_work_orders(self, conn: Connection, values_by_id: dict[str, dict[str, Any]]) -> None:
        save_work_orders(conn, values_by_id)

    def due_overrides(self, ids: Sequence[str]) -> dict[str, datetime]:
        """The due time a step set (extension, reopening, resumption) for those of ``ids`` that have one."""
        wo, out = schema.work_orders, {}
        with self.engine.connect() as conn:
            for i in range(0, len(ids), 500):
                q = select(wo.c.record_id, wo.c.due_at).where(wo.c.record_id.in_(list(ids[i:i + 500])),
                                                              wo.c.due_at.is_not(None))
                out.update({rid: local_times({"t": t})["t"] for rid, t in conn.execute(q)})
        return out

    def add_event(self, conn: Connection, record_id: str, field: str, new_value: str | None, origin: str,
                  actor: str | None, note: str | None = None, old_value: str | None = None) -> None:
        """A step that changes no record column (a reply, 督办, an invitation) in the record's history;
        the record's version moves so the search index sees the step."""
        conn.execute(schema.record_history.insert().values(
            record_id=record_id, at=to_db_time(now_local()), field=field, old_value=old_value,
            new_value=new_value, origin=origin, actor=actor, note=note))
        rec = schema.records
        conn.execute(update(rec).where(rec.c.id == record_id).values(version=rec.c.version + 1))

    def find_receipts(self, number: str) -> list[dict[str, Any]]:
        """Demands whose id or source id is ``number``, with what a citizen proves knowledge of."""
        rec, wo = schema.records, schema.work_orders
        q = (select(rec.c.id, wo.c.verify_code, wo.c.phone_tail)
             .select_from(rec.join(wo, wo.c.record_id == rec.c.id))
             .where(or_(rec.c.id == number, rec.c.source_id == number)).limit(5))
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    def without_receipt(self, limit: int = 5000, since: datetime | None = None,
                        after: tuple[Any, str] | None = None) -> list[dict[str, Any]]:
        """Demands with no verification code yet (requester field and raw text, to find a phone), oldest
        first; with ``since``, only among records changed after it, in the order of change (indexed).
        ``after``: the last row's ``key`` of the page before, where paging goes on (every page read
        from the start had made a million records' first receipts quadratic)."""
        rec, wo = schema.records, schema.work_orders
        order = (rec.c.received_at if since is None else rec.c.updated_at, rec.c.id)
        q = (select(rec.c.id, rec.c.requester, rec.c.content, order[0].label("_at"))
             .select_from(rec.outerjoin(wo, wo.c.record_id == rec.c.id)).where(wo.c.verify_code.is_(None)))
        if since is not None:
            q = q.where(rec.c.updated_at > to_db_time(since))
        if after is not None:
            q = q.where(tuple_(*order) > tuple_(literal(after[0], order[0].type), literal(after[1])))
        with self.engine.connect() as conn:
            return [{**r, "key": (r["_at"], r["id"])} for r in map(dict, conn.execute(q.order_by(*order).limit(limit))
                                                                   .mappings())]

    def related_ids(self, record_id: str, limit: int = 20) -> dict[str, list[str]]:
        """Other submissions of the same near-duplicate group, and the same requester's earlier demands
        (same phone, or the same full name in the requester field)."""
        rec, an, wo = schema.records, schema.analysis, schema.work_orders
        base = select(rec.c.id).select_from(rec.outerjoin(an, an.c.record_id == rec.c.id)
                                             .outerjoin(wo, wo.c.record_id == rec.c.id)).where(rec.c.id != record_id)
        with self.engine.connect() as conn:
            me = conn.execute(select(an.c.dup_group, wo.c.requester_key, rec.c.requester, rec.c.received_at)
                              .select_from(rec.outerjoin(an, an.c.record_id == rec.c.id)
                                           .outerjoin(wo, wo.c.record_id == rec.c.id))
                              .where(rec.c.id == record_id)).first()
            if me is None:
                return {"duplicates": [], "requester": []}
            dups = [] if not me.dup_group else [r[0] for r in conn.execute(
                base.where(an.c.dup_group == me.dup_group).order_by(rec.c.received_at).limit(limit))]
            same = [wo.c.requester_key == me.requester_key] if me.requester_key else []
            if me.requester and len(me.requester) >= 2 and not me.requester.endswith(GENERIC_NAMES):
                same.append(rec.c.requester == me.requester)
            earlier = [] if not same else [r[0] for r in conn.execute(
                base.where(or_(*same), rec.c.received_at < me.received_at)
                .order_by(rec.c.received_at.desc()).limit(limit))]
        return {"duplicates": dups, "requester": earlier}

    # ------------------------------------------------------------------ replies
    def add_reply(self, conn: Connection, values: dict[str, Any]) -> int:
        return int(conn.execute(schema.replies.insert().values(**_db(values))).inserted_primary_key[0])

    def replies_of(self, record_id: str) -> list[dict[str, Any]]:
        r = schema.replies
        with self.engine.connect() as conn:
            rows = conn.execute(select(r).where(r.c.record_id == record_id).order_by(r.c.id)).mappings()
            return [local_times(dict(x)) for x in rows]

    # ------------------------------------------------------------------ co-handling departments
    def add_co_handler(self, conn: Connection, record_id: str, department: str, actor: str | None,
                       note: str | None) -> bool:
        ch = schema.co_handlers
        if conn.execute(select(ch.c.department).where(ch.c.record_id == record_id,
                                                      ch.c.department == department)).first():
            return False
        conn.execute(ch.insert().values(record_id=record_id, department=department, note=note, invited_by=actor,
                                        invited_at=to_db_time(now_local())))
        return True

    def co_handlers_of(self, record_id: str) -> list[dict[str, Any]]:
        ch = schema.co_handlers
        with self.engine.connect() as conn:
            rows = conn.execute(select(ch).where(ch.c.record_id == record_id).order_by(ch.c.invited_at)).mappings()
            return [local_times(dict(x)) for x in rows]

    # ------------------------------------------------------------------ extensions (延期)
    def add_extension(self, conn: Connection, values: dict[str, Any]) -> int:
        return int(conn.execute(schema.extensions.insert().values(**_db(values))).inserted_primary_key[0])

    def extension_rows(self, state: str | None = None, record_id: str | None = None,
                       ext_id: int | None = None) -> list[dict[str, Any]]:
        e = schema.extensions
        q = select(e).order_by(e.c.requested_at, e.c.id)
        for col, value in ((e.c.state, state), (e.c.record_id, record_id), (e.c.id, ext_id)):
            if value is not None:
                q = q.where(col == value)
        with self.engine.connect() as conn:
            return [local_times(dict(x)) for x in conn.execute(q).mappings()]

    def decide_extension(self, conn: Connection, ext_id: int, values: dict[str, Any]) -> bool:
        """Record the office's decision on a pending request; False when it was decided already."""
        e = schema.extensions
        res = conn.execute(update(e).where(e.c.id == ext_id, e.c.state == "pending").values(**_db(values)))
        return res.rowcount == 1
