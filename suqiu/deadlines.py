"""Time limits (时限): when a department must have answered a demand."""

from __future__ import annotations

from datetime import datetime, timedelta

from suqiu.config import Config

URGENT_LEVELS = ("high", "critical")


def time_limit(config: Config, department: str | None, category: str | None = None,
               urgent: bool = False) -> timedelta:
    """The reply span: the department's urgent limit, else its category limit, else its own limit;
    the installation's default for a demand nobody owns yet."""
    dept = config.department(department) if department else None
    if dept is None:
        return timedelta(days=config.tracking.default_time_limit_days)
    if urgent:
        return timedelta(hours=dept.urgent_time_limit_hours)
    if category and category in dept.category_time_limits:
        return timedelta(days=dept.category_time_limits[category])
    return timedelta(days=dept.time_limit_days)


def due_at(config: Config, received_at: datetime, department: str | None, category: str | None,
           urgency: str | None) -> datetime:
    """The moment the answer is due (the last moment there is for a row stored with 9999-12-31)."""
    span = time_limit(config, department, category, urgent=urgency in URGENT_LEVELS)
    return min(received_at, datetime.max.replace(tzinfo=received_at.tzinfo) - span) + span
