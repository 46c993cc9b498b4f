"""Differentiated demand profiles (需求画像): one per dimension value × ISO week.

Input records are plain dicts joining a record with its analysis (see ``PROFILE_FIELDS``); the
text in them must already be masked. Output profiles are plain, JSON-ready dicts with a stable
``id`` (``dimension:value:week``), the shape the search index stores.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from nlp.hotspots import dedup_key
from nlp.topic_names import (
    SEPARATOR,
    NamingSettings,
    WordWeight,
    choose_phrases,
    doc_freq,
    join_name,
    phrase_candidates,
)
from suqiu.disclosure import DEPARTMENT_LEVELS
from suqiu.model import OUTLIER
from suqiu.weeks import iso_week, shift_week, week_start

PROFILE_FIELDS = (
    "id", "source", "channel", "received_at", "district", "requester_type", "department",
    "department_given", "business_name", "status", "replied_at", "satisfaction", "topic_id",
    "topic_weight", "sentiment_label", "sentiment_score", "urgency_level", "keywords", "title",
    "dup_group",
)

UNRESOLVED = frozenset({"received", "routed", "reopened"})
UNKNOWN = "未知"


def _department(r: dict[str, Any]) -> str | None:
    return r.get("department") or r.get("department_given")


def _business(r: dict[str, Any]) -> str | None:
    return r.get("business_name") or None


DIMENSIONS: dict[str, Callable[[dict[str, Any]], str | None]] = {
    "district": lambda r: r.get("district") or UNKNOWN,
    "channel": lambda r: r.get("channel") or UNKNOWN,
    "requester_type": lambda r: r.get("requester_type") or UNKNOWN,
    "department": lambda r: _department(r) or UNKNOWN,
    "business": _business,          # reviews only: records without a business are not profiled
}


def _share(n: int, total: int) -> float:
    return round(n / total, 4) if total else 0.0


def _representatives(group: list[dict[str, Any]], top_keywords: list[str], n: int) -> list[dict[str, Any]]:
    """Demands whose keywords cover the profile's top keywords best (ties: newest first); never an
    office-only or unclassified one (a department reads its own profile)."""
    weight = {k: len(top_keywords) - i for i, k in enumerate(top_keywords)}
    seen: set[str] = set()
    ranked = sorted(group, key=lambda r: (-sum(weight.get(k, 0) for k in set(r.get("keywords") or [])),
                                          -r["received_at"].timestamp(), r["id"]))
    out = []
    for r in ranked:
        if r.get("publication") not in DEPARTMENT_LEVELS:
            continue
        key = dedup_key(r)
        if key in seen:
            continue
        seen.add(key)
        out.append({"id": r["id"], "title": r.get("title") or "", "topic_id": r.get("topic_id")})
        if len(out) == n:
            break
    return out


class LocalNames:
    """Names a profile's topics from the profile's own demands: a topic shared by several
    departments reads, in one department's profile, as what that department's demands say.

    Phrases are the demands' keywords (``keywords``, less ``stop``), scored as topic names are
    (``nlp.topic_names``) with lift against every record given; with too few demands of its own a
    topic keeps its name."""

    SETTINGS = NamingSettings(max_phrases=3)

    def __init__(self, records: Sequence[dict[str, Any]], weight: WordWeight,
                 stop: frozenset[str] = frozenset()) -> None:
        self.stop, self.weight = stop, weight
        self.df = doc_freq(self._phrases(r) for r in records)
        self.n_all = len(records)

    def _phrases(self, record: dict[str, Any]) -> list[str]:
        return [k for k in dict.fromkeys(record.get("keywords") or []) if k not in self.stop]

    def name(self, members: Sequence[dict[str, Any]], fallback: str) -> str:
        known = [p for p in fallback.split(SEPARATOR) if p]
        cands = phrase_candidates([self._phrases(r) for r in members], known, self.df, self.n_all, self.weight,
                                  self.SETTINGS)
        return join_name(choose_phrases(cands, self.SETTINGS, fallback=known)) or fallback


class WeeklyLocalNames:
    """``LocalNames`` with lift against the demands of the profile's own week: a profile reads the
    same whether the views were built over the whole history or over the weeks a day changed."""

    def __init__(self, records: Iterable[dict[str, Any]], weight: WordWeight,
                 stop: frozenset[str] = frozenset()) -> None:
        self.weight, self.stop = weight, stop
        self.by_week: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in records:
            self.by_week[iso_week(r["received_at"])].append(r)
        self.names: dict[str, LocalNames] = {}

    def name(self, members: Sequence[dict[str, Any]], fallback: str) -> str:
        if not members:
            return fallback
        week = iso_week(members[0]["received_at"])
        if week not in self.names:
            self.names[week] = LocalNames(self.by_week.get(week, members), self.weight, self.stop)
        return self.names[week].name(members, fallback)


def _topic_mix(group: list[dict[str, Any]], topics: Counter[Any], labels: dict[int, str], n: int, top_n: int,
               local: LocalNames | WeeklyLocalNames | None) -> list[dict[str, Any]]:
    out = []
    for t, c in sorted(topics.items(), key=lambda kv: (-kv[1], kv[0]))[:top_n]:
        name = labels.get(t, "")
        if local is not None:
            name = local.name([r for r in group if r.get("topic_id") == t], name)
        out.append({"topic_id": t, "label": name, "topic_label": labels.get(t, ""), "count": c, "share": _share(c, n)})
    return out


def _reply_figures(group: list[dict[str, Any]]) -> dict[str, Any]:
    replied = [r for r in group if r.get("replied_at") is not None]
    hours = [(r["replied_at"] - r["received_at"]).total_seconds() / 3600 for r in replied
             if r["replied_at"] >= r["received_at"]]
    satisfaction = Counter(r["satisfaction"] for r in group if r.get("satisfaction"))
    return {
        "replied": len(replied),
        "reply_rate": _share(len(replied), len(group)),
        "median_reply_hours": round(statistics.median(hours), 1) if hours else None,
        "satisfaction": dict(satisfaction.most_common()),
    }


def _summarise(group: list[dict[str, Any]], topic_labels: dict[int, str], top_n: int,
               local: LocalNames | WeeklyLocalNames | None = None) -> dict[str, Any]:
    n = len(group)
    topics = Counter(r.get("topic_id") for r in group)
    outliers = topics.pop(OUTLIER, 0) + topics.pop(None, 0)
    sentiment = Counter(r.get("sentiment_label") or "unknown" for r in group)
    scores = [float(r["sentiment_score"]) for r in group if r.get("sentiment_score") is not None]
    urgency = Counter(r.get("urgency_level") or "unknown" for r in group)
    keywords = Counter(k for r in group for k in dict.fromkeys(r.get("keywords") or []))
    top_keywords = [k for k, _ in sorted(keywords.items(), key=lambda kv: (-kv[1], kv[0]))[:top_n]]
    return {
        "volume": n,
        "distinct": len({dedup_key(r) for r in group}),
        "topic_mix": _topic_mix(group, topics, topic_labels, n, top_n, local),
        "unassigned": outliers,
        "sentiment": {"counts": dict(sentiment), "mean_score": round(statistics.fmean(scores), 4) if scores else None,
                      "negative_share": _share(sentiment.get("negative", 0), n)},
        "urgency": {"counts": dict(urgency),
                    "urgent": urgency.get("high", 0) + urgency.get("critical", 0)},
        "top_keywords": top_keywords,
        "representatives": _representatives(group, top_keywords, 3),
        "unresolved": sum(1 for r in group if (r.get("status") or "received") in UNRESOLVED),
        "replies": _reply_figures(group),
    }


def build_profiles(records: Iterable[dict[str, Any]], dimension: str,
                   topic_labels: dict[int, str] | None = None, top_n: int = 10,
                   weeks: Iterable[str] | None = None,
                   local: LocalNames | WeeklyLocalNames | None = None) -> list[dict[str, Any]]:
    """Profiles for every value of ``dimension`` in every week it has demands (or only ``weeks``).

    ``change`` compares with the same value's previous ISO week (0 demands when it had none);
    ``change_pct`` is None when the previous week had none, since a percentage of zero means nothing.
    With ``local`` each topic of a profile is named from the profile's own demands (``label``;
    ``topic_label`` keeps the topic's own name): the views stage does so for departments.
    """
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension '{dimension}' unknown; choose one of {', '.join(DIMENSIONS)}")
    value_of = DIMENSIONS[dimension]
    wanted = set(weeks) if weeks is not None else None
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        value = value_of(r)
        if value is None:
            continue
        groups[(value, iso_week(r["received_at"]))].append(r)
    labels = topic_labels or {}
    out = []
    for (value, week), group in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if wanted is not None and week not in wanted:
            continue
        prev = len(groups.get((value, shift_week(week, -1)), []))
        summary = _summarise(group, labels, top_n, local)
        out.append(with_previous({
            "id": f"{dimension}:{value}:{week}",
            "dimension": dimension,
            "value": value,
            "week": week,
            "week_start": week_start(week).isoformat(),
            **summary,
        }, prev))
    return out


def with_previous(profile: dict[str, Any], previous: int) -> dict[str, Any]:
    """``profile`` with its ``change`` against the previous week's volume ``previous``."""
    change = profile["volume"] - previous
    profile.update(previous_volume=previous, change=change, change_pct=round(change / previous, 4) if previous else None)
    return profile


def latest_week(records: Iterable[dict[str, Any]]) -> str | None:
    latest: datetime | None = None
    for r in records:
        if latest is None or r["received_at"] > latest:
            latest = r["received_at"]
    return iso_week(latest) if latest else None
