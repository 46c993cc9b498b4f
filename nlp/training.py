"""Training and evaluating the router and the sentiment model on labelled texts.

Texts go through the same ``TextPipeline`` as analysis (normalize → mask → segment → filter), so a
model learns from exactly the tokens it will see when it predicts: ``[手机号]`` and ``[姓名]``
placeholders included. Reading labelled files is the importers' job (``crawlers.importers.labelled``).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sklearn.model_selection import train_test_split

from nlp.evaluation import evaluate, per_class_table
from nlp.installed_models import ROUTER_KIND, SENTIMENT_KIND, current_sentiment
from nlp.model_store import ModelStore
from nlp.route_unlabeled import without_overlap
from nlp.routing import DepartmentRules, RouteDoc, RouterModel
from nlp.sentiment import SentimentAnalyzer, SentimentModel, as_binary
from nlp.text_pipeline import TextDoc, TextPipeline
from suqiu.config import Config
from suqiu.installation import Installation

MIN_ROUTER_DOCS = 10


class TrainingError(ValueError):
    """Labelled data cannot be used; the message (Chinese) says why."""


def route_docs(config: Config, texts: Sequence[str], pipeline: TextPipeline | None = None) -> list[RouteDoc]:
    """The router's view of texts, made as analysis makes it (normalized text, masked tokens)."""
    pipeline = pipeline or TextPipeline.from_config(config)
    docs: list[RouteDoc] = []
    for start in range(0, len(texts), 256):
        part = [TextDoc(record_id=str(i), content=t) for i, t in enumerate(texts[start:start + 256])]
        docs += [RouteDoc(r.normalized_text, tuple(r.tokens)) for r in pipeline.process_docs(part)]
    return docs


def normalized(texts: Sequence[str]) -> list[str]:
    """Texts as the classify stage reads them (``analysis.normalized_text``)."""
    norm = TextPipeline().normalizer
    return [norm(t) for t in texts]


def binary_labels(labels: Sequence[str]) -> list[int]:
    try:
        return [as_binary(v) for v in labels]
    except ValueError as exc:
        raise TrainingError(f"情感标签无法识别: {exc}") from None


def _holdout_metrics(texts: Sequence[str], docs: list[RouteDoc], labels: list[str], holdout: float,
                     unlabeled: Sequence[str], unlabeled_docs: Sequence[RouteDoc]) -> dict[str, Any]:
    counts = Counter(labels)
    if holdout <= 0 or min(counts.values()) < 2 or len(counts) < 2:
        return {}
    idx = list(range(len(docs)))
    n_test = max(int(round(len(idx) * holdout)), len(counts))
    tr, te = train_test_split(idx, test_size=n_test, stratify=labels, random_state=0)
    keep = without_overlap(unlabeled, [texts[i] for i in te]) if unlabeled else []
    probe = RouterModel().fit([docs[i] for i in tr], [labels[i] for i in tr],
                              unlabeled=[unlabeled_docs[i] for i in keep])
    t0 = time.perf_counter()
    pred = probe.predict([docs[i] for i in te])
    truth = [labels[i] for i in te]
    return evaluate(truth, pred, time.perf_counter() - t0, n_train=len(tr), n_test=len(te),
                    method=f"stratified hold-out {holdout:.0%}", per_class=per_class_table(truth, pred))


def train_router(inst: Installation, texts: Sequence[str], labels: Sequence[str], meta: dict[str, Any],
                 holdout: float = 0.2, unlabeled: Sequence[str] = ()) -> dict[str, Any]:
    """Train the router, save it as the current version, return its metadata.

    The metrics come from a stratified hold-out trained first (unlabelled texts that repeat a
    hold-out text left out); the saved model is then refit on every row and every unlabelled text.
    ``meta`` (where the data came from) is kept with the model."""
    if len(texts) < MIN_ROUTER_DOCS:
        raise TrainingError(f"只有 {len(texts)} 条有效样本，至少需要 {MIN_ROUTER_DOCS} 条")
    rules = DepartmentRules.from_config(inst.config)
    mapped = [rules.map_label(v) for v in labels]
    pipeline = TextPipeline.from_config(inst.config)
    docs, extra = route_docs(inst.config, texts, pipeline), route_docs(inst.config, unlabeled, pipeline)
    metrics = _holdout_metrics(texts, docs, mapped, holdout, unlabeled, extra)
    t0 = time.perf_counter()
    model = RouterModel().fit(docs, mapped, unlabeled=extra)
    counts = Counter(mapped)
    info = ModelStore(inst.models_dir).save(ROUTER_KIND, model, metrics=metrics, meta={
        **meta, "n_docs": len(docs), "labels": dict(sorted(counts.items())),
        "labels_not_configured": sorted(v for v in counts if inst.config.department(v) is None),
        "n_unlabeled": model.n_unlabeled, "n_pseudo_labels": model.n_pseudo_labels,
        "fit_s": round(time.perf_counter() - t0, 1), "params": model.params.__dict__})
    return {"version": info.version, "path": str(info.path), **info.meta}


def eval_router(config: Config, train: tuple[Sequence[str], Sequence[str]],
                test: tuple[Sequence[str], Sequence[str]], unlabeled: Sequence[str] = (),
                **extra: Any) -> dict[str, Any]:
    """Train on one labelled set, evaluate on another: the router model alone, without rules.

    Unlabelled texts that repeat a test text are dropped first (no leak). docs/s covers what
    analysis does per document: the text pipeline and the prediction."""
    rules = DepartmentRules.from_config(config)
    pipeline = TextPipeline.from_config(config).warm()
    keep = [unlabeled[i] for i in without_overlap(unlabeled, test[0])] if unlabeled else []
    model = RouterModel().fit(route_docs(config, train[0], pipeline), [rules.map_label(v) for v in train[1]],
                              unlabeled=route_docs(config, keep, pipeline))
    t0 = time.perf_counter()
    pred = model.predict(route_docs(config, test[0], pipeline))
    seconds = time.perf_counter() - t0
    truth = [rules.map_label(v) for v in test[1]]
    return evaluate(truth, pred, seconds, n_train=len(train[0]), n_test=len(test[0]), n_unlabeled=len(keep),
                    n_unlabeled_dropped=len(unlabeled) - len(keep), per_class=per_class_table(truth, pred),
                    **extra)


def train_sentiment(inst: Installation, texts: Sequence[str], labels: Sequence[str],
                    meta: dict[str, Any]) -> dict[str, Any]:
    """Train the installation's own sentiment model and make it current."""
    y = binary_labels(labels)
    t0 = time.perf_counter()
    model = SentimentModel().fit(normalized(texts), y)
    info = ModelStore(inst.models_dir).save(SENTIMENT_KIND, model, meta={
        **meta, "n_docs": len(texts), "fit_s": round(time.perf_counter() - t0, 1)})
    return {"version": info.version, "path": str(info.path), **info.meta}


def eval_sentiment(test: tuple[Sequence[str], Sequence[str]], train: tuple[Sequence[str], Sequence[str]] | None = None,
                   inst: Installation | None = None, model: SentimentModel | None = None,
                   **extra: Any) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class F1 and docs/s of the sentiment analyzer on labelled texts.

    Without ``train`` the installation's current model (the shipped default) is used. Test texts
    that occur verbatim in the training data are counted (``n_seen_in_train``) and the accuracy
    on the rest is reported too (``accuracy_unseen``), so a figure never hides a leak."""
    n_train: int | None = None
    origin = "given"
    if train is not None:
        model = SentimentModel().fit(normalized(train[0]), binary_labels(train[1]))
        n_train, origin = len(train[0]), "trained on the given file"
    elif model is None:
        if inst is None:
            raise ValueError("eval_sentiment needs train, model or inst")
        model = current_sentiment(inst)
        origin, n_train = "installation's current model", len(model.train_digests)
    texts, y = normalized(test[0]), binary_labels(test[1])
    t0 = time.perf_counter()
    results = SentimentAnalyzer(model).analyze_many(texts)
    seconds = time.perf_counter() - t0
    pred = [1 if r.score > 0 else 0 for r in results]
    # a text counts as seen when the model learned it raw or normalized (the shipped corpus is raw)
    unseen = [i for i, (raw, t) in enumerate(zip(test[0], texts)) if not (model.seen(t) or model.seen(raw))]
    names = {0: "negative", 1: "positive"}
    return evaluate([names[v] for v in y], [names[v] for v in pred], seconds, n_train=n_train, n_test=len(texts),
                    model=origin, neutral_share=round(sum(r.label == "neutral" for r in results) / len(results), 4),
                    n_seen_in_train=len(texts) - len(unseen),
                    accuracy_unseen=round(sum(pred[i] == y[i] for i in unseen) / len(unseen), 4) if unseen else None,
                    **extra)
