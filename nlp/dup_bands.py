"""MinHash LSH over signature bands, in numpy arrays: a city's history in bounded memory.

datasketch's ``MinHashLSH`` keeps, per signature, a bytes key per band in Python dicts and sets:
about 4.8 KB a record (4.8 GB for a million) and ~0.4 ms a record to load, which every text run
did for the whole history. ``BandIndex`` keeps the same bands (the ``b`` × ``r`` split datasketch
chooses for the threshold) as one 64-bit hash per band and row, in sorted arrays (12 bytes a band
and row), with new rows in a small dict per band merged into the arrays in bulk. A signature's
candidates are the rows sharing at least one band with it, as in datasketch (a 64-bit hash stands
for the band's values; a collision only adds a candidate, which the caller verifies).

Rows loaded in bulk wait in chunks and are sorted into the arrays once, when the first query or
merge needs them: merging every chunk as it came re-sorted the whole history per chunk (quadratic:
46 of a text run's 87 s on a million records).

A bucket can hold many rows (a template repeated thousands of times); a query reads at most the
``max_bucket`` newest rows of each, so a record's candidates are bounded whatever the history.
"""

from __future__ import annotations

import numpy as np


def mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finalizer: spreads codes over 64 bits (arrays wrap silently); shingles and bands."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band) minimising false positives and negatives at ``threshold``, equally
    weighted: datasketch's own choice, so the candidates are the ones ``MinHashLSH`` would give."""
    from datasketch.lsh import _optimal_param
    return _optimal_param(threshold, num_perm, 0.5, 0.5)


class BandIndex:
    MERGE_AT = 50_000      # new rows held in dicts before they join the sorted arrays

    def __init__(self, num_perm: int, threshold: float, max_bucket: int = 200) -> None:
        self.b, self.r = lsh_bands(threshold, num_perm)
        self.max_bucket = max_bucket
        rng = np.random.RandomState(7)
        self._weights = (rng.randint(1, 2**62, size=(self.b, self.r), dtype=np.int64).astype(np.uint64) * 2 + 1)
        self._salts = rng.randint(0, 2**62, size=self.b, dtype=np.int64).astype(np.uint64)
        self.keys = [np.empty(0, dtype=np.uint64) for _ in range(self.b)]
        self.rows = [np.empty(0, dtype=np.int32) for _ in range(self.b)]
        self.pending: list[dict[int, list[int]]] = [{} for _ in range(self.b)]
        self._pending_rows = 0
        self._bulk: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(self.b)]

    def band_keys(self, sigs: np.ndarray) -> np.ndarray:
        """(n, b) band hashes of (n, num_perm) signatures."""
        s = sigs[:, : self.b * self.r].astype(np.uint64).reshape(len(sigs), self.b, self.r)
        return mix64((s * self._weights).sum(axis=2, dtype=np.uint64) + self._salts)

    def add_many(self, rows: np.ndarray, sigs: np.ndarray) -> None:
        """Rows in bulk (a history being loaded): kept aside, sorted into the arrays when first needed."""
        if not len(rows):
            return
        keys = self.band_keys(sigs)
        rows = np.asarray(rows, dtype=np.int32)
        for band in range(self.b):
            self._bulk[band].append((keys[:, band].copy(), rows))

    def add(self, row: int, sig: np.ndarray) -> None:
        for band, key in enumerate(self.band_keys(sig[None, :])[0].tolist()):
            self.pending[band].setdefault(key, []).append(row)
        self._pending_rows += 1
        if self._pending_rows >= self.MERGE_AT:
            self._merge()

    def candidates(self, sig: np.ndarray) -> set[int]:
        """Rows sharing a band with ``sig`` (the newest ``max_bucket`` of each bucket)."""
        self._settle()
        out: set[int] = set()
        cap = self.max_bucket
        for band, key in enumerate(self.band_keys(sig[None, :])[0].tolist()):
            new = self.pending[band].get(key, ())
            out.update(new[-cap:])
            room = cap - len(new)
            if room > 0 and len(self.keys[band]):
                keys, k = self.keys[band], np.uint64(key)
                lo, hi = int(np.searchsorted(keys, k, "left")), int(np.searchsorted(keys, k, "right"))
                if hi > lo:
                    out.update(self.rows[band][max(lo, hi - room):hi].tolist())
        return out

    def bucket_sizes(self, keys: np.ndarray) -> list[int]:
        """How many rows each band's bucket of ``keys`` (one signature's band hashes) holds."""
        self._settle()
        out = []
        for band, key in enumerate(keys.tolist()):
            held = len(self.pending[band].get(key, ()))
            if len(self.keys[band]):
                k = np.uint64(key)
                held += int(np.searchsorted(self.keys[band], k, "right") - np.searchsorted(self.keys[band], k, "left"))
            out.append(held)
        return out

    def _settle(self) -> None:
        """The bulk chunks into the sorted arrays, each band sorted once."""
        for band in range(self.b):
            chunks = self._bulk[band]
            if chunks:
                self._bulk[band] = []
                self._extend(band, np.concatenate([k for k, _ in chunks]), np.concatenate([r for _, r in chunks]))

    def _merge(self) -> None:
        self._settle()
        for band in range(self.b):
            items = self.pending[band]
            if items:
                keys = np.fromiter((k for k, rs in items.items() for _ in rs), dtype=np.uint64)
                rows = np.fromiter((r for rs in items.values() for r in rs), dtype=np.int32)
                self._extend(band, keys, rows)
            self.pending[band] = {}
        self._pending_rows = 0

    def _extend(self, band: int, keys: np.ndarray, rows: np.ndarray) -> None:
        """Sorted by key, and within a key by row (older first), so a bucket's tail is its newest."""
        all_keys = np.concatenate([self.keys[band], keys])
        all_rows = np.concatenate([self.rows[band], rows])
        order = np.lexsort((all_rows, all_keys))
        self.keys[band], self.rows[band] = all_keys[order], all_rows[order]
