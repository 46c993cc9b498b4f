"""Time limits (时限): when a department must have signed for a demand and when it must answer it.

The answer limit is configured per department (its own, per category) and counted in working days
(工作日): China's public holidays and the weekend days worked in their place (调休) come from the
maintained ``chinese-calendar`` package. A limit of N working days ends at 24:00 of the N-th working
day after the day of receipt ("自受理次日起 N 个工作日内"); a fraction of a day rounds up to a whole
day. Urgent demands (high, critical) are counted in hours, round the clock.

``chinese-calendar`` holds the State Council's schedule for 2004–2026 only. For a date outside it
the count falls back to Monday–Friday, which misses that year's holidays and 调休: ``calendar_covers``
says whether a date is covered, and ``suqiu doctor`` reports the last covered year.

A step can set a demand's due time itself (an extension, a reopening, the end of a suspension):
that override, kept in the work order, wins over the computed one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import chinese_calendar

from suqiu.config import Config
from suqiu.model import as_shanghai

URGENT_LEVELS = ("high", "critical")


@dataclass(frozen=True)
class Limit:
    """A time limit: so many working days, or so many hours round the clock."""

    amount: float
    unit: str  # "workdays" | "hours"

    @property
    def label(self) -> str:
        return f"{self.amount:g} 个工作日" if self.unit == "workdays" else f"{self.amount:g} 小时"


@lru_cache(maxsize=8192)
def is_workday(day: date) -> bool:
    """China's working days (holidays and 调休 included); Monday–Friday outside the calendar's years."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def calendar_covers(day: date) -> bool:
    """Whether the holiday calendar knows ``day``'s year (else working days are Monday–Friday)."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def last_covered_year() -> int:
    """The last year the installed holiday calendar covers."""
    year = date.today().year + 5
    while year > 2004 and not calendar_covers(date(year, 12, 31)):
        year -= 1
    return year


def add_workdays(start: datetime, days: float) -> datetime:
    """24:00 of the ``days``-th working day after ``start``'s day (a fraction rounds up)."""
    start = as_shanghai(start)
    left, day = max(1, math.ceil(days)), start.date()
    while left:
        day += timedelta(days=1)
        left -= is_workday(day)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=start.tzinfo)


def time_limit(config: Config, department: str | None, category: str | None = None,
               urgent: bool = False) -> Limit:
    """The answer limit: the department's urgent hours, else its category limit, else its own limit
    (working days); the installation's default for a demand nobody owns yet."""
    dept = config.department(department) if department else None
    if dept is None:
        return Limit(config.tracking.default_time_limit_days, "workdays")
    if urgent:
        return Limit(dept.urgent_time_limit_hours, "hours")
    if category and category in dept.category_time_limits:
        return Limit(dept.category_time_limits[category], "workdays")
    return Limit(dept.time_limit_days, "workdays")


def add_limit(start: datetime, limit: Limit) -> datetime:
    """``start`` plus the limit; the last moment there is for a row stored with 9999-12-31."""
    try:
        if limit.unit == "hours":
            return as_shanghai(start) + timedelta(hours=limit.amount)
        return add_workdays(start, limit.amount)
    except OverflowError:
        return datetime.max.replace(tzinfo=start.tzinfo)


def due_at(config: Config, received_at: datetime, department: str | None, category: str | None,
           urgency: str | None, override: datetime | None = None) -> datetime:
    """The moment the answer is due: a step's override, else the limit counted from receipt."""
    if override is not None:
        return as_shanghai(override)
    return add_limit(received_at, time_limit(config, department, category, urgent=urgency in URGENT_LEVELS))


def renewed_due(config: Config, start: datetime, department: str | None, category: str | None,
                urgency: str | None) -> datetime:
    """A fresh limit counted from ``start`` (a demand reopened after an unsatisfied callback)."""
    return add_limit(start, time_limit(config, department, category, urgent=urgency in URGENT_LEVELS))


def sign_due_at(config: Config, routed_at: datetime, urgency: str | None) -> datetime:
    """When a routed demand must have been signed for (签收): hours after routing, fewer when urgent."""
    t = config.tracking
    hours = t.urgent_sign_limit_hours if urgency in URGENT_LEVELS else t.sign_limit_hours
    return as_shanghai(routed_at) + timedelta(hours=hours)


def due_soon(config: Config, due: datetime, now: datetime) -> bool:
    """Not yet overdue but due within ``tracking.due_soon_hours`` (即将超时)."""
    return now <= due < now + timedelta(hours=config.tracking.due_soon_hours)
