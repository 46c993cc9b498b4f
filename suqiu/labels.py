"""The Chinese name of every stored code, in one place: pages, digests, reports and the CLI read
these tables, so a level has one name everywhere (``tests/test_labels.py`` checks it)."""

from __future__ import annotations

from typing import Any

STATUS = {"received": "已受理", "routed": "已分派", "replied": "已答复", "closed": "已办结", "reopened": "重新办理"}
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
                "reassign": "改派"}
ORIGIN = {"import": "导入", "crawl": "采集", "api": "部门接口", "reassign": "改派", "routing": "自动分派",
          "open311": "Open311", "web": "网页", "analyze": "分析", "readmit": "重新接纳"}
# why an import row (or a crawled item) was quarantined: the importer's codes (crawlers.importers)
QUARANTINE_REASON = {"bad_date": "日期无法识别", "missing_date": "缺少时间", "missing_id": "缺少编号", "bad_value": "取值无法识别",
                     "bad_encoding": "含无法解码的字节", "empty_content": "内容为空", "field_count": "字段数与表头不符", "invalid": "校验未通过",
                     "duplicate_row": "重复的行", "duplicate_key": "编号重复但内容不同", "parse_error": "文件在此处无法解析"}
HISTORY_FIELD = {"status": "状态", "reply_text": "答复内容", "replied_at": "答复时间", "replied_by": "答复单位",
                 "satisfaction": "满意度", "department_given": "承办部门", "department": "承办部门",
                 "district": "区县"}
# how far a count lies from its forecast (nlp.forecast_warnings)
FORECAST_LEVEL = {"none": "正常", "low": "关注", "medium": "预警", "high": "严重"}
ROLE = {"office": "信访办", "department": "职能部门", "public": "公众", "client": "Open311 客户端"}
PERIOD = {"day": "日报", "week": "周报", "month": "月报", "quarter": "季报", "year": "年报"}
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
