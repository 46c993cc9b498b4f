"""ISO weeks in Asia/Shanghai: the unit of time of profiles, warnings, digests and reports.

One ``Week`` for the whole project; week labels such as ``2026-W47`` are ``str(Week)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from suqiu.model import SHANGHAI

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$")


@dataclass(frozen=True, order=True)
class Week:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> "Week":
        """A week label; ValueError naming the input when it is not an existing ISO week."""
        m = _WEEK.match(str(text).strip().upper())
        if not m:
            raise ValueError(f"week '{text}' is not an ISO week such as 2026-W47")
        year, number = int(m.group(1)), int(m.group(2))
        try:
            date.fromisocalendar(year, number, 1)
        except ValueError:
            raise ValueError(f"week '{text}' does not exist in {year}") from None
        return cls(year, number)

    @classmethod
    def of(cls, moment: datetime | date) -> "Week":
        """The week a moment falls in; aware datetimes are read in Asia/Shanghai."""
        if isinstance(moment, datetime) and moment.tzinfo is not None:
            moment = moment.astimezone(SHANGHAI)
        iso = moment.isocalendar()
        return cls(iso.year, iso.week)

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def start(self) -> datetime:
        d = self.monday
        return datetime(d.year, d.month, d.day, tzinfo=SHANGHAI)

    @property
    def end(self) -> datetime:
        """Exclusive: the next Monday 00:00."""
        return self.start + timedelta(days=7)

    def shift(self, weeks: int) -> "Week":
        return Week.of(self.monday + timedelta(weeks=weeks))

    def days(self) -> list[date]:
        return [self.monday + timedelta(days=i) for i in range(7)]

    def __str__(self) -> str:
        return f"{self.year:04d}-W{self.number:02d}"


def last_complete_week(now: datetime) -> Week:
    """The week a Monday-morning report is about: the one that ended most recently."""
    return Week.of(now).shift(-1)


def iso_week(moment: datetime | date) -> str:
    """The label of the week a moment falls in."""
    return str(Week.of(moment))


def week_start(label: str) -> date:
    """Monday of a week label; ValueError naming the input when it is not one."""
    return Week.parse(label).monday


def shift_week(label: str, n: int) -> str:
    return str(Week.parse(label).shift(n))


def weeks_between(first: str, last: str) -> list[str]:
    """Every week label from ``first`` to ``last`` inclusive (empty weeks included)."""
    out, week, end = [], Week.parse(first), Week.parse(last)
    while week <= end:
        out.append(str(week))
        week = week.shift(1)
    return out
