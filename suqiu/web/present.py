"""Chinese labels and formatting for what the pages and exports show."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from search.documents import DIMENSION_LABELS
from suqiu.model import SHANGHAI

STATUS = {"received": "已受理", "routed": "已分派", "replied": "已答复", "closed": "已办结", "reopened": "重新办理"}
SOURCE = {"hotline": "12345热线", "portal": "网上留言", "review": "商户评价", "open311": "Open311"}
SENTIMENT = {"negative": "负面", "neutral": "中性", "positive": "正面"}
URGENCY = {"low": "一般", "medium": "较急", "high": "紧急", "critical": "特急"}
REQUESTER = {"individual": "个人", "enterprise": "企业", "anonymous": "匿名"}
HISTORY_FIELD = {"status": "状态", "reply_text": "答复内容", "replied_at": "答复时间", "replied_by": "答复单位",
                 "satisfaction": "满意度", "department_given": "承办部门", "department": "承办部门"}
ORIGIN = {"import": "导入", "crawl": "采集", "api": "部门接口", "reassign": "改派", "routing": "自动分派",
          "open311": "Open311", "web": "网页"}
ROUTE_REASON = {"rule": "规则", "model": "模型", "triage": "待人工分派", "manual": "人工", "reassign": "改派"}
FACET = {"department": "承办部门", "district": "区县", "source": "来源", "channel": "渠道", "topic": "主题",
         "sentiment": "情感", "urgency": "紧急程度", "status": "状态", "overdue": "是否超期",
         "dimension": "画像维度", "week": "周次", "kind": "类型"}
KIND = {"demand": "需求", "profile": "画像", "topic": "主题"}          # the search page's kind selector
KIND_NOUN = {"demand": "诉求", "profile": "需求画像", "topic": "主题"}  # what the result count counts
DIMENSION = dict(DIMENSION_LABELS)
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


def label(table: dict[str, str], value: Any) -> str:
    if value is None or value == "":
        return "—"
    text = getattr(value, "value", value)
    return table.get(str(text), str(text))


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
            value = value.astimezone(SHANGHAI)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def fmt_percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def template_globals() -> dict[str, Any]:
    return {"STATUS": STATUS, "SOURCE": SOURCE, "SENTIMENT": SENTIMENT, "URGENCY": URGENCY,
            "REQUESTER": REQUESTER, "HISTORY_FIELD": HISTORY_FIELD, "ORIGIN": ORIGIN, "ROUTE_REASON": ROUTE_REASON,
            "FACET": FACET, "SORT": SORT, "KIND": KIND, "KIND_NOUN": KIND_NOUN, "DIMENSION": DIMENSION,
            "label": label, "fmt_time": fmt_time, "fmt_percent": fmt_percent,
            "facet_value_label": facet_value_label}
