"""Actual against expected: levels, the Chinese sentences, partial periods, the dashboard panel."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from nlp.forecast import period_counts
from nlp.forecast_dashboard import volume_panel
from nlp.forecast_synthetic import synthetic_daily
from nlp.forecast_warnings import compare, elapsed_share, expected_to_date, week_warnings

STEP = {"period": "2026-W47", "mean": 80.0, "intervals": {80: (68.0, 92.0), 95: (62.0, 98.0)}}


def test_far_above_the_interval_is_high_with_the_exact_sentence() -> None:
    w = compare(132, STEP, "鼓楼区")
    assert w["message"] == "本周 鼓楼区 诉求 132 件，预期 80 件（95% 区间 62–98 件），高出 65%"
    assert (w["level"], w["direction"], w["is_warning"], w["deviation"]) == ("high", "above", True, 0.65)


@pytest.mark.parametrize("actual,level,direction", [
    (105, "medium", "above"),     # outside 95%, by less than its half-width (18)
    (95, "low", "above"),         # outside 80% only
    (85, "none", "within"),
    (75, "none", "within"),
    (65, "low", "below"),
    (50, "medium", "below"),
    (40, "high", "below"),
])
def test_level_grows_with_the_distance_outside_the_intervals(actual: int, level: str, direction: str) -> None:
    w = compare(actual, STEP, "鼓楼区")
    assert (w["level"], w["direction"]) == (level, direction)
    assert w["is_warning"] == (level in ("medium", "high"))


def test_within_and_below_read_naturally() -> None:
    assert compare(85, STEP, "鼓楼区")["message"].endswith("，在预期范围内")
    assert compare(40, STEP, "话题「物业管理」", period="上周")["message"] == (
        "上周 话题「物业管理」 诉求 40 件，预期 80 件（95% 区间 62–98 件），低于 50%")


def test_small_counts_are_never_a_warning() -> None:
    step = {"mean": 1.2, "intervals": {80: (0.2, 2.5), 95: (0.0, 3.4)}}
    w = compare(4, step, "东湖区")
    assert w["level"] == "none" and not w["is_warning"] and "数量较少" in w["message"]


def test_expected_to_date_scales_the_mean_and_widens_early() -> None:
    half = expected_to_date(STEP, 0.5)
    assert half["mean"] == pytest.approx(40.0)
    lo, hi = half["intervals"][95]
    assert hi - lo > 0.5 * (98 - 62)            # thinning adds to the scaled rate's width
    whole = expected_to_date(STEP, 1.0)
    assert whole["intervals"][95] == pytest.approx((62.0, 98.0))
    assert expected_to_date(STEP, 0.0)["intervals"][95] == (0.0, 0.0)


def test_elapsed_share_of_day_and_week() -> None:
    assert elapsed_share(datetime(2026, 11, 25, 12, 0), "day") == pytest.approx(0.5)
    assert elapsed_share(datetime(2026, 11, 23, 0, 0), "week") == 0.0       # Monday midnight
    weights = [2, 2, 2, 2, 2, 0, 0]                                          # a five-day office week
    assert elapsed_share(datetime(2026, 11, 28, 9, 0), "week", weekday=weights) == pytest.approx(1.0)
    daytime = [0.0] * 8 + [1.0] * 10 + [0.0] * 6                             # 08:00-18:00
    assert elapsed_share(datetime(2026, 11, 25, 13, 0), "day", hours=daytime) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        elapsed_share(datetime(2026, 11, 25), "month")


def _moments(daily: pd.Series, seed: int = 0) -> list[datetime]:
    rng = np.random.default_rng(seed)
    out = []
    for day, n in daily.items():
        for s in np.sort(rng.integers(8 * 3600, 20 * 3600, int(n))):
            out.append((day + pd.Timedelta(seconds=int(s))).to_pydatetime())
    return out


@pytest.fixture(scope="module")
def moments() -> list[datetime]:
    return _moments(synthetic_daily("2024-01-01", "2024-12-31", base=30, seed=8))


def test_week_warnings_flag_the_subject_that_jumped() -> None:
    base = synthetic_daily("2024-01-01", "2024-09-08", base=30, seed=9)   # W36: no holiday near
    calm = period_counts(_moments(base), "W")
    jumped = calm.copy()
    jumped["2024-W36"] *= 2
    warnings = week_warnings({"西岭区": calm, "东湖区": jumped}, "2024-W36")
    assert [w["subject"] for w in warnings] == ["东湖区"]
    assert warnings[0]["level"] == "high" and warnings[0]["message"].startswith("本周 东湖区 诉求 ")


def test_volume_panel_counts_today_and_the_week_so_far(moments: list[datetime]) -> None:
    now = datetime(2024, 12, 18, 14, 0)              # a Wednesday
    panel = volume_panel(moments, now, subject="全市", trend_days=28)
    stamps = pd.DatetimeIndex(moments)
    assert panel["today"]["actual"] == ((stamps >= "2024-12-18") & (stamps < now)).sum()
    assert panel["week"]["actual"] == ((stamps >= "2024-12-16") & (stamps < now)).sum()
    assert panel["today"]["message"].startswith("今日截至 14:00 全市 诉求 ")
    assert panel["week"]["message"].startswith("本周截至目前 全市 诉求 ")
    assert panel["week"]["period"] == "2024-W51"
    assert not panel["week"]["is_warning"]           # an ordinary synthetic week


def test_volume_panel_trend_has_history_then_the_band(moments: list[datetime]) -> None:
    panel = volume_panel(moments, datetime(2024, 12, 18, 14, 0), trend_days=28)
    trend = panel["trend"]
    assert len(trend) == 28 + 14
    assert trend[27]["date"] == "2024-12-15" and trend[27]["expected"] is None
    today = next(t for t in trend if t["date"] == "2024-12-18")
    assert today["partial"] and today["intervals"][95][0] <= today["expected"] <= today["intervals"][95][1]
    assert trend[-1]["actual"] is None


def test_volume_panel_without_history_says_so() -> None:
    panel = volume_panel([datetime(2024, 12, 17, 9)], datetime(2024, 12, 18, 9))
    assert panel["today"] is None and panel["notes"] == ["本周之前没有诉求记录，暂无预期"]
