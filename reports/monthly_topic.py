"""每月一题: the themes worth a month of the leaders' attention, ranked with their reasons, and the
before/after figures of the one the office chose.

A candidate is a topic (``nlp.topics``; outliers are no theme) that, in the report period, is
high-volume (among the three largest, or twice the median topic), persistent (demands in at least
four of the last six months), cross-department (at least two departments own a tenth of it each)
or unsolved (at least 30% of its demands of the last six months still open or rated unsatisfied).
The score weighs the four on a 0–1 scale; the reasons say in Chinese which held and by how much.
Pure: a frame of masked report rows in (``reports.weekly.RECORD_COLUMNS``), plain dicts out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from reports.periods import Period
from suqiu.model import OPEN_STATUSES, OUTLIER
from suqiu.twoway.tracking import satisfied

LOOKBACK_MONTHS = 6
PERSISTENT_MONTHS = 4
MONTH_MIN = 3            # demands in a month for it to count as a month "with demands"
DEPT_SHARE = 0.10
UNSOLVED_SHARE = 0.30
WEIGHTS = {"volume": 0.35, "persistent": 0.25, "cross_department": 0.2, "unsolved": 0.2}


@dataclass(frozen=True)
class Candidate:
    topic_id: int
    label: str
    volume: int
    rank: int
    months_with_demands: int
    departments: tuple[tuple[str, float], ...]   # (department, share), largest first
    unsolved_share: float
    score: float
    reasons: tuple[str, ...]
    flags: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"topic_id": self.topic_id, "label": self.label, "volume": self.volume, "rank": self.rank,
                "months_with_demands": self.months_with_demands, "departments": [list(d) for d in self.departments],
                "unsolved_share": round(self.unsolved_share, 4), "score": round(self.score, 4),
                "reasons": list(self.reasons), "flags": list(self.flags)}


def _in(df: pd.DataFrame, start: Any, end: Any) -> pd.DataFrame:
    return df[(df["received_at"] >= start) & (df["received_at"] < end)] if len(df) else df


def _unsolved(g: pd.DataFrame) -> pd.Series:
    """Open, or answered and rated unsatisfied."""
    return g["status"].isin(OPEN_STATUSES) | g["satisfaction"].map(lambda v: satisfied(v) is False)


def _topical(df: pd.DataFrame) -> pd.DataFrame:
    if df.empty:
        return df
    t = df[df["topic_id"].notna()].copy()
    t["topic_id"] = t["topic_id"].astype(int)
    return t[t["topic_id"] != OUTLIER]


def candidates(df: pd.DataFrame, period: Period, labels: dict[int, str], top: int = 5) -> list[Candidate]:
    """The period's 每月一题 candidates, best first (see the module docstring)."""
    six = Period.of(period.end, "month").shift(-LOOKBACK_MONTHS)     # the six months ending with the period
    window = _topical(_in(df, min(six.start, period.start), period.end))
    current = window[window["received_at"] >= period.start] if len(window) else window
    if current.empty:
        return []
    volumes = current["topic_id"].value_counts()
    median, biggest = float(volumes.median()), int(volumes.iloc[0])
    recent = window[window["received_at"] >= six.start]
    month_keys = recent["received_at"].map(lambda t: (t.year, t.month))
    out = []
    for rank, (tid, volume) in enumerate(volumes.items(), start=1):
        if volume < MONTH_MIN:
            continue
        mine, now_rows = window[window["topic_id"] == tid], current[current["topic_id"] == tid]
        per_month = month_keys[recent["topic_id"] == tid].value_counts()
        persist = int((per_month >= MONTH_MIN).sum())
        shares = now_rows["department"].fillna("待分派").value_counts(normalize=True)
        depts = tuple((str(d), float(s)) for d, s in shares.items() if s >= DEPT_SHARE and d != "待分派")
        lately = mine[mine["received_at"] >= six.start]
        unsolved = float(_unsolved(lately).mean()) if len(lately) else 0.0
        flags = [f for f, ok in (("volume", rank <= 3 or volume >= 2 * median),
                                 ("persistent", persist >= PERSISTENT_MONTHS), ("cross_department", len(depts) >= 2),
                                 ("unsolved", unsolved >= UNSOLVED_SHARE)) if ok]
        if not flags:
            continue
        score = (WEIGHTS["volume"] * volume / biggest + WEIGHTS["persistent"] * persist / LOOKBACK_MONTHS
                 + WEIGHTS["cross_department"] * min(len(depts), 4) / 4 + WEIGHTS["unsolved"] * unsolved)
        reasons = [f"{period.name}诉求 {int(volume)} 件，居各话题第 {rank} 位"]
        if "persistent" in flags:
            reasons.append(f"近 {LOOKBACK_MONTHS} 个月中 {persist} 个月每月不少于 {MONTH_MIN} 件，问题持续")
        if "cross_department" in flags:
            reasons.append(f"涉及 {len(depts)} 个承办部门（" + "、".join(f"{d} {s * 100:.0f}%" for d, s in depts[:4])
                           + "），需要统筹")
        if "unsolved" in flags:
            reasons.append(f"近 {LOOKBACK_MONTHS} 个月 {unsolved * 100:.0f}% 未办结或群众不满意")
        out.append(Candidate(int(tid), labels.get(int(tid), f"话题{tid}"), int(volume), rank, persist, depts,
                             unsolved, score, tuple(reasons), tuple(flags)))
    out.sort(key=lambda c: (-c.score, -c.volume, c.topic_id))
    return out[:top]


def month_figures(g: pd.DataFrame) -> dict[str, Any]:
    """Volume, unsolved share, satisfaction and median reply time of one theme in one span."""
    n = len(g)
    rated = g["satisfaction"].map(satisfied).dropna() if n else pd.Series(dtype=object)
    replied = g[g["replied_at"].notna()] if n else g
    days = ((pd.to_datetime(replied["replied_at"], utc=True) - pd.to_datetime(replied["received_at"], utc=True))
            .dt.total_seconds() / 86400) if len(replied) else pd.Series(dtype=float)
    return {"volume": n, "unsolved_share": float(_unsolved(g).mean()) if n else None,
            "satisfaction_rate": float(rated.astype(bool).mean()) if len(rated) else None,
            "median_reply_days": float(days[days >= 0].median()) if len(days[days >= 0]) else None}


def tracking(df: pd.DataFrame, topic_id: int, picked: Period, until: Period) -> dict[str, Any]:
    """The chosen theme before it was chosen (the three months before, per month on average) and in
    every month from the pick to ``until``'s end."""
    mine = _topical(df)
    mine = mine[mine["topic_id"] == topic_id] if len(mine) else mine
    before = _in(mine, picked.shift(-3).start, picked.start)
    base = month_figures(before)
    base["volume"] = round(base["volume"] / 3, 1)
    after = []
    month = picked
    while month.start < until.end:
        after.append({"month": str(month), "name": month.name, **month_figures(_in(mine, month.start, month.end))})
        month = month.shift(1)
    return {"topic_id": topic_id, "picked": str(picked), "before": base, "after": after}
