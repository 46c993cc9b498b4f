"""The topics stage, at the I/O edge: reads tokens and records from the store, fits or loads the
topic model under ``app.models_dir / "topics"``, writes topic ids, then rebuilds profiles, hotspots
and warnings from the store. The logic lives in ``nlp.topics``, ``nlp.profiles``, ``nlp.hotspots``
and ``nlp.early_warning``; this module only moves data in and out.

Runs after the text stage (``store.pending("topics", after="analyze")``): without tokens there is
nothing to model. Re-running with nothing new is a no-op for the analysis table (only changed
topic assignments are written, so the search index is not churned).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from nlp.early_warning import WarningSettings, all_warnings
from nlp.hotspots import HotspotSettings, find_hotspots
from nlp.profiles import DIMENSIONS, build_profiles
from nlp.topics import (
    DEFAULT_TOPIC_STOP_WORDS, OUTLIER, EmergingPolicy, TopicFit, TopicModeler, TopicSettings, make_backend,
    match_topics, topic_tokens,
)
from suqiu import schema
from suqiu.model import Analysis
from suqiu.store import Store, from_db_time, now_local, to_db_time

if TYPE_CHECKING:
    from suqiu.app import App
    from suqiu.config import Config

STAGE = "topics"
AFTER = "analyze"
PLACE_ORDER = {"estate": 0, "community": 1, "road": 2, "street": 3, "district": 4}
MAX_HOTSPOTS = 100
VIEWS_FILE = "views.json"
MIN_DOCS = 20          # fewer demands than this: no topic model yet


@dataclass
class TopicsRun:
    """What one run did (the numbers ``suqiu analyze`` reports)."""

    fitted: bool = False
    reason: str = ""
    k: int | None = None
    coherence: float | None = None
    assigned: int = 0
    outliers: int = 0
    written: int = 0
    new_topics: list[int] = field(default_factory=list)
    profiles: int = 0
    hotspots: int = 0
    warnings: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def settings_from_config(config: "Config") -> TopicSettings:
    t = config.topics
    return TopicSettings(k_values=tuple(t.k_values), seed=t.seed, min_weight=t.min_weight)


def topic_stop_words(config: "Config") -> frozenset[str]:
    """Generic words plus every gazetteer name: places are a hotspot dimension, not a theme."""
    words = set(DEFAULT_TOPIC_STOP_WORDS) | set(config.text.stop_words)
    for d in config.districts:
        words.update([d.name, *d.aliases, *d.streets, *d.communities, *d.roads, *d.estates])
    words.add(config.city.name)
    return frozenset(words)


# pattern-found names such as 我们小区 or 投诉小区 name no place; they would merge unrelated demands
_NOT_A_PLACE_HEAD = re.compile(r"^(我们|你们|他们|我家|我|本|该|这|那|此|投诉|反映|举报|咨询|关于|请问|附近|周边|所在)")


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


def _district(row: dict[str, Any]) -> str | None:
    if row.get("district"):
        return row["district"]
    for p in row.get("places") or []:
        if p.get("district"):
            return p["district"]
    return None


class TopicsStage:
    """Fits, assigns and keeps topics stable; then rebuilds profiles, hotspots and warnings."""

    name = STAGE

    def __init__(self, app: "App", modeler: TopicModeler | None = None, policy: EmergingPolicy | None = None,
                 clock: Any = None, min_docs: int = MIN_DOCS) -> None:
        self.app = app
        self.min_docs = min_docs
        cfg = app.config.topics
        self.modeler = modeler or TopicModeler(settings_from_config(app.config), make_backend(cfg.backend))
        self.policy = policy or EmergingPolicy(min_outliers=cfg.emerging_min, share_margin=cfg.emerging_margin)
        self.stop_words = topic_stop_words(app.config)
        self.clock = clock or now_local

    # ------------------------------------------------------------------ paths and state
    @property
    def model_dir(self) -> Path:
        return self.app.models_dir / "topics"

    def _state_path(self) -> Path:
        return self.model_dir / "state.json"

    def load_state(self) -> dict[str, Any] | None:
        path = self._state_path()
        if not path.exists():
            return None
        state = json.loads(path.read_text(encoding="utf-8"))
        if not (self.model_dir / "model").exists() or not (self.model_dir / "dictionary").exists():
            return None
        return state

    def _save_state(self, state: dict[str, Any]) -> None:
        self.model_dir.mkdir(parents=True, exist_ok=True)
        tmp = self._state_path().with_suffix(".tmp")
        tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(self._state_path())

    # ------------------------------------------------------------------ entry points
    def __call__(self, store: Store | None = None) -> dict[str, Any]:
        return self.run().as_dict()

    def run(self, refit: bool = False) -> TopicsRun:
        started = time.perf_counter()
        store = self.app.store
        out = TopicsRun()
        docs = self._load_docs(store)
        pending = set(store.pending(STAGE, after=AFTER))
        state = None if refit else self.load_state()
        current = {d["id"]: (d["topic_id"], d["topic_weight"]) for d in docs}

        assignments: dict[str, tuple[int, float]] = {}
        if docs and state is None and len(docs) < self.min_docs:
            # too few demands to find themes: they stay pending until there are enough
            out.reason = f"too few demands for topics ({len(docs)} < {self.min_docs})"
            pending = set()
        elif docs and state is None:
            out.reason = "refit requested" if refit else "no model yet"
            try:
                assignments = self._fit(store, docs, out)
            except ValueError as exc:  # e.g. a vocabulary too small to model
                out.reason = f"no topics: {exc}"
                pending = set()
        elif docs and state is not None:
            todo = [d for d in docs if d["id"] in pending]
            if todo:
                assignments = self._assign(state, todo)
                new_out = sum(1 for t, _ in assignments.values() if t == OUTLIER)
                state["new_docs"] = state.get("new_docs", 0) + len(todo)
                state["new_outliers"] = state.get("new_outliers", 0) + new_out
                self._save_state(state)
                if self.policy.should_refit(state["fit_docs"], state["fit_outlier_share"],
                                            state["new_docs"], state["new_outliers"]):
                    out.reason = (f"{state['new_outliers']} of {state['new_docs']} new demands fit no topic")
                    assignments = self._fit(store, docs, out)
        out.assigned = len(assignments)
        out.outliers = sum(1 for t, _ in assignments.values() if t == OUTLIER)

        changed = [Analysis(record_id=rid, topic_id=t, topic_weight=w) for rid, (t, w) in assignments.items()
                   if rid in pending or current.get(rid) != (t, w)]
        if changed:
            out.written = store.save_analysis(changed, stage=STAGE, fields=["topic_id", "topic_weight"])
        # pending records without tokens (empty texts) are done too: nothing to assign
        leftovers = {rid for rid in pending if rid not in assignments}
        if leftovers:
            with store.begin() as conn:
                rows = conn.execute(select(schema.records.c.id, schema.records.c.text_hash)
                                    .where(schema.records.c.id.in_(leftovers))).all()
                store.mark_done(STAGE, {r.id: r.text_hash for r in rows}, conn)
        self._refresh_sizes(store)
        derived = self.rebuild_views(store)
        out.profiles, out.hotspots, out.warnings = derived
        out.seconds = round(time.perf_counter() - started, 2)
        return out

    # ------------------------------------------------------------------ reading
    def _load_docs(self, store: Store) -> list[dict[str, Any]]:
        """Records whose text stage is done at their current text, with topic tokens."""
        rec, an, st = schema.records, schema.analysis, schema.stage_state
        q = (select(rec.c.id, rec.c.received_at, an.c.tokens, an.c.topic_id, an.c.topic_weight)
             .select_from(rec.join(an, an.c.record_id == rec.c.id)
                          .join(st, (st.c.record_id == rec.c.id) & (st.c.stage == AFTER)
                                & (st.c.input_key == rec.c.text_hash)))
             .order_by(rec.c.received_at, rec.c.id))
        docs = []
        with store.engine.connect() as conn:
            for row in conn.execute(q).mappings():
                docs.append({"id": row["id"], "received_at": row["received_at"],
                             "tokens": topic_tokens(row["tokens"] or [], self.stop_words),
                             "topic_id": row["topic_id"], "topic_weight": row["topic_weight"]})
        return docs

    def _known_topics(self, store: Store) -> dict[int, list[str]]:
        with store.engine.connect() as conn:
            return {int(r.id): list(r.keywords or []) for r in conn.execute(
                select(schema.topics.c.id, schema.topics.c.keywords))}

    # ------------------------------------------------------------------ fitting and assigning
    def _fit(self, store: Store, docs: list[dict[str, Any]], out: TopicsRun) -> dict[str, tuple[int, float]]:
        fit = self.modeler.fit([d["id"] for d in docs], [d["tokens"] for d in docs])
        known = self._known_topics(store)
        # retired topics take part too: a theme that comes back gets its old id again
        match = match_topics(known, [t.keywords for t in fit.topics],
                             min_overlap=self.app.config.topics.min_overlap)
        fit_id = f"fit-{self.clock():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        self._save_model(fit, match.mapping, fit_id)
        self._write_topics(store, fit, match.mapping, fit_id, emerging=bool(known))
        out.fitted, out.k, out.coherence = True, fit.k, round(fit.coherence, 4)
        out.new_topics = sorted(sid for sid in match.mapping.values() if sid not in known)
        return {a.doc_id: (OUTLIER if a.index == OUTLIER else match.mapping[a.index], a.weight)
                for a in fit.assignments}

    def _save_model(self, fit: TopicFit, mapping: dict[int, int], fit_id: str) -> None:
        self.model_dir.mkdir(parents=True, exist_ok=True)
        fit.model.save(str(self.model_dir / "model"))
        fit.dictionary.save(str(self.model_dir / "dictionary"))
        self._save_state({
            "fit_id": fit_id, "backend": fit.backend, "k": fit.k, "coherence": fit.coherence,
            "coherence_by_k": {str(k): v for k, v in fit.coherence_by_k.items()},
            "fit_docs": len(fit.assignments), "fit_outlier_share": fit.outlier_share,
            "mapping": {str(i): sid for i, sid in mapping.items()},
            "new_docs": 0, "new_outliers": 0, "fitted_at": self.clock().isoformat(),
        })

    def _assign(self, state: dict[str, Any], docs: list[dict[str, Any]]) -> dict[str, tuple[int, float]]:
        from gensim.corpora import Dictionary
        backend = make_backend(state["backend"])
        model = backend.load(str(self.model_dir / "model"))
        dictionary = Dictionary.load(str(self.model_dir / "dictionary"))
        mapping = {int(i): int(s) for i, s in state["mapping"].items()}
        found = self.modeler.assign(model, dictionary, [d["id"] for d in docs], [d["tokens"] for d in docs])
        return {a.doc_id: (OUTLIER if a.index == OUTLIER else mapping[a.index], a.weight) for a in found}

    def _write_topics(self, store: Store, fit: TopicFit, mapping: dict[int, int], fit_id: str,
                      emerging: bool) -> None:
        now = to_db_time(self.clock())
        t = schema.topics
        with store.begin() as conn:
            existing = {int(r.id) for r in conn.execute(select(t.c.id))}
            conn.execute(update(t).values(active=False, updated_at=now))
            for topic in fit.topics:
                sid = mapping[topic.index]
                values = dict(label=topic.label, keywords=topic.keywords, weights=topic.weights,
                              coherence=topic.coherence, size=topic.size, representatives=topic.representatives,
                              active=True, fit_id=fit_id, updated_at=now)
                if sid in existing:
                    conn.execute(update(t).where(t.c.id == sid).values(**values))
                else:
                    conn.execute(t.insert().values(id=sid, emerging=emerging, first_seen=now, **values))

    def _refresh_sizes(self, store: Store) -> None:
        an, t = schema.analysis, schema.topics
        with store.begin() as conn:
            sizes = dict(conn.execute(select(an.c.topic_id, func.count()).where(an.c.topic_id.is_not(None))
                                      .group_by(an.c.topic_id)).all())
            for tid in [r[0] for r in conn.execute(select(t.c.id))]:
                conn.execute(update(t).where(t.c.id == tid).values(size=int(sizes.get(tid, 0))))

    # ------------------------------------------------------------------ derived views
    def rebuild_views(self, store: Store) -> tuple[int, int, int]:
        """Profiles, hotspots and warnings from the current store; returns their counts."""
        records = load_view_records(store)
        labels = topic_labels(store)
        cfg = self.app.config
        built = self.clock()
        now = to_db_time(built)
        profiles = [p for dim in DIMENSIONS for p in build_profiles(records, dim, labels)]
        hot = find_hotspots(records, labels, HotspotSettings(gap_days=cfg.topics.hotspot_gap_days),
                            top=MAX_HOTSPOTS)
        warns = all_warnings(records, WarningSettings.from_config(cfg.warnings), labels)
        with store.begin() as conn:
            replace_profiles(conn, profiles, now)
            conn.execute(schema.hotspots.delete())
            if hot:
                conn.execute(schema.hotspots.insert(), [
                    {"id": h["id"], "rank": i, "heat": h["heat"], "topic_id": h["topic_id"], "place": h["place"],
                     "start": to_db_time(datetime.fromisoformat(h["start"])),
                     "end": to_db_time(datetime.fromisoformat(h["end"])), "data": h, "updated_at": now}
                    for i, h in enumerate(hot, start=1)])
            w = schema.warnings
            seen = {r.id for r in conn.execute(select(w.c.id))}
            for item in warns:
                values = dict(kind=item["kind"], week=item["week"], subject=item["subject"], level=item["level"],
                              message=item["message"], evidence=item["evidence"], updated_at=now)
                if item["id"] in seen:
                    conn.execute(update(w).where(w.c.id == item["id"]).values(**values))
                else:
                    conn.execute(w.insert().values(id=item["id"], first_seen=now, **values))
        self.model_dir.mkdir(parents=True, exist_ok=True)
        (self.model_dir / VIEWS_FILE).write_text(json.dumps({"built_at": built.isoformat()}), encoding="utf-8")
        return len(profiles), len(hot), len(warns)


def replace_profiles(conn: Any, profiles: Sequence[dict[str, Any]], now: datetime) -> None:
    """All stored profiles become ``profiles`` (``nlp.profiles`` dicts; ``now`` in store time)."""
    conn.execute(schema.profiles.delete())
    if profiles:
        conn.execute(schema.profiles.insert(), [
            {"id": p["id"], "dimension": p["dimension"], "value": p["value"], "week": p["week"],
             "volume": p["volume"], "data": p, "updated_at": now} for p in profiles])


# ---------------------------------------------------------------------- readers for the CLI and views
def load_view_records(store: Store) -> list[dict[str, Any]]:
    """Records joined with their analysis, text masked (raw title and content never leave here)."""
    rec, an = schema.records, schema.analysis
    cols = [rec.c.id, rec.c.source, rec.c.channel, rec.c.received_at, rec.c.district, rec.c.requester_type,
            rec.c.requester, rec.c.department_given, rec.c.business_name, rec.c.status, rec.c.replied_at,
            rec.c.satisfaction, rec.c.votes_up, rec.c.votes_down, an.c.masked_title, an.c.masked_text,
            an.c.keywords, an.c.places, an.c.topic_id, an.c.topic_weight, an.c.sentiment_label,
            an.c.sentiment_score, an.c.urgency_level, an.c.department, an.c.dup_group]
    out = []
    with store.engine.connect() as conn:
        for row in conn.execute(select(*cols).select_from(rec.outerjoin(an, an.c.record_id == rec.c.id))
                                .order_by(rec.c.received_at, rec.c.id)).mappings():
            r = dict(row)
            r["received_at"] = from_db_time(r["received_at"])
            r["replied_at"] = from_db_time(r["replied_at"])
            r["title"] = masked_headline(r.pop("masked_title"), r.pop("masked_text"))
            r["district"] = _district(r)
            r["places"] = place_names(r.get("places"))
            out.append(r)
    return out


def masked_headline(masked_title: str | None, masked_text: str | None, limit: int = 60) -> str:
    """The demand's headline from masked text only; empty when the text stage has not run."""
    if masked_title:
        return masked_title[:limit]
    if masked_text:
        first = re.split(r"[。！？!?\n]", masked_text.strip(), maxsplit=1)[0]
        return first[:limit]
    return ""


def topic_labels(store: Store) -> dict[int, str]:
    with store.engine.connect() as conn:
        return {int(r.id): r.label for r in conn.execute(select(schema.topics.c.id, schema.topics.c.label))}


def list_topics(store: Store, include_retired: bool = False) -> list[dict[str, Any]]:
    """Stored topics with their representative demands' masked headlines."""
    t, an = schema.topics, schema.analysis
    q = select(t).order_by(t.c.size.desc(), t.c.id)
    if not include_retired:
        q = q.where(t.c.active)
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
        rep_ids = [rid for r in rows for rid in (r["representatives"] or [])]
        heads = {r.record_id: masked_headline(r.masked_title, r.masked_text) for r in conn.execute(
            select(an.c.record_id, an.c.masked_title, an.c.masked_text).where(an.c.record_id.in_(rep_ids)))}
        outliers = int(conn.execute(select(func.count()).select_from(an).where(an.c.topic_id == OUTLIER)).scalar_one())
    topics = []
    for r in rows:
        topics.append({
            "id": r["id"], "label": r["label"], "keywords": r["keywords"], "size": r["size"],
            "coherence": r["coherence"], "emerging": bool(r["emerging"]), "active": bool(r["active"]),
            "first_seen": from_db_time(r["first_seen"]).isoformat(),
            "representatives": [{"id": rid, "title": heads.get(rid, "")} for rid in (r["representatives"] or [])],
        })
    return topics


def outlier_count(store: Store) -> int:
    an = schema.analysis
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(an).where(an.c.topic_id == OUTLIER)).scalar_one())


def list_hotspots(store: Store, top: int = 10) -> list[dict[str, Any]]:
    h = schema.hotspots
    with store.engine.connect() as conn:
        return [r.data for r in conn.execute(select(h.c.data).order_by(h.c.rank).limit(top))]


def list_profiles(store: Store, dimension: str, week: str | None = None) -> tuple[str | None, list[dict[str, Any]]]:
    """Profiles of one dimension in one week (default: the latest week that has any)."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension '{dimension}' unknown; choose one of {', '.join(DIMENSIONS)}")
    p = schema.profiles
    with store.engine.connect() as conn:
        if week is None:
            week = conn.execute(select(func.max(p.c.week)).where(p.c.dimension == dimension)).scalar_one()
        if week is None:
            return None, []
        rows = conn.execute(select(p.c.data).where(p.c.dimension == dimension, p.c.week == week)
                            .order_by(p.c.volume.desc(), p.c.value)).all()
    return week, [r.data for r in rows]


def list_warnings(store: Store, week: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    w = schema.warnings
    q = select(w).order_by(w.c.week.desc(), w.c.level, w.c.id).limit(limit)
    if week:
        q = q.where(w.c.week == week)
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    for r in rows:
        r["first_seen"] = from_db_time(r["first_seen"]).isoformat()
        r["updated_at"] = from_db_time(r["updated_at"]).isoformat()
    return rows


def run_topics(app: "App", refit: bool = False) -> TopicsRun:
    return TopicsStage(app).run(refit=refit)


def topics(app: "App") -> dict[str, Any]:
    """The stage callable ``suqiu analyze`` runs after the text stage (``analyze.LATER_STAGES``)."""
    return run_topics(app).as_dict()


def topics_has_work(app: "App") -> bool:
    """Demands to assign, or records/analysis changed since the views were last rebuilt."""
    store = app.store
    waiting = store.pending(STAGE, after=AFTER)
    has_model = (app.models_dir / "topics" / "state.json").exists()
    analysed = store.count(schema.stage_state, schema.stage_state.c.stage == AFTER)
    if waiting and (has_model or analysed >= MIN_DOCS):
        return True
    path = app.models_dir / "topics" / VIEWS_FILE
    if not path.exists():
        return store.count() > 0
    built = datetime.fromisoformat(json.loads(path.read_text(encoding="utf-8"))["built_at"])
    with store.engine.connect() as conn:
        latest = [conn.execute(select(func.max(schema.records.c.updated_at))).scalar_one(),
                  conn.execute(select(func.max(schema.analysis.c.updated_at))).scalar_one()]
    return any(t is not None and from_db_time(t) > built for t in latest)


topics.has_work = topics_has_work  # type: ignore[attr-defined]
