"""Actual against expected: a forecast step and an observed count become a warning-ready dict
whose message a petition office reads as it is ("本周 鼓楼区 诉求 132 件，预期 80 件（95% 区间
62–98 件），高出 65%"), and the dashboard's "today / this week so far" against what was expected
by now.

Levels grade how far outside the forecast's intervals the actual lies, so a district that is
always noisy needs a bigger jump than a steady one: outside the narrow (80%) interval only is
``low``, outside the wide (95%) one ``medium``, and beyond it by more than the interval's own
half-width ``high``. Within the narrow interval is ``none``. Only ``medium`` and ``high`` are
warnings (``is_warning``): one subject in five lands outside an 80% interval by chance, which
over 300 subjects would be sixty "warnings" a week; ``low`` (关注) is for the dashboard to tint.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from nlp.forecast import WEEK, ForecastSettings, forecast_many, regularize
from suqiu.labels import FORECAST_LEVEL
from suqiu.weeks import week_start

LEVEL_NAMES = FORECAST_LEVEL


def _interval_text(lo: float, hi: float) -> str:
    return f"{math.floor(lo)}–{math.ceil(hi)}"


def _grade(actual: float, mean: float, narrow: tuple[float, float], wide: tuple[float, float]) -> tuple[str, str]:
    """(direction, level) of ``actual`` against the two intervals."""
    if wide[0] <= actual <= wide[1]:
        inside_narrow = narrow[0] <= actual <= narrow[1]
        direction = "within" if inside_narrow else ("above" if actual > narrow[1] else "below")
        return direction, "none" if inside_narrow else "low"
    if actual > wide[1]:
        half = max(wide[1] - mean, 1e-9)
        return "above", "high" if actual - wide[1] >= half else "medium"
    half = max(mean - wide[0], 1e-9)
    return "below", "high" if wide[0] - actual >= half else "medium"


def compare(actual: float, step: Mapping[str, Any], subject: str, period: str = "本周",
            what: str = "诉求", period_id: str | None = None, min_count: int = 5) -> dict[str, Any]:
    """One observed count against one forecast step (``Forecast.step(i)`` or
    :func:`expected_to_date`): direction, level and the Chinese sentence.

    Below ``min_count`` on both sides nothing is a warning (as in ``config.warnings``): one demand
    where two were expected is chance, however far outside the interval.
    """
    mean = float(step["mean"])
    bands = {int(lv): (float(b[0]), float(b[1])) for lv, b in step["intervals"].items()}
    narrow_lv, wide_lv = min(bands), max(bands)
    direction, level = _grade(float(actual), mean, bands[narrow_lv], bands[wide_lv])
    if max(float(actual), mean) < min_count:
        level = "none"
    expected = round(mean)
    deviation = (actual - mean) / mean if mean > 0 else None
    head = (f"{period} {subject} {what} {int(round(actual))} 件，预期 {expected} 件"
            f"（{wide_lv}% 区间 {_interval_text(*bands[wide_lv])} 件）")
    if direction == "within":
        tail = "，在预期范围内"
    elif level == "none":
        tail = f"，{'高于' if direction == 'above' else '低于'}预期，数量较少不作预警"
    elif deviation is None:
        tail = "，预期本应几乎为零"
    else:
        tail = f"，{'高出' if deviation > 0 else '低于'} {abs(deviation) * 100:.0f}%"
    return {
        "kind": "forecast_deviation",
        "subject": subject,
        "period": period_id or step.get("period") or period,
        "actual": float(actual),
        "expected": round(mean, 2),
        "intervals": {lv: [round(lo, 2), round(hi, 2)] for lv, (lo, hi) in sorted(bands.items())},
        "deviation": None if deviation is None else round(deviation, 4),
        "direction": direction,
        "level": level,
        "level_label": LEVEL_NAMES[level],
        "is_warning": level in ("medium", "high"),
        "message": head + tail,
    }


def hour_profile(moments: Sequence[datetime], min_count: int = 200) -> tuple[float, ...]:
    """Share of a day's demands arriving in each hour (0-23); uniform below ``min_count`` moments,
    where a few stray night calls would say more about chance than about the clock."""
    if len(moments) < min_count:
        return tuple([1 / 24] * 24)
    hours = np.bincount(pd.DatetimeIndex(pd.to_datetime(list(moments))).hour, minlength=24).astype(float)
    return tuple(float(v) for v in hours / hours.sum())


def elapsed_share(now: datetime, period: str, weekday: Sequence[float] = (1 / 7,) * 7,
                  hours: Sequence[float] = (1 / 24,) * 24) -> float:
    """Share of the day's (``period="day"``) or ISO week's (``"week"``) volume expected before
    ``now``; ``weekday`` may be any seven weights, e.g. the daily forecasts of this very week,
    which carry its holidays."""
    h = np.asarray(hours, dtype=float) / float(np.sum(hours))
    day_share = float(h[: now.hour].sum() + h[now.hour] * (now.minute * 60 + now.second) / 3600)
    if period == "day":
        return day_share
    if period != "week":
        raise ValueError(f"period must be 'day' or 'week', not {period!r}")
    w = np.asarray(weekday, dtype=float) / float(np.sum(weekday))
    d = now.weekday()
    return float(w[:d].sum() + w[d] * day_share)


def expected_to_date(step: Mapping[str, Any], share: float) -> dict[str, Any]:
    """The part of a period's forecast expected after ``share`` of it, with intervals.

    Two uncertainties add (in variance): the period's rate, scaled by ``share``, and which of the
    period's demands have arrived by now (binomial thinning), which dominates early in the day
    when a scaled interval alone would be far too narrow. Normal approximation, floored at zero.
    """
    share = min(max(float(share), 0.0), 1.0)
    mean = float(step["mean"])
    thin = math.sqrt(max(mean * share * (1 - share), 0.0))
    bands = {}
    for lv, (lo, hi) in step["intervals"].items():
        z = float(stats.norm.ppf(0.5 + int(lv) / 200))
        down = math.hypot(share * (mean - float(lo)), z * thin)
        up = math.hypot(share * (float(hi) - mean), z * thin)
        bands[int(lv)] = (max(0.0, share * mean - down), share * mean + up)
    return {"period": step.get("period"), "mean": share * mean, "intervals": bands, "share": share}


def week_warnings(panel: Mapping[str, pd.Series], week: str, settings: ForecastSettings = ForecastSettings(),
                  period: str = "本周", what: str = "诉求", warnings_only: bool = True) -> list[dict[str, Any]]:
    """Every subject's count in ISO ``week`` against its forecast from the weeks before it.

    ``panel`` maps a subject as the user reads it ("鼓楼区", "话题「物业管理」") to its weekly counts
    (ISO week labels); a subject with no week before ``week`` is left out (nothing to expect from).
    Strongest deviations first.
    """
    start = pd.Timestamp(week_start(week))
    history: dict[str, pd.Series] = {}
    actual: dict[str, float] = {}
    for subject, series in panel.items():
        if len(series) == 0:
            continue
        y, _ = regularize(series, WEEK)
        past = y[y.index < start]
        if len(past):
            history[subject] = past.reindex(pd.date_range(past.index[0], start - pd.Timedelta(weeks=1),
                                                          freq="W-MON"), fill_value=0.0)
            actual[subject] = float(y.get(start, 0.0))
    forecasts = forecast_many(history, settings, horizon=1, freq=WEEK)
    out = [compare(actual[s], f.step(0), s, period=period, what=what, period_id=week)
           for s, f in forecasts.items()]
    out = [w for w in out if w["is_warning"] or not warnings_only]
    rank = {"high": 0, "medium": 1, "low": 2, "none": 3}
    return sorted(out, key=lambda w: (rank[w["level"]], -abs(w["deviation"] or 0), w["subject"]))
