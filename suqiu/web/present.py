"""Chinese labels (from ``suqiu.labels``) and formatting for what the pages and exports show."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from suqiu.labels import (
    DIMENSION, HISTORY_FIELD, ORIGIN, PUBLICATION, REQUESTER, ROUTE_REASON, SENSITIVITY, SENTIMENT, SOURCE, STATUS,
    URGENCY, label,
)
from suqiu.model import SHANGHAI

FACET = {"department": "承办部门", "district": "区县", "source": "来源", "channel": "渠道", "topic": "主题",
         "sentiment": "情感", "urgency": "紧急程度", "status": "状态", "overdue": "是否超期",
         "dimension": "画像维度", "week": "周次", "kind": "类型"}
KIND = {"demand": "需求", "profile": "画像", "topic": "主题"}          # the search page's kind selector
KIND_NOUN = {"demand": "诉求", "profile": "需求画像", "topic": "主题"}  # what the result count counts
SORT = {"relevance": "相关度", "time": "时间", "heat": "热度"}

# facet values whose display differs from the stored key
_FACET_VALUE_LABELS: dict[str, dict[str, str]] = {
    "source": SOURCE, "sentiment": SENTIMENT, "urgency": URGENCY, "status": STATUS, "dimension": DIMENSION,
    "kind": KIND,
    "overdue": {"true": "已超期", "false": "未超期", "True": "已超期", "False": "未超期", "1": "已超期", "0": "未超期"},
}


def facet_value_label(facet: str, value: Any) -> str:
    text = str(value)
    return _FACET_VALUE_LABELS.get(facet, {}).get(text, text)


def fmt_time(value: Any) -> str:
    """Local Shanghai time to the minute; ISO strings from the index are parsed first."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            try:
                value = value.astimezone(SHANGHAI)
            except OverflowError:  # 0001-01-01 or 9999-12-31 stored by an older release: shown as kept
                pass
        # by hand, not strftime: glibc writes year 1 as "1", and the page must show 0001
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def fmt_percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def template_globals() -> dict[str, Any]:
    return {"STATUS": STATUS, "SOURCE": SOURCE, "SENTIMENT": SENTIMENT, "URGENCY": URGENCY,
            "REQUESTER": REQUESTER, "HISTORY_FIELD": HISTORY_FIELD, "ORIGIN": ORIGIN, "ROUTE_REASON": ROUTE_REASON,
            "FACET": FACET, "SORT": SORT, "KIND": KIND, "KIND_NOUN": KIND_NOUN, "DIMENSION": DIMENSION,
            "PUBLICATION": PUBLICATION, "SENSITIVITY": SENSITIVITY,
            "label": label, "fmt_time": fmt_time, "fmt_percent": fmt_percent,
            "facet_value_label": facet_value_label}
