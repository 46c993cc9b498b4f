"""Tiny hand-made demands for the two-way tests, stored the way the pipeline would store them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from suqiu.model import SHANGHAI, Analysis, build_demand

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)

HOUSING = "住房和城乡建设局"
LABOUR = "人力资源和社会保障局"
TRAFFIC = "交通运输局"


def demand(source_id: str, content: str, title: str = "", days: float = 0, **extra: Any):
    data = {"source": "hotline", "source_id": source_id, "channel": "电话", "title": title,
            "content": content, "received_at": T0 + timedelta(days=days)}
    data.update(extra)
    return build_demand(data)


def analysis(record_id: str, masked_text: str, masked_title: str = "", department: str | None = None,
             reason: str | None = "rule", confidence: float | None = 0.9, **extra: Any) -> Analysis:
    """An analysis row; classified ``internal`` / ``normal`` (a hotline work order) unless ``extra`` says."""
    extra = {"publication": "internal", "sensitivity": "normal", **extra}
    return Analysis(record_id=record_id, normalized_text=masked_text, masked_text=masked_text,
                    masked_title=masked_title, department=department, route_reason=reason,
                    route_confidence=confidence, **extra)


def seed(store, rows: list[tuple[Any, Analysis | None]]) -> list[str]:
    """Upsert demands, then their analysis; returns the record ids in order."""
    store.upsert([d for d, _ in rows], origin="import")
    store.save_analysis([a for _, a in rows if a is not None], stage="classify")
    return [d.id for d, _ in rows]


def housing_set(store) -> list[str]:
    """Three housing demands (two duplicates, one urgent), one labour, one unsure (triage)."""
    return seed(store, [
        (demand("h1", "小区物业乱收停车费，电话13812345678", "物业乱收费"),
         analysis("hotline:h1", "小区物业乱收停车费，电话[手机号]", "物业乱收费", HOUSING,
                  topic_id=1, keywords=["物业", "停车费"], dup_group="g1", urgency_level="medium")),
        (demand("h2", "物业乱收停车费，请处理 13812345678", "物业乱收停车费", days=0.1),
         analysis("hotline:h2", "物业乱收停车费，请处理 [手机号]", "物业乱收停车费", HOUSING,
                  topic_id=1, keywords=["物业", "停车费"], dup_group="g1", urgency_level="low")),
        (demand("h3", "楼道电梯坏了三天，老人被困", "电梯故障", days=0.2),
         analysis("hotline:h3", "楼道电梯坏了三天，老人被困", "电梯故障", HOUSING,
                  topic_id=2, keywords=["电梯"], urgency_level="critical")),
        (demand("l1", "公司拖欠工资三个月", "拖欠工资", days=0.3),
         analysis("hotline:l1", "公司拖欠工资三个月", "拖欠工资", LABOUR, topic_id=3, keywords=["工资"])),
        (demand("t1", "有个事情想反映一下", "反映", days=0.4),
         analysis("hotline:t1", "有个事情想反映一下", "反映", None, reason="triage", confidence=0.2)),
    ])
