"""Rolling-origin backtest of the volume forecasts (``nlp.forecast``) against simple baselines.

    .venv/bin/python bench/eval_forecast.py [--teddy DIR] [--horizon 4] [--panel 300]

At every origin the model sees only the weeks before it and forecasts the next ``--horizon``
weeks; errors are pooled over all origins and horizons (nothing is fitted on the weeks it is
scored on). Printed per case: MAPE (weeks with a non-zero actual), sMAPE, MASE (scaled by the
in-sample mean absolute one-week change at each origin), the share of actuals inside the 80% and
95% intervals, and the models' fit time.

Cases:
1. Synthetic (``nlp.forecast_synthetic``, fixed seeds): one city's weekly total, origins in its
   second year (52-100 weeks of history: the calendar model without yearly terms) and, from a
   three-year history, origins in its third (the full model with yearly terms).
2. A synthetic panel of ``--panel`` series of very different sizes (every district, department and
   topic): pooled errors and the time ``forecast_many`` takes for all of them at one origin.
3. The real Teddy Cup 2020 timeline (``留言时间`` of ``messages_with_votes.csv`` and
   ``messages_with_replies.csv``, one count per 留言编号). The votes file covers 2019 only, so the
   union of both is 2019-W01..2019-W52 (52 weeks): too short for last year's week, so the baselines
   are the last week and the four-week mean the early warnings use. The replies file alone spans
   2017-2019 (156 weeks) and is backtested over 2019 against seasonal-naive (52 weeks back). Both
   files thin out in January 2020 (collection stopped), so weeks after 2019-W52 are left out.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.forecast import Forecast, ForecastSettings, forecast, forecast_many, regularize  # noqa: E402
from nlp.forecast_synthetic import synthetic_daily, synthetic_panel  # noqa: E402

TEDDY = ROOT.parent / "shared" / "datasets" / "teddy2020c"
Method = Callable[[pd.Series, int], tuple[np.ndarray, dict[int, np.ndarray] | None]]


def model(y: pd.Series, h: int, settings: ForecastSettings = ForecastSettings(),
          freq: str = "W") -> tuple[np.ndarray, dict[int, np.ndarray]]:
    f: Forecast = forecast(y, settings, horizon=h, freq=freq)
    return np.asarray(f.mean), {lv: np.asarray(b) for lv, b in f.intervals.items()}


def no_calendar(y: pd.Series, h: int) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """The same local level without calendar or yearly terms: what the calendar adds."""
    from nlp.forecast_features import CalendarSettings
    off = CalendarSettings(spring_festival=False, public_holidays=False, flood_season=(),
                           heating_season=(), school_start=())
    return model(y, h, ForecastSettings(calendar=off, yearly_harmonics=0))


def seasonal_naive(y: pd.Series, h: int, m: int = 52) -> tuple[np.ndarray, None]:
    return np.array([y.iloc[len(y) - m + (i % m)] for i in range(h)], dtype=float), None


def naive(y: pd.Series, h: int) -> tuple[np.ndarray, None]:
    return np.repeat(float(y.iloc[-1]), h), None


def mean4(y: pd.Series, h: int) -> tuple[np.ndarray, None]:
    return np.repeat(float(y.iloc[-4:].mean()), h), None


def holt_winters(y: pd.Series, h: int) -> tuple[np.ndarray, None]:
    """statsmodels' Holt-Winters on log counts, additive 52-week season (needs two years)."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ExponentialSmoothing(np.log1p(y.to_numpy()), seasonal="add", seasonal_periods=52,
                                   initialization_method="estimated").fit()
    return np.clip(np.expm1(fit.forecast(h)), 0, None), None


def backtest(y: pd.Series, origins: range, h: int, methods: dict[str, Method]) -> dict[str, dict[str, float]]:
    rows: dict[str, dict[str, list[float]]] = {k: {"ape": [], "sape": [], "ase": [], "in80": [], "in95": [], "sec": []}
                                               for k in methods}
    for o in origins:
        hist, actual = y.iloc[:o], y.iloc[o:o + h].to_numpy()
        scale = float(np.mean(np.abs(np.diff(hist.to_numpy())))) or 1.0
        for name, method in methods.items():
            t0 = time.perf_counter()
            mean, bands = method(hist, h)
            r = rows[name]
            r["sec"].append(time.perf_counter() - t0)
            mean = mean[: len(actual)]
            nz = actual > 0
            r["ape"] += list(np.abs(actual - mean)[nz] / actual[nz])
            denom = (np.abs(actual) + np.abs(mean))
            r["sape"] += list(np.where(denom > 0, 2 * np.abs(actual - mean) / np.where(denom > 0, denom, 1), 0.0))
            r["ase"] += list(np.abs(actual - mean) / scale)
            if bands is not None:
                for lv in (80, 95):
                    b = bands[lv][: len(actual)]
                    r[f"in{lv}"] += list((actual >= b[:, 0]) & (actual <= b[:, 1]))
    out = {}
    for name, r in rows.items():
        out[name] = {"MAPE%": 100 * np.mean(r["ape"]), "sMAPE%": 100 * np.mean(r["sape"]), "MASE": np.mean(r["ase"]),
                     "in80%": 100 * np.mean(r["in80"]) if r["in80"] else float("nan"),
                     "in95%": 100 * np.mean(r["in95"]) if r["in95"] else float("nan"),
                     "ms/fit": 1000 * np.mean(r["sec"])}
    return out


def show(title: str, result: dict[str, dict[str, float]], reference: str) -> bool:
    print(f"\n{title}")
    print(f"  {'method':<16}" + "".join(f"{k:>9}" for k in next(iter(result.values()))))
    for name, row in result.items():
        print(f"  {name:<16}" + "".join(f"{v:>9.2f}" if v == v else f"{'-':>9}" for v in row.values()))
    won = result["model"]["MAPE%"] < result[reference]["MAPE%"]
    print(f"  model MAPE {'<' if won else '>='} {reference} MAPE: {'beats' if won else 'DOES NOT BEAT'} the baseline")
    return won


def daily_model(y: pd.Series, h: int) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    return model(y, h, freq="D")


def weekly(daily: pd.Series) -> pd.Series:
    return regularize(daily.groupby(daily.index - pd.to_timedelta(daily.index.day_of_week, unit="D")).sum(), "W")[0]


def synthetic_cases(h: int) -> list[bool]:
    wins = []
    two = weekly(synthetic_daily("2023-01-02", "2024-12-29", base=120, seed=11))
    methods: dict[str, Method] = {"model": model, "no_calendar": no_calendar,
                                  "seasonal_naive": seasonal_naive, "naive": naive, "mean4": mean4}
    res = backtest(two, range(52, len(two) - h + 1), h, methods)
    wins.append(show(f"synthetic, 2 years ({len(two)} weeks), origins in year 2", res, "seasonal_naive"))
    three = weekly(synthetic_daily("2022-01-03", "2024-12-29", base=120, seed=12))
    methods["holt_winters"] = holt_winters
    res = backtest(three, range(104, len(three) - h + 1), h, methods)
    wins.append(show(f"synthetic, 3 years ({len(three)} weeks), origins in year 3", res, "seasonal_naive"))
    days = regularize(synthetic_daily("2023-01-02", "2024-12-29", base=120, seed=11), "D")[0]
    wins.append(daily_case("synthetic, 2 years", days, 365))
    return wins


def panel_case(n: int, h: int) -> bool:
    panel = {k: weekly(s) for k, s in synthetic_panel("2023-01-02", "2024-12-29", n, seed=5).items()}
    t0, c0 = time.perf_counter(), time.process_time()
    forecast_many(panel, horizon=h)
    took, cpu = time.perf_counter() - t0, time.process_time() - c0
    pooled: dict[str, dict[str, list[float]]] = {}
    for y in panel.values():
        res = backtest(y, range(len(y) - 26, len(y) - h + 1, 4), h,
                       {"model": model, "seasonal_naive": seasonal_naive, "naive": naive, "mean4": mean4})
        for name, row in res.items():
            for k, v in row.items():
                pooled.setdefault(name, {}).setdefault(k, []).append(v)
    summary = {name: {k: float(np.nanmean(v)) if not np.all(np.isnan(v)) else float("nan") for k, v in row.items()}
               for name, row in pooled.items()}
    won = show(f"synthetic panel, {n} series of 1.5-200 a day, 7 origins each (mean over series)", summary,
               "seasonal_naive")
    print(f"  forecast_many: {n} series x {h} weeks in {took:.2f} s wall, {cpu:.2f} s CPU"
          f" ({1000 * took / n:.1f} ms per series; wall time grows with other load on the machine)")
    return won


def teddy_times(path: Path) -> pd.Series:
    """``留言时间`` by 留言编号: text stamps in two layouts, or Excel day serials."""
    frame = pd.read_csv(path, dtype=str)
    raw = frame["留言时间"].fillna("").str.strip()
    out = pd.to_datetime(raw, format="%Y/%m/%d %H:%M:%S", errors="coerce")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d"):
        out = out.fillna(pd.to_datetime(raw, format=fmt, errors="coerce"))
    serial = pd.to_numeric(raw, errors="coerce")
    excel = pd.to_datetime(serial, unit="D", origin="1899-12-30", errors="coerce")
    out = out.fillna(excel)
    bad = int(out.isna().sum())
    print(f"  {path.name}: {len(out)} rows, {int(serial.notna().sum())} Excel serials, {bad} unparsed")
    return pd.Series(out.to_numpy(), index=frame["留言编号"].str.strip()).dropna()


def teddy_cases(root: Path, h: int) -> list[bool]:
    votes, replies = root / "messages_with_votes.csv", root / "messages_with_replies.csv"
    if not votes.is_file() or not replies.is_file():
        print(f"\nTeddy timeline skipped: {root} does not hold the two message files (pass --teddy DIR)")
        return []
    print("\nTeddy timeline")
    v, r = teddy_times(votes), teddy_times(replies)
    both = pd.concat([v, r])
    both = both[~both.index.duplicated()]

    def weeks(stamps: pd.Series, first: str, last: str) -> pd.Series:
        days = pd.Series(1.0, index=pd.DatetimeIndex(stamps.to_numpy()).normalize())
        y, _ = regularize(days, "W")
        return y.loc[first:last]

    union = weeks(both, "2018-12-31", "2019-12-23")
    res = backtest(union, range(20, len(union) - h + 1), h,
                   {"model": model, "no_calendar": no_calendar, "naive": naive, "mean4": mean4})
    wins = [show(f"Teddy votes+replies 2019 ({len(union)} weeks, {int(union.sum())} messages), origins from week 21;"
                 " no earlier year, so seasonal-naive is the last week (naive)", res, "naive")]
    older = weeks(r, "2017-01-02", "2019-12-23")
    res = backtest(older, range(104, len(older) - h + 1), h,
                   {"model": model, "no_calendar": no_calendar, "seasonal_naive": seasonal_naive, "naive": naive,
                    "mean4": mean4, "holt_winters": holt_winters})
    wins.append(show(f"Teddy replies 2017-2019 ({len(older)} weeks, {int(older.sum())} messages), origins in 2019",
                     res, "seasonal_naive"))
    days = regularize(pd.Series(1.0, index=pd.DatetimeIndex(both.to_numpy()).normalize()), "D")[0]
    days = days.loc["2018-12-31":"2019-12-29"]
    wins.append(daily_case("Teddy votes+replies 2019", days, 140))
    return wins


def daily_case(title: str, y: pd.Series, first: int, h: int = 14) -> bool:
    """The dashboard's daily band: ``h`` days ahead from every Monday, against last week's same day."""
    origins = range(first + (-first) % 7 + (7 - y.index[0].day_of_week) % 7, len(y) - h + 1, 7)
    res = backtest(y, origins, h, {"model": daily_model, "seasonal_naive": lambda s, k: seasonal_naive(s, k, 7),
                                   "naive": naive})
    return show(f"{title}, daily ({len(y)} days), {h} days ahead from {len(origins)} Mondays;"
                " seasonal-naive = same weekday last week", res, "seasonal_naive")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teddy", type=Path, default=TEDDY)
    parser.add_argument("--horizon", type=int, default=4)
    parser.add_argument("--panel", type=int, default=300)
    args = parser.parse_args()
    wins = synthetic_cases(args.horizon) + [panel_case(args.panel, args.horizon)] + teddy_cases(args.teddy, args.horizon)
    print(f"\nmodel beats the reference baseline in {sum(wins)} of {len(wins)} cases")


if __name__ == "__main__":
    main()
