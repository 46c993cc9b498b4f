"""A deterministic synthetic demand history with China's calendar in it, shared by the forecast
tests, the backtest in ``bench/eval_forecast.py`` and anyone who wants to see the model at work
without real data. Every number here is made up; the shape is what a city hotline shows:
fewer calls on weekends and during the Spring Festival, a backlog right after it, more during
汛期, 供暖季 and 开学, a slow yearly swell and a level that drifts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nlp.forecast_features import CalendarSettings, daily_features

WEEKDAY_EFFECT = (0.12, 0.08, 0.05, 0.03, 0.0, -0.35, -0.45)   # log-rate, Monday first


@dataclass(frozen=True)
class SyntheticEffects:
    """Log-rate effects of each calendar feature (exp(-0.7) ≈ half the calls)."""

    spring_festival: float = -0.7
    post_festival: float = 0.25
    public_holiday: float = -0.4
    makeup_workday: float = 0.35       # a working Saturday is busy like a weekday
    flood_season: float = 0.15
    heating_season: float = 0.12
    school_start: float = 0.10
    yearly_amplitude: float = 0.08     # a smooth swell peaking in summer
    trend_per_year: float = 0.05
    drift_sd: float = 0.004            # daily random-walk step of the level
    dispersion: float = 25.0           # negative binomial size: variance = mu + mu**2 / size


def synthetic_daily(start: str, end: str, base: float = 120.0, seed: int = 0,
                    effects: SyntheticEffects = SyntheticEffects(),
                    settings: CalendarSettings = CalendarSettings()) -> pd.Series:
    """Daily counts from ``start`` to ``end`` (inclusive) with ``base`` calls on an ordinary day."""
    days = pd.date_range(start, end, freq="D")
    rng = np.random.default_rng(seed)
    feats = daily_features(days, settings)
    t = np.arange(len(days)) / 365.25
    log_rate = np.log(base) + effects.trend_per_year * t
    log_rate += effects.yearly_amplitude * np.sin(2 * np.pi * (days.day_of_year.to_numpy() - 100) / 365.25)
    log_rate += np.cumsum(rng.normal(0.0, effects.drift_sd, len(days)))
    weekday = np.asarray(WEEKDAY_EFFECT)[days.day_of_week]
    off = feats.get("spring_festival", 0) + feats.get("public_holiday", 0)
    weekday = np.where(np.asarray(off) > 0, 0.0, weekday)        # a holiday is its own kind of day
    weekday = np.where(np.asarray(feats.get("makeup_workday", 0)) > 0, 0.0, weekday)
    log_rate += weekday
    for name in feats.columns:
        if name != "makeup_workday":
            log_rate += getattr(effects, name) * feats[name].to_numpy()
    mu = np.exp(log_rate)
    size = effects.dispersion
    counts = rng.negative_binomial(size, size / (size + mu))
    return pd.Series(counts, index=days, name="count")


def synthetic_panel(start: str, end: str, n: int, seed: int = 0,
                    settings: CalendarSettings = CalendarSettings()) -> dict[str, pd.Series]:
    """``n`` daily series of very different sizes (a district with 2 calls a day, a topic with 200),
    each with its own noise, as the forecasts of every district, department and topic see them."""
    rng = np.random.default_rng(seed)
    bases = np.exp(rng.uniform(np.log(1.5), np.log(200.0), n))
    return {f"s{i:03d}": synthetic_daily(start, end, base=float(b), seed=seed * 1000 + i, settings=settings)
            for i, b in enumerate(bases)}
