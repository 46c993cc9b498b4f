"""The classify stage and the training and evaluation edges around the classifiers.

``classify_pending`` fills each analyzed record's department (or the triage queue), sentiment and
urgency; it runs after the text stage (``store.pending("classify", after="analyze")``) and reads
the text stage's normalized text and tokens. ``train_router_file`` and the ``eval_*`` functions
back ``suqiu train router`` and ``suqiu eval …``: they read labelled CSV/XLSX files, prepare the
text the way analysis does, and return plain dicts for the CLI to print.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nlp.routing import Router, RouterModel
    from nlp.sentiment import SentimentAnalyzer, SentimentModel
    from nlp.urgency import UrgencyRater
    from suqiu.app import App
    from suqiu.config import Config

STAGE = "classify"
AFTER = "analyze"
FIELDS = ("department", "route_confidence", "route_reason", "route_candidates", "sentiment_score",
          "sentiment_label", "urgency_level", "urgency_reasons")
ROUTER_KIND = "router"
SENTIMENT_KIND = "sentiment"


class LabelledFileError(ValueError):
    """A labelled file cannot be used; the message (Chinese) says why."""


# ------------------------------------------------------------------------------- labelled files
def read_labelled(path: Path, text_col: str, label_col: str | None) -> tuple[list[str], list[str], int]:
    """Texts and labels of a CSV/XLSX export; rows with an empty text (or label) are skipped and counted."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise LabelledFileError(f"文件不存在: {path}")
    try:
        if path.suffix.lower() in (".xlsx", ".xls"):
            frame = pd.read_excel(path, dtype=str)
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except Exception as exc:  # pandas raises many kinds; the user needs the file and the reason
        raise LabelledFileError(f"无法读取 {path}: {exc}") from None
    wanted = [c for c in (text_col, label_col) if c]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise LabelledFileError(f"{path} 缺少列 {', '.join(missing)}（现有列: {', '.join(map(str, frame.columns))}）")
    frame = frame.fillna("")
    texts = frame[text_col].astype(str).str.strip()
    labels = frame[label_col].astype(str).str.strip() if label_col else texts.map(lambda _: "")
    keep = (texts != "") & ((labels != "") if label_col else True)
    return texts[keep].tolist(), labels[keep].tolist(), int((~keep).sum())


def prepare_texts(config: "Config", texts: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    """Normalized texts and their tokens, cut by the installation's segmenter as analysis cuts them."""
    from nlp.normalize import Normalizer
    from nlp.segment import Segmenter

    norm = Normalizer()
    seg = Segmenter.from_config(config)
    normalized = [norm(t) for t in texts]
    return normalized, [seg.tokens(t) for t in normalized]


# ------------------------------------------------------------------------------- models in use
def current_router_model(app: "App") -> "RouterModel | None":
    """The installation's current trained router, or None (rules and triage only)."""
    from nlp.model_store import ModelStore
    loaded = ModelStore(app.models_dir).load(ROUTER_KIND)
    return None if loaded is None else loaded[0]


def current_sentiment_model(app: "App", with_train_digests: bool = False) -> "SentimentModel":
    """The installation's own trained sentiment model when it has one, else the shipped default."""
    from nlp.model_store import ModelStore
    from nlp.sentiment import shipped_model
    loaded = ModelStore(app.models_dir).load(SENTIMENT_KIND)
    if loaded is not None:
        return loaded[0]
    return shipped_model(with_train_digests=with_train_digests)


def train_sentiment_file(app: "App", path: Path, text_col: str = "review", label_col: str = "label") -> dict[str, Any]:
    """Train the installation's own sentiment model from a labelled file and make it current."""
    from nlp.model_store import ModelStore
    from nlp.sentiment import SentimentModel

    texts, labels, skipped = read_labelled(path, text_col, label_col)
    y = _binary_labels(labels)
    t0 = time.perf_counter()
    model = SentimentModel().fit(texts, y)
    info = ModelStore(app.models_dir).save(SENTIMENT_KIND, model, meta={
        "trained_from": str(Path(path).resolve()), "n_docs": len(texts), "skipped_rows": skipped,
        "fit_s": round(time.perf_counter() - t0, 1)})
    return {"version": info.version, "path": str(info.path), **info.meta}


# ------------------------------------------------------------------------------- evaluation
def _binary_labels(labels: Sequence[str]) -> list[int]:
    from nlp.sentiment import as_binary
    try:
        return [as_binary(l) for l in labels]
    except ValueError as exc:
        raise LabelledFileError(f"情感标签无法识别: {exc}") from None


def eval_sentiment_files(test: Path, train: Path | None = None, text_col: str = "review",
                         label_col: str = "label", model: "SentimentModel | None" = None,
                         app: "App | None" = None) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class F1 and docs/s of the sentiment analyzer on a labelled file.

    Without ``train`` the installation's current model (the shipped default) is used. Test texts
    that occur verbatim in the training data are counted (``n_seen_in_train``) and the accuracy
    on the rest is reported too (``accuracy_unseen``), so a figure never hides a leak.
    """
    from nlp.evaluation import evaluate
    from nlp.sentiment import SentimentAnalyzer, SentimentModel

    n_train: int | None = None
    origin = "given"
    if train is not None:
        tr_texts, tr_labels, _ = read_labelled(train, text_col, label_col)
        model = SentimentModel().fit(tr_texts, _binary_labels(tr_labels))
        n_train, origin = len(tr_texts), f"trained on {Path(train).name}"
    elif model is None:
        if app is None:
            raise ValueError("eval_sentiment_files needs train, model or app")
        model = current_sentiment_model(app, with_train_digests=True)
        origin = "installation's current model"
        n_train = len(model.train_digests)
    texts, labels, skipped = read_labelled(test, text_col, label_col)
    y = _binary_labels(labels)
    analyzer = SentimentAnalyzer(model)
    t0 = time.perf_counter()
    results = analyzer.analyze_many(texts)
    seconds = time.perf_counter() - t0
    pred = [1 if r.score > 0 else 0 for r in results]
    names = {0: "negative", 1: "positive"}
    seen = [model.seen(t) for t in texts]
    unseen = [i for i, s in enumerate(seen) if not s]
    extra: dict[str, Any] = {
        "n_train": n_train, "n_test": len(texts), "skipped_rows": skipped, "model": origin,
        "neutral_share": round(sum(r.label == "neutral" for r in results) / len(results), 4),
        "n_seen_in_train": len(texts) - len(unseen),
        "accuracy_unseen": round(sum(pred[i] == y[i] for i in unseen) / len(unseen), 4) if unseen else None,
    }
    return evaluate([names[v] for v in y], [names[v] for v in pred], seconds, **extra)


def train_router_file(app: "App", path: Path, text_col: str = "text", label_col: str = "label",
                      holdout: float = 0.2) -> dict[str, Any]:
    """Train the router from a labelled export, save it as the current version, return its metadata.

    The metrics come from a stratified hold-out (``holdout`` of the rows) trained first; the saved
    model is then refit on every row.
    """
    from nlp.evaluation import evaluate
    from nlp.model_store import ModelStore
    from nlp.routing import DepartmentRules, RouteDoc, RouterModel

    texts, labels, skipped = read_labelled(path, text_col, label_col)
    if len(texts) < 10:
        raise LabelledFileError(f"{path} 只有 {len(texts)} 条有效样本，至少需要 10 条")
    rules = DepartmentRules.from_config(app.config)
    mapped = [rules.map_label(l) for l in labels]
    norm, tokens = prepare_texts(app.config, texts)
    docs = [RouteDoc(t, tuple(tok)) for t, tok in zip(norm, tokens)]
    counts = Counter(mapped)
    metrics: dict[str, Any] = {}
    if holdout > 0 and min(counts.values()) >= 2 and len(counts) >= 2:
        from sklearn.model_selection import train_test_split
        idx = list(range(len(docs)))
        n_test = max(int(round(len(idx) * holdout)), len(counts))
        tr, te = train_test_split(idx, test_size=n_test, stratify=mapped, random_state=0)
        probe = RouterModel().fit([docs[i] for i in tr], [mapped[i] for i in tr])
        t0 = time.perf_counter()
        pred = probe.predict([docs[i] for i in te])
        metrics = evaluate([mapped[i] for i in te], pred, time.perf_counter() - t0,
                           n_train=len(tr), n_test=len(te), method=f"stratified hold-out {holdout:.0%}")
    t0 = time.perf_counter()
    model = RouterModel().fit(docs, mapped)
    fit_s = round(time.perf_counter() - t0, 1)
    unknown = sorted(l for l in counts if app.config.department(l) is None)
    info = ModelStore(app.models_dir).save(ROUTER_KIND, model, metrics=metrics, meta={
        "trained_from": str(Path(path).resolve()), "text_col": text_col, "label_col": label_col,
        "n_docs": len(docs), "skipped_rows": skipped, "labels": dict(sorted(counts.items())),
        "labels_not_configured": unknown, "fit_s": fit_s, "params": model.params.__dict__})
    return {"version": info.version, "path": str(info.path), **info.meta}


def eval_routing_files(config: "Config", train: Path, test: Path, text_col: str = "text",
                       label_col: str = "label") -> dict[str, Any]:
    """Train on one labelled file, evaluate on another: the router model alone, without rules."""
    from nlp.evaluation import evaluate
    from nlp.routing import DepartmentRules, RouteDoc, RouterModel

    rules = DepartmentRules.from_config(config)
    tr_texts, tr_labels, _ = read_labelled(train, text_col, label_col)
    te_texts, te_labels, skipped = read_labelled(test, text_col, label_col)
    tr_norm, tr_tok = prepare_texts(config, tr_texts)
    model = RouterModel().fit([RouteDoc(t, tuple(k)) for t, k in zip(tr_norm, tr_tok)],
                              [rules.map_label(l) for l in tr_labels])
    t0 = time.perf_counter()  # docs/s covers what analysis does per document: normalize, cut, predict
    te_norm, te_tok = prepare_texts(config, te_texts)
    pred = model.predict([RouteDoc(t, tuple(k)) for t, k in zip(te_norm, te_tok)])
    seconds = time.perf_counter() - t0
    return evaluate([rules.map_label(l) for l in te_labels], pred, seconds,
                    n_train=len(tr_texts), n_test=len(te_texts), skipped_rows=skipped)


# ------------------------------------------------------------------------------- the stage
@dataclass
class ClassifyStats:
    classified: int = 0
    skipped: int = 0                                   # pending ids without analysis text
    by_reason: dict[str, int] = field(default_factory=dict)
    by_department: dict[str, int] = field(default_factory=dict)
    by_sentiment: dict[str, int] = field(default_factory=dict)
    by_urgency: dict[str, int] = field(default_factory=dict)
    router_model: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"classified": self.classified, "skipped": self.skipped, "by_reason": self.by_reason,
                "by_department": self.by_department, "by_sentiment": self.by_sentiment,
                "by_urgency": self.by_urgency, "router_model": self.router_model}


@dataclass
class Classifiers:
    """The three classifiers the stage applies; build once per run with ``for_app``."""

    router: "Router"
    sentiment: "SentimentAnalyzer"
    urgency: "UrgencyRater"
    router_version: str | None = None

    @classmethod
    def for_app(cls, app: "App") -> "Classifiers":
        from nlp.model_store import ModelStore
        from nlp.routing import Router
        from nlp.sentiment import SentimentAnalyzer
        from nlp.urgency import UrgencyRater

        loaded = ModelStore(app.models_dir).load(ROUTER_KIND)
        model, version = (loaded[0], loaded[1].version) if loaded else (None, None)
        return cls(Router.from_config(app.config, model), SentimentAnalyzer(current_sentiment_model(app)),
                   UrgencyRater(), version)


def _bump(counter: dict[str, int], key: str | None) -> None:
    k = key or "none"
    counter[k] = counter.get(k, 0) + 1


def classify_pending(app: "App", classifiers: Classifiers | None = None, batch: int = 500) -> dict[str, Any]:
    """Route, rate sentiment and urgency for every record the text stage finished and this one has not.

    Idempotent: a record is classified again only when its text changed (its text_hash moved).
    """
    from nlp.routing import RouteDoc
    from suqiu.model import Analysis

    stats = ClassifyStats()
    ids = app.store.pending(STAGE, after=AFTER)
    if not ids:
        return stats.as_dict()
    clf = classifiers or Classifiers.for_app(app)
    stats.router_model = clf.router_version
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        records = {r["id"]: r for r in app.store.iter_records(chunk)}
        work: list[tuple[str, str, list[str], str | None]] = []
        for rid in chunk:
            an = app.store.get_analysis(rid)
            rec = records.get(rid)
            if rec is None or an is None or an.normalized_text is None:
                stats.skipped += 1
                continue
            work.append((rid, an.normalized_text, list(an.tokens), rec.get("category_given")))
        if not work:
            continue
        texts = [w[1] for w in work]
        routes = clf.router.route_many([RouteDoc(t, tuple(tok), cat) for _, t, tok, cat in work])
        moods = clf.sentiment.analyze_many(texts)
        urgencies = clf.urgency.rate_many(texts)
        items = []
        for (rid, *_), route, mood, urg in zip(work, routes, moods, urgencies):
            items.append(Analysis(
                record_id=rid, department=route.department, route_confidence=route.confidence,
                route_reason=route.reason, route_candidates=route.candidates,
                sentiment_score=mood.score, sentiment_label=mood.label,
                urgency_level=urg.level, urgency_reasons=list(urg.reasons)))
            _bump(stats.by_reason, route.reason)
            _bump(stats.by_department, route.department)
            _bump(stats.by_sentiment, mood.label)
            _bump(stats.by_urgency, urg.level)
        stats.classified += app.store.save_analysis(items, stage=STAGE, fields=list(FIELDS))
    return stats.as_dict()


def classify(app: "App") -> dict[str, Any]:
    """The stage callable ``suqiu analyze`` runs after the text stage (``analyze.LATER_STAGES``)."""
    return classify_pending(app)


def classify_has_work(app: "App") -> bool:
    return bool(app.store.pending(STAGE, after=AFTER, limit=1))


classify.has_work = classify_has_work  # type: ignore[attr-defined]
