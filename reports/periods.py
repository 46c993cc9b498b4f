"""Report periods longer than a week: months (2026-11), quarters (2026-Q4) and years (2026), with
the period before (环比) and the same period a year earlier (同比). Times are Asia/Shanghai, a
period is [start, end)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from suqiu.model import SHANGHAI

KINDS = ("month", "quarter", "year")
MONTHS = {"month": 1, "quarter": 3, "year": 12}
_LABEL = {"month": re.compile(r"^(\d{4})-(\d{1,2})$"), "quarter": re.compile(r"^(\d{4})-?Q([1-4])$", re.I),
          "year": re.compile(r"^(\d{4})$")}
_QUARTER_CN = "一二三四"


def _month_add(year: int, month: int, n: int) -> tuple[int, int]:
    k = year * 12 + (month - 1) + n
    return k // 12, k % 12 + 1


@dataclass(frozen=True, order=True)
class Period:
    """One month, quarter or year: ``kind`` with its first month."""

    year: int
    month: int          # the first month of the period (1, 4, 7, 10 for quarters; 1 for years)
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"period kind '{self.kind}' is not one of {', '.join(KINDS)}")
        if (self.month - 1) % MONTHS[self.kind]:
            raise ValueError(f"a {self.kind} cannot start in month {self.month}")

    @classmethod
    def parse(cls, text: str, kind: str | None = None) -> "Period":
        """``2026-11``, ``2026-Q4`` or ``2026`` (``kind`` narrows what is accepted)."""
        raw = str(text).strip()
        for k in ([kind] if kind else KINDS):
            m = _LABEL[k].match(raw)
            if not m:
                continue
            year = int(m.group(1))
            if k == "month":
                month = int(m.group(2))
                if not 1 <= month <= 12:
                    break
                return cls(year, month, k)
            return cls(year, 1 + 3 * (int(m.group(2)) - 1) if k == "quarter" else 1, k)
        shown = {"month": "2026-11", "quarter": "2026-Q4", "year": "2026"}
        wanted = shown[kind] if kind else "2026-11, 2026-Q4 or 2026"
        raise ValueError(f"period '{text}' is not like {wanted}")

    @classmethod
    def of(cls, moment: datetime | date, kind: str) -> "Period":
        step = MONTHS[kind]
        return cls(moment.year, 1 + (moment.month - 1) // step * step, kind)

    @classmethod
    def last_complete(cls, now: datetime, kind: str) -> "Period":
        """The period a report on the 1st is about: the one that ended most recently."""
        return cls.of(now, kind).shift(-1)

    def shift(self, n: int) -> "Period":
        year, month = _month_add(self.year, self.month, n * MONTHS[self.kind])
        return Period(year, month, self.kind)

    @property
    def previous(self) -> "Period":
        """The period before (环比)."""
        return self.shift(-1)

    @property
    def year_ago(self) -> "Period":
        """The same period a year earlier (同比)."""
        return Period(self.year - 1, self.month, self.kind)

    @property
    def start(self) -> datetime:
        return datetime.combine(date(self.year, self.month, 1), time.min, tzinfo=SHANGHAI)

    @property
    def end(self) -> datetime:
        return self.shift(1).start

    def months(self) -> list["Period"]:
        """The calendar months of this period, in order."""
        first = Period(self.year, self.month, "month")
        return [first.shift(i) for i in range(MONTHS[self.kind])]

    @property
    def name(self) -> str:
        """How a report names it: 2026年11月, 2026年第四季度, 2026年."""
        if self.kind == "month":
            return f"{self.year}年{self.month}月"
        if self.kind == "quarter":
            return f"{self.year}年第{_QUARTER_CN[(self.month - 1) // 3]}季度"
        return f"{self.year}年"

    def __str__(self) -> str:
        if self.kind == "month":
            return f"{self.year:04d}-{self.month:02d}"
        if self.kind == "quarter":
            return f"{self.year:04d}-Q{(self.month - 1) // 3 + 1}"
        return f"{self.year:04d}"
