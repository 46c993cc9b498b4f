"""Near-duplicate demands: MinHash over character shingles, LSH candidates, groups by union-find.

The same demand is often submitted several times (hotline and portal, a resubmission with a
greeting added, sentences reordered, a different phone number). ``MinHasher`` turns a text into a
signature over character 3-grams of its letters, digits and Han characters (PII tags, spaces and
punctuation dropped, so masking and formatting do not matter). ``DupIndex`` keeps every signature
in a MinHash LSH index; a new text whose estimated Jaccard similarity with an indexed one reaches
``threshold`` joins that one's group. Groups are named by the id of their first member, and when
a new text links two groups the older name wins (``merges`` tells the caller whom to relabel).

Texts too short to judge (fewer than ``min_shingles`` shingles) stay alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import islice
from dataclasses import dataclass, field

import numpy as np

from nlp.dup_bands import BandIndex, mix64
from nlp.pii import TAG_RE

_CORE_RE = re.compile(r"[^0-9a-z\u4e00-\u9fff]+")


def core_text(text: str) -> str:
    """Letters, digits and Han characters only, lower-cased, PII tags removed."""
    return _CORE_RE.sub("", TAG_RE.sub("", text).lower())


def shingles(text: str, k: int = 3) -> set[str]:
    core = core_text(text)
    return {core[i:i + k] for i in range(len(core) - k + 1)}


_MASK32 = np.uint64(0xFFFFFFFF)


class MinHasher:
    """Signatures for texts; same parameters (and seed) give the same signature in every process.

    Shingles are encoded arithmetically from their code points and hashed with numpy, so a
    signature costs no Python loop per shingle. The signatures are datasketch ``affine32``-style
    (``a * h + b mod 2^32``, ``a`` odd); ``DupIndex`` bands them as datasketch's ``MinHashLSH`` would.
    """

    def __init__(self, num_perm: int = 64, k: int = 3, seed: int = 20240601, min_shingles: int = 8) -> None:
        self.num_perm = num_perm
        self.k = k
        self.seed = seed
        self.min_shingles = min_shingles
        rng = np.random.RandomState(seed)
        self.a = (rng.randint(0, 2**31, size=num_perm, dtype=np.uint64) * 2 + 1)[:, None]
        self.b = rng.randint(0, 2**32, size=num_perm, dtype=np.uint64)[:, None]

    @property
    def params(self) -> str:
        """Names the settings; signatures made with other settings are not comparable."""
        return f"minhash-p{self.num_perm}-k{self.k}-s{self.seed}-m{self.min_shingles}"

    def shingle_codes(self, text: str) -> np.ndarray:
        """The k-character shingles of the core text, each as one uint64 (21 bits a character)."""
        core = core_text(text)
        if len(core) < self.k:
            return np.empty(0, dtype=np.uint64)
        cps = np.frombuffer(core.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        n = len(cps) - self.k + 1
        codes = np.zeros(n, dtype=np.uint64)
        for i in range(self.k):
            codes = (codes << np.uint64(21)) | cps[i:i + n]
        return codes  # repeats do not change a minimum, so no np.unique

    def signature(self, text: str) -> np.ndarray | None:
        """uint32 signature, or None when the text is too short to compare (``min_shingles`` positions)."""
        codes = self.shingle_codes(text)
        if len(codes) < self.min_shingles:
            return None
        h = mix64(codes) & _MASK32
        return ((self.a * h + self.b) & _MASK32).min(axis=1).astype(np.uint32)

    def signatures(self, texts: Sequence[str]) -> list[np.ndarray | None]:
        """``signature`` of many texts with one pass of array arithmetic over all their shingles
        (the same numbers; per-text numpy calls cost more than the arithmetic on short texts)."""
        codes = [self.shingle_codes(t) for t in texts]
        keep = [i for i, c in enumerate(codes) if len(c) >= self.min_shingles]
        out: list[np.ndarray | None] = [None] * len(codes)
        if not keep:
            return out
        joined = np.concatenate([codes[i] for i in keep])
        starts = np.cumsum([0] + [len(codes[i]) for i in keep[:-1]])
        h = mix64(joined) & _MASK32
        mins = np.minimum.reduceat((self.a * h + self.b) & _MASK32, starts, axis=1).astype(np.uint32)
        for col, i in enumerate(keep):
            out[i] = mins[:, col].copy()
        return out


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


@dataclass
class AddResult:
    group: str | None                 # None: a singleton (no near-duplicate yet)
    matched: list[str] = field(default_factory=list)
    merged: dict[str, str] = field(default_factory=dict)  # old group → new group


class DupIndex:
    """All signatures seen so far and the duplicate groups they form.

    Signatures sit in blocks of a uint32 matrix (a row each), their LSH bands in ``BandIndex``
    (``nlp.dup_bands``): about 0.6 KB a record instead of datasketch's 4.8 KB, and a history
    loads in bulk. A record keeps the row it was first given, which is its age (the older group's
    name wins a merge); a changed text gets a new row. Only groups of two or more live in dicts
    (``group_of``, ``members``); a record loaded as a group of its own is one flag."""

    BLOCK = 1 << 13   # rows of signatures allocated at a time (2 MB at 64 permutations)

    def __init__(self, hasher: MinHasher | None = None, threshold: float = 0.6) -> None:
        self.hasher = hasher or MinHasher()
        self.threshold = threshold
        self.bands = BandIndex(self.hasher.num_perm, threshold)
        self._blocks: list[np.ndarray] = []
        self._alive = bytearray()      # by row: it holds a record's current signature
        self._alone = bytearray()      # by first row: loaded as a group of its own
        self.ids: list[str] = []       # row -> record id
        self.first_row: dict[str, int] = {}
        self._moved: dict[str, int] = {}             # id -> its signature's row, when not its first
        self.group_of: dict[str, str] = {}           # member -> group name (groups of two or more)
        self.members: dict[str, set[str]] = {}       # group name -> members

    # ------------------------------------------------------------------ rows
    def _alloc(self, rids: Sequence[str], sigs: np.ndarray) -> np.ndarray:
        start = len(self.ids)
        for i in range(len(rids)):
            row = start + i
            if row % self.BLOCK == 0:
                self._blocks.append(np.zeros((self.BLOCK, self.hasher.num_perm), dtype=np.uint32))
            self._blocks[row // self.BLOCK][row % self.BLOCK] = sigs[i]
            rid = rids[i]
            if rid in self.first_row:
                self._moved[rid] = row
            else:
                self.first_row[rid] = row
        self.ids.extend(rids)
        self._alone.extend(bytes(len(rids)))
        self._alive.extend(b"\x01" * len(rids))
        return np.arange(start, start + len(rids), dtype=np.int32)

    def _row_of(self, rid: str) -> int | None:
        row = self._moved.get(rid, self.first_row.get(rid))
        return row if row is not None and self._alive[row] else None

    def _is_alone(self, rid: str) -> bool:
        row = self.first_row.get(rid)
        return row is not None and self._alone[row] == 1

    def _set_alone(self, rid: str, alone: bool) -> None:
        row = self.first_row.get(rid)
        if row is not None:
            self._alone[row] = 1 if alone else 0

    # ------------------------------------------------------------------ groups
    def load(self, items: Iterable[tuple[str, np.ndarray, str | None]], chunk: int = 20_000) -> None:
        """Restore earlier runs: (id, signature, group or None) in their original order, in bulk."""
        it = iter(items)
        while part := list(islice(it, chunk)):
            for rid, _, _ in part:
                if self._row_of(rid) is not None or rid in self.group_of:
                    self.remove(rid)
            rows = self._alloc([p[0] for p in part], np.stack([p[1] for p in part]))
            self.bands.add_many(rows, np.stack([p[1] for p in part]))
            for rid, _, group in part:
                if group and group != rid:
                    if self._is_alone(group):   # its group's head, loaded alone until now
                        self._set_alone(group, False)
                        self._join(group, group)
                    self._join(rid, group)
                elif group:
                    self._set_alone(rid, True)

    def _join(self, rid: str, group: str) -> None:
        self.group_of[rid] = group
        self.members.setdefault(group, set()).add(rid)
        self._set_alone(rid, False)

    def remove(self, rid: str) -> None:
        """Forget a record (its text changed); its group keeps its name for the others."""
        row = self._row_of(rid)
        if row is not None:
            self._alive[row] = 0
        self._set_alone(rid, False)
        group = self.group_of.pop(rid, None)
        if group is not None:
            self.members.get(group, set()).discard(rid)

    def matches(self, sig: np.ndarray) -> list[str]:
        rows = sorted(r for r in self.bands.candidates(sig) if self._alive[r])
        if not rows:
            return []
        block = self.BLOCK
        found = np.stack([self._blocks[r // block][r % block] for r in rows])
        same = np.count_nonzero(found == sig, axis=1) / len(sig)
        return [self.ids[r] for r, s in zip(rows, same.tolist()) if s >= self.threshold]

    def add(self, rid: str, sig: np.ndarray | None) -> AddResult:
        if self._row_of(rid) is not None or rid in self.group_of or self._is_alone(rid):
            self.remove(rid)
        if sig is None:
            return AddResult(None)
        matched = self.matches(sig)
        row = int(self._alloc([rid], sig[None, :])[0])
        self.bands.add(row, sig)
        if not matched:
            return AddResult(None)
        groups = {self.group_of.get(m, m) for m in matched}
        target = min(groups, key=lambda g: self.first_row.get(g, -1))
        merged: dict[str, str] = {}
        for g in groups:
            members = self.members.pop(g, None) or {g}
            if g == target:
                self.members[target] = members
                continue
            for m in members:
                self._join(m, target)
            merged[g] = target
        for m in matched:
            self._join(m, target)
        self._join(rid, target)
        return AddResult(target, matched, merged)

    def group(self, rid: str) -> str | None:
        group = self.group_of.get(rid)
        return group if group is not None else (rid if self._is_alone(rid) else None)

    def size(self, group: str) -> int:
        return len(self.members.get(group, ())) or (1 if self._is_alone(group) else 0)
