"""Demand volume forecasts (预测): the next weeks (or days) of one count series, with intervals.

The model is statsmodels' ``UnobservedComponents``: a local level (exponential smoothing's state
space form, so the level follows recent weeks) plus regressors for China's calendar (Spring
Festival, the week after it, other official holidays, 调休, 汛期, 供暖季, 开学; see
``nlp.forecast_features``), day-of-week for daily series, and yearly Fourier terms once two years
of history exist. It works on log(1 + count), so effects are proportional (the Spring Festival
halves a big district and a small one alike) and the back-transformed forecast never goes below
zero; the point forecast is the median. The regression coefficients sit in the state vector
(``mle_regression=False``), so the likelihood is maximised over two variances only, which keeps
one weekly fit to 10-15 ms of CPU; the optimiser's tolerances are loose on purpose (tightening
them moves forecasts by under 2%, far inside their intervals, at half the speed).

Why not Holt-Winters (statsmodels' ``ExponentialSmoothing`` with a 52-week season): it needs two
full years before it starts, spends 52 parameters on a season that the Spring Festival breaks every
year by moving, and takes no holiday regressors; it loses to this model on every backtest in
``bench/eval_forecast.py``, which also measures the speed and the seasonal-naive baselines.

Short or sparse histories get simpler models, and the result says so in ``notes`` (Chinese, for
the user). Everything is deterministic: no sampling, a fixed optimiser.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.statespace.initialization import Initialization
from statsmodels.tsa.statespace.structural import UnobservedComponents

from nlp.forecast_features import LABELS, CalendarSettings, daily_features, uncovered_years, weekly_features
from suqiu.weeks import iso_week, week_start

WEEK, DAY = "W", "D"
_ISO_WEEK = re.compile(r"^\d{4}-?W\d{1,2}$")
_TWO_YEARS = {WEEK: 104, DAY: 730}          # history that supports yearly terms
_SEASON = {WEEK: 52, DAY: 7}                 # the seasonal cycle the history must cover twice
_UNIT = {WEEK: "周", DAY: "天"}
_RECENT = {WEEK: 13, DAY: 28}                # "recent" for sparse series: a quarter, four weeks


@dataclass(frozen=True)
class ForecastSettings:
    """Mirrors a ``[forecast]`` section; ``calendar`` its ``[forecast.calendar]`` sub-section."""

    horizon: int = 4
    levels: tuple[int, ...] = (80, 95)
    yearly_harmonics: int = 1
    effect_prior_sd: float = 0.3      # prior sd of each log effect (0: none, plain least squares)
    min_calendar_periods: int = 12    # fewer: no calendar regressors (their effects can't be told)
    min_model_periods: int = 6        # fewer: the Poisson-Gamma average below
    calendar: CalendarSettings = field(default_factory=CalendarSettings)

    def __post_init__(self) -> None:
        if self.horizon < 1:
            raise ValueError("forecast.horizon must be at least 1")
        if not self.levels or any(not 50 <= lv < 100 for lv in self.levels):
            raise ValueError("forecast.levels must be percentages between 50 and 99")

    @classmethod
    def from_config(cls, section: Any) -> "ForecastSettings":
        get = section.get if isinstance(section, Mapping) else lambda k, d=None: getattr(section, k, d)
        kwargs: dict[str, Any] = {f.name: get(f.name) for f in fields(cls)
                                  if f.name != "calendar" and get(f.name) is not None}
        if "levels" in kwargs:
            kwargs["levels"] = tuple(int(lv) for lv in kwargs["levels"])
        if get("calendar") is not None:
            kwargs["calendar"] = CalendarSettings.from_config(get("calendar"))
        return cls(**kwargs)


@dataclass(frozen=True)
class Forecast:
    """Point forecasts and intervals for the ``len(labels)`` periods after the history."""

    freq: str                                   # "W" (ISO weeks) or "D" (days)
    labels: tuple[str, ...]                     # "2026-W48" or "2026-11-30"
    mean: tuple[float, ...]                     # the median of the predictive distribution
    intervals: dict[int, tuple[tuple[float, float], ...]]   # level → (lower, upper) per period
    method: str                                 # e.g. "local_level+calendar+yearly"
    features: tuple[str, ...]                   # regressors the model used
    history: int                                # periods of history it saw
    notes: tuple[str, ...] = ()                 # Chinese: why a simpler model, what was estimated

    def step(self, i: int = 0) -> dict[str, Any]:
        """One period's forecast as a plain dict, the input of ``nlp.forecast_warnings``."""
        return {"period": self.labels[i], "mean": self.mean[i],
                "intervals": {lv: self.intervals[lv][i] for lv in sorted(self.intervals)}}

    def to_dict(self) -> dict[str, Any]:
        return {"freq": self.freq, "method": self.method, "features": list(self.features),
                "history": self.history, "notes": list(self.notes),
                "steps": [self.step(i) for i in range(len(self.labels))]}


def _as_timestamp(label: Any) -> pd.Timestamp:
    if isinstance(label, str) and _ISO_WEEK.match(label.strip().upper()):
        return pd.Timestamp(week_start(label))
    return pd.Timestamp(label)


def regularize(series: pd.Series, freq: str | None = None) -> tuple[pd.Series, str]:
    """Counts on a gap-free index (Mondays for weeks, midnights for days), absent periods zero.

    The index may hold ISO week labels, dates or timestamps; weekly dates are moved to the Monday
    of their ISO week, so pandas' Sunday-ended weeks land where they belong.
    """
    if len(series) == 0:
        raise ValueError("cannot forecast an empty series")
    if isinstance(series.index, pd.DatetimeIndex):
        stamps, iso = series.index, False
        if stamps.tz is not None:
            stamps = stamps.tz_convert("Asia/Shanghai").tz_localize(None)
        stamps = stamps.normalize()
    else:
        stamps = pd.DatetimeIndex([_as_timestamp(x) for x in series.index]).normalize()
        iso = all(isinstance(x, str) and _ISO_WEEK.match(x.strip().upper()) for x in series.index)
    if freq is None:
        gaps = np.diff(stamps.unique().sort_values()) / pd.Timedelta(days=1)
        if not iso and len(gaps) == 0:
            raise ValueError("one dated period: pass freq='W' or freq='D'")
        freq = WEEK if iso or bool(np.all(gaps % 7 == 0)) else DAY
    if freq not in (WEEK, DAY):
        raise ValueError(f"freq must be 'W' or 'D', not {freq!r}")
    if freq == WEEK:
        stamps = stamps - pd.to_timedelta(stamps.day_of_week, unit="D")
    values = pd.Series(np.asarray(series, dtype=float), index=stamps).groupby(level=0).sum()
    step = "W-MON" if freq == WEEK else "D"
    full = pd.date_range(values.index.min(), values.index.max(), freq=step)
    return values.reindex(full, fill_value=0.0), freq


def future_index(last: pd.Timestamp, freq: str, horizon: int) -> pd.DatetimeIndex:
    step = pd.Timedelta(weeks=1) if freq == WEEK else pd.Timedelta(days=1)
    return pd.date_range(last + step, periods=horizon, freq="W-MON" if freq == WEEK else "D")


def design(index: pd.DatetimeIndex, freq: str, settings: ForecastSettings) -> pd.DataFrame:
    """Every candidate regressor for ``index``: calendar, day of week (daily), yearly Fourier."""
    cal = settings.calendar
    frame = weekly_features(index, cal) if freq == WEEK else daily_features(index, cal)
    if freq == DAY:
        for d in range(6):      # Sunday is the reference day
            frame[f"weekday_{d}"] = (index.day_of_week == d).astype(float)
    mid = index + pd.Timedelta(days=3) if freq == WEEK else index
    angle = 2 * np.pi * (mid.day_of_year.to_numpy() - 1) / 365.25
    for k in range(1, settings.yearly_harmonics + 1):
        frame[f"yearly_sin{k}"] = np.sin(k * angle)
        frame[f"yearly_cos{k}"] = np.cos(k * angle)
    return frame


def _columns(hist: pd.DataFrame, freq: str, use_calendar: bool, use_yearly: bool) -> list[str]:
    """Regressors the history can estimate: they vary in it and, for calendar features, cover at
    least one whole period's worth (a feature seen only in the future is left out)."""
    keep = []
    for name in hist.columns:
        col = hist[name].to_numpy()
        if name.startswith("yearly_"):
            ok = use_yearly
        elif name.startswith("weekday_"):
            ok = freq == DAY and len(col) >= 2 * _SEASON[DAY]
        else:
            ok = use_calendar and col.sum() >= 1.0
        if ok and np.ptp(col) > 0:
            keep.append(name)
    return keep


def _fit_local_level(z: np.ndarray, x: np.ndarray | None, x_future: np.ndarray | None,
                     horizon: int, levels: Iterable[int], prior_sd: float) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """Local level + state-space regression on log counts; mean and intervals on that scale.

    The regression coefficients start from N(0, prior_sd²) instead of a diffuse prior: a small
    series' two Spring Festivals cannot pin seven effects down, and without the prior the noisiest
    of them wander off (the replies backtest in ``bench/eval_forecast.py`` shows the gain).
    """
    prior = x is not None and prior_sd > 0
    # with the prior only the level is diffuse, handled exactly, so no observations are burnt
    model = UnobservedComponents(z, level="local level", exog=x, mle_regression=False,
                                 **({"loglikelihood_burn": 0} if prior else {}))
    if prior:
        k = model.k_states
        init = Initialization(k)
        init.set(0, "diffuse")
        init.set((1, k), "known", constant=np.zeros(k - 1), stationary_cov=np.eye(k - 1) * prior_sd**2)
        model.ssm.initialization = init
    with warnings.catch_warnings():     # a flat likelihood is normal on short, quiet series
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        result = model.fit(disp=False, method="nm", maxiter=500, xtol=1e-2, ftol=1e-3, cov_type="none")
        pred = result.get_forecast(horizon, exog=x_future)
        mean = np.asarray(pred.predicted_mean)
        bands = {lv: np.asarray(pred.conf_int(alpha=1 - lv / 100)) for lv in levels}
    return mean, bands


def _poisson_gamma(y: np.ndarray, horizon: int, levels: Iterable[int]) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """The predictive of a Poisson rate after ``len(y)`` periods (Jeffreys prior): negative
    binomial, honest about how little a handful of small counts says."""
    n, total = len(y), float(y.sum())
    mean = np.full(horizon, total / n)
    size, p = total + 0.5, n / (n + 1.0)
    bands = {}
    for lv in levels:
        lo, hi = stats.nbinom.interval(lv / 100, size, p)
        bands[lv] = np.tile([lo, hi], (horizon, 1)).astype(float)
    return mean, bands


def _plan(y: pd.Series, freq: str, settings: ForecastSettings) -> tuple[str, bool, bool, list[str]]:
    """Which model the history supports, and the notes that say why not a fuller one."""
    n, unit, notes = len(y), _UNIT[freq], []
    recent = y.iloc[-_RECENT[freq]:]
    if n < settings.min_model_periods:
        return "poisson_gamma", False, False, [f"历史仅 {n} {unit}，按平均水平估计"]
    if (recent > 0).sum() < 3 or recent.mean() < 1.0:
        return "poisson_gamma", False, False, ["近期诉求过少，按平均水平估计"]
    use_calendar = n >= settings.min_calendar_periods
    use_yearly = n >= _TWO_YEARS[freq] and settings.yearly_harmonics > 0
    if not use_calendar:
        notes.append(f"历史仅 {n} {unit}，未计节假日与季节影响")
    elif not use_yearly:
        notes.append(f"历史 {n} {unit}，不足两年，未建模年度季节性（以节假日与季节特征代替）")
    if freq == DAY and n < 2 * _SEASON[DAY]:
        notes.append("历史不足两周，未计星期规律")
    method = "local_level" + ("+calendar" if use_calendar else "") + ("+yearly" if use_yearly else "")
    return method, use_calendar, use_yearly, notes


def _clip(values: np.ndarray) -> np.ndarray:
    return np.clip(np.asarray(values, dtype=float), 0.0, None)


def _forecast_regular(y: pd.Series, freq: str, settings: ForecastSettings, horizon: int,
                      table: pd.DataFrame | None = None) -> Forecast:
    future = future_index(y.index[-1], freq, horizon)
    method, use_calendar, use_yearly, notes = _plan(y, freq, settings)
    used: list[str] = []
    if method == "poisson_gamma":
        mean, bands = _poisson_gamma(y.iloc[-_RECENT[freq]:].to_numpy(), horizon, settings.levels)
    else:
        all_index = y.index.append(future)
        frame = table.reindex(all_index) if table is not None else design(all_index, freq, settings)
        hist, fut = frame.iloc[: len(y)], frame.iloc[len(y):]
        used = _columns(hist, freq, use_calendar, use_yearly)
        calendar = [c for c in fut.columns if not c.startswith(("yearly_", "weekday_"))]
        unseen = [c for c in calendar if use_calendar and c not in used and fut[c].sum() > 0]
        if unseen:
            notes.append("历史中未见" + "、".join(LABELS.get(c, c) for c in unseen) + "，预测未计其影响")
        x = hist[used].to_numpy() if used else None
        xf = fut[used].to_numpy() if used else None
        z_mean, z_bands = _fit_local_level(np.log1p(y.to_numpy()), x, xf, horizon, settings.levels,
                                           settings.effect_prior_sd)
        mean = np.expm1(z_mean)
        bands = {lv: np.expm1(b) for lv, b in z_bands.items()}
        if not all(np.isfinite(b).all() for b in bands.values()):   # a flat series: no variance to fit
            bands = _poisson_gamma(y.iloc[-_RECENT[freq]:].to_numpy(), horizon, settings.levels)[1]
            notes.append("近期诉求数不变，区间按平均水平估计")
    guessed = uncovered_years(future) if use_calendar else []
    if guessed:
        notes.append("、".join(str(g) for g in guessed) + " 年放假安排尚未发布，按惯例估计")
    labels = tuple(iso_week(d) if freq == WEEK else d.date().isoformat() for d in future)
    return Forecast(
        freq=freq, labels=labels, mean=tuple(round(float(v), 3) for v in _clip(mean)),
        intervals={lv: tuple((round(float(lo), 3), round(float(hi), 3)) for lo, hi in _clip(b))
                   for lv, b in sorted(bands.items())},
        method=method, features=tuple(used), history=len(y), notes=tuple(notes))


def forecast(series: pd.Series, settings: ForecastSettings = ForecastSettings(),
             horizon: int | None = None, freq: str | None = None) -> Forecast:
    """Forecast the ``horizon`` periods after ``series`` (counts indexed by ISO week or date)."""
    y, freq = regularize(series, freq)
    return _forecast_regular(y, freq, settings, horizon or settings.horizon)


def forecast_many(panel: Mapping[str, pd.Series], settings: ForecastSettings = ForecastSettings(),
                  horizon: int | None = None, freq: str | None = None) -> dict[str, Forecast]:
    """Forecast every series of a panel (all districts, departments, topics); the calendar is
    computed once for the whole span, which is most of what makes 300 series take seconds."""
    h = horizon or settings.horizon
    regular = {k: regularize(s, freq) for k, s in panel.items() if len(s)}
    out: dict[str, Forecast] = {}
    for kind in (WEEK, DAY):
        group = {k: y for k, (y, f) in regular.items() if f == kind}
        if not group:
            continue
        first = min(y.index[0] for y in group.values())
        last = max(y.index[-1] for y in group.values())
        span = pd.date_range(first, future_index(last, kind, h)[-1], freq="W-MON" if kind == WEEK else "D")
        table = design(span, kind, settings)
        out.update({k: _forecast_regular(y, kind, settings, h, table) for k, y in group.items()})
    return {k: out[k] for k in panel if k in out}


def local_stamps(moments: Iterable[datetime | date]) -> pd.DatetimeIndex:
    """Moments as naive Asia/Shanghai times (aware ones converted), the project's local clock."""
    stamps = pd.DatetimeIndex(pd.to_datetime(list(moments)))
    if stamps.tz is not None:
        stamps = stamps.tz_convert("Asia/Shanghai").tz_localize(None)
    return stamps


def period_counts(moments: Iterable[datetime | date], freq: str = WEEK,
                  until: date | None = None) -> pd.Series:
    """Counts per ISO week (labels ``2026-W47``) or per day (dates), empty periods included, up
    to the period holding ``until`` when given (so quiet last days count as zeros)."""
    stamps = local_stamps(moments).normalize()
    if until is not None:
        stamps = stamps[stamps <= pd.Timestamp(until)]
    if len(stamps) == 0:
        return pd.Series(dtype=float, name="count")
    ones = pd.Series(1.0, index=stamps)
    if until is not None:
        ones = pd.concat([ones, pd.Series(0.0, index=pd.DatetimeIndex([pd.Timestamp(until)]))])
    y, _ = regularize(ones, WEEK if freq == WEEK else DAY)
    labels = [iso_week(d) for d in y.index] if freq == WEEK else [d.date() for d in y.index]
    return pd.Series(y.to_numpy(), index=labels, name="count")
