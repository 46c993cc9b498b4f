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
from dataclasses import dataclass, field

import numpy as np

from nlp.pii import TAG_RE

_CORE_RE = re.compile(r"[^0-9a-z\u4e00-\u9fff]+")


def core_text(text: str) -> str:
    """Letters, digits and Han characters only, lower-cased, PII tags removed."""
    return _CORE_RE.sub("", TAG_RE.sub("", text).lower())


def shingles(text: str, k: int = 3) -> set[str]:
    core = core_text(text)
    return {core[i:i + k] for i in range(len(core) - k + 1)}


_MASK32 = np.uint64(0xFFFFFFFF)


def _mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finalizer: spreads shingle codes over 64 bits (arrays wrap silently)."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


class MinHasher:
    """Signatures for texts; same parameters (and seed) give the same signature in every process.

    Shingles are encoded arithmetically from their code points and hashed with numpy, so a
    signature costs no Python loop per shingle. The signatures are datasketch ``affine32``-style
    (``a * h + b mod 2^32``, ``a`` odd) and go into datasketch's ``MinHashLSH``.
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
        h = _mix64(codes) & _MASK32
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
        h = _mix64(joined) & _MASK32
        mins = np.minimum.reduceat((self.a * h + self.b) & _MASK32, starts, axis=1).astype(np.uint32)
        for col, i in enumerate(keep):
            out[i] = mins[:, col].copy()
        return out

    def minhash(self, hashvalues: np.ndarray):
        """A datasketch MinHash view of a signature (what MinHashLSH indexes)."""
        from datasketch import MinHash
        perms = np.vstack([self.a[:, 0], self.b[:, 0]]).astype(np.uint32)
        return MinHash(seed=self.seed, hashvalues=hashvalues, permutations=perms, scheme="affine32")


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


@dataclass
class AddResult:
    group: str | None                 # None: a singleton (no near-duplicate yet)
    matched: list[str] = field(default_factory=list)
    merged: dict[str, str] = field(default_factory=dict)  # old group → new group


class DupIndex:
    """All signatures seen so far and the duplicate groups they form."""

    def __init__(self, hasher: MinHasher | None = None, threshold: float = 0.6) -> None:
        from datasketch import MinHashLSH
        self.hasher = hasher or MinHasher()
        self.threshold = threshold
        self.lsh = MinHashLSH(threshold=threshold, num_perm=self.hasher.num_perm)
        self.signatures: dict[str, np.ndarray] = {}
        self.group_of: dict[str, str] = {}          # member → group name
        self.members: dict[str, set[str]] = {}       # group name → members
        self.order: dict[str, int] = {}              # id → insertion order (older first)

    def load(self, items: Iterable[tuple[str, np.ndarray, str | None]]) -> None:
        """Restore earlier runs: (id, signature, group or None) in their original order."""
        for rid, sig, group in items:
            self._insert(rid, sig)
            if group and group != rid:
                self._join(rid, group)
            elif group:
                self.group_of[rid] = group
                self.members.setdefault(group, set()).add(rid)

    def _insert(self, rid: str, sig: np.ndarray) -> None:
        if rid in self.signatures:
            self.remove(rid)
        self.signatures[rid] = sig
        self.order.setdefault(rid, len(self.order))
        self.lsh.insert(rid, self.hasher.minhash(sig), check_duplication=False)

    def _join(self, rid: str, group: str) -> None:
        self.group_of[rid] = group
        self.members.setdefault(group, set()).add(rid)

    def remove(self, rid: str) -> None:
        """Forget a record (its text changed); its group keeps its name for the others."""
        if rid in self.signatures:
            self.lsh.remove(rid)
            del self.signatures[rid]
        group = self.group_of.pop(rid, None)
        if group is not None:
            self.members.get(group, set()).discard(rid)

    def matches(self, sig: np.ndarray) -> list[str]:
        cands = self.lsh.query(self.hasher.minhash(sig))
        return [c for c in cands if similarity(sig, self.signatures[c]) >= self.threshold]

    def add(self, rid: str, sig: np.ndarray | None) -> AddResult:
        if rid in self.signatures or rid in self.group_of:
            self.remove(rid)
        if sig is None:
            return AddResult(None)
        matched = self.matches(sig)
        self._insert(rid, sig)
        if not matched:
            return AddResult(None)
        groups = {self.group_of.get(m, m) for m in matched}
        target = min(groups, key=lambda g: self.order.get(g, -1))
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
        return self.group_of.get(rid)

    def size(self, group: str) -> int:
        return len(self.members.get(group, ()))
