"""Volume forecasts: calendar features, the model and its fallbacks, determinism."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from nlp.forecast import ForecastSettings, forecast, forecast_many, period_counts, regularize
from nlp.forecast_features import (CalendarSettings, daily_features, days_off, lunar_new_year,
                                   uncovered_years, weekly_features)
from nlp.forecast_synthetic import synthetic_daily, synthetic_panel
from suqiu.config import load_config


def weekly(daily: pd.Series) -> pd.Series:
    return regularize(daily.groupby(daily.index - pd.to_timedelta(daily.index.day_of_week, unit="D")).sum(), "W")[0]


@pytest.fixture(scope="module")
def two_years() -> pd.Series:
    return weekly(synthetic_daily("2023-01-02", "2024-12-29", base=120, seed=11))


# calendar features

def test_spring_festival_weeks_are_marked() -> None:
    frame = weekly_features(pd.date_range("2024-01-01", "2024-12-30", freq="W-MON"), CalendarSettings())
    marked = frame.index[frame["spring_festival"] > 0]
    assert list(marked.strftime("%Y-%m-%d")) == ["2024-02-05", "2024-02-12"]   # 2024-02-10..17 off
    assert frame.loc["2024-02-12", "spring_festival"] == pytest.approx(6 / 7)


def test_week_after_spring_festival_is_marked() -> None:
    frame = weekly_features(pd.date_range("2024-02-12", "2024-03-04", freq="W-MON"), CalendarSettings())
    assert frame.loc["2024-02-19", "post_festival"] == pytest.approx(6 / 7)
    assert frame.loc["2024-03-04", "post_festival"] == 0


def test_makeup_workday_is_a_working_weekend_day() -> None:
    frame = daily_features(pd.date_range("2024-02-17", "2024-02-19"), CalendarSettings())
    assert frame["makeup_workday"].tolist() == [0.0, 1.0, 0.0]       # Sunday 2024-02-18 was worked


def test_other_official_holidays_are_public_holidays() -> None:
    frame = daily_features(pd.date_range("2024-10-01", "2024-10-08"), CalendarSettings())
    assert frame["public_holiday"].tolist() == [1.0] * 7 + [0.0]
    assert frame["spring_festival"].sum() == 0


def test_years_past_the_published_calendar_are_estimated_from_lunar_dates() -> None:
    assert lunar_new_year(2027) == date(2027, 2, 6)
    spring = sorted(d for d, n in days_off(2027).items() if n == "Spring Festival")
    assert spring[0] == date(2027, 2, 5) and len(spring) == 8          # 除夕 to 初七
    assert uncovered_years(pd.date_range("2026-12-30", "2027-01-02")) == [2027]


def test_seasons_wrap_the_year_end() -> None:
    frame = daily_features(pd.DatetimeIndex(["2024-01-10", "2024-03-16", "2024-06-01", "2024-12-01"]),
                           CalendarSettings())
    assert frame["heating_season"].tolist() == [1.0, 0.0, 0.0, 1.0]
    assert frame["flood_season"].tolist() == [0.0, 0.0, 1.0, 0.0]


def test_calendar_from_config_reads_both_window_spellings() -> None:
    cal = CalendarSettings.from_config({"heating_season": ["11-01..03-31"], "school_start": [["09-01", "09-07"]],
                                        "flood_season": []})
    assert cal.heating_season == (("11-01", "03-31"),)
    assert cal.school_start == (("09-01", "09-07"),)
    assert "flood_season" not in cal.feature_names()


def test_a_bad_month_day_names_the_setting() -> None:
    with pytest.raises(ValueError, match="heating_season"):
        CalendarSettings(heating_season=(("13-01", "03-15"),))


# the model

def mape(actual: np.ndarray, pred: np.ndarray) -> float:
    return float(np.mean(np.abs(actual - pred) / actual))


def test_beats_seasonal_naive_on_a_synthetic_seasonal_series(two_years: pd.Series) -> None:
    model_err, naive_err = [], []
    for origin in range(56, 100, 4):
        hist, actual = two_years.iloc[:origin], two_years.iloc[origin:origin + 4].to_numpy()
        model_err.append(mape(actual, np.asarray(forecast(hist).mean)))
        naive_err.append(mape(actual, hist.iloc[origin - 52:origin - 48].to_numpy()))
    assert np.mean(model_err) < 0.8 * np.mean(naive_err)


def test_intervals_cover_the_truth_near_their_nominal_rate() -> None:
    inside = {80: [], 95: []}
    for series in synthetic_panel("2023-01-02", "2024-12-29", 6, seed=3).values():
        y = weekly(series)
        for origin in range(70, 101, 6):
            f = forecast(y.iloc[:origin])
            actual = y.iloc[origin:origin + 4].to_numpy()
            for lv in inside:
                b = np.asarray(f.intervals[lv])
                inside[lv] += list((actual >= b[:, 0]) & (actual <= b[:, 1]))
    assert 0.68 <= np.mean(inside[80]) <= 0.92
    assert 0.86 <= np.mean(inside[95]) <= 1.0


def test_spring_festival_week_is_forecast_low(two_years: pd.Series) -> None:
    f = forecast(two_years, horizon=6)          # 2025-W01..W06; 2025-01-28..02-04 off
    mean = dict(zip(f.labels, f.mean))
    assert mean["2025-W05"] < 0.8 * mean["2025-W03"]


def test_two_years_of_history_add_yearly_terms(two_years: pd.Series) -> None:
    f = forecast(two_years)
    assert f.method == "local_level+calendar+yearly" and f.notes == ()
    assert "yearly_sin1" in f.features and "spring_festival" in f.features


def test_under_two_years_drops_yearly_terms_and_says_so(two_years: pd.Series) -> None:
    f = forecast(two_years.iloc[:60])
    assert f.method == "local_level+calendar"
    assert any("不足两年" in n for n in f.notes)


def test_a_few_weeks_get_a_local_level_only(two_years: pd.Series) -> None:
    f = forecast(two_years.iloc[:8])
    assert f.method == "local_level" and f.features == ()
    assert f.notes == ("历史仅 8 周，未计节假日与季节影响",)


def test_very_short_history_gets_the_poisson_gamma_average() -> None:
    f = forecast(pd.Series([10, 14, 12], index=["2026-W01", "2026-W02", "2026-W03"]))
    assert f.method == "poisson_gamma" and f.mean[0] == pytest.approx(12.0)
    lo, hi = f.intervals[95][0]
    assert lo < 12 < hi and f.notes == ("历史仅 3 周，按平均水平估计",)


def test_sparse_series_stay_non_negative() -> None:
    y = pd.Series([0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 1, 0, 0], index=pd.date_range("2026-01-05", periods=14, freq="W-MON"))
    f = forecast(y)
    assert f.method == "poisson_gamma" and any("过少" in n for n in f.notes)
    assert all(lo >= 0 for lo, _ in f.intervals[95]) and f.intervals[95][0][0] == 0


def test_a_feature_unseen_in_history_is_left_out_and_named() -> None:
    y = weekly(synthetic_daily("2024-03-18", "2024-10-13", base=50, seed=2))
    f = forecast(y, horizon=8)                  # into 供暖季 (from 11-15), never seen before
    assert "heating_season" not in f.features
    assert any("历史中未见供暖季" in n for n in f.notes)


def test_daily_series_learn_the_week() -> None:
    y = synthetic_daily("2024-01-01", "2024-06-30", base=80, seed=4)
    f = forecast(y, horizon=7)
    assert f.freq == "D" and f.labels[0] == "2024-07-01"
    mean = dict(zip(f.labels, f.mean))
    assert mean["2024-07-07"] < 0.8 * mean["2024-07-01"]          # Sunday below Monday


def test_iso_week_labels_go_in_and_come_out(two_years: pd.Series) -> None:
    labelled = pd.Series(two_years.to_numpy()[:30], index=[f"2023-W{i:02d}" for i in range(1, 31)])
    f = forecast(labelled, horizon=2)
    assert f.labels == ("2023-W31", "2023-W32")


def test_sunday_ended_pandas_weeks_land_on_their_iso_week() -> None:
    y = pd.Series(range(10, 30), index=pd.date_range("2026-01-04", periods=20, freq="W-SUN"))
    regular, freq = regularize(y)
    assert freq == "W" and regular.index[0] == pd.Timestamp("2025-12-29")


def test_empty_or_ambiguous_input_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        forecast(pd.Series([], dtype=float))
    with pytest.raises(ValueError, match="freq"):
        forecast(pd.Series([5], index=pd.DatetimeIndex(["2026-01-05"])))


def test_forecasts_are_deterministic_and_panel_equals_single(two_years: pd.Series) -> None:
    panel = {"a": two_years.iloc[:80], "b": two_years.iloc[10:] // 3}
    first, second = forecast_many(panel), forecast_many(panel)
    assert first == second
    assert first["a"] == forecast(panel["a"])
    assert first["b"].to_dict() == forecast(panel["b"]).to_dict()


def test_period_counts_fill_quiet_periods_up_to_until() -> None:
    moments = [datetime(2026, 1, 5, 9), datetime(2026, 1, 6, 10), datetime(2026, 1, 21, 8)]
    weeks = period_counts(moments, "W", until=date(2026, 2, 1))
    assert weeks.to_dict() == {"2026-W02": 2.0, "2026-W03": 0.0, "2026-W04": 1.0, "2026-W05": 0.0}
    days = period_counts(moments, "D")
    assert len(days) == 17 and days.sum() == 3


def test_settings_from_config() -> None:
    s = ForecastSettings.from_config({"horizon": 6, "levels": [90], "calendar": {"flood_season": ["06-01..08-31"]}})
    assert s.horizon == 6 and s.levels == (90,) and s.calendar.flood_season == (("06-01", "08-31"),)
    with pytest.raises(ValueError, match="levels"):
        ForecastSettings(levels=(120,))


@pytest.mark.shared_data
def test_real_teddy_weeks_are_forecast_better_than_last_week(shared_datasets) -> None:
    frame = pd.read_csv(shared_datasets / "teddy2020c" / "messages_with_votes.csv", dtype=str)
    stamps = pd.to_datetime(frame["留言时间"].str.strip(), format="mixed")
    y = regularize(pd.Series(1.0, index=pd.DatetimeIndex(stamps).normalize()), "W")[0]
    y = y.loc["2018-12-31":"2019-12-23"]                     # the file's one complete year
    model_err, naive_err = [], []
    for origin in range(24, 49, 4):
        hist, actual = y.iloc[:origin], y.iloc[origin:origin + 4].to_numpy()
        model_err.append(np.abs(actual - np.asarray(forecast(hist).mean)).mean())
        naive_err.append(np.abs(actual - hist.iloc[-1]).mean())
    assert np.mean(model_err) < np.mean(naive_err)


def test_a_flat_series_gets_finite_intervals(tmp_path) -> None:
    """Twenty weeks of exactly 25: the state-space fit has no variance and gave NaN intervals, and
    the views stage then failed on formatting them."""
    weeks = [f"2026-W{w:02d}" for w in range(2, 22)]
    shipped = ForecastSettings.from_config(load_config(tmp_path).forecast)   # the shipped calendar
    f = forecast(pd.Series([25.0] * len(weeks), index=weeks), shipped)
    for lo, hi in (f.intervals[lv][0] for lv in f.intervals):
        assert np.isfinite(lo) and np.isfinite(hi) and lo <= 25 <= hi
    assert any("不变" in n for n in f.notes)
