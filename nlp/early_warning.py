"""Early warnings (预警): surges per topic and per district against a baseline, and clusters of
urgent demands. Pure functions over plain record dicts; thresholds come from ``config.warnings``.

Counts are of distinct demands (near-duplicates collapsed), so one person resubmitting a letter
ten times is not a surge. A surge needs both a ratio over the baseline *and* a minimum count, so a
quiet district going from one demand to three raises nothing.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from nlp.hotspots import Unit, demand_units
from suqiu.labels import topic_name
from suqiu.model import OUTLIER
from suqiu.weeks import iso_week, shift_week, week_start

URGENT_LEVELS = frozenset({"high", "critical"})


@dataclass(frozen=True)
class WarningSettings:
    """Mirrors ``config.warnings`` (``from_config`` takes that section as-is)."""

    baseline_weeks: int = 4
    surge_ratio: float = 2.0
    min_count: int = 5
    urgent_cluster_min: int = 3
    urgent_window_days: int = 3

    @classmethod
    def from_config(cls, section: Any) -> "WarningSettings":
        return cls(**{k: getattr(section, k) for k in cls.__dataclass_fields__ if hasattr(section, k)})


@dataclass(frozen=True)
class Surge:
    week: str
    count: int
    baseline: float
    ratio: float | None          # None when the baseline is zero (a theme new this week)
    series: dict[str, int]       # the baseline weeks and this week, oldest first


def detect_surge(counts: dict[str, int], week: str, settings: WarningSettings,
                 history_start: str | None = None) -> Surge | None:
    """Is ``week``'s count a surge over the mean of the ``baseline_weeks`` before it?

    Weeks before ``history_start`` (when the data begins) are unknown, not zero: they are left out
    of the baseline, and a week with no known baseline week raises nothing.
    """
    count = counts.get(week, 0)
    if count < settings.min_count:
        return None
    base_weeks = [shift_week(week, -i) for i in range(settings.baseline_weeks, 0, -1)]
    if history_start is not None:
        start = week_start(history_start)
        base_weeks = [w for w in base_weeks if week_start(w) >= start]
        if not base_weeks:
            return None
    baseline = sum(counts.get(w, 0) for w in base_weeks) / len(base_weeks)
    if baseline > 0 and count < settings.surge_ratio * baseline:
        return None
    series = {w: counts.get(w, 0) for w in base_weeks + [week]}
    return Surge(week=week, count=count, baseline=round(baseline, 3),
                 ratio=round(count / baseline, 3) if baseline else None, series=series)


def _warning_id(*parts: Any) -> str:
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:16]


def _weekly_counts(units: Iterable[Unit],
                   key: Callable[[dict[str, Any]], Any]) -> tuple[dict[Any, Counter[str]], dict[tuple[Any, str], list[dict[str, Any]]]]:
    counts: dict[Any, Counter[str]] = defaultdict(Counter)
    members: dict[tuple[Any, str], list[dict[str, Any]]] = defaultdict(list)
    for unit in units:
        k = key(unit.first)
        if k is None:
            continue
        week = iso_week(unit.at)
        counts[k][week] += 1
        members[(k, week)].append(unit.first)
    return counts, members


SURGE_DIMS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "topic": lambda r: None if r.get("topic_id") in (None, OUTLIER) else int(r["topic_id"]),
    "district": lambda r: r.get("district") or None,
}


def surge_counts(units: Sequence[Unit]) -> dict[tuple[str, str], Counter[str]]:
    """Distinct demands (``demand_units``) per ISO week of every surge subject, keyed
    ``(dimension, str(subject))``."""
    return {(dim, str(subject)): series for dim, key in SURGE_DIMS.items()
            for subject, series in _weekly_counts(units, key)[0].items()}


def _evidence_records(rs: Sequence[dict[str, Any]], n: int = 5) -> list[dict[str, Any]]:
    ranked = sorted(rs, key=lambda r: (r.get("urgency_level") not in URGENT_LEVELS, r["received_at"], r["id"]))
    return [{"id": r["id"], "title": r.get("title") or "", "received_at": r["received_at"].isoformat(),
             "district": r.get("district"), "urgency_level": r.get("urgency_level")} for r in ranked[:n]]


def surge_warnings(records: Sequence[dict[str, Any]], settings: WarningSettings,
                   topic_labels: dict[int, str] | None = None,
                   weeks: Iterable[str] | None = None, history_start: str | None = None,
                   known: Mapping[tuple[str, str], Mapping[str, int]] | None = None,
                   units: Sequence[Unit] | None = None) -> list[dict[str, Any]]:
    """Surges per topic and per district, in every week that has demands (or only ``weeks``);
    ``units``: the records' ``demand_units`` when the caller has them.

    When ``records`` hold only part of the history: ``history_start`` is its first week and
    ``known`` every subject's weekly counts (``surge_counts`` of the whole history, by
    ``(dimension, str(subject))``), which the baselines read."""
    labels = topic_labels or {}
    wanted = set(weeks) if weeks is not None else None
    moments = [r["received_at"] for r in records]
    history_start = history_start or (iso_week(min(moments)) if moments else None)
    out = []
    units = demand_units(records) if units is None else units
    for dim, key in SURGE_DIMS.items():
        counts, members = _weekly_counts(units, key)
        for subject, series in counts.items():
            series = known.get((dim, str(subject)), series) if known is not None else series
            for week in sorted(series):
                if wanted is not None and week not in wanted:
                    continue
                surge = detect_surge(series, week, settings, history_start)
                if surge is None:
                    continue
                name = topic_name(subject, labels) if dim == "topic" else str(subject)
                what = "话题" if dim == "topic" else "区域"
                if surge.ratio is None:
                    msg = f"{what}「{name}」本周诉求 {surge.count} 件，前 {len(surge.series) - 1} 周无同类诉求"
                else:
                    msg = (f"{what}「{name}」本周诉求 {surge.count} 件，为前 {len(surge.series) - 1} 周"
                           f"均值 {surge.baseline:g} 件的 {surge.ratio:.1f} 倍")
                strong = surge.ratio is None or surge.ratio >= 2 * settings.surge_ratio
                out.append({
                    "id": _warning_id("surge", dim, subject, week),
                    "kind": f"surge_{dim}",
                    "week": week,
                    "subject": str(subject),
                    "topic_id": subject if dim == "topic" else None,
                    "district": subject if dim == "district" else None,
                    "level": "high" if strong else "medium",
                    "message": msg,
                    "evidence": {"count": surge.count, "baseline": surge.baseline, "ratio": surge.ratio,
                                 "series": surge.series, "thresholds": {
                                     "surge_ratio": settings.surge_ratio, "min_count": settings.min_count,
                                     "baseline_weeks": settings.baseline_weeks},
                                 "records": _evidence_records(members[(subject, week)])},
                })
    return out


def urgent_clusters(records: Sequence[dict[str, Any]], settings: WarningSettings,
                    topic_labels: dict[int, str] | None = None,
                    units: Sequence[Unit] | None = None) -> list[dict[str, Any]]:
    """At least ``urgent_cluster_min`` distinct urgent demands on one topic in one district within
    ``urgent_window_days``: something may be going wrong right there, right now."""
    labels = topic_labels or {}
    window = timedelta(days=settings.urgent_window_days)
    urgent = [u for u in (demand_units(records) if units is None else units)
              if any(r.get("urgency_level") in URGENT_LEVELS for r in u.records)]
    by_key: dict[tuple[Any, str], list[Any]] = defaultdict(list)
    for u in urgent:
        t = u.first.get("topic_id")
        by_key[(None if t in (None, OUTLIER) else int(t), u.first.get("district") or "未知")].append(u)
    out = []
    for (topic, district), units in by_key.items():
        units.sort(key=lambda u: (u.at, u.key))
        i = 0
        while i < len(units):
            j = i
            while j + 1 < len(units) and units[j + 1].at - units[i].at <= window:
                j += 1
            run = units[i:j + 1]
            if len(run) >= settings.urgent_cluster_min:
                # extend: later demands within the window of the run's last one belong to it too
                while j + 1 < len(units) and units[j + 1].at - units[j].at <= window:
                    j += 1
                run = units[i:j + 1]
                start, end = run[0].at, run[-1].at
                name = topic_name(topic if topic is not None else OUTLIER, labels)
                out.append({
                    "id": _warning_id("urgent", topic, district, start.isoformat()),
                    "kind": "urgent_cluster",
                    "week": iso_week(start),
                    "subject": f"{district}/{topic if topic is not None else '-'}",
                    "topic_id": topic,
                    "district": district,
                    "level": "high",
                    "message": f"{district}「{name}」{start:%m-%d} 至 {end:%m-%d} 出现 {len(run)} 件紧急诉求",
                    "evidence": {"count": len(run), "start": start.isoformat(), "end": end.isoformat(),
                                 "window_days": settings.urgent_window_days,
                                 "min": settings.urgent_cluster_min,
                                 "records": _evidence_records([u.first for u in run], n=10)},
                })
                i = j + 1
            else:
                i += 1
    return out


def all_warnings(records: Sequence[dict[str, Any]], settings: WarningSettings,
                 topic_labels: dict[int, str] | None = None, weeks: Iterable[str] | None = None,
                 history_start: str | None = None,
                 known: Mapping[tuple[str, str], Mapping[str, int]] | None = None,
                 units: Sequence[Unit] | None = None) -> list[dict[str, Any]]:
    """Surges and urgent clusters of every week (or only of ``weeks``), newest first."""
    wanted = None if weeks is None else set(weeks)
    units = demand_units(records) if units is None else units
    found = surge_warnings(records, settings, topic_labels, wanted, history_start, known, units) + [
        w for w in urgent_clusters(records, settings, topic_labels, units) if wanted is None or w["week"] in wanted]
    return sorted(found, key=lambda w: (w["week"], w["kind"], w["subject"]), reverse=True)
