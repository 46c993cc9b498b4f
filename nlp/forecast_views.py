"""Views-time forecasts (预测): weekly volume of the city and of every district, department and
topic, ``horizon`` weeks ahead, and the warnings that put the last complete week's count beside
what was expected with its interval. Pure: view records in (``nlp.stages.views.view_records`` with
``owner``), plain dicts out; the views stage stores them (documents of kind ``forecast``, rows of
the ``warnings`` table beside ``nlp.early_warning``'s surges).

The history ends at the last complete week that has demands: an installation whose data stops
(an export imported monthly, the demo's sample) forecasts from where its data ends instead of
reading the missing weeks as zeros. Counts are work orders (件), near-duplicates included, as the
dashboard counts them.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from nlp.forecast import WEEK, ForecastSettings, forecast_many
from nlp.forecast_warnings import week_warnings
from suqiu.model import OUTLIER
from suqiu.weeks import Week, weeks_between

CITY = "全市"
DIMENSIONS = ("city", "district", "department", "topic")
WHAT = {"city": "", "district": "", "department": "", "topic": "话题"}


@dataclass
class Outlook:
    """What the views stage stores: forecast documents by ``dimension:key``, and warnings."""

    history_end: str | None = None
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[dict[str, Any]] = field(default_factory=list)


def subjects_of(record: Mapping[str, Any], topic_labels: Mapping[int, str]) -> list[tuple[str, str, str]]:
    """(dimension, key, label) of every subject a demand counts for: the city, its district, its
    owner (``suqiu.ownership``) and its topic (outliers count for none)."""
    out = [("city", CITY, CITY)]
    if record.get("district"):
        out.append(("district", str(record["district"]), str(record["district"])))
    if record.get("owner"):
        out.append(("department", str(record["owner"]), str(record["owner"])))
    topic = record.get("topic_id")
    if topic is not None and int(topic) != OUTLIER:
        label = topic_labels.get(int(topic), f"话题{topic}")
        out.append(("topic", str(int(topic)), f"话题「{label}」"))
    return out


def history_end(weeks: Iterable[str], now: datetime) -> Week | None:
    """The last complete week (by ``now``) that has demands, or None when none has."""
    current = Week.of(now)
    complete = [Week.parse(w) for w in weeks if Week.parse(w) < current]
    return max(complete) if complete else None


def weekly_counts(records: Iterable[Mapping[str, Any]], topic_labels: Mapping[int, str]
                  ) -> tuple[dict[tuple[str, str], Counter[str]], dict[tuple[str, str], str]]:
    """Counts per ISO week of every subject, and each subject's label."""
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    labels: dict[tuple[str, str], str] = {}
    taken: dict[str, tuple[str, str]] = {}
    for r in records:
        week = str(Week.of(r["received_at"]))
        for dim, key, label in subjects_of(r, topic_labels):
            counts[(dim, key)][week] += 1
            if (dim, key) not in labels:   # two topics with one label stay two subjects
                label = label if taken.setdefault(label, (dim, key)) == (dim, key) else f"{label}（{key}）"
                labels[(dim, key)] = label
                taken[label] = (dim, key)
    return counts, labels


def _series(counts: Counter[str], weeks: Sequence[str]) -> pd.Series:
    return pd.Series([float(counts.get(w, 0)) for w in weeks], index=list(weeks), dtype=float)


def _warning_id(*parts: Any) -> str:
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:16]


def _warning_row(dim: str, key: str, week: Week, w: dict[str, Any]) -> dict[str, Any]:
    return {"id": _warning_id("forecast", dim, key, week), "kind": f"forecast_{dim}", "week": str(week),
            "subject": w["subject"], "topic_id": int(key) if dim == "topic" else None,
            "district": key if dim == "district" else None, "level": w["level"], "message": w["message"],
            "evidence": {k: w[k] for k in ("actual", "expected", "intervals", "deviation", "direction")}}


def build_outlook(records: Sequence[Mapping[str, Any]], settings: ForecastSettings, now: datetime,
                  topic_labels: Mapping[int, str] | None = None) -> Outlook:
    """Forecasts from the weeks up to the history's end, and that week's deviations as warnings."""
    return outlook_from_counts(*weekly_counts(records, topic_labels or {}), settings, now)


def outlook_from_counts(counts: Mapping[tuple[str, str], Counter[str]], labels: Mapping[tuple[str, str], str],
                        settings: ForecastSettings, now: datetime) -> Outlook:
    """``build_outlook`` from weekly counts (``weekly_counts``): the views stage keeps them between
    builds, so a build after a day's new demands counts only the weeks it read again."""
    end = history_end(counts.get(("city", CITY), Counter()), now)
    outlook = Outlook(history_end=None if end is None else str(end))
    if end is None:
        return outlook
    first = min(counts[("city", CITY)])
    weeks = weeks_between(first, str(end))
    panel = {subject: _series(c, weeks) for subject, c in counts.items()}
    fits = forecast_many({f"{d}:{k}": s for (d, k), s in panel.items()}, settings, freq=WEEK)
    for (dim, key), series in panel.items():
        fc = fits.get(f"{dim}:{key}")
        if fc is None:
            continue
        outlook.documents[f"{dim}:{key}"] = {
            "dimension": dim, "key": key, "subject": labels[(dim, key)], "history_end": str(end),
            **fc.to_dict(), "recent": {w: int(v) for w, v in series.iloc[-12:].items()}}
    by_label = {labels[s]: s for s in panel}
    period = "上周" if end == Week.of(now).shift(-1) else f"{end.year}年第{end.number}周"
    found = week_warnings({labels[s]: series for s, series in panel.items()}, str(end), settings, period=period)
    outlook.warnings = [_warning_row(*by_label[w["subject"]], end, w) for w in found]
    return outlook
