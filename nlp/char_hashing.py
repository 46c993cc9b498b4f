"""Hashed character n-gram counts in numpy: what sklearn's ``HashingVectorizer(analyzer="char",
alternate_sign=False, norm=None)`` computes, without a Python string per n-gram.

sklearn slices every n-gram out of the text as a string and hashes each in a loop; on the hotline's
long messages that was nine tenths of the classify stage's compute (1–3 grams of a 400-character
text are 1,200 strings). Here each n-gram is an integer code (``nlp.char_ngrams.ngram_codes``); a
code met before finds its column in a sorted cache; a new one is UTF-8 encoded and MurmurHash3-
hashed as arrays (x86, 32 bit, seed 0: sklearn's hash). Same numbers as sklearn
(``tests/classifiers/test_char_hashing.py``), so shipped models keep their meaning.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.sparse import csr_matrix

from nlp.char_ngrams import ngram_codes

_BITS = 21
_MASK = np.uint64((1 << _BITS) - 1)
_M32 = np.uint64(0xFFFFFFFF)
_C1, _C2 = np.uint64(0xCC9E2D51), np.uint64(0x1B873593)
# 12 bytes per cached n-gram: 8 M of them (96 MB) cover the distinct 1–3 grams of about a million
# hotline messages; past that the cache starts again (only speed depends on it)
MAX_CACHE = 8_000_000


def _rotl(x: np.ndarray, r: int) -> np.ndarray:
    return ((x << np.uint64(r)) | (x >> np.uint64(32 - r))) & _M32


def _mix(k: np.ndarray) -> np.ndarray:
    k = (k * _C1) & _M32
    return (_rotl(k, 15) * _C2) & _M32


def _utf8(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each code's characters as UTF-8 bytes (rows padded with zeros to 16) and the byte lengths."""
    n_chars = np.where(codes < (1 << _BITS), 1, np.where(codes < (1 << 2 * _BITS), 2, 3))
    out = np.zeros((len(codes), 16), dtype=np.uint64)
    offset = np.zeros(len(codes), dtype=np.int64)
    rows = np.arange(len(codes))
    for j in range(3):
        valid = n_chars > j
        shift = (np.maximum(n_chars - 1 - j, 0) * _BITS).astype(np.uint64)
        cp = ((codes >> shift) & _MASK).astype(np.int64) - 1
        size = np.where(cp < 0x80, 1, np.where(cp < 0x800, 2, np.where(cp < 0x10000, 3, 4)))
        lead = np.select([size == 1, size == 2, size == 3], [cp, 0xC0 | (cp >> 6), 0xE0 | (cp >> 12)],
                         0xF0 | (cp >> 18))
        for b in range(4):
            # byte b of a character of ``size`` bytes: the lead byte, then 6-bit continuation bytes
            byte = lead if b == 0 else 0x80 | ((cp >> (6 * np.maximum(size - 1 - b, 0))) & 0x3F)
            put = valid & (b < size)
            out[rows[put], offset[put] + b] = byte[put].astype(np.uint64)
        offset += np.where(valid, size, 0)
    return out, offset


def murmur3_32(codes: np.ndarray) -> np.ndarray:
    """Signed MurmurHash3 (x86 32-bit, seed 0) of each n-gram code's UTF-8 text, as int64."""
    data, length = _utf8(codes)
    h = np.zeros(len(codes), dtype=np.uint64)
    blocks = length // 4
    for i in range(3):
        k = data[:, 4 * i] | data[:, 4 * i + 1] << np.uint64(8) | data[:, 4 * i + 2] << np.uint64(16) \
            | data[:, 4 * i + 3] << np.uint64(24)
        mixed = (_rotl(h ^ _mix(k), 13) * np.uint64(5) + np.uint64(0xE6546B64)) & _M32
        h = np.where(blocks > i, mixed, h)
    rows, start = np.arange(len(codes)), blocks * 4          # tail bytes past the length are zeros
    tail = data[rows, start] | data[rows, start + 1] << np.uint64(8) | data[rows, start + 2] << np.uint64(16)
    h ^= _mix(tail)                                           # a zero tail mixes to zero: no-op
    h ^= length.astype(np.uint64)
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x85EBCA6B)) & _M32
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(0xC2B2AE35)) & _M32
    h ^= h >> np.uint64(16)
    signed = h.astype(np.int64)
    return np.where(signed >= 1 << 31, signed - (1 << 32), signed)


class HashedCharNgrams:
    """``transform(texts)``: counts of each text's character n-grams in ``n_features`` hashed
    columns (float64 CSR), with a bounded cache of the columns of n-grams already seen."""

    def __init__(self, ngram_range: tuple[int, int], n_features: int, max_cache: int = MAX_CACHE) -> None:
        self.ngram_range, self.n_features, self.max_cache = ngram_range, n_features, max_cache
        self._codes = np.zeros(0, dtype=np.uint64)   # sorted
        self._columns = np.zeros(0, dtype=np.int64)

    def columns(self, uniq: np.ndarray) -> np.ndarray:
        """The hashed column of each of ``uniq`` (sorted, distinct codes)."""
        pos = np.searchsorted(self._codes, uniq)
        found = np.zeros(len(uniq), dtype=bool)
        if len(self._codes):
            found = self._codes[np.minimum(pos, len(self._codes) - 1)] == uniq
        out = np.empty(len(uniq), dtype=np.int64)
        out[found] = self._columns[pos[found]]
        new = ~found
        if new.any():
            out[new] = np.abs(murmur3_32(uniq[new])) % self.n_features
            if len(self._codes) + int(new.sum()) > self.max_cache:
                self._codes, self._columns = uniq[new], out[new]
            else:
                self._codes = np.insert(self._codes, pos[new], uniq[new])
                self._columns = np.insert(self._columns, pos[new], out[new])
        return out

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        codes = [ngram_codes(t, self.ngram_range) for t in texts]
        lengths = np.array([len(c) for c in codes], dtype=np.int64)
        flat = np.concatenate(codes) if codes else np.zeros(0, dtype=np.uint64)
        uniq, inverse = np.unique(flat, return_inverse=True)
        cols = self.columns(uniq)[inverse.ravel()]
        rows = np.repeat(np.arange(len(texts)), lengths)
        X = csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(texts), self.n_features))
        X.sum_duplicates()
        return X
