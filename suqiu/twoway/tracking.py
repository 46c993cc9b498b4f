"""Reply tracking: time limits (时限), overdue detection and each department's reply figures.

A demand belongs to its owner (``suqiu.ownership``). Figures come from the records themselves, so
a reply that arrives by re-import, by the department API or by Open311 counts the moment it is
stored.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from nlp.reply_quality import ReplyQualityScorer
from suqiu.config import Config
from suqiu.deadlines import due_at
from suqiu.disclosure import DEPARTMENT_LEVELS
from suqiu.twoway.lifecycle import TIMED_STATUSES
from suqiu.model import ANSWERED_STATUSES, OPEN_STATUSES
from suqiu.store import Store, now_local


def overdue_count(store: Store, config: Config, now: datetime | None = None) -> int:
    """Open demands past their time limit (demands nobody owns yet count against the default; a
    suspended one's clock stands still)."""
    now = now or now_local()
    return sum(1 for received_at, category, owner, urgency, override in store.open_rows(config, TIMED_STATUSES)
               if due_at(config, received_at, owner, category, urgency, override) < now)


def satisfied(value: str | None) -> bool | None:
    """Whether a satisfaction answer counts as satisfied: 满意/基本满意/非常满意 or ≥4 of 5."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    try:
        return float(text) >= 4
    except ValueError:
        pass
    if "不满意" in text or "不太满意" in text:
        return False
    if "满意" in text:
        return True
    if text in ("一般", "差", "很差"):
        return False
    return None


# ---------------------------------------------------------------------------- per-record view
def tracked_rows(store: Store, config: Config, department: str | None = None,
                 since: datetime | None = None, statuses: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Every demand some department owns (or ``department``; received from ``since``; in one of
    ``statuses``), with its due time (raw text: internal only)."""
    rows = store.owned_rows(config, department, statuses=statuses, since=since)
    for row in rows:
        row["due_at"] = due_at(config, row["received_at"], row["department"], row["category_given"],
                               row["urgency_level"], row["due_override"])
    return rows


def overdue_items(store: Store, config: Config, department: str, now: datetime | None = None) -> list[dict[str, Any]]:
    """Open demands of a department past their due time, most overdue first (the department reads
    the list: never an office-only demand)."""
    now = now or now_local()
    out = []
    for r in tracked_rows(store, config, department, statuses=TIMED_STATUSES):   # open ones, not the history
        if r["status"] in TIMED_STATUSES and r["due_at"] < now and r["publication"] in DEPARTMENT_LEVELS:
            out.append({"record_id": r["id"], "received_at": r["received_at"], "due_at": r["due_at"],
                        "overdue_days": (now - r["due_at"]).total_seconds() / 86400,
                        "status": r["status"], "urgency": r["urgency_level"]})
    out.sort(key=lambda x: x["due_at"])
    return out


# ---------------------------------------------------------------------------- per-department figures
@dataclass
class DepartmentFigures:
    department: str
    assigned: int = 0
    open: int = 0
    answered: int = 0          # replied or closed
    closed: int = 0
    overdue: int = 0
    replied_on_time: int = 0
    response_hours_median: float | None = None
    response_hours_mean: float | None = None
    response_hours_p90: float | None = None
    closure_rate: float | None = None      # answered / assigned
    on_time_rate: float | None = None      # replied within the limit / timed replies
    rated: int = 0
    satisfaction_rate: float | None = None  # satisfied / rated
    reopened: int = 0
    reopen_rate: float | None = None       # ever reopened / answered
    reply_quality_mean: float | None = None
    reply_quality_n: int = 0
    passed_on: int = 0                     # transferred more than once (转处理次数 > 1: 推诿)
    rankable: bool = False                 # enough demands to be ranked at all
    _hours: list[float] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("_hours")
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in d.items()}


def _quantile(values: list[float], q: float) -> float:
    s = sorted(values)
    idx = min(len(s) - 1, max(0, round(q * (len(s) - 1))))
    return s[idx]


def department_figures(store: Store, config: Config, department: str | None = None,
                       now: datetime | None = None, scorer: ReplyQualityScorer | None = None,
                       since: datetime | None = None, statuses: Sequence[str] | None = None
                       ) -> dict[str, DepartmentFigures]:
    """Figures per department (all configured ones, or one); ``since`` limits by received time,
    ``statuses`` to demands in one of them (the open ones: the backlog without the history)."""
    now = now or now_local()
    scorer = scorer or ReplyQualityScorer(default_time_limit=timedelta(days=config.tracking.default_time_limit_days))
    names = [department] if department else [d.name for d in config.departments]
    figs = {n: DepartmentFigures(n) for n in names}
    quality: dict[str, list[float]] = {n: [] for n in names}
    reopened_now: dict[str, int] = {}
    for r in tracked_rows(store, config, department, since=since, statuses=statuses):
        f = figs.get(r["department"])
        if f is None or (since is not None and r["received_at"] < since):
            continue
        f.assigned += 1
        f.passed_on += (r.get("transfer_count") or 0) > 1
        if r["status"] in OPEN_STATUSES:
            f.open += 1
            if r["due_at"] < now and r["status"] in TIMED_STATUSES:
                f.overdue += 1
        answered = r["status"] in ANSWERED_STATUSES
        if answered:
            f.answered += 1
            f.closed += r["status"] == "closed"
            f.reopened += r["ever_reopened"]
        elif r["ever_reopened"]:
            f.reopened += 1
            reopened_now[f.department] = reopened_now.get(f.department, 0) + 1
        if r["replied_at"] is not None and r["replied_at"] >= r["received_at"]:
            f._hours.append((r["replied_at"] - r["received_at"]).total_seconds() / 3600)
            f.replied_on_time += r["replied_at"] <= r["due_at"]
        ok = satisfied(r["satisfaction"])
        if ok is not None:
            f.rated += 1
            f.satisfaction_rate = (f.satisfaction_rate or 0) + ok
        if r["reply_text"]:
            text = r["normalized_text"] or f"{r['title']}\n{r['content']}"
            limit = r["due_at"] - r["received_at"]
            s = scorer.score(text, r["reply_text"], r["received_at"], r["replied_at"], limit, r["keywords"] or None)
            quality[f.department].append(s.score)
    for name, f in figs.items():
        if f._hours:
            f.response_hours_median = statistics.median(f._hours)
            f.response_hours_mean = statistics.fmean(f._hours)
            f.response_hours_p90 = _quantile(f._hours, 0.9)
            f.on_time_rate = f.replied_on_time / len(f._hours)
        if f.assigned:
            f.closure_rate = f.answered / f.assigned
        if f.rated:
            f.satisfaction_rate = (f.satisfaction_rate or 0) / f.rated
        ever_answered = f.answered + reopened_now.get(name, 0)  # a reopened demand had an answer
        if ever_answered:
            f.reopen_rate = f.reopened / ever_answered
        if quality[name]:
            f.reply_quality_n = len(quality[name])
            f.reply_quality_mean = statistics.fmean(quality[name])
        f.rankable = f.assigned >= config.tracking.min_count
    return figs


# metric -> whether larger is better
RANKABLE_METRICS = {
    "closure_rate": True, "on_time_rate": True, "satisfaction_rate": True, "reply_quality_mean": True,
    "response_hours_median": False, "reopen_rate": False,
}


def rank_departments(figures: dict[str, DepartmentFigures], metric: str,
                     min_count: int) -> dict[str, list[dict[str, Any]]]:
    """Rank departments on one metric; those under ``min_count`` demands are listed apart, unranked."""
    if metric not in RANKABLE_METRICS:
        raise ValueError(f"unknown metric {metric!r}; one of {sorted(RANKABLE_METRICS)}")
    better_high = RANKABLE_METRICS[metric]
    ranked, too_few = [], []
    for f in figures.values():
        value = getattr(f, metric)
        basis = f.rated if metric == "satisfaction_rate" else f.assigned
        if basis < min_count or value is None:
            too_few.append({"department": f.department, "value": value, "count": basis})
        else:
            ranked.append({"department": f.department, "value": value, "count": basis})
    ranked.sort(key=lambda x: (-x["value"] if better_high else x["value"], x["department"]))
    for i, item in enumerate(ranked, start=1):
        item["rank"] = i
    return {"ranked": ranked, "insufficient": too_few}
