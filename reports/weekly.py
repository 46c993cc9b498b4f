"""The weekly demand report (周报) for the petition office, built from plain data.

Input is a ``WeeklyData``: masked records of the report week and the weeks before it, plus what
the analysis stages stored (topics, hotspots, warnings). Nothing here touches the store; the
collector in ``reports/collect.py`` does that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from reports import charts
from reports.document import Chart, Report, Section, Table
from reports.values import When, change, share
from suqiu.weeks import Week
from suqiu.labels import REQUESTER, SENTIMENT, SOURCE, URGENCY, topic_name
from suqiu.model import ANSWERED_STATUSES, OPEN_STATUSES, OUTLIER

WEEKDAYS = "一二三四五六日"


@dataclass
class WeeklyData:
    city: str
    week: Week
    generated_at: datetime
    # one row per record received in the window; masked text only (see RECORD_COLUMNS)
    records: pd.DataFrame
    topics: list[dict[str, Any]] = field(default_factory=list)      # id, label, keywords
    # ranked by heat (nlp.hotspots): headline, description, places, span, count (distinct demands), requesters …
    hotspots: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)    # kind, topic/district, evidence …
    department_figures: list[dict[str, Any]] = field(default_factory=list)
    rates_weekly: list[dict[str, Any]] = field(default_factory=list)   # department, weeks, scores
    notable_replies: list[dict[str, Any]] = field(default_factory=list)
    appendix: list[Table] = field(default_factory=list)             # XLSX only: the imports' data quality


RECORD_COLUMNS = [
    "id", "source", "channel", "received_at", "district", "requester_type", "status", "replied_at",
    "satisfaction", "votes_up", "department", "masked_title", "masked_text", "sentiment_label",
    "urgency_level", "urgency_reasons", "topic_id", "dup_group", "keywords", "transfer_count",
]


# numbers that keep their value for the spreadsheet and print as before (reports.values)
_pct = change
_share = share




def _channels(df: pd.DataFrame) -> pd.Series:
    """Each record's channel, with a missing one named 其他."""
    return df["channel"].fillna("其他").replace("", "其他")


def _week_frame(df: pd.DataFrame, week: Week) -> pd.DataFrame:
    if df.empty:
        return df
    mask = (df["received_at"] >= week.start) & (df["received_at"] < week.end)
    return df[mask]


def _demands(df: pd.DataFrame) -> int:
    """Near-duplicate submissions count once."""
    if df.empty:
        return 0
    groups = df["dup_group"].fillna(df["id"])
    return int(groups.nunique())


def _passed_on(df: pd.DataFrame) -> int:
    """Demands passed on to another unit more than once (转处理次数 > 1: 推诿)."""
    if df.empty or "transfer_count" not in df:
        return 0
    return int((pd.to_numeric(df["transfer_count"], errors="coerce").fillna(0) > 1).sum())


def _snippet(text: Any, n: int = 60) -> str:
    s = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _topic_labels(data: WeeklyData) -> dict[int, str]:
    return {int(t["id"]): str(t.get("label") or "、".join(t.get("keywords", [])[:4])) for t in data.topics}


def volume_section(data: WeeklyData, this: pd.DataFrame, prev: pd.DataFrame) -> Section:
    s = Section("volume", "诉求总体情况")
    n, p = len(this), len(prev)
    s.paragraphs.append(
        f"本周共受理诉求 {n} 件（合并重复提交后 {_demands(this)} 项诉求），上周 {p} 件，环比 {_pct(n, p)}。")
    if n:
        by_source = this["source"].map(lambda v: SOURCE.get(v, v)).value_counts()
        s.paragraphs.append("来源构成：" + "，".join(f"{k} {v} 件" for k, v in by_source.items()) + "。")
        days = data.week.days()
        chan, day_of = _channels(this), this["received_at"].dt.date
        series = {c: [int(((chan == c) & (day_of == d)).sum()) for d in days] for c in sorted(chan.unique())}
        labels = [f"{d:%m-%d} 周{WEEKDAYS[i]}" for i, d in enumerate(days)]
        s.charts.append(Chart("本周每日诉求量（按渠道）", charts.stacked_bars("每日诉求量", labels, series)))
    rows = []
    chan_this = _channels(this).value_counts() if n else pd.Series(dtype=int)
    chan_prev = _channels(prev).value_counts() if p else pd.Series(dtype=int)
    for ch in sorted(set(chan_this.index) | set(chan_prev.index), key=lambda c: -int(chan_this.get(c, 0))):
        a, b = int(chan_this.get(ch, 0)), int(chan_prev.get(ch, 0))
        rows.append([ch, a, b, _pct(a, b)])
    s.tables.append(Table("分渠道诉求量", ["渠道", "本周", "上周", "环比"], rows))
    return s


def topics_section(data: WeeklyData, this: pd.DataFrame, prev: pd.DataFrame) -> Section:
    s = Section("topics", "热点话题与上升话题")
    labels = _topic_labels(data)
    if not labels or this.empty or this["topic_id"].isna().all():
        s.paragraphs.append("本周诉求尚未完成主题分析，暂无话题统计。")
        return s
    cur = this["topic_id"].dropna().astype(int).value_counts()
    old = prev["topic_id"].dropna().astype(int).value_counts() if not prev.empty else pd.Series(dtype=int)
    top = [[topic_name(t, labels), int(c), int(old.get(t, 0)), _pct(int(c), int(old.get(t, 0)))]
           for t, c in cur.head(10).items()]
    s.tables.append(Table("本周诉求最多的话题", ["话题", "本周", "上周", "环比"], top,
                          note="“其他”为未归入任何话题的诉求。"))
    rising = sorted(((t, int(c), int(old.get(t, 0))) for t, c in cur.items() if c >= 3 and t != OUTLIER),
                    key=lambda x: (x[1] - x[2]) / max(x[2], 1), reverse=True)
    rows = [[topic_name(t, labels), c, o, _pct(c, o)] for t, c, o in rising if c > o][:8]
    s.tables.append(Table("上升最快的话题", ["话题", "本周", "上周", "环比"], rows,
                          note="仅统计本周不少于 3 件的话题。"))
    if top:
        s.charts.append(Chart("本周主要话题", charts.hbars("主要话题诉求量", [r[0][:14] for r in top[:8]],
                                                          [r[1] for r in top[:8]])))
    return s


def hotspots_section(data: WeeklyData) -> Section:
    s = Section("hotspots", "热点问题")
    if not data.hotspots:
        s.paragraphs.append("本周未识别出热点问题。")
        return s
    rows = [[i, h.get("topic", "") or "—", h.get("description", ""), h.get("places", ""), h.get("span", ""),
             h.get("count", ""), h.get("requesters", ""), h.get("heat", "")]
            for i, h in enumerate(data.hotspots[:10], start=1)]
    s.tables.append(Table("热点问题（按热度排序）", ["序号", "话题", "问题描述", "地点/人群", "时间范围", "诉求数", "诉求人",
                                             "热度"], rows, note=HEAT_NOTE))
    return s


# what the heat index is (nlp.hotspots.heat_index), in words for the reader
HEAT_NOTE = ("热点指同一话题、同一地点、同一时段内来自不同诉求人的多项诉求（重复提交合并为一项，单项诉求不构成热点）。"
             "热度 = 诉求数 × 诉求人分散度（不同诉求人数/诉求数，至多 1）× 时效（距最近一件每 14 天减半）"
             "× 增长（近 7 天与前 7 天提交量之比）× 关注度（点赞与重复提交、负面情绪、紧急程度）。")


def top_hotspot_line(h: dict[str, Any]) -> str:
    """The summary's 首要热点: where, which theme, how many demands from how many people, when."""
    what = h.get("headline") or f"{h.get('places') or ''}：{h.get('topic') or ''}"
    example = _snippet(h.get("example"), 30)
    return (f"首要热点：{what}，{h.get('count')} 项诉求、{h.get('requesters')} 位诉求人（{h.get('span')}）"
            + (f"，如“{example}”" if example else "") + "。")


def districts_section(data: WeeklyData, this: pd.DataFrame, prev: pd.DataFrame) -> Section:
    s = Section("districts", "区域诉求画像")
    if this.empty:
        s.paragraphs.append("本周无诉求。")
        return s
    labels = _topic_labels(data)
    rows = []
    for district, g in this.groupby(this["district"].fillna("未识别")):
        old = int((prev["district"].fillna("未识别") == district).sum()) if not prev.empty else 0
        named = g["topic_id"].dropna().astype(int)
        topics = named[named != OUTLIER].value_counts().head(2).index
        kw = pd.Series([k for ks in g["keywords"] for k in (ks or [])]).value_counts().head(4).index
        focus = "、".join(topic_name(t, labels) for t in topics) or "、".join(kw)
        open_n = int(g["status"].isin(OPEN_STATUSES).sum())
        rows.append([district, len(g), _pct(len(g), old), focus,
                     _share(int((g["sentiment_label"] == "negative").sum()), len(g)),
                     int(g["urgency_level"].isin(["high", "critical"]).sum()), open_n])
    rows.sort(key=lambda r: -r[1])
    s.tables.append(Table("各区诉求画像", ["区域", "本周件数", "环比", "主要诉求", "负面占比", "紧急件数", "未办结"], rows))
    groups = this["requester_type"].map(lambda v: REQUESTER.get(v, v)).value_counts()
    s.paragraphs.append("诉求人构成：" + "，".join(f"{k} {v} 件（{_share(v, len(this))}）" for k, v in groups.items()) + "。")
    return s


def sentiment_section(data: WeeklyData, history: pd.DataFrame) -> Section:
    s = Section("sentiment", "群众情绪走势")
    weeks = [data.week.shift(-i) for i in range(7, -1, -1)]
    rows, series = [], {"负面": [], "中性": [], "正面": []}
    for w in weeks:
        g = _week_frame(history, w)
        n = len(g)
        counts = g["sentiment_label"].value_counts() if n else pd.Series(dtype=int)
        for key, cn in SENTIMENT.items():
            series[cn].append(round(int(counts.get(key, 0)) / n * 100, 1) if n else 0.0)
        rows.append([str(w), n, _share(int(counts.get("negative", 0)), n), _share(int(counts.get("positive", 0)), n)])
    if any(r[1] for r in rows):
        s.charts.append(Chart("近八周情绪占比（%）", charts.lines("情绪占比", [str(w)[5:] for w in weeks], series, "%")))
    s.tables.append(Table("近八周情绪分布", ["周次", "件数", "负面占比", "正面占比"], rows))
    return s


def urgent_section(this: pd.DataFrame) -> Section:
    s = Section("urgent", "紧急诉求")
    if this.empty:
        urgent = this
    else:
        urgent = this[this["urgency_level"].isin(["critical", "high"])].copy()
    if urgent.empty:
        s.paragraphs.append("本周无紧急诉求。")
        return s
    urgent["rank"] = urgent["urgency_level"].map({"critical": 0, "high": 1})
    urgent = urgent.sort_values(["rank", "received_at"])
    rows = [[URGENCY.get(r.urgency_level, r.urgency_level), When(r.received_at.to_pydatetime(), "%m-%d %H:%M"),
             r.district or "",
             r.department or "待分派", _snippet(r.masked_title or r.masked_text, 40),
             "；".join(r.urgency_reasons or []), "已答复" if r.status in ANSWERED_STATUSES else "未答复"]
            for r in urgent.head(30).itertuples()]
    s.paragraphs.append(f"本周紧急及以上诉求 {len(urgent)} 件，其中未答复 "
                        f"{int((~urgent['status'].isin(ANSWERED_STATUSES)).sum())} 件。")
    s.tables.append(Table("紧急诉求清单", ["等级", "时间", "区域", "承办部门", "诉求", "紧急原因", "办理"], rows))
    return s


def warnings_section(data: WeeklyData) -> Section:
    s = Section("warnings", "预警信息")
    if not data.warnings:
        s.paragraphs.append("本周未触发预警。")
        return s
    rows = [[w.get("kind", ""), w.get("subject", ""), w.get("detail", ""), w.get("evidence", ""), w.get("state", "新")]
            for w in data.warnings[:20]]
    s.tables.append(Table("本周预警", ["类型", "对象", "说明", "依据", "处置状态"], rows,
                          note="处置状态：新 → 已确认 → 处置中 → 已解除（信访办在“预警处置”页推进）。"))
    resolved = sum(1 for w in data.warnings if str(w.get("state", "")).startswith("已解除"))
    s.paragraphs.append(f"本周预警 {len(data.warnings)} 条，已解除 {resolved} 条。")
    return s


def departments_section(data: WeeklyData) -> Section:
    s = Section("departments", "部门办理情况")
    if not data.department_figures:
        s.paragraphs.append("近四周无分派到部门的诉求。")
        return s
    rows = []
    for f in data.department_figures:
        enough = bool(f.get("rankable"))
        rates = [f.get(k, "—") if enough else "样本不足" for k in
                 ("median_response_days", "on_time_rate", "satisfaction_rate", "reopen_rate", "reply_quality")]
        rows.append([f["department"], f.get("received", 0), f.get("assigned", 0), f.get("replied", 0),
                     f.get("overdue", 0), f.get("passed_on", 0), *rates])
    s.tables.append(Table("各部门办理情况", ["部门", "本周受理", "近四周受理", "已答复", "超期未答复", "多次转办",
                                      "答复用时中位数(天)", "按时答复率", "满意率", "重开率", "答复质量"], rows,
                          note="比率按近四周受理的诉求计算；受理不足规定件数的部门不计算比率，不参与排名。"
                               "多次转办：转处理两次及以上的诉求（推诿）。"))
    passed = sorted((f for f in data.department_figures if f.get("passed_on")), key=lambda f: -int(f["passed_on"]))
    if passed:
        s.paragraphs.append(f"近四周转处理两次及以上（推诿）的诉求 {sum(int(f['passed_on']) for f in passed)} 件，"
                            + "，".join(f"{f['department']} {f['passed_on']} 件" for f in passed[:3]) + "。")
    rates = [[f["department"], f.get("response_rate", "—"), f.get("resolution_rate", "—"),
              f.get("satisfaction_3", "—"), f.get("composite", "—")] for f in data.department_figures]
    s.tables.append(Table("各部门三率（近四周受理）", ["部门", "响应率", "解决率", "满意率", "综合得分"], rates,
                          note="响应率：派单后按时签收的比例；解决率：回访为已解决的比例；满意率：满意与基本满意的比例。"
                               "综合得分 = 响应率×10% + 解决率×45% + 满意率×45%，三项均达到最低件数才计算。"))
    if data.rates_weekly:
        weeks = data.rates_weekly[0]["weeks"]
        s.tables.append(Table("三率综合得分周趋势（按受理周）", ["部门", *weeks],
                              [[r["department"], *r["scores"]] for r in data.rates_weekly]))
    overdue = sum(int(f.get("overdue", 0)) for f in data.department_figures)
    if overdue:
        worst = max(data.department_figures, key=lambda f: int(f.get("overdue", 0)))
        s.paragraphs.append(f"目前超期未答复 {overdue} 件，其中{worst['department']} {worst['overdue']} 件。")
    return s


def replies_section(data: WeeklyData) -> Section:
    s = Section("replies", "典型答复")
    if not data.notable_replies:
        s.paragraphs.append("本周无可展示的答复。")
        return s
    rows = [[r.get("department", ""), _snippet(r.get("title"), 30), _snippet(r.get("reply"), 90),
             r.get("quality", ""), r.get("days", "")] for r in data.notable_replies[:8]]
    s.tables.append(Table("本周答复质量较高的答复", ["部门", "诉求", "答复摘要", "质量分", "用时(天)"], rows))
    return s


def build_weekly(data: WeeklyData) -> Report:
    df = data.records
    this = _week_frame(df, data.week)
    prev = _week_frame(df, data.week.shift(-1))
    last_day = data.week.days()[-1]
    report = Report(
        title=f"{data.city}群众诉求周报",
        subtitle=f"{data.week}（{data.week.start:%Y年%m月%d日}—{last_day:%Y年%m月%d日}）",
        generated_at=data.generated_at,
    )
    n, p = len(this), len(prev)
    report.summary.append(f"本周受理诉求 {n} 件，环比 {_pct(n, p)}。")
    if n:
        neg = int((this["sentiment_label"] == "negative").sum())
        urgent = int(this["urgency_level"].isin(["high", "critical"]).sum())
        report.summary.append(f"负面情绪占 {_share(neg, n)}；紧急诉求 {urgent} 件。")
        top_d = this["district"].fillna("未识别").value_counts().head(1)
        report.summary.append(f"诉求最多的区域：{top_d.index[0]}（{int(top_d.iloc[0])} 件）。")
    if data.hotspots:
        report.summary.append(top_hotspot_line(data.hotspots[0]))
    passed_on = _passed_on(this)
    if passed_on:
        report.summary.append(f"转处理两次及以上（推诿）的诉求 {passed_on} 件，详见“部门办理情况”。")
    if data.warnings:
        report.summary.append(f"本周触发预警 {len(data.warnings)} 条，详见“预警信息”。")
    report.sections = [
        volume_section(data, this, prev),
        topics_section(data, this, prev),
        hotspots_section(data),
        districts_section(data, this, prev),
        sentiment_section(data, df),
        urgent_section(this),
        warnings_section(data),
        departments_section(data),
        replies_section(data),
    ]
    report.appendix = list(data.appendix)
    return report
