"""ISO weeks in Asia/Shanghai: the report's unit of time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from suqiu.model import SHANGHAI

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$")


@dataclass(frozen=True)
class Week:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> "Week":
        m = _WEEK.match(text.strip().upper())
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
        iso = moment.isocalendar()
        return cls(iso.year, iso.week)

    @property
    def start(self) -> datetime:
        d = date.fromisocalendar(self.year, self.number, 1)
        return datetime(d.year, d.month, d.day, tzinfo=SHANGHAI)

    @property
    def end(self) -> datetime:
        """Exclusive: the next Monday 00:00."""
        return self.start + timedelta(days=7)

    def shift(self, weeks: int) -> "Week":
        return Week.of(self.start + timedelta(weeks=weeks))

    def days(self) -> list[date]:
        return [(self.start + timedelta(days=i)).date() for i in range(7)]

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"


def last_complete_week(now: datetime) -> Week:
    """The week a Monday-morning report is about: the one that ended most recently."""
    return Week.of(now.astimezone(SHANGHAI)).shift(-1)
