"""The leaders' reports (月报, 季报, 年报), built from plain data like the weekly one: volume with
环比 (against the period before) and 同比 (against the same period a year earlier) by source,
district, topic and department; 每月一题 candidates and the chosen themes' figures before and
after; the period's worst replies for 督办 beside its best; the forecast and the warnings.

Input is a ``LeadersData`` (``reports/leaders_collect.py`` gathers it from the store); nothing
here touches the store. Text is masked already.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from reports import charts
from reports.document import Chart, Report, Section, Table
from reports.monthly_topic import Candidate, tracking
from reports.periods import Period
from suqiu.labels import PERIOD, SOURCE
from suqiu.model import OPEN_STATUSES

NAMES = {"month": ("本月", "上月"), "quarter": ("本季度", "上季度"), "year": ("本年", "上年")}


@dataclass
class LeadersData:
    city: str
    period: Period
    generated_at: datetime
    records: pd.DataFrame                       # masked rows from a year before the period to its end
    topics: dict[int, str] = field(default_factory=dict)
    department_figures: list[dict[str, Any]] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)      # scored, masked, worst first
    picks: list[dict[str, Any]] = field(default_factory=list)        # 每月一题 the office chose
    candidates: list[Candidate] = field(default_factory=list)
    forecast: dict[str, Any] | None = None
    warnings: list[dict[str, Any]] = field(default_factory=list)


def change(new: float, old: float | None) -> str:
    """环比/同比 as the reports word them: +12%, 持平, 新增, or — when there is nothing to compare."""
    if old is None:
        return "—"
    if old == 0:
        return "新增" if new else "持平"
    pct = (new - old) / old * 100
    return "持平" if abs(pct) < 0.5 else f"{pct:+.0f}%"


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.0f}%"


def _in(df: pd.DataFrame, p: Period) -> pd.DataFrame:
    return df[(df["received_at"] >= p.start) & (df["received_at"] < p.end)] if len(df) else df


def _has_data(df: pd.DataFrame, p: Period) -> bool:
    """Whether the history covers ``p`` from its first day (else 同比/环比 against it is unknown, not
    zero: a history that starts in the middle of last year's month would make this month look +1000%)."""
    return bool(len(df)) and df["received_at"].min() < p.start + pd.Timedelta(days=1)


def _count_rows(this: pd.DataFrame, prev: pd.DataFrame, ago: pd.DataFrame, key: Any, known: tuple[bool, bool],
                top: int | None = None) -> list[list[Any]]:
    a = key(this).value_counts() if len(this) else pd.Series(dtype=int)
    b = key(prev).value_counts() if len(prev) else pd.Series(dtype=int)
    c = key(ago).value_counts() if len(ago) else pd.Series(dtype=int)
    rows = []
    for name in sorted(set(a.index) | set(b.index), key=lambda v: (-int(a.get(v, 0)), str(v)))[:top]:
        n, p, y = int(a.get(name, 0)), int(b.get(name, 0)), int(c.get(name, 0))
        rows.append([name, n, p if known[0] else "—", change(n, p if known[0] else None),
                     y if known[1] else "—", change(n, y if known[1] else None)])
    return rows


HEADERS = ["本期", "上期", "环比", "去年同期", "同比"]


def volume_section(data: LeadersData, this: pd.DataFrame, prev: pd.DataFrame, ago: pd.DataFrame,
                   known: tuple[bool, bool]) -> Section:
    s = Section("volume", "诉求总体情况")
    cur, before = NAMES[data.period.kind]
    n = len(this)
    s.paragraphs.append(f"{cur}共受理诉求 {n} 件，{before} {len(prev) if known[0] else '无数据'}，环比 "
                        f"{change(n, len(prev) if known[0] else None)}；去年同期 {len(ago) if known[1] else '无数据'}，"
                        f"同比 {change(n, len(ago) if known[1] else None)}。")
    s.tables.append(Table("分来源诉求量", ["来源", *HEADERS], _count_rows(
        this, prev, ago, lambda d: d["source"].map(lambda v: SOURCE.get(v, v)), known)))
    s.tables.append(Table("分渠道诉求量", ["渠道", *HEADERS], _count_rows(
        this, prev, ago, lambda d: d["channel"].fillna("其他").replace("", "其他"), known)))
    months = [data.period.months()[-1].shift(-i) for i in range(12, -1, -1)] if data.period.kind == "month" \
        else [m for p in (data.period.previous, data.period) for m in p.months()]
    series = [len(_in(data.records, m)) for m in months]
    if any(series):
        s.charts.append(Chart("各月诉求量", charts.stacked_bars("各月诉求量", [f"{m.year % 100:02d}-{m.month:02d}"
                                                                           for m in months], {"诉求": series})))
    return s


def districts_section(data: LeadersData, this: pd.DataFrame, prev: pd.DataFrame, ago: pd.DataFrame,
                      known: tuple[bool, bool]) -> Section:
    s = Section("districts", "区域诉求")
    rows = _count_rows(this, prev, ago, lambda d: d["district"].fillna("未识别"), known)
    for r in rows:
        g = this[this["district"].fillna("未识别") == r[0]]
        r.append(int(g["status"].isin(OPEN_STATUSES).sum()))
    s.tables.append(Table("各区诉求量", ["区域", *HEADERS, "未办结"], rows))
    return s


def topics_section(data: LeadersData, this: pd.DataFrame, prev: pd.DataFrame, ago: pd.DataFrame,
                   known: tuple[bool, bool]) -> Section:
    s = Section("topics", "主要话题")
    topical = [d[d["topic_id"].notna() & (d["topic_id"] != -1)] if len(d) else d for d in (this, prev, ago)]
    rows = _count_rows(*topical, lambda d: d["topic_id"].astype(int).map(lambda t: data.topics.get(t, f"话题{t}")),
                       known, top=12)
    if not rows:
        s.paragraphs.append("本期诉求尚未完成主题分析。")
    s.tables.append(Table("诉求最多的话题", ["话题", *HEADERS], rows))
    return s


def departments_section(data: LeadersData) -> Section:
    s = Section("departments", "部门办理情况")
    rows = [[f["department"], f["assigned"], f["replied"], f["overdue"], f["on_time_rate"], f["satisfaction_rate"],
             f["reply_quality"]] for f in data.department_figures]
    s.tables.append(Table("各部门办理情况", ["部门", "受理", "已答复", "超期未答复", "按时答复率", "满意率", "答复质量"], rows,
                          note="按本期受理的诉求计算；受理不足规定件数的部门比率仅供参考。"))
    return s


def candidates_section(data: LeadersData) -> Section:
    s = Section("monthly_topic", "每月一题候选")
    if not data.candidates:
        s.paragraphs.append("本期没有符合条件的候选话题。")
    else:
        s.paragraphs.append("候选话题按诉求量、持续时间、涉及部门数和未解决比例综合排序，供确定“每月一题”参考"
                            "（确定后用 suqiu report pick-topic 或报告页面登记，之后的报告跟踪其成效）。")
    rows = [[i, c.label, c.volume, f"{c.score:.2f}", "；".join(c.reasons)] for i, c in enumerate(data.candidates, 1)]
    s.tables.append(Table("每月一题候选（按综合得分）", ["排名", "话题", "本期件数", "得分", "入选理由"], rows))
    return s


def tracking_section(data: LeadersData) -> Section:
    s = Section("topic_tracking", "每月一题跟踪")
    last = data.period.months()[-1]
    picks = [p for p in data.picks if Period.parse(p["month"], "month") <= last]
    if not picks:
        s.paragraphs.append("尚未确定“每月一题”。")
        return s
    for pick in picks:
        t = tracking(data.records, int(pick["topic_id"]), Period.parse(pick["month"], "month"), data.period)
        b = t["before"]
        rows = [["选题前三个月（月均）", b["volume"], _pct(b["unsolved_share"]), _pct(b["satisfaction_rate"]),
                 "—" if b["median_reply_days"] is None else f"{b['median_reply_days']:.1f}"]]
        rows += [[m["name"], m["volume"], _pct(m["unsolved_share"]), _pct(m["satisfaction_rate"]),
                  "—" if m["median_reply_days"] is None else f"{m['median_reply_days']:.1f}"] for m in t["after"]]
        s.tables.append(Table(f"{Period.parse(pick['month'], 'month').name}每月一题：{pick['label']}",
                              ["时段", "诉求量", "未办结或不满意", "满意率", "答复用时中位数(天)"], rows))
        if t["after"]:
            now = t["after"][-1]
            s.paragraphs.append(f"“{pick['label']}”选题前月均 {b['volume']} 件，{now['name']} {now['volume']} 件"
                                f"（{change(now['volume'], b['volume'] or None)}）；未办结或不满意占比由 "
                                f"{_pct(b['unsolved_share'])} 变为 {_pct(now['unsolved_share'])}。")
    return s


def replies_section(data: LeadersData, n: int = 8) -> Section:
    s = Section("supervision", "督办与示范：答复质量")
    if not data.replies:
        s.paragraphs.append("本期没有可评价的答复。")
        return s
    head = ["部门", "诉求", "答复摘要", "质量分", "用时(天)", "评价要点"]

    def row(r: dict[str, Any]) -> list[Any]:
        return [r["department"], r["title"][:30], r["reply"][:90], f"{r['quality']:.2f}", r["days"],
                "；".join(r["reasons"][:2])]
    worst = [r for r in data.replies if not r.get("praise")][:n]
    best = sorted(data.replies, key=lambda r: (-r["quality"], r["id"]))[:n]
    s.paragraphs.append(f"本期共评价答复 {len(data.replies)} 件，建议对质量分最低的 {len(worst)} 件督办"
                        "（答复表扬、感谢类诉求的不列入督办）。")
    s.tables.append(Table("答复质量最低（建议督办）", head, [row(r) for r in worst]))
    s.tables.append(Table("答复质量最高（示范）", head, [row(r) for r in best]))
    return s


def outlook_section(data: LeadersData) -> Section:
    s = Section("outlook", "预测与预警")
    if data.forecast:
        rows = [[st["period"], f"{st['mean']:.0f}", "–".join(f"{v:.0f}" for v in st["intervals"]["80"]),
                 "–".join(f"{v:.0f}" for v in st["intervals"]["95"])] for st in data.forecast["steps"]]
        s.tables.append(Table(f"全市未来诉求量预测（依据截至 {data.forecast['history_end']} 的数据）",
                              ["周次", "预期", "80% 区间", "95% 区间"], rows, note="；".join(data.forecast.get("notes", []))))
    s.tables.append(Table("本期预警", ["周次", "类型", "说明"], [[w["week"], w["kind"], w["message"]] for w in data.warnings]))
    return s


def build_leaders(data: LeadersData) -> Report:
    df, p = data.records, data.period
    this, prev, ago = _in(df, p), _in(df, p.previous), _in(df, p.year_ago)
    known = (_has_data(df, p.previous), _has_data(df, p.year_ago))
    cur, _ = NAMES[p.kind]
    report = Report(title=f"{data.city}群众诉求{PERIOD[p.kind]}",
                    subtitle=f"{p.name}（{p.start:%Y年%m月%d日}—{(p.end - pd.Timedelta(days=1)):%Y年%m月%d日}）",
                    generated_at=data.generated_at)
    mom = "" if p.kind == "year" else f"环比 {change(len(this), len(prev) if known[0] else None)}，"  # a year's 环比 is its 同比
    report.summary.append(f"{cur}受理诉求 {len(this)} 件，{mom}同比 {change(len(this), len(ago) if known[1] else None)}。")
    if data.candidates:
        report.summary.append(f"每月一题首选候选：{data.candidates[0].label}（{data.candidates[0].reasons[0]}）。")
    if any(not r.get("praise") for r in data.replies):
        report.summary.append(f"答复质量最低的 {min(8, sum(not r.get('praise') for r in data.replies))} 件列入督办建议。")
    report.sections = [
        volume_section(data, this, prev, ago, known), districts_section(data, this, prev, ago, known),
        topics_section(data, this, prev, ago, known), departments_section(data), candidates_section(data),
        tracking_section(data), replies_section(data), outlook_section(data),
    ]
    return report
