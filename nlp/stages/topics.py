"""The topics stage at its store edge: fits or loads the topic model, assigns topic ids to what the
text stage finished, and keeps topic ids stable across refits. The logic lives in ``nlp.topics``;
this module only moves data in and out.

The model lives in the shared state (``models/topics/state.json`` naming the current fit, the
fit's gensim files under ``models/topics/<fit id>/``), so any worker assigns with the same model;
``models_dir/topics/<fit id>/`` is this machine's copy (gensim loads from files).

Re-running with nothing new is a no-op for the analysis table (only changed topic assignments are
written, so the search index is not churned).

A fit becomes current (its state, model files and topic names) only after its assignments are
written. Until then the state keeps the last fit, marked ``refit_started``: a run cut off in the
assignment pass (15 minutes on a million demands) leaves the last fit's names over the last fit's
ids, and the next run fits again instead of keeping a half-assigned history.
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from gensim.corpora import Dictionary

from nlp.stages.base import Progress, Stage, StageStats
from nlp.stages.pending import PendingWindow
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
from suqiu.state import shared_state
from suqiu.store import Store, now_local

STAGE = "topics"
AFTER = "analyze"
MIN_DOCS = 20          # fewer demands than this: no topic model yet
STATE_PREFIX = "models/topics"
STATE_KEY = f"{STATE_PREFIX}/state.json"
CUT_OFF = "the last refit was cut off before its assignments were written"
Commit = Callable[[], None]      # makes a fit current once its assignments are written


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
    return TopicSettings(k_values=tuple(t.k_values), seed=t.seed, min_weight=t.min_weight,
                         soft_weight=min(t.soft_weight, t.min_weight), soft_margin=t.soft_margin)


def topic_stop_words(config: Config) -> frozenset[str]:
    """Generic words plus every gazetteer name: places are a hotspot dimension, not a theme."""
    words = set(DEFAULT_TOPIC_STOP_WORDS) | set(config.text.stop_words)
    words.update(name for name, _, _ in config.place_names())
    city = config.city.name
    words.add(city)
    if len(city) > 2 and city.endswith("市"):
        words.add(city[:-1])   # people write 福州 for 福州市: a name 福州·办理·培训机构 says nothing in Fuzhou
    return frozenset(words)


def learning_docs(docs: list[dict[str, Any]], per_group: int) -> list[bool]:
    """Which demands the model learns from: at most ``per_group`` of each near-duplicate group
    (the first seen), so a letter resubmitted thirty times cannot become a topic of its own, while
    a theme many people write about in the same words still weighs more than one letter. (One
    per group starves the model where near-duplicate groups are large: on the synthetic demands
    the outlier share rose from 6% to 24%.) The rest are only assigned."""
    seen: Counter[str] = Counter()
    out = []
    for d in docs:
        out.append(seen[d["group"]] < per_group)
        seen[d["group"]] += 1
    return out


def _week(received_at: datetime | None) -> str:
    """A demand's ISO week ("" without a date)."""
    if received_at is None:
        return ""
    year, week, _ = received_at.isocalendar()
    return f"{year}-W{week:02d}"


def _stratum(doc: dict[str, Any]) -> str:
    """The sampling stratum of a demand: its week and district, so a fit hears every season and
    every part of the city in proportion (a small district's themes are not drowned out)."""
    return f"{_week(doc['received_at'])}|{doc.get('district') or ''}"


def model_dir(inst: Installation) -> Path:
    """This machine's copy of the topic models (one directory per fit)."""
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
        waiting = PendingWindow(inst, STAGE, AFTER).ids(limit=1)
        raw = shared_state(inst).get(STATE_KEY)
        if raw is not None and "refit_started" in json.loads(raw.decode("utf-8")):
            return True     # a refit cut off after its writes, before it became current
        return bool(waiting) and (raw is not None or inst.store.done_count(AFTER) >= self.min_docs) or self.refit

    # ------------------------------------------------------------------ state
    @staticmethod
    def load_state(inst: Installation) -> dict[str, Any] | None:
        """The current fit's state, its model files copied here first when this machine lacks them."""
        raw = shared_state(inst).get(STATE_KEY)
        if raw is None:
            return None
        state = json.loads(raw.decode("utf-8"))
        d = model_dir(inst) / state["fit_id"]
        if not ((d / "model").exists() and (d / "dictionary").exists()):
            shared_state(inst).pull_dir(f"{STATE_PREFIX}/{state['fit_id']}", d)
        if not ((d / "model").exists() and (d / "dictionary").exists()):
            return None  # a fit whose files are gone: fit again
        return state

    @staticmethod
    def adopt_local_model(inst: Installation) -> bool:
        """An earlier release's model (``models_dir/topics/{state.json,model,dictionary}`` on this
        machine only) into the shared state, unless the state has one; whether it was adopted."""
        d, state = model_dir(inst), shared_state(inst)
        if state.get(STATE_KEY) is not None or not (d / "state.json").is_file():
            return False
        legacy = json.loads((d / "state.json").read_text(encoding="utf-8"))
        for path in sorted(p for p in d.iterdir() if p.is_file() and p.name.startswith(("model", "dictionary"))):
            state.put(f"{STATE_PREFIX}/{legacy['fit_id']}/{path.name}", path.read_bytes())
        return state.put(STATE_KEY, json.dumps(legacy, ensure_ascii=False, indent=1).encode("utf-8"), create_only=True)

    @staticmethod
    def _save_state(inst: Installation, state: dict[str, Any]) -> None:
        shared_state(inst).put(STATE_KEY, json.dumps(state, ensure_ascii=False, indent=1).encode("utf-8"))

    # ------------------------------------------------------------------ the run
    def run(self, inst: Installation, progress: Progress | None = None) -> TopicsStats:
        started, out, store = time.perf_counter(), TopicsStats(), inst.store
        cfg = inst.config.topics
        modeler = self.modeler or TopicModeler(settings_from_config(inst.config), make_backend(cfg.backend))
        policy = self.policy or EmergingPolicy(min_outliers=cfg.emerging_min, share_margin=cfg.emerging_margin)
        stop = topic_stop_words(inst.config)
        window = PendingWindow(inst, STAGE, AFTER)
        pending = set(window.ids())
        state = None if self.refit else self.load_state(inst)
        if state is not None and state.get("refit_started"):
            out.reason, state = CUT_OFF, None
        changes: list[tuple[str, int, float]] = []
        commit: Commit | None = None
        if state is None:
            keyed = [(d["id"], _stratum(d)) for d in store.stage_docs(AFTER, ())]
            if keyed and len(keyed) < self.min_docs:
                out.reason = f"too few demands for topics ({len(keyed)} < {self.min_docs})"
                pending = set()   # they stay pending until there are enough
            elif keyed:
                out.reason = out.reason or ("refit requested" if self.refit else "no model yet")
                try:
                    changes, commit = self._fit(inst, modeler, stop, keyed, pending, out)
                except ValueError as exc:  # e.g. a vocabulary too small to model
                    out.reason, pending = f"no topics: {exc}", set()
        elif pending:
            changes, commit = self._assign_new(inst, modeler, policy, state, stop, pending, out)
        self._write(inst, pending, changes, out)
        if commit is not None:
            commit()
        store.refresh_topic_sizes()
        window.close()
        out.seconds = round(time.perf_counter() - started, 2)
        return out

    @staticmethod
    def _docs(store: Store, stop: frozenset[str], ids: Collection[str] | None = None) -> Iterator[dict[str, Any]]:
        """Every analysed demand (or those of ``ids``) with its theme tokens and current (topic,
        weight), streamed."""
        for d in store.stage_docs(AFTER, ("tokens", "topic_id", "topic_weight", "dup_group"), ids=ids):
            yield {"id": d["id"], "tokens": topic_tokens(d["tokens"] or [], stop), "topic": (d["topic_id"], d["topic_weight"]),
                   "group": d["dup_group"] or d["id"]}

    def _assign_new(self, inst: Installation, modeler: TopicModeler, policy: EmergingPolicy,
                    state: dict[str, Any], stop: frozenset[str], pending: set[str],
                    out: TopicsStats) -> tuple[list[tuple[str, int, float]], Commit | None]:
        todo = list(self._docs(inst.store, stop, ids=pending))
        if not todo:
            return [], None
        assignments = self._assign(inst, modeler, state, todo)
        state["new_docs"] = state.get("new_docs", 0) + len(todo)
        state["new_outliers"] = state.get("new_outliers", 0) + sum(1 for t, _ in assignments.values() if t == OUTLIER)
        self._save_state(inst, state)
        if policy.should_refit(state["fit_docs"], state["fit_outlier_share"], state["new_docs"], state["new_outliers"]):
            out.reason = f"{state['new_outliers']} of {state['new_docs']} new demands fit no topic"
            keyed = [(d["id"], _stratum(d)) for d in inst.store.stage_docs(AFTER, ())]
            return self._fit(inst, modeler, stop, keyed, pending, out)
        out.assigned = len(assignments)
        out.outliers = sum(1 for t, _ in assignments.values() if t == OUTLIER)
        return [(rid, t, w) for rid, (t, w) in assignments.items()], None

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

    # ------------------------------------------------------------------ fitting and assigning
    def _fit(self, inst: Installation, modeler: TopicModeler, stop: frozenset[str], keyed: list[tuple[str, str]],
             pending: set[str], out: TopicsStats) -> tuple[list[tuple[str, int, float]], Commit]:
        """Fits on a sample drawn by week (``nlp.topic_scale``), then assigns every demand in a
        streaming pass; returns the assignments that are new or changed, and what makes the fit
        current once they are written (the last fit stays current, marked, until then)."""
        chosen = stratified_sample(keyed, modeler.settings.fit_sample, modeler.settings.seed)
        complete, corpus = len(chosen) == len(keyed), len(keyed)
        del keyed
        sample = [d for d in self._docs(inst.store, stop) if d["id"] in chosen]
        fit = modeler.fit([d["id"] for d in sample], [d["tokens"] for d in sample],
                          fit_on=learning_docs(sample, inst.config.topics.learn_per_group))
        known = inst.store.topic_keywords()
        # retired topics take part too: a theme that comes back gets its old id again
        match = match_topics(known, [t.keywords for t in fit.topics], min_overlap=inst.config.topics.min_overlap)
        fit_id = f"fit-{self.clock():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        self._mark_refit(inst, fit_id)

        def commit() -> None:
            self._save_model(inst, fit, match.mapping, fit_id, corpus)
            inst.store.write_topics({match.mapping[t.index]: {
                "label": t.label, "keywords": t.keywords, "weights": t.weights, "coherence": t.coherence,
                "size": t.size, "representatives": t.representatives, "fit_id": fit_id} for t in fit.topics},
                self.clock(), emerging=bool(known))

        out.fitted, out.k, out.coherence = True, fit.k, round(fit.coherence, 4)
        out.new_topics = sorted(sid for sid in match.mapping.values() if sid not in known)
        stable = {**match.mapping, OUTLIER: OUTLIER}
        found = {a.doc_id: (stable[a.index], a.weight) for a in fit.assignments}
        if complete:
            return self._changes(((d["id"], d["topic"], found[d["id"]]) for d in sample), pending, out), commit
        del sample
        return self._changes(self._assign_rest(modeler, fit, stable, found, inst.store, stop), pending, out), commit

    def _mark_refit(self, inst: Installation, fit_id: str) -> None:
        """The current state (if any) says a refit began: kept until the new fit is current."""
        raw = shared_state(inst).get(STATE_KEY)
        if raw is not None:
            self._save_state(inst, {**json.loads(raw.decode("utf-8")), "refit_started": fit_id})

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

    def _save_model(self, inst: Installation, fit: TopicFit, mapping: dict[int, int], fit_id: str,
                    corpus: int) -> None:
        """The fit's files to the shared state (then the state naming it); older fits' files go.
        ``fit_docs`` is the corpus the fit covers, not its sample: the policy's "grew by its size"
        fired after 20,000 new demands (a week) on a million, each refit reading them all."""
        d = model_dir(inst) / fit_id
        d.mkdir(parents=True, exist_ok=True)
        fit.model.save(str(d / "model"))
        fit.dictionary.save(str(d / "dictionary"))
        state = shared_state(inst)
        kept = set(state.push_dir(d, f"{STATE_PREFIX}/{fit_id}"))
        self._save_state(inst, {
            "fit_id": fit_id, "backend": fit.backend, "k": fit.k, "coherence": fit.coherence,
            "coherence_by_k": {str(k): v for k, v in fit.coherence_by_k.items()},
            "fit_docs": corpus, "fit_outlier_share": fit.outlier_share,
            "mapping": {str(i): sid for i, sid in mapping.items()},
            "new_docs": 0, "new_outliers": 0, "fitted_at": self.clock().isoformat(),
        })
        state.delete(k for k in state.keys(STATE_PREFIX + "/fit-") if k not in kept)

    @staticmethod
    def _assign(inst: Installation, modeler: TopicModeler, state: dict[str, Any],
                docs: list[dict[str, Any]]) -> dict[str, tuple[int, float]]:
        d = model_dir(inst) / state["fit_id"]
        model = make_backend(state["backend"]).load(str(d / "model"))
        dictionary = Dictionary.load(str(d / "dictionary"))
        mapping = {int(i): int(s) for i, s in state["mapping"].items()}
        found = modeler.assign(model, dictionary, [x["id"] for x in docs], [x["tokens"] for x in docs])
        return {a.doc_id: (OUTLIER if a.index == OUTLIER else mapping[a.index], a.weight) for a in found}
