"""Bodies of ``suqiu topics``, ``suqiu hotspots`` and ``suqiu profiles``: read the stored views,
print one JSON document or Chinese tables (rich). Text shown is masked and markup-escaped."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from nlp.stages.topics import TopicsStage, list_topics
from nlp.stages.views import ViewsStage, list_profiles, list_warnings
from suqiu.installation import Installation
from suqiu.labels import DIMENSION, OUTLIER_TOPIC, WARNING_KIND, WARNING_LEVEL, topic_name
from suqiu.weeks import week_start



def topics_payload(app: Installation, refit: bool = False) -> dict[str, Any]:
    run = None
    if refit:
        run = TopicsStage(refit=True).run(app).as_dict()
        ViewsStage().run(app)
    payload: dict[str, Any] = {"topics": list_topics(app.store), "outliers": app.store.outlier_count()}
    if run is not None:
        payload["run"] = run
    return payload


def print_topics(console: Console, payload: dict[str, Any]) -> None:
    topics = payload["topics"]
    if not topics:
        console.print("尚未发现话题：请先导入诉求并运行 suqiu analyze。")
        return
    table = Table(title=f"话题（共 {len(topics)} 个，{OUTLIER_TOPIC} {payload['outliers']} 件未归入任何话题）")
    for col in ("编号", "名称", "关键词", "诉求数", "一致性", "代表诉求"):
        table.add_column(col)
    for t in topics:
        mark = "（新）" if t["emerging"] else ""
        rep = t["representatives"][0]["title"] if t["representatives"] else ""
        table.add_row(str(t["id"]), escape(t["label"] + mark), escape("、".join(t["keywords"][:8])),
                      str(t["size"]), f"{t['coherence']:.2f}" if t["coherence"] is not None else "",
                      escape(rep))
    console.print(table)


def hotspots_payload(app: Installation, top: int) -> dict[str, Any]:
    if top < 1:
        raise ValueError("--top must be at least 1")
    return {"hotspots": app.store.hotspot_rows(top), "warnings": list_warnings(app.store, limit=20)}


def print_hotspots(console: Console, payload: dict[str, Any]) -> None:
    hot = payload["hotspots"]
    if not hot:
        console.print("尚未识别出热点问题：请先运行 suqiu analyze。")
    else:
        table = Table(title="热点问题（按热度排序；重复提交只计一次，单项诉求不成热点）")
        for col in ("排名", "热度", "地点/人群", "话题", "时间范围", "诉求数", "诉求人", "提交数", "问题描述"):
            table.add_column(col)
        for i, h in enumerate(hot, start=1):
            table.add_row(str(i), f"{h['heat']:.2f}", escape(h["places"]), escape(h.get("topic_label") or "—"),
                          h["span"], str(h["count"]), str(h.get("requesters", "")), str(h["submissions"]),
                          escape(h["description"][:60]))
        console.print(table)
    warns = payload.get("warnings") or []
    if warns:
        table = Table(title="预警")
        for col in ("周", "类型", "级别", "说明"):
            table.add_column(col)
        for w in warns:
            table.add_row(w["week"], WARNING_KIND.get(w["kind"], w["kind"]), WARNING_LEVEL.get(w["level"], w["level"]),
                          escape(w["message"]))
        console.print(table)


def profiles_payload(app: Installation, dimension: str, week: str | None) -> dict[str, Any]:
    if week is not None:
        week_start(week)  # ValueError naming the bad week
        week = week.strip().upper()
    chosen, items = list_profiles(app.store, dimension, week)
    return {"dimension": dimension, "week": chosen, "profiles": items}


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:+.0%}"


def print_profiles(console: Console, payload: dict[str, Any]) -> None:
    items = payload["profiles"]
    name = DIMENSION.get(payload["dimension"], payload["dimension"])
    if not items:
        console.print(f"没有{name}画像{('（' + payload['week'] + '）') if payload['week'] else ''}：请先运行 suqiu analyze。")
        return
    table = Table(title=f"{name}需求画像 {payload['week']}")
    for col in (name, "诉求数", "环比", "主要话题", "负面占比", "紧急", "未办结", "答复率", "关键词"):
        table.add_column(col)
    for p in items:
        mix = "、".join((m["label"] or topic_name(m["topic_id"], {})) for m in p["topic_mix"][:2])
        table.add_row(escape(p["value"]), str(p["volume"]), _pct(p["change_pct"]), escape(mix),
                      f"{p['sentiment']['negative_share']:.0%}", str(p["urgency"]["urgent"]), str(p["unresolved"]),
                      f"{p['replies']['reply_rate']:.0%}", escape("、".join(p["top_keywords"][:5])))
    console.print(table)
