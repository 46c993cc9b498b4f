"""The views stage: demand profiles (需求画像), hotspots, early warnings and weekly forecasts,
rebuilt from the store whenever records or their analysis changed since the last build: the whole
history, or only the weeks the changes touch (``nlp.view_plan``). The logic
lives in ``nlp.profiles``, ``nlp.hotspots``, ``nlp.early_warning`` and ``nlp.forecast_views``
(forecasts are stored as documents of kind ``forecast``; their deviations join the warnings).
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nlp.early_warning import WarningSettings, all_warnings, surge_counts
from nlp.forecast import ForecastSettings
from nlp.forecast_views import CITY, outlook_from_counts, weekly_counts
from nlp.hotspots import HotspotSettings, demand_units, find_hotspots
from nlp.profiles import DIMENSIONS, WeeklyLocalNames, build_profiles, with_previous
from nlp.stages.base import Progress, Stage, StageStats
from nlp.stages.topics import topic_stop_words
from nlp.topic_names import pos_weight
from nlp.view_counts import SubjectCounts, ViewCounts
from nlp.view_plan import (
    FULL_EVERY,
    MAX_CHANGED,
    ViewPlan,
    fingerprint,
    incremental_plan,
)
from nlp.view_record import ViewRecord
from suqiu.config import Config
from suqiu.disclosure import headline
from suqiu.installation import Installation
from suqiu.model import CLOCK_SKEW, EARLIEST_DATE, plausible_time
from suqiu.state import shared_state
from suqiu.store import Store, from_db_time, now_local
from suqiu.weeks import iso_week, shift_week

MAX_HOTSPOTS = 100
VIEWS_KEY = "models/topics/views.json"   # when the views were last built (shared state)
COUNTS_KEY = "models/topics/view_counts.json"   # the weekly counts that build kept (``ViewCounts``)
PLACE_ORDER = {"estate": 0, "community": 1, "road": 2, "street": 3, "district": 4}
# pattern-found names such as 我们小区 or 投诉小区 name no place; they would merge unrelated demands
_NOT_A_PLACE_HEAD = re.compile(r"^(我们|你们|他们|我家|我|本|该|这|那|此|投诉|反映|举报|咨询|关于|请问|附近|周边|所在)")


@dataclass
class ViewsStats(StageStats):
    profiles: int = 0
    hotspots: int = 0
    warnings: int = 0
    forecasts: int = 0
    build: str = "full"          # or "incremental": the weeks changed demands touch
    build_reason: str = ""
    read: int = 0                # demands read


def place_names(places: Sequence[dict[str, str]] | None) -> list[str]:
    """Place names of a demand, finest first (小区 before road before street before district)."""
    ranked = sorted((PLACE_ORDER.get(p.get("level", ""), 2), i, p.get("name", ""))
                    for i, p in enumerate(places or []) if p.get("name")
                    and (p.get("source") == "gazetteer" or not _NOT_A_PLACE_HEAD.match(p["name"])))
    out: list[str] = []
    for _, _, name in ranked:
        if name not in out:
            out.append(name)
    return out


def view_records(store: Store, config: Config | None = None, now: datetime | None = None,
                 spans: Sequence[tuple[datetime, datetime]] | None = None) -> list[ViewRecord]:
    """Records joined with their analysis, text masked (raw title and content never leave here);
    with ``config``, each with its ``owner``; with ``spans``, only those received within one.
    Compact read-only mappings (``ViewRecord``): the views hold the whole history at once.

    Rows whose date is outside the plausible window (stored by an older release: 0001-01-01,
    2099 …) are left out: they belong to no week a profile, hotspot or warning could show."""
    out = []
    now = now or now_local()
    for r in store.view_rows(config, spans):
        if not plausible_time(r["received_at"], now):
            continue
        r["title"] = headline(r.pop("masked_title"), r.pop("masked_text"))
        r["district"] = r["district"] or next((p["district"] for p in r.get("places") or [] if p.get("district")), None)
        r["places"] = place_names(r.get("places"))
        out.append(ViewRecord(r))
    return out


def views_fingerprint(labels: dict[int, str], cfg: Config) -> str:
    """Topic names and the settings the views read: when one changes, every view is built again."""
    departments = json.dumps([d.model_dump(mode="json") for d in cfg.departments], ensure_ascii=False, sort_keys=True)
    return fingerprint(json.dumps(sorted(labels.items()), ensure_ascii=False), cfg.warnings.model_dump_json(),
                       cfg.forecast.model_dump_json(), cfg.topics.model_dump_json(), departments)


class ViewsStage(Stage):
    """Profiles, hotspots and warnings from the current store: the whole history the first time,
    then only the weeks changed demands touch (``nlp.view_plan``)."""

    name = "views"
    after = "topics"

    def __init__(self, clock: Any = None, full: bool = False) -> None:
        self.clock, self.full = clock or now_local, full

    def has_work(self, inst: Installation) -> bool:
        raw = shared_state(inst).get(VIEWS_KEY)
        if raw is None:
            return inst.store.count() > 0
        built = datetime.fromisoformat(json.loads(raw.decode("utf-8"))["built_at"])
        latest = inst.store.latest_change()
        return latest is not None and from_db_time(latest) > built

    def plan(self, inst: Installation, now: datetime, stamp: str) -> tuple[ViewPlan, ViewCounts]:
        """A full build, or the weeks to redo (``nlp.view_plan``), with the last build's weekly counts."""
        state = shared_state(inst)
        raw, counts = state.get(VIEWS_KEY), state.get(COUNTS_KEY)
        last = json.loads(raw.decode("utf-8")) if raw else {}
        span = inst.store.received_span(EARLIEST_DATE, now + CLOCK_SKEW)
        if self.full or not last.get("full_at") or counts is None or span is None:
            return ViewPlan("首次构建" if not last else "全量重建"), ViewCounts()
        if last.get("fingerprint") != stamp:
            return ViewPlan("话题名称或设置已变化"), ViewCounts()
        if now - datetime.fromisoformat(last["full_at"]) > FULL_EVERY:
            return ViewPlan("距上次全量构建已满一周"), ViewCounts()
        changed = inst.store.changed_received(datetime.fromisoformat(last["built_at"]), MAX_CHANGED + 1)
        if len(changed) > MAX_CHANGED:
            return ViewPlan(f"超过 {MAX_CHANGED} 件诉求有变化"), ViewCounts()
        try:
            kept = ViewCounts.from_json(counts)
        except (KeyError, ValueError):      # kept by another release
            return ViewPlan("全量重建"), ViewCounts()
        return incremental_plan(changed, span[1], HotspotSettings().window_days), kept

    def run(self, inst: Installation, progress: Progress | None = None) -> ViewsStats:
        started, store, cfg = time.perf_counter(), inst.store, inst.config
        labels, built = store.topic_labels(), self.clock()
        stamp = views_fingerprint(labels, cfg)
        plan, cached = self.plan(inst, built, stamp)
        records = view_records(store, cfg, built, plan.spans)
        redo = None if plan.full else plan.redo_weeks
        profiles = build_all_profiles(records, labels, cfg, redo)
        units = demand_units(records)      # near-duplicates merged, once for the counts and the warnings
        fresh = ViewCounts(SubjectCounts.of(*weekly_counts(records, labels)), profile_volumes(profiles),
                           SubjectCounts(surge_counts(units)))
        counts = fresh if plan.full else cached.merged(fresh, plan.read_weeks, plan.redo_weeks)
        if not plan.full:   # a change against a week not read, and the week after a redone one
            profiles = [with_previous(p, previous_volume(counts.volumes, p)) for p in profiles] + [
                with_previous(r["data"], previous_volume(counts.volumes, r["data"]))
                for week in sorted(plan.patch_weeks) for r in store.profile_rows(week=week)]
        hot = find_hotspots(records, labels, HotspotSettings(gap_days=cfg.topics.hotspot_gap_days), top=MAX_HOTSPOTS)
        city = counts.forecast.counts.get(("city", CITY))
        warns = all_warnings(records, WarningSettings.from_config(cfg.warnings), labels, redo,
                             min(city) if city else None, None if plan.full else counts.surges.counts, units)
        outlook = outlook_from_counts(counts.forecast.counts, counts.forecast.labels,
                                      ForecastSettings.from_config(cfg.forecast), built)
        store.replace_views(profiles, hot, warns + outlook.warnings, built,
                            None if plan.full else sorted(plan.redo_weeks | plan.patch_weeks))
        store.put_documents("forecast", outlook.documents, built, replace=True)
        self._save(inst, built, stamp, plan, counts)
        return ViewsStats(seconds=round(time.perf_counter() - started, 2), profiles=len(profiles),
                          hotspots=len(hot), warnings=len(warns) + len(outlook.warnings),
                          forecasts=len(outlook.documents), build="full" if plan.full else "incremental",
                          build_reason=plan.reason, read=len(records))

    @staticmethod
    def _save(inst: Installation, built: datetime, stamp: str, plan: ViewPlan, counts: ViewCounts) -> None:
        state = shared_state(inst)
        last = {} if plan.full else json.loads((state.get(VIEWS_KEY) or b"{}").decode("utf-8"))
        state.put(COUNTS_KEY, counts.to_json())
        state.put(VIEWS_KEY, json.dumps({"built_at": built.isoformat(), "fingerprint": stamp,
                                         "full_at": last.get("full_at", built.isoformat())}).encode("utf-8"))


def build_all_profiles(records: Sequence[ViewRecord], labels: dict[int, str], cfg: Config,
                       weeks: frozenset[str] | None) -> list[dict[str, Any]]:
    """Every dimension's profiles of ``weeks`` (None: of every week); a department's topics are
    named in its own words (``WeeklyLocalNames``)."""
    if weeks is not None:
        records = [r for r in records if iso_week(r["received_at"]) in weeks]
    local = WeeklyLocalNames(records, pos_weight(), topic_stop_words(cfg))
    return [p for dim in DIMENSIONS
            for p in build_profiles(records, dim, labels, weeks=weeks, local=local if dim == "department" else None)]


def profile_volumes(profiles: Sequence[dict[str, Any]]) -> SubjectCounts:
    out = SubjectCounts()
    for p in profiles:
        out.counts.setdefault((p["dimension"], p["value"]), Counter())[p["week"]] = p["volume"]
    return out


def previous_volume(volumes: SubjectCounts, profile: dict[str, Any]) -> int:
    return int(volumes.counts.get((profile["dimension"], profile["value"]), {}).get(shift_week(profile["week"], -1), 0))


def list_profiles(store: Store, dimension: str, week: str | None = None) -> tuple[str | None, list[dict[str, Any]]]:
    """Profiles of one dimension in one week (default: the latest week that has any)."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension '{dimension}' unknown; choose one of {', '.join(DIMENSIONS)}")
    week = week or store.latest_profile_week(dimension)
    if week is None:
        return None, []
    rows = store.profile_rows(dimension, week)
    return week, [r["data"] for r in sorted(rows, key=lambda r: (-r["volume"], r["value"]))]


def list_warnings(store: Store, week: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    rows = store.warning_rows([week] if week else None, limit)
    for r in rows:
        r["first_seen"] = r["first_seen"].isoformat()
        r["updated_at"] = r["updated_at"].isoformat()
    return rows
