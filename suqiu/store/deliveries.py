"""Digest deliveries (the outbox's ledger) and the demands each digest carried.

A delivery is recorded with its demands before the first send attempt; a sender claims it
atomically (``claim_delivery``) so two workers never send one message twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, select, update

from suqiu.disclosure import DEPARTMENT_LEVELS
from suqiu.model import OPEN_STATUSES
from suqiu.store import schema
from suqiu.store.base import StoreBase
from suqiu.store.engine import local_times, now_local, to_db_time

RETRYABLE = ("pending", "failed")
STALE_SENDING = timedelta(minutes=30)   # a sender that died mid-attempt releases its claim after this


class DeliveriesMixin(StoreBase):
    """The ``deliveries`` and ``digest_items`` tables."""

    def add_delivery(self, values: dict[str, Any], record_ids: Sequence[str]) -> int:
        """Record a delivery (times in local time) with the demands it carries; returns its id."""
        d = schema.deliveries
        row = {k: (to_db_time(v) if isinstance(v, datetime) else v) for k, v in values.items()}
        with self.begin() as conn:
            delivery_id = int(conn.execute(d.insert().values(**row)).inserted_primary_key[0])
            if record_ids:
                conn.execute(schema.digest_items.insert(), [
                    {"delivery_id": delivery_id, "record_id": rid, "department": values["department"]}
                    for rid in dict.fromkeys(record_ids)])
        return delivery_id

    def delivery(self, delivery_id: int) -> dict[str, Any] | None:
        d = schema.deliveries
        with self.engine.connect() as conn:
            row = conn.execute(select(d).where(d.c.id == delivery_id)).mappings().first()
        return None if row is None else local_times(dict(row))

    def claim_delivery(self, delivery_id: int, now: datetime) -> dict[str, Any] | None:
        """Mark a delivery as being sent unless someone else holds it; its row when claimed."""
        d = schema.deliveries
        stale = to_db_time(now - STALE_SENDING)
        with self.begin() as conn:
            res = conn.execute(update(d).where(
                d.c.id == delivery_id,
                d.c.status.in_(RETRYABLE) | ((d.c.status == "sending") & (d.c.last_attempt_at < stale)),
            ).values(status="sending", last_attempt_at=to_db_time(now), attempts=d.c.attempts + 1))
            if res.rowcount != 1:
                return None
            return local_times(dict(conn.execute(select(d).where(d.c.id == delivery_id)).mappings().one()))

    def finish_delivery(self, delivery_id: int, sent: bool, error: str | None = None,
                        next_attempt_at: datetime | None = None) -> None:
        """The outcome of one attempt: sent, or failed with the time of the next one."""
        d = schema.deliveries
        values: dict[str, Any] = (
            {"status": "sent", "sent_at": to_db_time(now_local()), "last_error": None, "next_attempt_at": None}
            if sent else {"status": "failed", "last_error": (error or "")[:2000],
                          "next_attempt_at": to_db_time(next_attempt_at)})
        with self.begin() as conn:
            conn.execute(update(d).where(d.c.id == delivery_id).values(**values))

    def due_deliveries(self, now: datetime, department: str | None = None, force: bool = False) -> list[int]:
        """Ids of pending or failed deliveries whose next attempt is due (all of them with ``force``), and
        of those a sender claimed ``STALE_SENDING`` ago and never finished (it died mid-attempt)."""
        d = schema.deliveries
        stale = (d.c.status == "sending") & (d.c.last_attempt_at < to_db_time(now - STALE_SENDING))
        q = select(d.c.id).where(d.c.status.in_(RETRYABLE) | stale).order_by(d.c.id)
        if not force:
            q = q.where(d.c.next_attempt_at.is_(None) | (d.c.next_attempt_at <= to_db_time(now)))
        if department:
            q = q.where(d.c.department == department)
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(q)]

    def deliveries(self, department: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        d = schema.deliveries
        q = select(d).order_by(d.c.id.desc()).limit(limit)
        if department:
            q = q.where(d.c.department == department)
        with self.engine.connect() as conn:
            return [local_times(dict(r)) for r in conn.execute(q).mappings()]

    def undigested(self, department: str) -> list[dict[str, Any]]:
        """Open demands routed to the department that none of its digests carried since routing."""
        rec, an, rt = schema.records, schema.analysis, schema.routes
        di, dl = schema.digest_items, schema.deliveries
        carried = exists().where(and_(di.c.record_id == rec.c.id, di.c.department == department,
                                      dl.c.id == di.c.delivery_id, dl.c.created_at >= rt.c.routed_at))
        q = (select(rec.c.id, rec.c.received_at, rec.c.district, rec.c.channel, rec.c.category_given,
                    an.c.masked_title, an.c.masked_text, an.c.urgency_level, an.c.topic_id, an.c.keywords,
                    an.c.dup_group)
             .select_from(rt.join(rec, rec.c.id == rt.c.record_id).outerjoin(an, an.c.record_id == rec.c.id))
             .where(rt.c.department == department, rec.c.status.in_(OPEN_STATUSES), ~carried,
                    an.c.publication.in_(DEPARTMENT_LEVELS))  # never an office-only one
             .order_by(rec.c.received_at, rec.c.id))
        with self.engine.connect() as conn:
            return [local_times(dict(r)) for r in conn.execute(q).mappings()]
