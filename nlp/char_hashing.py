"""Hashed character n-gram counts for many texts at once, in numpy.

The sentiment model reads character 1–3-grams. scikit-learn's ``HashingVectorizer`` builds every
n-gram as a Python string before hashing it, which was most of the analyzer's time; here the texts
become one array of code points, every n-gram's hash is a few vectorised integer operations over
that array, and the counts go straight into a sparse matrix. The hash is fixed (our own mixing of
the code points, not Python's ``hash``), so a model trained on one machine reads the same columns
on every other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

_SEP = 0                                  # between texts; no n-gram spans it
_MULT = np.uint64(0x9E3779B97F4A7C15)     # odd 64-bit constants (golden ratio, splitmix64)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit moves every output bit."""
    h = (h ^ (h >> np.uint64(30))) * _MIX1
    h = (h ^ (h >> np.uint64(27))) * _MIX2
    return h ^ (h >> np.uint64(31))


def code_points(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """All texts as one uint32 array with a separator after each, and each position's text index."""
    joined = "\x00".join(t.replace("\x00", " ").lower() for t in texts) + "\x00"
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    doc = np.cumsum(cps == _SEP) - (cps == _SEP)
    return cps, doc


def char_ngram_counts(texts: Sequence[str], ngrams: tuple[int, int], n_features: int) -> Any:
    """A CSR matrix (texts × ``n_features``) of character n-gram counts, ``n_features`` a power of 2."""
    from scipy.sparse import csr_matrix

    if n_features & (n_features - 1):
        raise ValueError("n_features must be a power of two")
    cps, doc = code_points(texts)
    with np.errstate(over="ignore"):
        base = cps.astype(np.uint64)
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        for n in range(ngrams[0], ngrams[1] + 1):
            m = len(cps) - n + 1
            if m <= 0:
                continue
            h = np.full(m, np.uint64(n), dtype=np.uint64)
            valid = np.ones(m, dtype=bool)
            for k in range(n):
                part = base[k:k + m]
                h = (h * _MULT) ^ part
                valid &= part != _SEP
            idx = (_mix(h[valid]) & np.uint64(n_features - 1)).astype(np.int64)
            rows.append(doc[:m][valid])
            cols.append(idx)
    r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    X = csr_matrix((np.ones(len(r), dtype=np.float64), (r, c)), shape=(len(texts), n_features))
    X.sum_duplicates()
    return X
