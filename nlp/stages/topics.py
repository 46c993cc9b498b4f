"""The topics stage at its store edge: fits or loads the topic model (under ``models_dir/topics``),
assigns topic ids to what the text stage finished, and keeps topic ids stable across refits.
The logic lives in ``nlp.topics``; this module only moves data in and out.

Re-running with nothing new is a no-op for the analysis table (only changed topic assignments are
written, so the search index is not churned).
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from gensim.corpora import Dictionary

from nlp.stages.base import Progress, Stage, StageStats
from nlp.topic_ids import EmergingPolicy, match_topics
from nlp.topic_scale import stratified_sample
from nlp.topics import (
    ASSIGN_BATCH, DEFAULT_TOPIC_STOP_WORDS, OUTLIER, TopicFit, TopicModeler, TopicSettings, make_backend,
    topic_tokens,
)
from suqiu.config import Config
from suqiu.disclosure import headline
from suqiu.installation import Installation
from suqiu.model import Analysis
from suqiu.store import Store, now_local

STAGE = "topics"
AFTER = "analyze"
MIN_DOCS = 20          # fewer demands than this: no topic model yet


@dataclass
class TopicsStats(StageStats):
    fitted: bool = False
    reason: str = ""
    k: int | None = None
    coherence: float | None = None
    assigned: int = 0
    outliers: int = 0
    written: int = 0
    new_topics: list[int] = field(default_factory=list)


def settings_from_config(config: Config) -> TopicSettings:
    t = config.topics
    return TopicSettings(k_values=tuple(t.k_values), seed=t.seed, min_weight=t.min_weight)


def topic_stop_words(config: Config) -> frozenset[str]:
    """Generic words plus every gazetteer name: places are a hotspot dimension, not a theme."""
    words = set(DEFAULT_TOPIC_STOP_WORDS) | set(config.text.stop_words)
    words.update(name for name, _, _ in config.place_names())
    words.add(config.city.name)
    return frozenset(words)


def _week(received_at: datetime | None) -> str:
    """The sampling stratum of a demand: its ISO week."""
    if received_at is None:
        return ""
    year, week, _ = received_at.isocalendar()
    return f"{year}-W{week:02d}"


def model_dir(inst: Installation) -> Path:
    return inst.models_dir / "topics"


def list_topics(store: Store, include_retired: bool = False) -> list[dict[str, Any]]:
    """Stored topics with their representative demands' masked headlines."""
    out = []
    for r in store.topic_rows(include_retired):
        texts = r["representative_texts"]
        out.append({
            "id": r["id"], "label": r["label"], "keywords": r["keywords"], "size": r["size"],
            "coherence": r["coherence"], "emerging": bool(r["emerging"]), "active": bool(r["active"]),
            "first_seen": r["first_seen"].isoformat(),
            "representatives": [{"id": rid, "title": headline(*texts[rid])} for rid in (r["representatives"] or [])],
        })
    return out


class TopicsStage(Stage):
    """Fits, assigns and keeps topics stable (the views stage then rebuilds profiles and hotspots)."""

    name = STAGE
    after = AFTER

    def __init__(self, modeler: TopicModeler | None = None, policy: EmergingPolicy | None = None,
                 clock: Any = None, min_docs: int = MIN_DOCS, refit: bool = False) -> None:
        self.modeler, self.policy = modeler, policy
        self.clock = clock or now_local
        self.min_docs = min_docs
        self.refit = refit

    def has_work(self, inst: Installation) -> bool:
        waiting = inst.store.pending(STAGE, after=AFTER, limit=1)
        has_model = (model_dir(inst) / "state.json").exists()
        return bool(waiting) and (has_model or inst.store.done_count(AFTER) >= self.min_docs) or self.refit

    # ------------------------------------------------------------------ state
    @staticmethod
    def load_state(inst: Installation) -> dict[str, Any] | None:
        d = model_dir(inst)
        path = d / "state.json"
        if not path.exists() or not (d / "model").exists() or not (d / "dictionary").exists():
            return None
        return json.loads(path.read_text(encoding="utf-8"))

    @staticmethod
    def _save_state(inst: Installation, state: dict[str, Any]) -> None:
        d = model_dir(inst)
        d.mkdir(parents=True, exist_ok=True)
        tmp = d / "state.tmp"
        tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(d / "state.json")

    # ------------------------------------------------------------------ the run
    def run(self, inst: Installation, progress: Progress | None = None) -> TopicsStats:
        started, out, store = time.perf_counter(), TopicsStats(), inst.store
        cfg = inst.config.topics
        modeler = self.modeler or TopicModeler(settings_from_config(inst.config), make_backend(cfg.backend))
        policy = self.policy or EmergingPolicy(min_outliers=cfg.emerging_min, share_margin=cfg.emerging_margin)
        stop = topic_stop_words(inst.config)
        pending = set(store.pending(STAGE, after=AFTER))
        state = None if self.refit else self.load_state(inst)
        changes: list[tuple[str, int, float]] = []
        if state is None:
            keyed = [(d["id"], _week(d["received_at"])) for d in store.stage_docs(AFTER, ())]
            if keyed and len(keyed) < self.min_docs:
                out.reason = f"too few demands for topics ({len(keyed)} < {self.min_docs})"
                pending = set()   # they stay pending until there are enough
            elif keyed:
                out.reason = "refit requested" if self.refit else "no model yet"
                try:
                    changes = self._fit(inst, modeler, stop, keyed, pending, out)
                except ValueError as exc:  # e.g. a vocabulary too small to model
                    out.reason, pending = f"no topics: {exc}", set()
        elif pending:
            changes = self._assign_new(inst, modeler, policy, state, stop, pending, out)
        self._write(inst, pending, changes, out)
        out.seconds = round(time.perf_counter() - started, 2)
        return out

    @staticmethod
    def _docs(store: Store, stop: frozenset[str]) -> Iterator[dict[str, Any]]:
        """Every analysed demand with its theme tokens and current (topic, weight), streamed."""
        for d in store.stage_docs(AFTER, ("tokens", "topic_id", "topic_weight")):
            yield {"id": d["id"], "tokens": topic_tokens(d["tokens"] or [], stop), "topic": (d["topic_id"], d["topic_weight"])}

    def _assign_new(self, inst: Installation, modeler: TopicModeler, policy: EmergingPolicy,
                    state: dict[str, Any], stop: frozenset[str], pending: set[str],
                    out: TopicsStats) -> list[tuple[str, int, float]]:
        todo = [d for d in self._docs(inst.store, stop) if d["id"] in pending]
        if not todo:
            return []
        assignments = self._assign(inst, modeler, state, todo)
        state["new_docs"] = state.get("new_docs", 0) + len(todo)
        state["new_outliers"] = state.get("new_outliers", 0) + sum(1 for t, _ in assignments.values() if t == OUTLIER)
        self._save_state(inst, state)
        if policy.should_refit(state["fit_docs"], state["fit_outlier_share"], state["new_docs"], state["new_outliers"]):
            out.reason = f"{state['new_outliers']} of {state['new_docs']} new demands fit no topic"
            keyed = [(d["id"], _week(d["received_at"])) for d in inst.store.stage_docs(AFTER, ())]
            return self._fit(inst, modeler, stop, keyed, pending, out)
        out.assigned = len(assignments)
        out.outliers = sum(1 for t, _ in assignments.values() if t == OUTLIER)
        return [(rid, t, w) for rid, (t, w) in assignments.items()]

    @staticmethod
    def _write(inst: Installation, pending: set[str], changes: list[tuple[str, int, float]],
               out: TopicsStats) -> None:
        """Writes the changed assignments; pending demands without one (no tokens) are marked done."""
        store = inst.store
        if changes:
            out.written = store.save_analysis((Analysis(record_id=rid, topic_id=t, topic_weight=w)
                                               for rid, t, w in changes), stage=STAGE, fields=["topic_id", "topic_weight"])
        written = {rid for rid, _, _ in changes}
        leftovers = [rid for rid in pending if rid not in written]
        if leftovers:
            store.mark_done(STAGE, store.text_hashes(leftovers))
        store.refresh_topic_sizes()

    # ------------------------------------------------------------------ fitting and assigning
    def _fit(self, inst: Installation, modeler: TopicModeler, stop: frozenset[str], keyed: list[tuple[str, str]],
             pending: set[str], out: TopicsStats) -> list[tuple[str, int, float]]:
        """Fits on a sample drawn by week (``nlp.topic_scale``), then assigns every demand in a
        streaming pass; returns the assignments that are new or changed."""
        chosen = stratified_sample(keyed, modeler.settings.fit_sample, modeler.settings.seed)
        complete = len(chosen) == len(keyed)
        del keyed
        sample = [d for d in self._docs(inst.store, stop) if d["id"] in chosen]
        fit = modeler.fit([d["id"] for d in sample], [d["tokens"] for d in sample])
        known = inst.store.topic_keywords()
        # retired topics take part too: a theme that comes back gets its old id again
        match = match_topics(known, [t.keywords for t in fit.topics], min_overlap=inst.config.topics.min_overlap)
        fit_id = f"fit-{self.clock():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        self._save_model(inst, fit, match.mapping, fit_id)
        inst.store.write_topics({match.mapping[t.index]: {
            "label": t.label, "keywords": t.keywords, "weights": t.weights, "coherence": t.coherence,
            "size": t.size, "representatives": t.representatives, "fit_id": fit_id} for t in fit.topics},
            self.clock(), emerging=bool(known))
        out.fitted, out.k, out.coherence = True, fit.k, round(fit.coherence, 4)
        out.new_topics = sorted(sid for sid in match.mapping.values() if sid not in known)
        stable = {**match.mapping, OUTLIER: OUTLIER}
        found = {a.doc_id: (stable[a.index], a.weight) for a in fit.assignments}
        if complete:
            return self._changes(((d["id"], d["topic"], found[d["id"]]) for d in sample), pending, out)
        del sample
        return self._changes(self._assign_rest(modeler, fit, stable, found, inst.store, stop), pending, out)

    @staticmethod
    def _assign_rest(modeler: TopicModeler, fit: TopicFit, stable: dict[int, int], found: dict[str, tuple[int, float]],
                     store: Store, stop: frozenset[str]) -> Iterator[tuple[str, Any, tuple[int, float]]]:
        """(id, current, new) for every demand: the sample's from the fit, the rest assigned in batches."""
        batch: list[dict[str, Any]] = []
        docs = TopicsStage._docs(store, stop)
        for d in itertools.chain(docs, [None]):
            if d is not None and d["id"] in found:
                yield d["id"], d["topic"], found[d["id"]]
                continue
            if d is not None:
                batch.append(d)
            if batch and (d is None or len(batch) >= ASSIGN_BATCH):
                for doc, a in zip(batch, modeler.assign(fit.model, fit.dictionary, [x["id"] for x in batch],
                                                        [x["tokens"] for x in batch])):
                    yield doc["id"], doc["topic"], (stable[a.index], a.weight)
                batch = []

    @staticmethod
    def _changes(triples: Iterable[tuple[str, Any, tuple[int, float]]], pending: set[str],
                 out: TopicsStats) -> list[tuple[str, int, float]]:
        """The assignments to write: of pending demands, or different from what is stored."""
        changes = []
        for rid, current, (t, w) in triples:
            out.assigned += 1
            out.outliers += t == OUTLIER
            if rid in pending or tuple(current) != (t, w):
                changes.append((rid, t, w))
        return changes

    def _save_model(self, inst: Installation, fit: TopicFit, mapping: dict[int, int], fit_id: str) -> None:
        d = model_dir(inst)
        d.mkdir(parents=True, exist_ok=True)
        fit.model.save(str(d / "model"))
        fit.dictionary.save(str(d / "dictionary"))
        self._save_state(inst, {
            "fit_id": fit_id, "backend": fit.backend, "k": fit.k, "coherence": fit.coherence,
            "coherence_by_k": {str(k): v for k, v in fit.coherence_by_k.items()},
            "fit_docs": len(fit.assignments), "fit_outlier_share": fit.outlier_share,
            "mapping": {str(i): sid for i, sid in mapping.items()},
            "new_docs": 0, "new_outliers": 0, "fitted_at": self.clock().isoformat(),
        })

    @staticmethod
    def _assign(inst: Installation, modeler: TopicModeler, state: dict[str, Any],
                docs: list[dict[str, Any]]) -> dict[str, tuple[int, float]]:
        d = model_dir(inst)
        model = make_backend(state["backend"]).load(str(d / "model"))
        dictionary = Dictionary.load(str(d / "dictionary"))
        mapping = {int(i): int(s) for i, s in state["mapping"].items()}
        found = modeler.assign(model, dictionary, [x["id"] for x in docs], [x["tokens"] for x in docs])
        return {a.doc_id: (OUTLIER if a.index == OUTLIER else mapping[a.index], a.weight) for a in found}
