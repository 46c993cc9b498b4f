"""Classifier metrics in one shape for every evaluation (CLI ``eval``, ``bench/``, training metadata).

``accuracy``, ``macro_f1`` and ``per_class_f1`` are computed over the labels that occur in either
the truth or the predictions, so a class the model invents costs F1 like a missed one does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any


def per_class_f1(y_true: Sequence[Any], y_pred: Sequence[Any]) -> dict[str, float]:
    """F1 of each label (as a string), from the confusion counts."""
    if len(y_true) != len(y_pred):
        raise ValueError(f"{len(y_true)} true labels but {len(y_pred)} predictions")
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for t, p in zip(y_true, y_pred):
        t, p = str(t), str(p)
        if t == p:
            tp[t] += 1
        else:
            fp[p] += 1
            fn[t] += 1
    labels = sorted(set(tp) | set(fp) | set(fn))
    out: dict[str, float] = {}
    for label in labels:
        denom = 2 * tp[label] + fp[label] + fn[label]
        out[label] = 2 * tp[label] / denom if denom else 0.0
    return out


def evaluate(y_true: Sequence[Any], y_pred: Sequence[Any], seconds: float | None = None,
             **extra: Any) -> dict[str, Any]:
    """The evaluation record: accuracy, macro_f1, per_class_f1, docs_per_s (when timed), extras."""
    if not y_true:
        raise ValueError("nothing to evaluate: no test documents")
    f1 = per_class_f1(y_true, y_pred)
    correct = sum(str(t) == str(p) for t, p in zip(y_true, y_pred))
    result: dict[str, Any] = {
        "accuracy": round(correct / len(y_true), 4),
        "macro_f1": round(sum(f1.values()) / len(f1), 4),
        "per_class_f1": {k: round(v, 4) for k, v in f1.items()},
        "docs_per_s": round(len(y_true) / seconds, 1) if seconds and seconds > 0 else None,
    }
    result.update(extra)
    return result


def per_class_table(y_true: Sequence[Any], y_pred: Sequence[Any]) -> dict[str, dict[str, float | int]]:
    """Precision, recall, F1 and support (true count) of each label, for the per-class table."""
    if len(y_true) != len(y_pred):
        raise ValueError(f"{len(y_true)} true labels but {len(y_pred)} predictions")
    tp: Counter[str] = Counter()
    predicted: Counter[str] = Counter(str(p) for p in y_pred)
    support: Counter[str] = Counter(str(t) for t in y_true)
    for t, p in zip(y_true, y_pred):
        if str(t) == str(p):
            tp[str(t)] += 1
    out: dict[str, dict[str, float | int]] = {}
    for label in sorted(set(support) | set(predicted)):
        precision = tp[label] / predicted[label] if predicted[label] else 0.0
        recall = tp[label] / support[label] if support[label] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                      "support": support[label]}
    return out
