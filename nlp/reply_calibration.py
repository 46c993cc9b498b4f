"""Fitting and cross-validating the reply model on people's explainability scores.

The only human reply labels are the 283 rows of ``reply_explainability_scores.csv`` (level 0–4,
reply text only). ``cross_validate`` refits the model on each training fold and scores the held-out
fold through the same pure-Python path production uses (``ReplyModel.predict``), so the figures it
returns are what an unseen reply gets. Folds are stratified by level and keep near-duplicate
replies (the same answer posted twice) in one fold.

Label protocol for completeness (recorded in the weights file): a reply is *complete* when people
scored its explainability ``>= complete_from``, 2 by default. Level 0 replies say nothing about the
case (已转交, 请关注), level 1 replies mostly recite rules; from level 2 on, people found the case
itself at least partly answered — that is what completeness asks. The stricter cut 3 ("mostly or
fully explained", the brief's example) is reported beside it: both are computed by
``cross_validate`` and printed by ``bench/eval_replies.py``. Explanation is evaluated against the
0–4 levels (Spearman) and against both 0/1 cuts (ROC-AUC).

Only fitting needs numpy and scikit-learn: the scorer (``nlp.reply_quality``) never imports this module.
"""

from __future__ import annotations

import csv
import hashlib
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold

from nlp.reply_eval import roc_auc, spearman
from nlp.reply_features import FEATURE_NAMES, clean_reply, reply_features
from nlp.reply_model import ReplyModel

DEFAULT_C = 0.03            # inverse L2 strength on standardised features; chosen by 5-fold CV, see the fit script
COMPLETE_FROM = 2           # complete = people's level >= 2 (see the module docstring)
AUC_CUTS = (2, 3)
LEVEL_COLUMN, TEXT_COLUMN = "explainability_score", "reply_text"


def read_scored_replies(path: Path) -> tuple[list[str], list[int]]:
    """Replies and their 0–4 levels from the explainability CSV (columns explainability_score, reply_text)."""
    texts, levels = [], []
    with Path(path).open(encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=2):
            try:
                levels.append(int(float(row[LEVEL_COLUMN])))
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"{path}:{i}: no usable {LEVEL_COLUMN}") from exc
            texts.append(row.get(TEXT_COLUMN) or "")
    return texts, levels


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def feature_matrix(texts: Sequence[str]) -> list[list[float]]:
    return [reply_features(clean_reply(t)) for t in texts]


def fit_model(texts: Sequence[str], levels: Sequence[int], c: float = DEFAULT_C,
              complete_from: int = COMPLETE_FROM, meta: dict[str, Any] | None = None,
              features: list[list[float]] | None = None) -> ReplyModel:
    """Multinomial logistic regression on standardised cues, stored back on the raw scale."""
    x = np.asarray(features if features is not None else feature_matrix(texts), dtype=float)
    y = np.asarray(levels, dtype=int)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    clf = LogisticRegression(C=c, max_iter=20000, tol=1e-10).fit((x - mean) / scale, y)
    coef = clf.coef_ / scale
    intercept = clf.intercept_ - (clf.coef_ * (mean / scale)).sum(axis=1)
    return ReplyModel(features=FEATURE_NAMES, levels=tuple(int(v) for v in clf.classes_),
                      coef=tuple(tuple(float(w) for w in row) for row in coef),
                      intercept=tuple(float(b) for b in intercept), means=tuple(float(m) for m in mean),
                      complete_from=complete_from, meta=dict(meta or {}))


def near_duplicate_groups(texts: Sequence[str], threshold: float = 0.5) -> list[int]:
    """A group id per text; texts whose character 4-gram Jaccard similarity is ≥ threshold share one."""
    grams = [{t[i:i + 4] for i in range(len(t) - 3)} for t in (clean_reply(s) for s in texts)]
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(grams)):
        for j in range(i + 1, len(grams)):
            a, b = grams[i], grams[j]
            if a and b and len(a & b) >= threshold * len(a | b):
                parent[root(j)] = root(i)
    return [root(i) for i in range(len(texts))]


def stratified_group_folds(levels: Sequence[int], groups: Sequence[int], k: int, seed: int) -> list[list[int]]:
    """Test-fold indices: stratified by level, each group (near-duplicates) inside one fold."""
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    return [list(test) for _, test in splitter.split(list(range(len(levels))), list(levels), list(groups))]


def held_out_predictions(texts: Sequence[str], levels: Sequence[int], c: float = DEFAULT_C, k: int = 5,
                         seed: int = 0, complete_from: int = COMPLETE_FROM,
                         features: list[list[float]] | None = None) -> tuple[list[float], list[float]]:
    """(explanation, completeness) of every reply, each from a model fitted without its fold."""
    x = features if features is not None else feature_matrix(texts)
    groups = near_duplicate_groups(texts)
    expl, comp = [0.0] * len(texts), [0.0] * len(texts)
    for test in stratified_group_folds(levels, groups, k, seed):
        held = set(test)
        train = [i for i in range(len(texts)) if i not in held]
        model = fit_model([], [levels[i] for i in train], c, complete_from, features=[x[i] for i in train])
        for i in test:
            p = model.predict(x[i])
            expl[i], comp[i] = p.explanation, p.completeness
    return expl, comp


def cross_validate(texts: Sequence[str], levels: Sequence[int], c: float = DEFAULT_C, k: int = 5,
                   repeats: int = 5, seed: int = 0, complete_from: int = COMPLETE_FROM,
                   cuts: Sequence[int] = AUC_CUTS) -> dict[str, Any]:
    """Held-out figures over ``repeats`` reshuffled k-fold splits: mean, spread and worst of each.

    For both parts: Spearman with the 0–4 levels, and ROC-AUC against each 0/1 label
    "level >= cut" (``<part>_auc_ge<cut>``), so either completeness protocol can be read off.
    """
    x = feature_matrix(texts)
    runs: dict[str, list[float]] = {}
    for r in range(repeats):
        expl, comp = held_out_predictions(texts, levels, c, k, seed + r, complete_from, features=x)
        for part, values in (("explanation", expl), ("completeness", comp)):
            runs.setdefault(f"{part}_spearman", []).append(spearman(values, levels) or 0.0)
            for cut in cuts:
                runs.setdefault(f"{part}_auc_ge{cut}", []).append(roc_auc(values, [int(v >= cut) for v in levels]))
    out: dict[str, Any] = {"rows": len(texts), "folds": k, "repeats": repeats, "seed": seed, "C": c,
                           "complete_from": complete_from,
                           "complete_rows": sum(1 for v in levels if v >= complete_from)}
    for name, vals in runs.items():
        out[name] = {"mean": round(statistics.fmean(vals), 4), "sd": round(statistics.pstdev(vals), 4),
                     "min": round(min(vals), 4)}
    return out
