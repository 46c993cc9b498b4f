"""The views stage: demand profiles (需求画像), hotspots, early warnings and weekly forecasts,
rebuilt from the store whenever records or their analysis changed since the last build. The logic
lives in ``nlp.profiles``, ``nlp.hotspots``, ``nlp.early_warning`` and ``nlp.forecast_views``
(forecasts are stored as documents of kind ``forecast``; their deviations join the warnings).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nlp.early_warning import WarningSettings, all_warnings
from nlp.forecast import ForecastSettings
from nlp.forecast_views import build_outlook
from nlp.hotspots import HotspotSettings, find_hotspots
from nlp.profiles import DIMENSIONS, LocalNames, build_profiles
from nlp.stages.base import Progress, Stage, StageStats
from nlp.stages.topics import topic_stop_words
from nlp.topic_names import pos_weight
from nlp.view_record import ViewRecord
from suqiu.disclosure import headline
from suqiu.config import Config
from suqiu.installation import Installation
from suqiu.model import plausible_time
from suqiu.state import shared_state
from suqiu.store import Store, from_db_time, now_local

MAX_HOTSPOTS = 100
VIEWS_KEY = "models/topics/views.json"   # when the views were last built (shared state)
PLACE_ORDER = {"estate": 0, "community": 1, "road": 2, "street": 3, "district": 4}
# pattern-found names such as 我们小区 or 投诉小区 name no place; they would merge unrelated demands
_NOT_A_PLACE_HEAD = re.compile(r"^(我们|你们|他们|我家|我|本|该|这|那|此|投诉|反映|举报|咨询|关于|请问|附近|周边|所在)")


@dataclass
class ViewsStats(StageStats):
    profiles: int = 0
    hotspots: int = 0
    warnings: int = 0
    forecasts: int = 0


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


def view_records(store: Store, config: Config | None = None, now: datetime | None = None) -> list[ViewRecord]:
    """Records joined with their analysis, text masked (raw title and content never leave here);
    with ``config``, each with its ``owner``. Compact read-only mappings (``ViewRecord``): the
    views hold the whole history at once.

    Rows whose date is outside the plausible window (stored by an older release: 0001-01-01,
    2099 …) are left out: they belong to no week a profile, hotspot or warning could show."""
    out = []
    now = now or now_local()
    for r in store.view_rows(config):
        if not plausible_time(r["received_at"], now):
            continue
        r["title"] = headline(r.pop("masked_title"), r.pop("masked_text"))
        r["district"] = r["district"] or next((p["district"] for p in r.get("places") or [] if p.get("district")), None)
        r["places"] = place_names(r.get("places"))
        out.append(ViewRecord(r))
    return out


class ViewsStage(Stage):
    """Profiles, hotspots and warnings from the current store."""

    name = "views"
    after = "topics"

    def __init__(self, clock: Any = None) -> None:
        self.clock = clock or now_local

    def has_work(self, inst: Installation) -> bool:
        raw = shared_state(inst).get(VIEWS_KEY)
        if raw is None:
            return inst.store.count() > 0
        built = datetime.fromisoformat(json.loads(raw.decode("utf-8"))["built_at"])
        latest = inst.store.latest_change()
        return latest is not None and from_db_time(latest) > built

    def run(self, inst: Installation, progress: Progress | None = None) -> ViewsStats:
        started, store, cfg = time.perf_counter(), inst.store, inst.config
        records = view_records(store, cfg, self.clock())
        labels = store.topic_labels()
        built = self.clock()
        local = LocalNames(records, pos_weight(), topic_stop_words(cfg))   # a department's topics, in its own words
        profiles = [p for dim in DIMENSIONS
                    for p in build_profiles(records, dim, labels, local=local if dim == "department" else None)]
        hot = find_hotspots(records, labels, HotspotSettings(gap_days=cfg.topics.hotspot_gap_days), top=MAX_HOTSPOTS)
        warns = all_warnings(records, WarningSettings.from_config(cfg.warnings), labels)
        outlook = build_outlook(records, ForecastSettings.from_config(cfg.forecast), built, labels)
        store.replace_views(profiles, hot, warns + outlook.warnings, built)
        store.put_documents("forecast", outlook.documents, built, replace=True)
        shared_state(inst).put(VIEWS_KEY, json.dumps({"built_at": built.isoformat()}).encode("utf-8"))
        return ViewsStats(seconds=round(time.perf_counter() - started, 2), profiles=len(profiles),
                          hotspots=len(hot), warnings=len(warns) + len(outlook.warnings),
                          forecasts=len(outlook.documents))


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
