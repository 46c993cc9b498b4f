"""Reply tracking: time limits (时限) and overdue detection."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from suqiu import schema
from suqiu.config import Config
from suqiu.store import Store, from_db_time, now_local

OPEN_STATUSES = ("received", "routed", "reopened")


def time_limit(config: Config, department: str | None, category: str | None = None,
               urgent: bool = False) -> timedelta:
    """The reply deadline span for a demand: category limit, else department limit, else 15 days."""
    dept = config.department(department) if department else None
    if dept is None:
        return timedelta(days=15)
    if urgent:
        return timedelta(hours=dept.urgent_time_limit_hours)
    if category and category in dept.category_time_limits:
        return timedelta(days=dept.category_time_limits[category])
    return timedelta(days=dept.time_limit_days)


def overdue_count(store: Store, config: Config, now: datetime | None = None) -> int:
    """Open demands past their department's time limit (unrouted ones count against 15 days)."""
    now = now or now_local()
    rec, an = schema.records, schema.analysis
    q = (select(rec.c.received_at, rec.c.category_given, an.c.department, an.c.urgency_level)
         .select_from(rec.outerjoin(an, an.c.record_id == rec.c.id))
         .where(rec.c.status.in_(OPEN_STATUSES)))
    n = 0
    with store.engine.connect() as conn:
        for received_at, category, department, urgency in conn.execute(q):
            limit = time_limit(config, department, category, urgent=urgency in ("high", "critical"))
            if from_db_time(received_at) + limit < now:
                n += 1
    return n
