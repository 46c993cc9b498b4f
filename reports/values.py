"""Numbers that know how they are shown: a share as 42%, a change as +42%, a median as 4.6.

Tables of reports and digests hold these instead of pre-formatted strings, so each renderer does
the right thing: HTML and DOCX print ``str(value)`` (exactly the text people read before), the
XLSX writer stores the number itself with a matching number format, so a clerk can sort, sum and
chart it. A missing value shows as — and is an empty cell in a spreadsheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

MISSING = "—"


@dataclass(frozen=True)
class Percent:
    """A fraction shown as a percentage: 0.42 → 42%; ``signed`` for changes (+42%, -21%)."""

    value: float | None
    signed: bool = False
    digits: int = 0

    def __str__(self) -> str:
        if self.value is None:
            return MISSING
        return f"{self.value:{'+' if self.signed else ''}.{self.digits}%}"

    @property
    def number_format(self) -> str:
        body = "0" + ("." + "0" * self.digits if self.digits else "") + "%"
        return f"+{body};-{body};{body}" if self.signed else body


@dataclass(frozen=True)
class Number:
    """A measured quantity shown with fixed decimals: 4.6 days, 0.42 quality."""

    value: float | None
    digits: int = 1

    def __str__(self) -> str:
        return MISSING if self.value is None else f"{self.value:.{self.digits}f}"

    @property
    def number_format(self) -> str:
        return "0" + ("." + "0" * self.digits if self.digits else "")


@dataclass(frozen=True)
class When:
    """A moment shown in a fixed pattern (``%m-%d %H:%M``); a date-time cell in a spreadsheet."""

    value: datetime | None
    pattern: str = "%Y-%m-%d %H:%M"

    def __str__(self) -> str:
        return MISSING if self.value is None else self.value.strftime(self.pattern)


def change(new: float, old: float) -> Percent | str:
    """Week-on-week change: a signed percentage, 新增 when there was nothing before, 持平 for 0 → 0."""
    if old == 0:
        return "新增" if new else "持平"
    return Percent((new - old) / old, signed=True)


def share(part: float, whole: float) -> Percent:
    return Percent(part / whole if whole else None)
