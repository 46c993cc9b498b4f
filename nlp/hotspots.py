"""Hotspots (热点问题): demands grouped by topic × place × time window, ranked by a heat index.

Input records are plain dicts (see ``HOTSPOT_FIELDS``); the caller joins the store's records with
their analysis and masks text first. Near-duplicates (same ``dup_group``) are one demand carrying
their submission count, so ten copies of one letter do not outweigh ten different people.

Places back off from fine to coarse: a demand sits at its finest place (小区, road, street) only
when at least ``min_place_demands`` demands of the same topic share it; otherwise it moves up to
its district. At a coarse place (a district, or the whole city) a topic is too broad to be one
problem, so demands there are further grouped by subject: single-link on the overlap of their
keywords (a project, a company, a case name), ignoring keywords common in the group. Time windows
are sessions: a gap of more than ``gap_days`` without a demand, or a span beyond
``max_span_days``, starts a new window.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from suqiu.disclosure import DEPARTMENT_LEVELS
from suqiu.model import OUTLIER

HOTSPOT_FIELDS = (
    "id", "received_at", "topic_id", "places", "district", "requester", "votes_up", "votes_down",
    "sentiment_label", "urgency_level", "dup_group", "title", "keywords", "publication",
)

URGENCY_SCORE = {"low": 0.0, "medium": 1 / 3, "high": 2 / 3, "critical": 1.0}
CITYWIDE = "全市"


@dataclass(frozen=True)
class HeatWeights:
    """Weights of the heat index's components (each on a log or 0–1 scale)."""

    volume: float = 1.0       # log(1 + distinct demands)
    requesters: float = 1.0   # log(1 + distinct requesters)
    growth: float = 0.5       # log-ratio of the last period over the one before, >= 0
    votes: float = 0.5        # log(1 + max(0, up − down))
    negative: float = 1.0     # share of negative demands
    urgency: float = 1.0      # mean urgency (low 0 … critical 1)


@dataclass(frozen=True)
class HotspotSettings:
    gap_days: int = 14
    max_span_days: int = 90
    min_place_demands: int = 2
    min_demands: int = 2          # a window is a hotspot with this many demands …
    min_votes: int = 50           # … or with this many net votes (one letter everyone backs)
    recent_days: int = 7          # growth compares the last period with the one before
    subject_similarity: float = 0.3   # keyword Jaccard joining two demands at a coarse place; 0: off
    subject_max_df: float = 0.05      # keywords in more than this share of a group do not join
    max_positive_share: float = 0.5   # a hotspot is a problem: mostly-praise groups are not hotspots
    weights: HeatWeights = field(default_factory=HeatWeights)


@dataclass
class Unit:
    """One demand after collapsing near-duplicates."""

    key: str
    records: list[dict[str, Any]]

    @property
    def first(self) -> dict[str, Any]:
        return self.records[0]

    @property
    def at(self) -> datetime:
        return self.first["received_at"]

    @property
    def submissions(self) -> int:
        return len(self.records)


def dedup_key(record: dict[str, Any]) -> str:
    return str(record.get("dup_group") or record["id"])


def demand_units(records: Iterable[dict[str, Any]]) -> list[Unit]:
    """Collapse near-duplicates into units, each led by its earliest submission."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        groups[dedup_key(r)].append(r)
    units = [Unit(k, sorted(rs, key=lambda r: (r["received_at"], r["id"]))) for k, rs in groups.items()]
    return sorted(units, key=lambda u: (u.at, u.key))


def _topic_key(unit: Unit) -> str:
    """Topic of a unit; an outlier is a theme of its own, so it only groups with its duplicates."""
    t = unit.first.get("topic_id")
    if t is None or t == OUTLIER:
        return f"u:{unit.key}"
    return f"t:{t}"


def _hierarchy(record: dict[str, Any]) -> list[str]:
    """Place names, finest first, ending at the district (if known)."""
    names = [p for p in (record.get("places") or []) if p]
    district = record.get("district")
    if district and district not in names:
        names.append(district)
    return names


def assign_places(units: Sequence[Unit], min_place_demands: int) -> dict[str, str]:
    """Each unit's place: the finest one shared by enough demands of its topic, else its coarsest."""
    support: Counter[tuple[str, str]] = Counter()
    for u in units:
        for name in set(_hierarchy(u.first)):
            support[(_topic_key(u), name)] += 1
    out = {}
    for u in units:
        names = _hierarchy(u.first)
        chosen = next((n for n in names if support[(_topic_key(u), n)] >= min_place_demands),
                      names[-1] if names else CITYWIDE)
        out[u.key] = chosen
    return out


def subject_clusters(units: Sequence[Unit], min_similarity: float, max_df: float) -> list[list[Unit]]:
    """Single-link groups of units whose distinctive keywords overlap (Jaccard >= min_similarity)."""
    if min_similarity <= 0 or len(units) < 2:
        return [list(units)]
    words = [set(u.first.get("keywords") or []) for u in units]
    df = Counter(w for ws in words for w in ws)
    limit = max(10, int(max_df * len(units)))  # small groups: only very common words are ignored
    words = [{w for w in ws if df[w] <= limit} for ws in words]
    parent = list(range(len(units)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    postings: dict[str, list[int]] = defaultdict(list)
    for i, ws in enumerate(words):
        for w in ws:
            postings[w].append(i)
    for i, ws in enumerate(words):
        candidates = {j for w in ws for j in postings[w] if j > i}
        for j in candidates:
            if len(ws & words[j]) / len(ws | words[j]) >= min_similarity:
                parent[find(j)] = find(i)
    clusters: dict[int, list[Unit]] = defaultdict(list)
    for i, u in enumerate(units):
        clusters[find(i)].append(u)
    return list(clusters.values())


def split_windows(units: Sequence[Unit], gap_days: int, max_span_days: int) -> list[list[Unit]]:
    """Session windows over time-sorted units."""
    windows: list[list[Unit]] = []
    gap, span = timedelta(days=gap_days), timedelta(days=max_span_days)
    for u in sorted(units, key=lambda u: (u.at, u.key)):
        if windows and u.at - windows[-1][-1].at <= gap and u.at - windows[-1][0].at <= span:
            windows[-1].append(u)
        else:
            windows.append([u])
    return windows


def heat_components(units: Sequence[Unit], as_of: datetime, recent_days: int) -> dict[str, float]:
    records = [r for u in units for r in u.records]
    requesters = {r.get("requester") or f"anon:{u.key}" for u in units for r in u.records}
    up = sum(int(r.get("votes_up") or 0) for r in records)
    down = sum(int(r.get("votes_down") or 0) for r in records)
    recent_from = as_of - timedelta(days=recent_days)
    prior_from = recent_from - timedelta(days=recent_days)
    recent = sum(1 for u in units if recent_from < u.at <= as_of)
    prior = sum(1 for u in units if prior_from < u.at <= recent_from)
    negative = sum(1 for u in units if any(r.get("sentiment_label") == "negative" for r in u.records))
    positive = sum(1 for u in units if all(r.get("sentiment_label") == "positive" for r in u.records))
    urgency = [max(URGENCY_SCORE.get(r.get("urgency_level") or "low", 0.0) for r in u.records) for u in units]
    return {
        "volume": math.log1p(len(units)),
        "requesters": math.log1p(len(requesters)),
        "growth": max(0.0, math.log1p(recent) - math.log1p(prior)),
        "votes": math.log1p(max(0, up - down)),
        "negative": negative / len(units),
        "urgency": sum(urgency) / len(urgency),
        "_requesters": len(requesters), "_up": up, "_down": down, "_negative": negative,
        "_positive_share": positive / len(units),
    }


def heat_index(components: dict[str, float], weights: HeatWeights) -> float:
    return round(sum(getattr(weights, k) * components[k]
                     for k in ("volume", "requesters", "growth", "votes", "negative", "urgency")), 3)


def _span_text(start: datetime, end: datetime) -> str:
    return f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}"


def find_hotspots(records: Iterable[dict[str, Any]], topic_labels: dict[int, str] | None = None,
                  settings: HotspotSettings | None = None, as_of: datetime | None = None,
                  top: int | None = None) -> list[dict[str, Any]]:
    """Hotspots ranked by heat, as plain dicts (what the CLI prints and the reports show)."""
    s = settings or HotspotSettings()
    labels = topic_labels or {}
    units = demand_units(records)
    if not units:
        return []
    as_of = as_of or max(r["received_at"] for u in units for r in u.records)
    places = assign_places(units, s.min_place_demands)
    groups: dict[tuple[str, str], list[Unit]] = defaultdict(list)
    for u in units:
        groups[(_topic_key(u), places[u.key])].append(u)

    hotspots = []
    for (topic_key, place), members in groups.items():
        coarse = place == CITYWIDE or all(place == (u.first.get("district") or CITYWIDE) for u in members)
        subjects = subject_clusters(members, s.subject_similarity, s.subject_max_df) if coarse else [members]
        windows = [w for subject in subjects for w in split_windows(subject, s.gap_days, s.max_span_days)]
        for window in windows:
            comp = heat_components(window, as_of, s.recent_days)
            net_votes = comp["_up"] - comp["_down"]
            if len(window) < s.min_demands and net_votes < s.min_votes:
                continue
            if comp["_positive_share"] > s.max_positive_share:
                continue
            hotspots.append(_describe(topic_key, place, window, comp, heat_index(comp, s.weights), labels))
    hotspots.sort(key=lambda h: (-h["heat"], h["start"], h["id"]))
    return hotspots[:top] if top else hotspots


def _describe(topic_key: str, place: str, window: list[Unit], comp: dict[str, float], heat: float,
              labels: dict[int, str]) -> dict[str, Any]:
    topic_id = int(topic_key[2:]) if topic_key.startswith("t:") else None
    start, end = window[0].at, max(r["received_at"] for u in window for r in u.records)
    ranked = sorted(window, key=lambda u: (-u.submissions,
                                           -sum(int(r.get("votes_up") or 0) for r in u.records), u.at, u.key))
    # digests carry hotspots to departments: never an office-only (or unclassified) demand's headline
    shown = [u for u in ranked if u.first.get("publication") in DEPARTMENT_LEVELS]
    reps = [{"id": u.first["id"], "title": u.first.get("title") or "", "submissions": u.submissions,
             "received_at": u.at.isoformat()} for u in shown[:3]]
    label = labels.get(topic_id, "") if topic_id is not None else ""
    lead = (reps[0]["title"] if reps else "") or label
    description = lead if not label or label in lead else f"{lead}（{label}）"
    districts = sorted({u.first.get("district") for u in window if u.first.get("district")})
    ident = hashlib.sha1(f"{topic_key}|{place}|{start.isoformat()}|{window[0].key}".encode()).hexdigest()[:12]
    return {
        "id": ident,
        "topic_id": topic_id,
        "topic_label": label,
        "place": place,
        "places": place,
        "districts": districts,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "span": _span_text(start, end),
        "count": len(window),
        "submissions": sum(u.submissions for u in window),
        "requesters": int(comp["_requesters"]),
        "votes_up": int(comp["_up"]),
        "votes_down": int(comp["_down"]),
        "negative": int(comp["_negative"]),
        "heat": heat,
        "components": {k: round(v, 3) for k, v in comp.items() if not k.startswith("_")},
        "description": description,
        "representatives": reps,
        "record_ids": [r["id"] for u in window for r in u.records],
    }
