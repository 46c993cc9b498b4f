"""A department's digest (部门诉求摘要): the model and its HTML, plain-text and XLSX renderings.

Pure builders: the caller gathers already-masked demands, overdue items, hotspots, warnings and
reply figures; nothing here touches the store or the network. The HTML is for email clients:
one table layout, inline styles only, no scripts, no external resources, every value escaped by
Jinja2's autoescape. Spreadsheets go through :mod:`reports.xlsx` (numbers as numbers, text inert).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader

from reports.values import Number, Percent
from reports.xlsx import workbook_bytes
from suqiu.labels import PERIOD as PERIOD_LABEL
from suqiu.labels import URGENCY as URGENCY_LABEL
from suqiu.labels import OUTLIER_TOPIC, URGENCY_RANK, topic_name
from suqiu.model import OUTLIER
TEXT_PREVIEW_CHARS = 240
HTML_ENTRIES_PER_GROUP = 20
FIGURE_LABELS = {
    "assigned": "分派件数", "open": "在办件数", "answered": "已答复件数", "closed": "已办结件数", "overdue": "超期件数",
    "replied_on_time": "按时答复件数", "response_hours_median": "答复时长中位数（小时）",
    "response_hours_mean": "平均答复时长（小时）", "response_hours_p90": "答复时长 90 分位（小时）",
    "closure_rate": "办结率", "on_time_rate": "按时答复率", "rated": "评价件数", "satisfaction_rate": "满意率",
    "reopened": "重办件数", "reopen_rate": "重办率", "reply_quality_mean": "答复质量均分",
    "reply_quality_n": "答复质量评分件数", "passed_on": "多次转办件数（推诿）", "rankable": "达到排名最低件数",
    "response_rate": "响应率（按时签收）", "resolution_rate": "解决率（回访已解决）", "composite": "综合得分",
    "rates_min_count": "三率最低件数", "figures_days": "统计范围（近 N 天受理；在办、超期含全部在办）",
}


@dataclass
class DigestEntry:
    """One demand (or one group of duplicate submissions) as the department sees it."""

    record_id: str
    title: str
    text: str
    received_at: datetime
    district: str | None = None
    channel: str = ""
    category: str | None = None
    urgency: str | None = None
    due_at: datetime | None = None
    count: int = 1                      # submissions collapsed into this entry
    duplicate_ids: list[str] = field(default_factory=list)
    url: str = ""                       # the demand's page in the workbench
    due_soon: bool = False              # 即将超时

    @property
    def urgent(self) -> bool:
        return self.urgency in ("high", "critical")

    @property
    def urgency_label(self) -> str:
        return URGENCY_LABEL.get(self.urgency or "", "")

    @property
    def preview(self) -> str:
        t = " ".join(self.text.split())
        return t if len(t) <= TEXT_PREVIEW_CHARS else t[:TEXT_PREVIEW_CHARS] + "…"


@dataclass
class DigestGroup:
    label: str
    entries: list[DigestEntry]

    @property
    def submissions(self) -> int:
        return sum(e.count for e in self.entries)

    @property
    def urgent_count(self) -> int:
        return sum(1 for e in self.entries if e.urgent)

    @property
    def best_urgency(self) -> int:
        return min((URGENCY_RANK.get(e.urgency or "", 9) for e in self.entries), default=9)


@dataclass
class Digest:
    department: str
    period: str
    window_start: datetime
    window_end: datetime
    generated_at: datetime
    city: str
    groups: list[DigestGroup]
    overdue: list[dict[str, Any]] = field(default_factory=list)
    hotspots: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def period_label(self) -> str:
        return PERIOD_LABEL.get(self.period, self.period)

    @property
    def entry_count(self) -> int:
        return sum(len(g.entries) for g in self.groups)

    @property
    def submission_count(self) -> int:
        return sum(g.submissions for g in self.groups)

    @property
    def urgent_count(self) -> int:
        return sum(g.urgent_count for g in self.groups)

    @property
    def record_ids(self) -> list[str]:
        return [rid for g in self.groups for e in g.entries for rid in [e.record_id, *e.duplicate_ids]]

    @property
    def subject(self) -> str:
        return (f"【{self.city}12345】{self.department}诉求{self.period_label}"
                f"（{self.window_end:%Y-%m-%d}）新诉求 {self.entry_count} 件"
                + (f"，紧急 {self.urgent_count} 件" if self.urgent_count else "")
                + (f"，超期 {len(self.overdue)} 件" if self.overdue else ""))


def demand_link(base_url: str, record_id: str) -> str:
    """The demand's page in the workbench (empty without a base URL)."""
    return f"{base_url.rstrip('/')}/work/demands/{quote(record_id, safe='')}" if base_url else ""


def _entry_key(e: DigestEntry) -> tuple[Any, ...]:
    return (URGENCY_RANK.get(e.urgency or "", 9), -e.count, e.received_at, e.record_id)


def collapse_duplicates(items: Sequence[dict[str, Any]]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """One (representative, others) pair per near-duplicate group; the earliest submission represents.

    The group inherits the most urgent level among its submissions.
    """
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    order: list[str] = []
    for it in items:
        key = it.get("dup_group") or f"\x00{it['record_id']}"
        if key not in groups:
            order.append(key)
        groups[key].append(it)
    out = []
    for key in order:
        members = sorted(groups[key], key=lambda x: (x["received_at"], x["record_id"]))
        out.append((members[0], members[1:]))
    return out


def _group_label(entries_items: list[dict[str, Any]], topic_id: int | None, labels: dict[int, str]) -> str:
    """The topic's name; demands in no topic (outliers, or not yet fitted) are 其他."""
    if topic_id is None or topic_id == OUTLIER:
        return OUTLIER_TOPIC
    if topic_id in labels:
        return labels[topic_id]
    words = Counter(k for it in entries_items for k in (it.get("keywords") or [])[:5])
    top = [w for w, _ in words.most_common(3)]
    return "·".join(top) if top else topic_name(topic_id, labels)


def build_digest(department: str, period: str, window_start: datetime, window_end: datetime,
                 items: Sequence[dict[str, Any]], generated_at: datetime, city: str = "",
                 overdue: Sequence[dict[str, Any]] = (), figures: dict[str, Any] | None = None,
                 hotspots: Sequence[dict[str, Any]] = (), warnings: Sequence[dict[str, Any]] = (),
                 topic_labels: dict[int, str] | None = None, base_url: str = "") -> Digest:
    """Group new demands by topic, collapse duplicates with their count, put urgent ones first.

    Each item: record_id, title, text (already masked), received_at, and optionally district,
    channel, category, urgency, topic_id, keywords, dup_group, due_at. With ``base_url`` each entry
    (and each overdue item) links to its page in the workbench.
    """
    labels = topic_labels or {}
    by_topic: dict[int | None, list[tuple[dict[str, Any], list[dict[str, Any]]]]] = defaultdict(list)
    for rep, others in collapse_duplicates(items):
        topic = rep.get("topic_id")
        by_topic[None if topic == OUTLIER else topic].append((rep, others))  # one 其他 group
    groups: list[DigestGroup] = []
    for topic_id, pairs in by_topic.items():
        entries = []
        for rep, others in pairs:
            members = [rep, *others]
            urgency = min((m.get("urgency") for m in members), key=lambda u: URGENCY_RANK.get(u or "", 9))
            entries.append(DigestEntry(
                record_id=rep["record_id"], title=rep.get("title") or "", text=rep.get("text") or "",
                received_at=rep["received_at"], district=rep.get("district"), channel=rep.get("channel") or "",
                category=rep.get("category"), urgency=urgency, due_at=rep.get("due_at"),
                count=len(members), duplicate_ids=[o["record_id"] for o in others],
                url=demand_link(base_url, rep["record_id"]), due_soon=bool(rep.get("due_soon"))))
        entries.sort(key=_entry_key)
        flat = [m for rep, others in pairs for m in (rep, *others)]
        groups.append(DigestGroup(_group_label(flat, topic_id, labels), entries))
    groups.sort(key=lambda g: (g.best_urgency, -g.submissions, g.label))
    overdue = [{**o, "url": demand_link(base_url, o["record_id"])} for o in overdue]
    return Digest(department=department, period=period, window_start=window_start, window_end=window_end,
                  generated_at=generated_at, city=city, groups=groups, overdue=list(overdue),
                  hotspots=list(hotspots), warnings=list(warnings), figures=dict(figures or {}))


# ---------------------------------------------------------------------------- renderings
def _pct(value: Any) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _num(value: Any, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _env() -> Environment:
    env = Environment(loader=PackageLoader("reports", "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = _pct
    env.filters["num"] = _num
    env.filters["dt"] = lambda v, fmt="%Y-%m-%d %H:%M": "" if v is None else v.strftime(fmt)
    return env


def render_html(digest: Digest, per_group: int = HTML_ENTRIES_PER_GROUP) -> str:
    """Email-safe HTML: inline styles, tables, nothing external; all text escaped."""
    return _env().get_template("digest.html.j2").render(d=digest, per_group=per_group)


def render_text(digest: Digest, per_group: int = HTML_ENTRIES_PER_GROUP) -> str:
    """The plain-text alternative part of the email."""
    lines = [digest.subject, f"统计区间：{digest.window_start:%Y-%m-%d %H:%M} 至 {digest.window_end:%Y-%m-%d %H:%M}", ""]
    for g in digest.groups:
        lines.append(f"■ {g.label}（{len(g.entries)} 件，{g.submissions} 次反映）")
        for e in g.entries[:per_group]:
            tag = f"[{e.urgency_label}]" if e.urgent else ""
            dup = f"（重复反映 {e.count} 次）" if e.count > 1 else ""
            lines.append(f"  {tag}{e.title or e.preview[:40]} {dup} 编号 {e.record_id}" + (f"\n    {e.url}" if e.url else ""))
        if len(g.entries) > per_group:
            lines.append(f"  另有 {len(g.entries) - per_group} 件，见附件")
    if digest.overdue:
        lines += ["", f"超期未办结 {len(digest.overdue)} 件："]
        lines += [f"  {o['record_id']} 超期 {o['overdue_days']:.1f} 天 {o.get('url') or ''}".rstrip()
                  for o in digest.overdue[:per_group]]
    f = digest.figures
    if f:
        lines += ["", f"三率（{_span(f)}）：响应率 {_pct(f.get('response_rate'))}，解决率 {_pct(f.get('resolution_rate'))}，"
                  f"满意率 {_pct(f.get('satisfaction_rate'))}，综合得分 {_num(f.get('composite'))}",
                  f"答复情况：办结率 {_pct(f.get('closure_rate'))}，按时答复率 {_pct(f.get('on_time_rate'))}，"
                  f"重办率 {_pct(f.get('reopen_rate'))}"]
    return "\n".join(lines) + "\n"


def _span(figures: dict[str, Any]) -> str:
    """What the figures cover, as the digest says it."""
    days = figures.get("figures_days")
    return f"近 {days} 天受理" if days else "累计"


def figure_value(key: str, value: Any) -> Any:
    """A reply figure as the spreadsheet should hold it: rates as percentages, hours and scores as numbers."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if key.endswith("_rate"):
        return Percent(value, digits=1)
    if key.startswith("response_hours") or key == "reply_quality_mean":
        return Number(value, 2 if key == "reply_quality_mean" else 1)
    return value


def render_xlsx(digest: Digest) -> bytes:
    """Every entry (not only the first per group) plus overdue, hotspots, warnings and figures."""
    new_rows = [
        [g.label, e.urgency_label, e.record_id, e.received_at, e.district or "", e.channel, e.title, e.text,
         e.count, "、".join(e.duplicate_ids), e.due_at]
        for g in digest.groups for e in g.entries
    ]
    overdue_rows = [[o["record_id"], o.get("received_at"), o.get("due_at"), Number(o["overdue_days"], 1),
                     o.get("status", ""), URGENCY_LABEL.get(o.get("urgency") or "", "")] for o in digest.overdue]
    hot_rows = [[h.get("label", ""), h.get("count", ""), h.get("detail", "")] for h in digest.hotspots]
    warn_rows = [[w.get("label", ""), w.get("level", ""), w.get("detail", "")] for w in digest.warnings]
    fig_rows = [[FIGURE_LABELS.get(k, k), figure_value(k, v)] for k, v in digest.figures.items() if k != "department"]
    return workbook_bytes([
        ("新诉求", ["主题", "紧急程度", "编号", "受理时间", "区县", "渠道", "标题", "内容（已脱敏）",
                  "反映次数", "重复件编号", "办理时限"], new_rows),
        ("超期未办结", ["编号", "受理时间", "办理时限", "超期天数", "状态", "紧急程度"], overdue_rows),
        ("热点", ["热点", "数量", "说明"], hot_rows),
        ("预警", ["预警", "级别", "说明"], warn_rows),
        ("答复情况", ["指标", "数值"], fig_rows),
    ])
