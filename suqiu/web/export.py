"""A result set as an XLSX workbook, safe to open and easy to work with (``reports.xlsx``).

Text a spreadsheet would evaluate (starting with = + - @ tab or CR, also their full-width forms)
stays inert text, shown as written; the time received is a date-time cell; characters XML cannot
hold are dropped so one odd message cannot break the whole export.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from reports.xlsx import workbook_bytes
from suqiu.model import SHANGHAI
from suqiu.web.present import SENTIMENT, SOURCE, STATUS, URGENCY, label

EXPORT_LIMIT = 5000
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

def local_time(value: Any) -> Any:
    """Shanghai local time as a datetime (the index holds ISO strings); unparsable text stays text."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime) and value.tzinfo is not None:
        try:
            value = value.astimezone(SHANGHAI)
        except OverflowError:   # 0001-01-01 or 9999-12-31 kept from an older release: the wall time as stored
            value = value.replace(tzinfo=None)
    return value


# (header, key in the row mapping, formatter)
COLUMNS: Sequence[tuple[str, str, Any]] = (
    ("编号", "id", None),
    ("来源", "source", lambda v: label(SOURCE, v)),
    ("渠道", "channel", None),
    ("受理时间", "received_at", local_time),   # a date-time cell, not text
    ("区县", "district", None),
    ("分类", "category", None),
    ("标题", "title", None),
    ("内容（已脱敏）", "content", None),
    ("承办部门", "department", None),
    ("状态", "status", lambda v: label(STATUS, v)),
    ("情感", "sentiment", lambda v: label(SENTIMENT, v)),
    ("紧急程度", "urgency", lambda v: label(URGENCY, v)),
    ("主题", "topic_label", None),
    ("关键词", "keywords", lambda v: "、".join(map(str, v)) if isinstance(v, (list, tuple)) else v),
)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def export_rows(rows: Iterable[Mapping[str, Any]]) -> Iterable[list[Any]]:
    for row in rows:
        out = []
        for _header, key, fmt in COLUMNS:
            value = row.get(key)
            if fmt is not None and value is not None:
                value = fmt(value)
            out.append(_clean(value))
        yield out


def export_xlsx(rows: Iterable[Mapping[str, Any]], sheet_title: str = "检索结果", note: str | None = None) -> bytes:
    """One sheet with a header row and one row per demand (masked text only); ``note`` (for example
    that the result set was cut at the export limit) goes on a second sheet."""
    sheets: list[tuple[str, Sequence[str], Iterable[Sequence[Any]]]] = [
        (sheet_title, [c[0] for c in COLUMNS], export_rows(rows))]
    if note:
        sheets.append(("说明", ["说明"], [[note]]))
    return workbook_bytes(sheets)
