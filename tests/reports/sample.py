"""A tiny, hand-made week of masked demands for report tests."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from suqiu.weeks import Week
from reports.weekly import RECORD_COLUMNS, WeeklyData
from suqiu.model import SHANGHAI

WEEK = Week(2026, 47)

_ROWS = [
    # (day offset from week start, hour, source, channel, district, dept, title, sentiment, urgency, reasons, topic, status)
    (0, 9, "hotline", "电话", "仓山区", "生态环境局", "龙津河黑臭扰民", "negative", "medium", [], 1, "routed"),
    (0, 21, "portal", "网站", "仓山区", "生态环境局", "龙津河又臭了", "negative", "low", [], 1, "replied"),
    (1, 10, "hotline", "微信", "鼓楼区", "住房和城乡建设局", "小区电梯停运一周", "negative", "high", ["电梯停运"], 2, "routed"),
    (2, 8, "hotline", "电话", "晋安区", "人力资源和社会保障局", "工地拖欠工资，春节前要回家", "negative", "critical",
     ["欠薪: 拖欠工资", "节前: 春节"], 3, "received"),
    (3, 15, "review", "APP", "台江区", "市场监督管理局", "餐厅服务很好，菜品新鲜", "positive", "low", [], 4, "closed"),
    (4, 11, "portal", "人民网留言板", "仓山区", "生态环境局", "<script>alert(1)</script>河道清淤", "neutral", "low", [], 1,
     "received"),
    (6, 23, "hotline", "电话", None, None, "咨询公积金提取 =1+1", "neutral", "low", [], None, "received"),
]


def week_records(week: Week = WEEK, previous: int = 3) -> pd.DataFrame:
    rows = []
    for i, (day, hour, source, channel, district, dept, title, sent, urg, reasons, topic, status) in enumerate(_ROWS):
        at = week.start + timedelta(days=day, hours=hour)
        rows.append({"id": f"{source}:{i}", "source": source, "channel": channel, "received_at": at,
                     "district": district, "requester_type": "individual", "status": status,
                     "replied_at": at + timedelta(days=2) if status in ("replied", "closed") else None,
                     "satisfaction": None, "votes_up": 0, "department": dept, "masked_title": title,
                     "masked_text": title + "，联系电话[手机号]", "sentiment_label": sent, "urgency_level": urg,
                     "urgency_reasons": reasons, "topic_id": topic, "dup_group": None, "keywords": [title[:2]]})
    # the previous week: fewer complaints about the river
    for j in range(previous):
        at = week.shift(-1).start + timedelta(days=j, hours=10)
        rows.append({"id": f"hotline:p{j}", "source": "hotline", "channel": "电话", "received_at": at,
                     "district": "鼓楼区", "requester_type": "enterprise", "status": "closed", "replied_at": at,
                     "satisfaction": "满意", "votes_up": 0, "department": "住房和城乡建设局",
                     "masked_title": "物业收费", "masked_text": "物业收费不透明", "sentiment_label": "negative",
                     "urgency_level": "low", "urgency_reasons": [], "topic_id": 2, "dup_group": None,
                     "keywords": ["物业"]})
    df = pd.DataFrame(rows, columns=RECORD_COLUMNS)
    df["received_at"] = pd.to_datetime(df["received_at"]).dt.tz_convert(SHANGHAI)
    return df


def week_data(**kw) -> WeeklyData:
    base = dict(city="福州市", week=WEEK, generated_at=datetime(2026, 11, 30, 8, 0, tzinfo=SHANGHAI),
                records=week_records(),
                topics=[{"id": 1, "label": "内河黑臭", "keywords": ["河", "臭"]},
                        {"id": 2, "label": "物业与电梯", "keywords": ["物业", "电梯"]},
                        {"id": 3, "label": "拖欠工资", "keywords": ["工资"]},
                        {"id": 4, "label": "餐饮服务", "keywords": ["餐厅"]}])
    base.update(kw)
    return WeeklyData(**base)
