"""ISO week labels (``2026-W47``), the unit of time of profiles and early warnings."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$")


def iso_week(moment: datetime | date) -> str:
    """The ISO week a moment falls in; pass local (Asia/Shanghai) times."""
    iso = moment.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def week_start(week: str) -> date:
    """Monday of an ISO week; ValueError naming the input when it is not one."""
    m = _WEEK.match(week.strip().upper())
    if not m:
        raise ValueError(f"week '{week}' is not an ISO week such as 2026-W47")
    try:
        return date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise ValueError(f"week '{week}' does not exist") from None


def shift_week(week: str, n: int) -> str:
    return iso_week(week_start(week) + timedelta(weeks=n))


def weeks_between(first: str, last: str) -> list[str]:
    """Every ISO week from ``first`` to ``last`` inclusive (empty weeks included)."""
    out, w = [], first
    end = week_start(last)
    while week_start(w) <= end:
        out.append(w)
        w = shift_week(w, 1)
    return out
