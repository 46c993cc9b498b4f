"""The dashboard's volume panel: today's and this week's demands so far against what was expected
by now, and a daily trend with the forecast band. Pure: demand moments and a clock in, one dict
out (the web layer renders it).

Both models see only complete periods before this ISO week began, so the expectation for today
does not lean on today. The week's expectation is the weekly forecast (the better-tested of the
two) times the share of the week already gone, where the share is read off the daily forecasts of
this very week: a week with a holiday in it is expected to fill up differently.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from nlp.forecast import DAY, WEEK, Forecast, ForecastSettings, forecast, local_stamps, period_counts
from nlp.forecast_warnings import compare, elapsed_share, expected_to_date, hour_profile


def _local_clock(now: datetime) -> pd.Timestamp:
    clock = pd.Timestamp(now)
    return clock.tz_convert("Asia/Shanghai").tz_localize(None) if clock.tz is not None else clock


def _trend(history: pd.Series, stamps: pd.DatetimeIndex, clock: pd.Timestamp, fc: Forecast,
           days: int) -> list[dict[str, Any]]:
    """The last ``days`` complete days before this week, then this week and the next with the
    forecast band (and the actual count for the days already begun; today's is partial)."""
    out: list[dict[str, Any]] = [{"date": str(d), "actual": int(n), "partial": False, "expected": None,
                                  "intervals": None} for d, n in history.iloc[-days:].items()] if days else []
    today = clock.normalize()
    for i, label in enumerate(fc.labels):
        day = pd.Timestamp(label)
        step = fc.step(i)
        actual = int(((stamps >= day) & (stamps < min(day + pd.Timedelta(days=1), clock))).sum()) if day <= today else None
        out.append({"date": label, "actual": actual, "partial": bool(day == today),
                    "expected": round(step["mean"], 2),
                    "intervals": {lv: [round(a, 2), round(b, 2)] for lv, (a, b) in step["intervals"].items()}})
    return out


def volume_panel(moments: Sequence[datetime], now: datetime, subject: str = "全市",
                 settings: ForecastSettings = ForecastSettings(), trend_days: int = 56) -> dict[str, Any]:
    """Today and this week so far against expected, and the daily trend, for one subject (the
    whole city, a district, a department or a topic: pass its demands' ``received_at``)."""
    stamps = local_stamps(moments)
    clock = _local_clock(now)
    today = clock.normalize()
    monday = today - pd.Timedelta(days=today.day_of_week)
    sunday = (monday - pd.Timedelta(days=1)).date()
    before = stamps[stamps < monday]
    panel: dict[str, Any] = {"subject": subject, "now": clock.isoformat(timespec="minutes"),
                             "today": None, "week": None, "trend": [], "notes": [], "models": {}}
    if len(before) == 0:
        panel["notes"].append("本周之前没有诉求记录，暂无预期")
        return panel
    weekly = forecast(period_counts(before, WEEK, until=sunday), settings, horizon=1, freq=WEEK)
    daily_hist = period_counts(before, DAY, until=sunday)
    daily = forecast(daily_hist, settings, horizon=14, freq=DAY)
    hours = hour_profile(before)
    share_day = elapsed_share(clock.to_pydatetime(), "day", hours=hours)
    share_week = elapsed_share(clock.to_pydatetime(), "week", weekday=np.asarray(daily.mean[:7]) + 1e-9,
                               hours=hours)
    today_actual = int(((stamps >= today) & (stamps < clock)).sum())
    week_actual = int(((stamps >= monday) & (stamps < clock)).sum())
    panel["today"] = compare(today_actual, expected_to_date(daily.step(today.day_of_week), share_day), subject,
                             period=f"今日截至 {clock:%H:%M}", period_id=today.date().isoformat())
    panel["week"] = compare(week_actual, expected_to_date(weekly.step(0), share_week), subject,
                            period="本周截至目前", period_id=weekly.labels[0])
    panel["trend"] = _trend(daily_hist, stamps, clock, daily, trend_days)
    panel["notes"] = sorted(set(weekly.notes) | set(daily.notes))
    panel["models"] = {"weekly": weekly.method, "daily": daily.method}
    return panel
