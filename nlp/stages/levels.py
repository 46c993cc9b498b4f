"""The levels stage: 分级分类 (``nlp.classification``) for every record the text stage finished.

Its store name carries the rules' fingerprint (``levels-<hash>``): a change of the configuration's
``[classification]`` rules or of the departments makes every record pending again, and the state
kept for earlier rules is dropped. The text stage clears a record's levels whenever its text
changes, so until this stage has read the new text the record is the office's only.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from nlp.classification import Classifier
from nlp.stages.base import Progress, Stage, StageStats
from nlp.stages.pending import PendingWindow
from suqiu.installation import Installation
from suqiu.model import Analysis

PREFIX = "levels-"
FIELDS = ("publication", "sensitivity", "level_reasons")


@dataclass
class LevelsStats(StageStats):
    classified: int = 0
    rules: str = ""
    by_publication: dict[str, int] = field(default_factory=dict)
    by_sensitivity: dict[str, int] = field(default_factory=dict)


class LevelsStage(Stage):
    """Idempotent: a record is classified again when its text or the rules change."""

    name = "levels"
    after = "analyze"

    def __init__(self, classifier: Classifier | None = None, batch: int = 1000) -> None:
        self.classifier = classifier
        self.batch = batch

    def _rules(self, inst: Installation) -> tuple[Classifier, str]:
        clf = self.classifier or Classifier.from_config(inst.config)
        return clf, PREFIX + clf.fingerprint()

    def has_work(self, inst: Installation) -> bool:
        return bool(PendingWindow(inst, self._rules(inst)[1], self.after).ids(limit=1))

    def run(self, inst: Installation, progress: Progress | None = None) -> LevelsStats:
        started = time.perf_counter()
        clf, key = self._rules(inst)
        stats, store = LevelsStats(rules=key), inst.store
        store.forget_stages(PREFIX, keep=key)
        window = PendingWindow(inst, key, self.after)
        ids = window.ids()
        publication: Counter[str] = Counter()
        sensitivity: Counter[str] = Counter()
        for start in range(0, len(ids), self.batch):
            chunk = ids[start:start + self.batch]
            records = {r["id"]: r for r in store.iter_records(chunk)}
            analyses = store.analyses(chunk)
            items = []
            for rid in chunk:
                rec, an = records.get(rid), analyses.get(rid)
                if rec is None or an is None:
                    continue
                levels = clf.classify(rec["source"], rec.get("category_given"), an.normalized_text or "")
                items.append(Analysis(record_id=rid, publication=levels.publication, sensitivity=levels.sensitivity,
                                      level_reasons=list(levels.reasons)))
                publication[levels.publication] += 1
                sensitivity[levels.sensitivity] += 1
            stats.classified += store.save_analysis(items, stage=key, fields=list(FIELDS))
            if progress:
                progress(min(start + self.batch, len(ids)), len(ids))
        stats.by_publication, stats.by_sensitivity = dict(sorted(publication.items())), dict(sorted(sensitivity.items()))
        window.close()
        stats.seconds = round(time.perf_counter() - started, 3)
        return stats
