"""Keywords per record: TF-IDF fitted on the installation's own corpus, blended with TextRank.

``DocFreq`` counts in how many documents each token occurs; it grows with every analyze run and
is persisted by the caller (``to_dict``/``from_dict``). While the corpus is small its IDF leans on
jieba's stock IDF table (general Chinese) and moves to the local one as documents arrive, so a
new installation still gets sensible keywords and an old one learns that 小区 is not special
in a city's housing complaints.

TextRank is computed per document (it needs no corpus) and can run in worker processes; the
TF-IDF half runs where the ``DocFreq`` lives.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from itertools import repeat
from typing import Any

import numpy as np

from nlp.segment import is_number


def is_candidate(token: str) -> bool:
    """Keyword candidates: two characters or more, not a bare number."""
    return len(token) >= 2 and not (token[0] in "0123456789.-" and is_number(token))


def candidate_counts(tokens: Iterable[str]) -> Counter[str]:
    """How often each keyword candidate occurs in a document's tokens."""
    return Counter(t for t in tokens if is_candidate(t))


class DocFreq:
    """Document frequencies of tokens over this installation's corpus."""

    def __init__(self, n_docs: int = 0, df: Mapping[str, int] | None = None) -> None:
        self.n_docs = n_docs
        self.df: Counter[str] = Counter(df or {})

    def add(self, docs: Iterable[Sequence[str]]) -> None:
        for tokens in docs:
            self.n_docs += 1
            self.df.update(set(tokens))

    def idf(self, token: str) -> float:
        return math.log((self.n_docs + 1) / (self.df.get(token, 0) + 1)) + 1.0

    @property
    def max_idf(self) -> float:
        return math.log(self.n_docs + 1) + 1.0

    def to_dict(self, min_df: int = 1) -> dict[str, Any]:
        return {"n_docs": self.n_docs, "df": {t: n for t, n in self.df.items() if n >= min_df}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "DocFreq":
        return cls(int(data.get("n_docs", 0)), data.get("df") or {})


class StockIdf:
    """jieba's shipped IDF table (general-domain Chinese), loaded on first use."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path

    @cached_property
    def table(self) -> dict[str, float]:
        import jieba  # not jieba.analyse: importing it loads jieba's own IDF and POS tables (about 1 s)
        path = self.path or os.path.join(os.path.dirname(jieba.__file__), "analyse", "idf.txt")
        with open(path, encoding="utf-8") as fh:
            pairs = [line.rsplit(" ", 1) for line in fh.read().splitlines() if " " in line]
        return {w: float(v) for w, v in pairs}

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path}  # the table is rebuilt where it is needed, not shipped to workers

    def warm(self) -> "StockIdf":
        self.table, self.median, self.maximum  # noqa: B018
        return self

    @cached_property
    def median(self) -> float:
        return float(np.median(np.fromiter(self.table.values(), dtype=float)))

    @cached_property
    def maximum(self) -> float:
        return max(self.table.values())

    def idf(self, token: str) -> float:
        return self.table.get(token, self.median)


_PAIRS: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def _window_pairs(length: int, window: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions (i, i + k) for 1 ≤ k < window in a text of ``length`` tokens, and a 1.0 per pair.

    Remembered per length (texts repeat lengths; at most a few thousand entries).
    """
    key = (length, window)
    found = _PAIRS.get(key)
    if found is None:
        spans = range(1, min(window, length))
        left = np.concatenate([np.arange(length - k) for k in spans]) if length > 1 else np.empty(0, np.int64)
        right = np.concatenate([np.arange(k, length) for k in spans]) if length > 1 else np.empty(0, np.int64)
        found = (left, right, np.ones(len(left)))
        if len(_PAIRS) < 4096:
            _PAIRS[key] = found
    return found


def textrank(tokens: Sequence[str], window: int = 5, damping: float = 0.85, iterations: int = 20,
             tol: float = 1e-3, top_n: int | None = None, candidates: Sequence[str] | None = None) -> dict[str, float]:
    """TextRank over a co-occurrence graph of candidate tokens (undirected, weighted by count).

    Scores are scaled so the best word has 1.0; ``top_n`` keeps only the best words.
    ``candidates``: the tokens already filtered with ``is_candidate`` (in order), when the caller has them.
    """
    words = [t for t in tokens if is_candidate(t)] if candidates is None else candidates
    if not words:
        return {}
    vocab: dict[str, int] = {}
    ids = np.fromiter((vocab.setdefault(w, len(vocab)) for w in words), dtype=np.int64, count=len(words))
    n = len(vocab)
    if n == 1:
        return {words[0]: 1.0}
    left, right, ones = _window_pairs(len(ids), window)
    # float counts straight from bincount (weights of 1.0 add up exactly)
    m = np.bincount(ids[left] * n + ids[right], weights=ones, minlength=n * n).reshape(n, n)
    m = m + m.T
    m.flat[:: n + 1] = 0.0
    out_weight = m.sum(axis=0)
    if not out_weight.all():
        out_weight[out_weight == 0] = 1.0
    trans = m / out_weight  # column-stochastic
    score = np.full(n, 1.0 / n)
    for _ in range(iterations):
        new = (1 - damping) / n + damping * (trans @ score)
        if np.abs(new - score).sum() < tol:
            score = new
            break
        score = new
    score = score / score.max()
    inv = list(vocab)
    order = np.argsort(-score, kind="stable")[:top_n] if top_n else range(n)
    return {inv[i]: float(score[i]) for i in order}


class KeywordExtractor:
    """Top-k keywords from a document's content tokens; weights and sizes through the constructor."""

    def __init__(self, top_k: int = 8, tfidf_weight: float = 0.6, window: int = 5, prior_docs: int = 300,
                 stock: StockIdf | None = None) -> None:
        self.top_k = top_k
        self.tfidf_weight = tfidf_weight
        self.window = window
        self.prior_docs = prior_docs
        self.stock = stock or StockIdf()
        self._memo_owner: DocFreq | None = None
        self._memo_n = -1
        self._memo_values: dict[str, float] = {}

    def textrank(self, tokens: Sequence[str], top_n: int | None = None,
                 candidates: Sequence[str] | None = None) -> dict[str, float]:
        return textrank(tokens, window=self.window, top_n=top_n, candidates=candidates)

    def idf_table(self, tokens: Iterable[str], doc_freq: DocFreq) -> dict[str, float]:
        """Each token's IDF: the local IDF weighted by corpus size, jieba's stock IDF for the rest, both
        scaled to [0, 1]; remembered until the corpus changes."""
        memo = self._memo(doc_freq)
        missing = [t for t in set(tokens) if t not in memo]
        if missing:
            n = doc_freq.n_docs
            alpha = n / (n + self.prior_docs)
            df_get, stock_get = doc_freq.df.get, self.stock.table.get
            median, stock_max = self.stock.median, self.stock.maximum
            log = math.log
            if alpha:
                max_idf = doc_freq.max_idf
                memo.update((t, alpha * (log((n + 1) / (df_get(t, 0) + 1)) + 1.0) / max_idf
                             + (1 - alpha) * stock_get(t, median) / stock_max) for t in missing)
            else:
                memo.update((t, 0.0 + (1 - alpha) * stock_get(t, median) / stock_max) for t in missing)
        return memo

    def keywords_many(self, docs: Sequence[tuple[Mapping[str, int], Mapping[str, float]]],
                      doc_freq: DocFreq) -> list[list[str]]:
        """``keywords`` for a batch given each document's (candidate counts, TextRank scores).

        Scores are computed as arrays (the same float operations as ``keywords``); only the few
        tokens that can reach the top k (ties included) are sorted by (score, token).
        """
        idf = self.idf_table(set().union(*(counts.keys() for counts, _ in docs)), doc_freq)
        w = self.tfidf_weight
        rest, k = 1 - w, self.top_k
        idf_of = idf.__getitem__
        out: list[list[str]] = []
        for counts, tr in docs:
            m = len(counts)
            if not m:
                out.append([])
                continue
            tokens = list(counts)
            s = np.fromiter(counts.values(), dtype=np.float64, count=m) * np.fromiter(
                map(idf_of, tokens), dtype=np.float64, count=m)
            tr_scores = np.fromiter(map(tr.get, tokens, repeat(0.0, m)), dtype=np.float64, count=m) if tr else 0.0
            score = w * (s / s.max()) + rest * tr_scores
            if m > k:
                kth = np.partition(score, m - k)[m - k]
                near = np.flatnonzero(score >= kth).tolist()
            else:
                near = range(m)
            values = score.tolist()
            ranked = sorted((-values[i], tokens[i]) for i in near)
            out.append([t for _, t in ranked[:k]])
        return out

    def _memo(self, doc_freq: DocFreq) -> dict[str, float]:
        """IDF values computed since the corpus last changed (one batch reuses them)."""
        if self._memo_owner is not doc_freq or self._memo_n != doc_freq.n_docs:
            self._memo_owner, self._memo_n, self._memo_values = doc_freq, doc_freq.n_docs, {}
        return self._memo_values

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_memo_owner": None, "_memo_n": -1, "_memo_values": {}}

    def keywords(self, tokens: Sequence[str], doc_freq: DocFreq,
                 textrank_scores: Mapping[str, float] | None = None,
                 counts: Mapping[str, int] | None = None) -> list[str]:
        """``keywords_many`` for one document (``counts``: its candidate counts, when already known)."""
        tr = self.textrank(tokens) if textrank_scores is None else textrank_scores
        return self.keywords_many([(candidate_counts(tokens) if counts is None else counts, tr)], doc_freq)[0]
