"""The Chinese name of every stored code, in one place: pages, digests, reports and the CLI read
these tables, so a level has one name everywhere (``tests/test_labels.py`` checks it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from suqiu.model import OUTLIER

STATUS = {"received": "已受理", "routed": "已分派", "signed": "已签收", "in_progress": "办理中",
          "extension_requested": "延期申请中", "suspended": "已挂起", "returned": "已退回", "replied": "已答复",
          "called_back": "已回访", "closed": "已办结", "reopened": "重新办理"}
# the steps of a work order (suqiu.twoway.lifecycle), as buttons and history name them
ACTION = {"route": "派单", "reassign": "改派", "sign": "签收", "interim": "阶段性答复", "answer": "办结答复",
          "return": "退回", "request_extension": "申请延期", "grant_extension": "批准延期",
          "refuse_extension": "不予延期", "suspend": "挂起", "resume": "恢复办理", "callback": "回访",
          "close": "办结", "reopen": "重办", "invite": "邀请协办", "supervise": "督办", "view": "查看",
          "export": "导出", "status_lookup": "市民查询", "warning": "预警处置"}
REPLY_KIND = {"interim": "阶段性答复", "final": "办结答复", "import": "导入的答复"}
WARNING_STATE = {"new": "新", "acknowledged": "已确认", "handling": "处置中", "resolved": "已解除"}
EXTENSION_STATE = {"pending": "待审批", "granted": "已批准", "refused": "未批准"}
SOURCE = {"hotline": "12345热线", "portal": "网上留言", "review": "商户评价", "open311": "Open311"}
SENTIMENT = {"negative": "负面", "neutral": "中性", "positive": "正面"}
URGENCY = {"low": "一般", "medium": "较急", "high": "紧急", "critical": "特急"}
REQUESTER = {"individual": "个人", "enterprise": "企业", "anonymous": "匿名"}
DIMENSION = {"district": "区县", "channel": "渠道", "requester_type": "诉求人类型", "department": "承办部门",
             "business": "商户", "topic": "话题", "city": "全市"}
WARNING_KIND = {"surge_topic": "话题激增", "surge_district": "区域激增", "urgent_cluster": "紧急诉求聚集",
                "emerging_topic": "新话题", "forecast_topic": "话题偏离预期", "forecast_district": "区域偏离预期",
                "forecast_department": "部门偏离预期", "forecast_city": "全市偏离预期"}
WARNING_LEVEL = {"critical": "特急", "high": "高", "medium": "中", "low": "低"}
ROUTE_REASON = {"given": "来源指定", "rule": "规则", "model": "模型", "triage": "待人工分派", "manual": "人工",
                "reassign": "改派", "return": "部门退回"}
ORIGIN = {"import": "导入", "crawl": "采集", "api": "部门接口", "reassign": "改派", "routing": "自动分派",
          "open311": "Open311", "web": "网页", "analyze": "分析", "readmit": "重新接纳", "cli": "命令行"}
# why an import row (or a crawled item) was quarantined: the importer's codes (crawlers.importers)
QUARANTINE_REASON = {"bad_date": "日期无法识别", "missing_date": "缺少时间", "missing_id": "缺少编号", "bad_value": "取值无法识别",
                     "bad_encoding": "含无法解码的字节", "empty_content": "内容为空", "field_count": "字段数与表头不符", "invalid": "校验未通过",
                     "duplicate_row": "重复的行", "duplicate_key": "编号重复但内容不同", "parse_error": "文件在此处无法解析"}
HISTORY_FIELD = {"status": "状态", "reply_text": "答复内容", "replied_at": "答复时间", "replied_by": "答复单位",
                 "satisfaction": "满意度", "department_given": "承办部门", "department": "承办部门",
                 "district": "区县", "reply": "阶段性答复", "co_handler": "协办部门", "extension": "延期",
                 "supervise": "督办", "callback": "回访", "due_at": "办理时限"}
# how far a count lies from its forecast (nlp.forecast_warnings)
FORECAST_LEVEL = {"none": "正常", "low": "关注", "medium": "预警", "high": "严重"}
ROLE = {"office": "信访办", "department": "职能部门", "public": "公众", "client": "Open311 客户端"}
PERIOD = {"day": "日报", "week": "周报", "month": "月报", "quarter": "季报", "year": "年报"}
# ``suqiu.model.OUTLIER``: a demand that fits no topic is shown under this name, never as -1
OUTLIER_TOPIC = "其他"
# 分级分类 (nlp.classification): who may see a record, and why it is sensitive
PUBLICATION = {"public": "可公开", "internal": "内部", "office_only": "仅信访办"}
SENSITIVITY = {"normal": "一般", "report": "举报件", "stability": "涉稳", "secret": "涉密"}
# digests and lists order urgent work first
URGENCY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def label(table: dict[str, str], value: Any) -> str:
    """The display name of a code (an enum or its value); the code itself when unknown, — when empty."""
    if value is None or value == "":
        return "—"
    text = str(getattr(value, "value", value))
    return table.get(text, text)


def topic_name(topic_id: Any, names: Mapping[int, str]) -> str:
    """A topic's display name: its stored name (``topics.label``), 其他 for outliers, — for none.

    ``names`` is ``Store.topic_labels()``; an id it lacks (a topic retired and pruned) shows as
    话题 N rather than a bare number."""
    if topic_id is None or topic_id == "":
        return "—"
    try:
        tid = int(topic_id)
    except (TypeError, ValueError):
        return str(topic_id)
    if tid == OUTLIER:
        return OUTLIER_TOPIC
    return names.get(tid) or f"话题 {tid}"
