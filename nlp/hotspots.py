"""Hotspots (热点问题): many distinct demands from several people about one theme, at one place, in
one time span, ranked by a heat index.

Input records are plain dicts (see ``HOTSPOT_FIELDS``); the caller joins the store's records with
their analysis and masks text first. Near-duplicates (same ``dup_group``) are one demand carrying
their submission count, so ten copies of one letter do not outweigh ten different people, and a
single demand, however often it is resubmitted or liked, is never a hotspot: a hotspot needs at
least ``min_demands`` distinct demands from at least ``min_requesters`` requesters.

Places back off from fine to coarse: a demand sits at its finest place (小区, road, street) only
when at least ``min_place_demands`` demands of the same topic share it; otherwise it moves up to
its district. At a coarse place (a district, or the whole city) a topic is too broad to be one
problem, so demands there are further grouped by subject: single-link on the overlap of their
keywords (a project, a company, a case name), ignoring keywords common in the group. Time windows
are sessions: a gap of more than ``gap_days`` without a demand, or a span beyond
``max_span_days``, starts a new window. Only the demands of the last ``window_days`` up to the
latest one count: a hotspot is what the city faces now. Outliers (no topic) are a theme of their own each.

**The heat index** (``heat_index``) is a product, so a hotspot is hot only when it is hot on
every count::

    heat = demands × diversity × recency × growth × attention

- *demands*: distinct demands (near-duplicates merged);
- *diversity*: distinct requesters per demand, at most 1 (one person writing five times: 0.2);
- *recency*: ``0.5 ** (days since the last demand / half_life_days)``, 1 for a hotspot still active;
- *growth*: ``(1 + submissions in the last recent_days) / (1 + submissions in the recent_days
  before)``, kept within [1/growth_cap, growth_cap]; submissions, not demands, because people
  writing in again about a known demand is the problem growing too;
- *attention*: ``1 + votes·log(1 + support) + negative·negative share + urgency·mean urgency``,
  where support is net votes plus resubmissions: what people add to the count without being new
  demands.
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

# hotspot ids are hex digests spelled in letters: a hex id can hold eleven digits in a row that a
# leak audit (and a reader) would take for a mobile number (18741256506d did, on the Fuzhou export)
_LETTERS_ONLY = str.maketrans("0123456789", "ghijklmnop")
URGENCY_SCORE = {"low": 0.0, "medium": 1 / 3, "high": 2 / 3, "critical": 1.0}
CITYWIDE = "全市"


@dataclass(frozen=True)
class HeatWeights:
    """Constants of the heat index (see the module docstring for the formula)."""

    half_life_days: float = 14.0  # recency halves every this many days since the last demand
    growth_cap: float = 4.0       # growth stays within [1/cap, cap]
    votes: float = 0.25           # attention per log(1 + net votes + resubmissions)
    negative: float = 0.5         # attention for an all-negative group
    urgency: float = 0.5          # attention for an all-critical group


@dataclass(frozen=True)
class HotspotSettings:
    gap_days: int = 14
    max_span_days: int = 90
    min_place_demands: int = 2
    min_demands: int = 2          # a hotspot has at least this many distinct demands …
    min_requesters: int = 2       # … from at least this many requesters
    recent_days: int = 7          # growth compares the last period with the one before
    subject_similarity: float = 0.3   # keyword Jaccard joining two demands at a coarse place; 0: off
    subject_max_df: float = 0.05      # keywords in more than this share of a group do not join
    max_positive_share: float = 0.5   # a hotspot is a problem: mostly-praise groups are not hotspots
    window_days: int = 90         # only demands of this many days up to the latest count (0: all); at
    #                               14 days' half-life older ones weigh under 1% and a build reads only them
    weights: HeatWeights = field(default_factory=HeatWeights)

    def __post_init__(self) -> None:
        if self.min_demands < 2:
            raise ValueError("min_demands: a single demand is never a hotspot (need >= 2)")


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


def heat_components(units: Sequence[Unit], as_of: datetime, recent_days: int,
                    weights: HeatWeights | None = None) -> dict[str, float]:
    """The factors of the heat index (public keys) and the raw counts behind them (``_`` keys)."""
    w = weights or HeatWeights()
    records = [r for u in units for r in u.records]
    requesters = {r.get("requester") or f"anon:{u.key}" for u in units for r in u.records}
    up = sum(int(r.get("votes_up") or 0) for r in records)
    down = sum(int(r.get("votes_down") or 0) for r in records)
    recent_from = as_of - timedelta(days=recent_days)
    prior_from = recent_from - timedelta(days=recent_days)
    # growth counts submissions: people still writing in about it, resubmissions included
    recent = sum(1 for r in records if recent_from < r["received_at"] <= as_of)
    prior = sum(1 for r in records if prior_from < r["received_at"] <= recent_from)
    negative = sum(1 for u in units if any(r.get("sentiment_label") == "negative" for r in u.records))
    positive = sum(1 for u in units if all(r.get("sentiment_label") == "positive" for r in u.records))
    urgency = [max(URGENCY_SCORE.get(r.get("urgency_level") or "low", 0.0) for r in u.records) for u in units]
    last = max(r["received_at"] for r in records)
    idle_days = max(0.0, (as_of - last).total_seconds() / 86400)
    support = max(0, up - down) + len(records) - len(units)
    return {
        "demands": float(len(units)),
        "diversity": min(1.0, len(requesters) / len(units)),
        "recency": 0.5 ** (idle_days / w.half_life_days),
        "growth": min(w.growth_cap, max(1 / w.growth_cap, (1 + recent) / (1 + prior))),
        "attention": 1 + w.votes * math.log1p(support) + w.negative * negative / len(units)
        + w.urgency * sum(urgency) / len(urgency),
        "_requesters": len(requesters), "_up": up, "_down": down, "_negative": negative,
        "_positive_share": positive / len(units), "_recent": recent, "_prior": prior,
    }


HEAT_FACTORS = ("demands", "diversity", "recency", "growth", "attention")


def heat_index(components: dict[str, float]) -> float:
    """demands × diversity × recency × growth × attention (the module docstring says why)."""
    return round(math.prod(components[k] for k in HEAT_FACTORS), 3)


def _span_text(start: datetime, end: datetime) -> str:
    return f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}"


def find_hotspots(records: Iterable[dict[str, Any]], topic_labels: dict[int, str] | None = None,
                  settings: HotspotSettings | None = None, as_of: datetime | None = None,
                  top: int | None = None) -> list[dict[str, Any]]:
    """Hotspots ranked by heat, as plain dicts (what the CLI prints and the reports show)."""
    s = settings or HotspotSettings()
    labels = topic_labels or {}
    records = list(records)
    if not records:
        return []
    as_of = as_of or max(r["received_at"] for r in records)
    if s.window_days:
        since = as_of - timedelta(days=s.window_days)
        records = [r for r in records if r["received_at"] >= since]
    units = demand_units(records)
    if not units:
        return []
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
            if len(window) < s.min_demands:
                continue
            comp = heat_components(window, as_of, s.recent_days, s.weights)
            if comp["_requesters"] < s.min_requesters or comp["_positive_share"] > s.max_positive_share:
                continue
            hotspots.append(_describe(topic_key, place, window, comp, heat_index(comp), labels))
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
    theme = label or lead
    districts = sorted({u.first.get("district") for u in window if u.first.get("district")})
    digest = hashlib.sha1(f"{topic_key}|{place}|{start.isoformat()}|{window[0].key}".encode()).hexdigest()[:12]
    ident = digest.translate(_LETTERS_ONLY)
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
        "headline": f"{place}：{theme}" if theme else place,
        "representatives": reps,
        "record_ids": [r["id"] for u in window for r in u.records],
    }
