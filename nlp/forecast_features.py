"""China's calendar as regressors for demand forecasts: Spring Festival, the week after it, the
other official holidays and make-up workdays (调休), and configured seasons (汛期, 供暖季, 开学).

Why regressors and not a 52-week seasonal pattern: the Spring Festival moves by up to four weeks
from year to year, and holidays shift with 调休, so "same week last year" mixes a holiday week with
an ordinary one. The official days off come from the maintained ``chinese_calendar`` package;
for years it does not cover yet (the State Council publishes each year's plan in the autumn
before) the days are estimated from the lunar calendar (``lunardate``) by the usual rule, and the
estimate is named in :func:`uncovered_years`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

import chinese_calendar
import numpy as np
import pandas as pd
from lunardate import LunarDate

SPRING = chinese_calendar.Holiday.spring_festival.value

LABELS = {  # what a user reads next to each feature's effect
    "spring_festival": "春节假期",
    "post_festival": "春节后一周",
    "public_holiday": "法定节假日",
    "makeup_workday": "调休上班",
    "flood_season": "汛期",
    "heating_season": "供暖季",
    "school_start": "开学",
}

Window = tuple[str, str]   # ("MM-DD", "MM-DD"), inclusive, may wrap the year end


@dataclass(frozen=True)
class CalendarSettings:
    """Which calendar effects to model; mirrors a ``[forecast.calendar]`` section.

    Seasons are yearly windows of month-days; an empty tuple turns a season off (a southern city
    has no 供暖季). Defaults are northern-China-like and meant to be overridden per city.
    """

    spring_festival: bool = True
    post_festival_days: int = 7
    public_holidays: bool = True
    flood_season: tuple[Window, ...] = (("05-15", "09-30"),)
    heating_season: tuple[Window, ...] = (("11-15", "03-15"),)
    school_start: tuple[Window, ...] = (("08-28", "09-10"), ("02-17", "03-03"))

    def __post_init__(self) -> None:
        for name in ("flood_season", "heating_season", "school_start"):
            for window in getattr(self, name):
                for md in window:
                    _month_day(md, name)

    @classmethod
    def from_config(cls, section: Any) -> "CalendarSettings":
        """From a config section (attributes or a mapping); windows as pairs or "MM-DD..MM-DD"."""
        get = section.get if isinstance(section, Mapping) else lambda k, d=None: getattr(section, k, d)
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            value = get(f.name, None)
            if value is None:
                continue
            if f.name in ("flood_season", "heating_season", "school_start"):
                value = tuple(_window(w, f.name) for w in value)
            kwargs[f.name] = value
        return cls(**kwargs)

    def feature_names(self) -> list[str]:
        names = []
        if self.spring_festival:
            names.append("spring_festival")
            if self.post_festival_days > 0:
                names.append("post_festival")
        if self.public_holidays:
            names += ["public_holiday", "makeup_workday"]
        names += [n for n in ("flood_season", "heating_season", "school_start") if getattr(self, n)]
        return names


def _month_day(md: str, what: str) -> tuple[int, int]:
    try:
        month, day = (int(p) for p in md.split("-"))
        date(2024, month, day)      # a leap year, so 02-29 is accepted
    except ValueError:
        raise ValueError(f"{what}: '{md}' is not a month-day such as 05-15") from None
    return month, day


def _window(value: Any, what: str) -> Window:
    if isinstance(value, str):
        parts = value.split("..")
    else:
        parts = list(value)
    if len(parts) != 2:
        raise ValueError(f"{what}: '{value}' is not a window such as 05-15..09-30")
    return str(parts[0]).strip(), str(parts[1]).strip()


def covered(year: int) -> bool:
    """Does the installed chinese_calendar publish this year (1.11: 2004-2026)? A newer release
    extends the range without a change here."""
    years = {d.year for d in chinese_calendar.holidays}
    return min(years) <= year <= max(years)


def lunar_new_year(year: int) -> date:
    return LunarDate(year, 1, 1).to_solar_date()


def _estimated_days_off(year: int) -> dict[date, str]:
    """The usual plan for a year chinese_calendar does not publish yet (an estimate)."""
    H = chinese_calendar.Holiday
    out: dict[date, str] = {}

    def span(start: date, n: int, name: str) -> None:
        for i in range(n):
            out[start + timedelta(days=i)] = name

    span(date(year, 1, 1), 1, H.new_years_day.value)
    span(lunar_new_year(year) - timedelta(days=1), 8, SPRING)
    span(date(year, 4, 4), 3, H.tomb_sweeping_day.value)
    span(date(year, 5, 1), 5, H.labour_day.value)
    span(LunarDate(year, 5, 5).to_solar_date(), 1, H.dragon_boat_festival.value)
    span(LunarDate(year, 8, 15).to_solar_date(), 1, H.mid_autumn_festival.value)
    span(date(year, 10, 1), 7, H.national_day.value)
    return out


def days_off(year: int) -> dict[date, str]:
    """Official days off of one year (weekends inside a holiday included), by holiday name."""
    if covered(year):
        return {d: n for d, n in chinese_calendar.holidays.items() if d.year == year}
    return _estimated_days_off(year)


def makeup_workdays(year: int) -> set[date]:
    """Weekend days that are workdays (调休上班); unknown (empty) for uncovered years."""
    if not covered(year):
        return set()
    return {d for d in chinese_calendar.workdays if d.year == year and d.weekday() >= 5}


def uncovered_years(days: pd.DatetimeIndex) -> list[int]:
    """Years in ``days`` whose holidays are estimated, not published."""
    return sorted({int(y) for y in days.year.unique() if not covered(int(y))})


def _in_windows(days: pd.DatetimeIndex, windows: Sequence[Window], what: str) -> np.ndarray:
    md = days.month.to_numpy() * 100 + days.day.to_numpy()
    hit = np.zeros(len(days), dtype=bool)
    for start, end in windows:
        a = _month_day(start, what)
        b = _month_day(end, what)
        lo, hi = a[0] * 100 + a[1], b[0] * 100 + b[1]
        hit |= ((md >= lo) & (md <= hi)) if lo <= hi else ((md >= lo) | (md <= hi))
    return hit


def _holiday_marks(days: pd.DatetimeIndex, settings: CalendarSettings) -> dict[str, np.ndarray]:
    years = range(int(days.year.min()) - 1, int(days.year.max()) + 1)
    off: dict[date, str] = {}
    makeup: set[date] = set()
    for y in years:
        off.update(days_off(y))
        makeup |= makeup_workdays(y)
    spring = sorted(d for d, n in off.items() if n == SPRING)
    after: set[date] = set()
    for d in spring:      # the days right after each festival's last day off
        if d + timedelta(days=1) not in off:
            after |= {d + timedelta(days=i) for i in range(1, settings.post_festival_days + 1)}
    plain = [d.date() for d in days]
    return {
        "spring_festival": np.array([off.get(d) == SPRING for d in plain]),
        "post_festival": np.array([d in after for d in plain]),
        "public_holiday": np.array([d in off and off[d] != SPRING for d in plain]),
        "makeup_workday": np.array([d in makeup for d in plain]),
    }


def daily_features(days: pd.DatetimeIndex, settings: CalendarSettings) -> pd.DataFrame:
    """One 0/1 column per configured feature, one row per day."""
    days = pd.DatetimeIndex(days).normalize()
    marks = _holiday_marks(days, settings) if len(days) else {}
    for name in ("flood_season", "heating_season", "school_start"):
        marks[name] = _in_windows(days, getattr(settings, name), name)
    names = settings.feature_names()
    return pd.DataFrame({n: marks[n].astype(float) for n in names}, index=days)


def weekly_features(mondays: pd.DatetimeIndex, settings: CalendarSettings) -> pd.DataFrame:
    """Share of each ISO week's seven days that carry each feature (a week with the whole
    Spring Festival holiday is 1.0, one with two of its days 0.29)."""
    mondays = pd.DatetimeIndex(mondays).normalize()
    if len(mondays) == 0:
        return pd.DataFrame(columns=settings.feature_names(), dtype=float)
    days = pd.date_range(mondays.min(), mondays.max() + pd.Timedelta(days=6), freq="D")
    daily = daily_features(days, settings)
    weekly = daily.groupby(daily.index - pd.to_timedelta(daily.index.day_of_week, unit="D")).mean()
    return weekly.reindex(mondays)

