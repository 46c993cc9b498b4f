"""The classify stage: the router's proposal, sentiment and urgency for every record the text stage
finished, in batches (one analysis read and one write per batch, vectorised predictions)."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from nlp.installed_models import current_router, current_sentiment
from nlp.routing import Router, RouteDoc
from nlp.sentiment import SentimentAnalyzer
from nlp.stages.base import Progress, Stage, StageStats
from nlp.stages.pending import PendingWindow
from nlp.urgency import UrgencyRater
from suqiu.installation import Installation
from suqiu.model import Analysis

FIELDS = ("department", "route_confidence", "route_reason", "route_candidates", "sentiment_score",
          "sentiment_label", "urgency_level", "urgency_reasons")
Work = tuple[str, str, tuple[str, ...], Any]   # record id, normalized text, tokens, the source's category


@dataclass
class ClassifyStats(StageStats):
    classified: int = 0
    skipped: int = 0                                   # pending ids without analysis text
    by_reason: dict[str, int] = field(default_factory=dict)
    by_department: dict[str, int] = field(default_factory=dict)
    by_sentiment: dict[str, int] = field(default_factory=dict)
    by_urgency: dict[str, int] = field(default_factory=dict)
    router_model: str | None = None


@dataclass
class Classifiers:
    """The three classifiers the stage applies; build once per run with ``for_installation``."""

    router: Router
    sentiment: SentimentAnalyzer
    urgency: UrgencyRater
    router_version: str | None = None

    @classmethod
    def for_installation(cls, inst: Installation) -> "Classifiers":
        model, version = current_router(inst)
        return cls(Router.from_config(inst.config, model), SentimentAnalyzer(current_sentiment(inst)),
                   UrgencyRater(), version)


class ClassifyStage(Stage):
    """Idempotent: a record is classified again only when its text changed (its text_hash moved)."""

    name = "classify"
    after = "analyze"

    def __init__(self, classifiers: Classifiers | None = None, batch: int = 500) -> None:
        self.classifiers = classifiers
        self.batch = batch

    def has_work(self, inst: Installation) -> bool:
        return bool(PendingWindow(inst, self.name, self.after).ids(limit=1))

    def run(self, inst: Installation, progress: Progress | None = None) -> ClassifyStats:
        started, stats = time.perf_counter(), ClassifyStats()
        window = PendingWindow(inst, self.name, self.after)
        ids = window.ids()
        if not ids:
            window.close()
            return stats
        clf = self.classifiers or Classifiers.for_installation(inst)
        stats.router_model = clf.router_version
        counters: dict[str, Counter[str]] = {k: Counter() for k in ("reason", "department", "sentiment", "urgency")}
        for start in range(0, len(ids), self.batch):
            chunk = ids[start:start + self.batch]
            items = self._classify(inst, clf, chunk, stats, counters)
            stats.classified += inst.store.save_analysis(items, stage=self.name, fields=list(FIELDS))
            if progress:
                progress(min(start + self.batch, len(ids)), len(ids))
        for key, counter in counters.items():
            setattr(stats, f"by_{key}", {k: counter[k] for k in sorted(counter)})
        window.close()
        stats.seconds = round(time.perf_counter() - started, 3)
        return stats

    @staticmethod
    def _classify(inst: Installation, clf: Classifiers, chunk: list[str], stats: ClassifyStats,
                  counters: dict[str, Counter[str]]) -> list[Analysis]:
        records = {r["id"]: r for r in inst.store.iter_records(chunk)}
        analyses = inst.store.analyses(chunk)
        work: list[Work] = []
        for rid in chunk:
            an, rec = analyses.get(rid), records.get(rid)
            if rec is None or an is None or an.normalized_text is None:
                stats.skipped += 1
                continue
            work.append((rid, an.normalized_text, tuple(an.tokens), rec.get("category_given")))
        return classify_work(clf, work, counters)


def classify_work(clf: Classifiers, work: list[Work],
                  counters: dict[str, Counter[str]] | None = None) -> list[Analysis]:
    """The router's proposal, sentiment and urgency of each record (vectorised); ``counters`` by
    reason, department, sentiment and urgency when given. Pure: any process gives the same."""
    texts = [w[1] for w in work]
    routes = clf.router.route_many([RouteDoc(t, tok, cat) for _, t, tok, cat in work])
    moods = clf.sentiment.analyze_many(texts)
    urgencies = clf.urgency.rate_many(texts)
    items = []
    for (rid, *_), route, mood, urg in zip(work, routes, moods, urgencies):
        items.append(Analysis(
            record_id=rid, department=route.department, route_confidence=route.confidence,
            route_reason=route.reason, route_candidates=route.candidates,
            sentiment_score=mood.score, sentiment_label=mood.label,
            urgency_level=urg.level, urgency_reasons=list(urg.reasons)))
        if counters is not None:
            for key, value in (("reason", route.reason), ("department", route.department),
                               ("sentiment", mood.label), ("urgency", urg.level)):
                counters[key][str(getattr(value, "value", value) or "none")] += 1
    return items
