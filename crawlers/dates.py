"""Dates as Chinese sources write them, for crawlers and importers alike: text in several layouts
(2019-04-25 9:32, 2019年4月25日 下午3时5分, 20190425, ISO with an offset) or Excel serials.

``parse_datetime`` reads one cell (the whole value must be a date) into a naive local datetime;
``find_datetime`` finds the first date inside scraped text (发布时间：2019-04-25 09:32) and makes it
aware. Both share one grammar.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from suqiu.model import SHANGHAI, as_shanghai

EXCEL_EPOCH = datetime(1899, 12, 30)  # the 1900 date system, leap-year bug included
# serials outside this window are far more likely to be counts or ids than dates (1954 … 2119)
SERIAL_MIN, SERIAL_MAX = 20_000, 80_000

# 2019-04-25, 2019/4/25, 2019.4.25, 2019年4月25日, each optionally with 9:32, 9:32:05(.123), 9时32分5秒
_YMD_BODY = (
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?:T|\s)?\s*(?P<ampm>上午|下午|AM|PM|am|pm)?\s*(?P<H>\d{1,2})\s*[:时点]\s*(?P<M>\d{1,2})\s*分?"
    r"(?:\s*[:]?\s*(?P<S>\d{1,2})(?:\.\d+)?\s*秒?)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?")
_YMD = re.compile(_YMD_BODY + "$")
_YMD_ANYWHERE = re.compile(_YMD_BODY)
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:[ T]?(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})?)?$")
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?$")


class DateParseError(ValueError):
    """The value is not a date this importer understands; the message quotes it."""


def from_serial(value: float, epoch: datetime = EXCEL_EPOCH) -> datetime:
    """An Excel serial (days since the workbook's epoch, fraction = time of day), to the second."""
    if not SERIAL_MIN <= value <= SERIAL_MAX:
        raise DateParseError(f"数值 {value} 不像 Excel 日期序号")
    seconds = round(value * 86_400)
    return epoch + timedelta(seconds=seconds)


def _from_match(m: re.Match[str]) -> datetime:
    parts = m.groupdict()
    hour = int(parts.get("H") or 0)
    ampm = (parts.get("ampm") or "").lower()
    if ampm in ("下午", "pm") and hour < 12:
        hour += 12
    elif ampm in ("上午", "am") and hour == 12:
        hour = 0
    value = datetime(int(parts["y"]), int(parts["m"]), int(parts["d"]), hour,
                     int(parts.get("M") or 0), int(parts.get("S") or 0))
    tz = parts.get("tz")
    if tz:  # an explicit offset: convert to Shanghai wall time, which is what the store keeps
        aware = datetime.fromisoformat(value.isoformat() + ("+00:00" if tz == "Z" else tz))
        value = as_shanghai(aware).replace(tzinfo=None)
    return value


def parse_datetime(value: Any, formats: Sequence[str] = (), epoch: datetime = EXCEL_EPOCH) -> datetime | None:
    """Parse one cell; ``None`` for an empty cell, DateParseError for anything unreadable.

    ``formats`` (strptime) are tried first, so a profile can pin an ambiguous layout such as
    ``%m/%d/%Y`` that the built-in year-first rules would reject.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else _aware_to_local(value)
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, bool):
        raise DateParseError(f"'{value}' 不是日期")
    if isinstance(value, (int, float)):
        return from_serial(float(value), epoch)
    text = str(value).strip().replace("\u3000", " ")
    if not text:
        return None
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        for pattern in (_YMD, _COMPACT):
            m = pattern.match(text)
            if m:
                return _from_match(m)
        if _SERIAL.match(text):
            return from_serial(float(text), epoch)
    except ValueError as exc:  # 2019-02-30, 25:00 …
        raise DateParseError(f"无法解析日期 '{text}'：{exc}") from None
    raise DateParseError(f"无法解析日期 '{text}'")


def _aware_to_local(value: datetime) -> datetime:
    return as_shanghai(value).replace(tzinfo=None)


def find_datetime(text: str | None) -> datetime | None:
    """The first date (with its time) inside a scraped text, in Asia/Shanghai; None when there is none."""
    if not text:
        return None
    m = _YMD_ANYWHERE.search(text)
    if not m:
        return None
    try:
        return _from_match(m).replace(tzinfo=SHANGHAI)
    except ValueError:
        return None
