"""What keeps topic modelling bounded on a whole city's history.

A fit reads at most ``fit_sample`` demands, drawn by week and district so every season and every
part of the city has its share (``stratified_sample``); every other demand is assigned afterwards in batches. NMF's per-
document projection (gensim's ``get_document_topics``: one sparse matrix, one solver call and one
Python list per demand) is done for a whole batch at once by ``nmf_weights``: one sparse matrix
product and one call of gensim's own coordinate-descent solver for the batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np


def stratified_sample(keyed_ids: Iterable[tuple[str, str]], limit: int, seed: int) -> set[str]:
    """At most ``limit`` ids, each stratum (a week, say) in proportion to its size, at least one
    from each; within a stratum, the ids with the smallest seeded hash (the same draw every run)."""
    strata: dict[str, list[str]] = {}
    for doc_id, stratum in keyed_ids:
        strata.setdefault(stratum, []).append(doc_id)
    total = sum(len(v) for v in strata.values())
    if total <= limit:
        return {i for ids in strata.values() for i in ids}
    salt = str(seed).encode()
    out: set[str] = set()
    for ids in strata.values():
        quota = max(1, round(limit * len(ids) / total))
        ranked = sorted(ids, key=lambda i: hashlib.blake2b(salt + i.encode("utf-8"), digest_size=8).digest())
        out.update(ranked[:quota])
    return out


def nmf_weights(model: Any, bows: Sequence[list[tuple[int, int]]]) -> np.ndarray:
    """Normalised topic weights (documents × topics) of a gensim ``Nmf`` for a batch of bags of words.

    The same solver as ``Nmf.get_document_topics`` run on all columns together (it stops when the
    batch's summed error settles instead of each document's, so weights agree to about 1e-3)."""
    from gensim import matutils
    if not bows:
        return np.zeros((0, model.num_topics))
    v = matutils.corpus2csc(bows, model.num_tokens)
    h = model._solveproj(v, model._W, v_max=np.inf)     # topics × documents
    sums = h.sum(axis=0)
    h = np.divide(h, sums, out=np.zeros_like(h), where=sums > 0)
    return h.T


def best_topics(weights: np.ndarray, floor: float = 1e-8) -> tuple[np.ndarray, np.ndarray]:
    """Best topic index and its weight per row (the lowest index on ties, as ``max`` over pairs);
    index -1 where no topic rises above ``floor`` (gensim drops such topics, leaving none)."""
    if weights.size == 0:
        return np.zeros(len(weights), dtype=int), np.zeros(len(weights))
    index = weights.argmax(axis=1)
    best = weights[np.arange(len(weights)), index]
    return np.where(best > floor, index, -1), best


def top_two(weights: np.ndarray, floor: float = 1e-8) -> list[tuple[int, float, float]]:
    """(best topic, its weight, the runner-up's weight) per row, the lowest index on ties; topic -1
    where no topic rises above ``floor`` (gensim drops such topics, leaving none)."""
    index, best = best_topics(weights, floor)
    if weights.shape[1:] and weights.shape[1] > 1:
        second = np.partition(weights, -2, axis=1)[:, -2]
    else:
        second = np.zeros(len(weights))
    return [(int(i), float(w), float(r)) for i, w, r in zip(index.tolist(), best.tolist(), second.tolist())]
