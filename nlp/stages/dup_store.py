"""Near-duplicate groups of a text run against the store, by key: what a run reads follows what is new.

``nlp.dedup.DupIndex`` holds every signature in memory; loading a million of them was most of a
text run. Here the history stays in the store: each stored signature's LSH band hashes are rows of
``dedup_bands``, and a batch asks only for the buckets of its own records (``band_buckets``), then
the signatures and groups of the records found there. The run's own records sit in a small
``BandIndex``. The outcome is ``DupIndex``'s over the whole history: the same candidates (the newest
``max_bucket`` of each bucket, the run's records being the newest), the same threshold, and when a
record links groups the oldest name wins (a group is as old as the record that names it: received
earlier, or else first analysed in this run) and every member of the others is relabelled.

The band rows are rebuilt from the stored signatures once (``open_dup_index``) whenever the
settings they were made with change (``stats/dup_bands.json`` in the shared state names them), e.g.
on the first run after an upgrade; from then on every saved signature writes its bands with it.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Collection, Sequence
from datetime import datetime

import numpy as np

from nlp.dedup import AddResult, MinHasher, similarity
from nlp.dup_bands import BandIndex
from nlp.pii import strip_tags
from nlp.text_pipeline import join_title
from suqiu.installation import Installation
from suqiu.state import shared_state
from suqiu.store import Store

BANDS_KEY = "stats/dup_bands.json"   # the settings the stored band rows were made with


def signed(keys: np.ndarray) -> list[int]:
    """Band hashes as the store keeps them (signed 64-bit)."""
    return np.asarray(keys, dtype=np.uint64).view(np.int64).tolist()


class StoreDupIndex:
    """The groups a run's records form with the history in the store and with each other.

    ``prefetch`` a batch's signatures, ``add`` each record in order, ``relabels`` after the batch
    (records outside it whose group moved), ``written`` once the batch's groups are stored."""

    def __init__(self, store: Store, hasher: MinHasher, threshold: float, pending: Collection[str],
                 writer: int) -> None:
        self.store, self.hasher, self.threshold, self.writer = store, hasher, threshold, writer
        self.bands = BandIndex(hasher.num_perm, threshold)   # this run's records only
        self.sigs: list[np.ndarray] = []                    # run row -> signature
        self.ids: list[str] = []                            # run row -> id
        self.run_row: dict[str, int] = {}
        self.waiting = set(pending)                         # pending, not analysed yet in this run
        self.processed: set[str] = set()                    # analysed in this run
        self.current: dict[str, str | None] = {}            # group of each record this run touched
        self.saved: dict[str, str | None] = {}              # the store's group for them
        self.by_group: dict[str, set[str]] = {}             # current, the other way round
        self.moved: set[str] = set()                        # touched since the last relabels
        self._buckets: dict[int, list[str]] = {}
        self._found: dict[str, np.ndarray] = {}
        self.history = True   # False: no other record had bands when the run began (a first load)

    def band_keys(self, sig: np.ndarray) -> list[int]:
        return signed(self.bands.band_keys(sig[None, :])[0])

    # ------------------------------------------------------------------ reading the history
    def prefetch(self, sigs: Sequence[np.ndarray | None]) -> None:
        """The history's side of a batch: its buckets' newest records, their signatures and groups.
        Nothing to read on a first load: the store's band rows are then all this run's own (skipped),
        and the probes had been a tenth of a million-record load's merging."""
        if not self.history:
            return
        keys = {k for s in sigs if s is not None for k in self.band_keys(s)}
        self._buckets = self.store.band_buckets(keys, self.bands.max_bucket, skip_writer=self.writer)
        found = self.store.dup_candidates({rid for ids in self._buckets.values() for rid in ids}, self.hasher.params)
        self._found = {rid: np.frombuffer(sig, dtype=np.uint32) for rid, (sig, _) in found.items()}
        for rid, (_, group) in found.items():
            self.saved.setdefault(rid, group)

    def _history_matches(self, sig: np.ndarray) -> set[str]:
        """History records sharing a bucket with ``sig`` (each bucket's newest, after the run's own)."""
        keys = self.bands.band_keys(sig[None, :])[0]
        out: set[str] = set()
        for key, held in zip(signed(keys), self.bands.bucket_sizes(keys)):
            room = self.bands.max_bucket - held
            if room > 0:
                out.update(self._buckets.get(key, [])[:room])
        return {rid for rid in out if rid in self._found and similarity(self._found[rid], sig) >= self.threshold}

    def matches(self, sig: np.ndarray) -> list[str]:
        run = [self.ids[r] for r in sorted(self.bands.candidates(sig))
               if similarity(self.sigs[r], sig) >= self.threshold]
        return sorted(self._history_matches(sig)) + run

    # ------------------------------------------------------------------ groups
    def _name(self, rid: str) -> str:
        """The group a record is in now, itself when alone."""
        group = self.current[rid] if rid in self.current else self.saved.get(rid)
        return group or rid

    def _age(self, names: set[str]) -> dict[str, tuple[int, datetime, int, str]]:
        """Sort keys of group names, oldest first: names no signature stands for (their record is
        waiting in this run, or has none), then the history by received_at and id, then this run's."""
        history = [g for g in names if g not in self.waiting and g not in self.processed]
        heads = self.store.dup_heads(history, self.hasher.params) if history else {}
        out = {}
        for g in names:
            if g in self.run_row:
                out[g] = (2, datetime.min, self.run_row[g], g)
            elif g in heads:
                out[g] = (1, heads[g].replace(tzinfo=None), 0, g)
            else:
                out[g] = (0, datetime.min, 0, g)
        return out

    def _members(self, group: str) -> set[str]:
        stored = set(self.store.dup_members([group]).get(group, []))
        stored = {m for m in stored - self.waiting if self.current.get(m, group) == group}
        for m in stored:
            self.saved.setdefault(m, group)
        return (stored | self.by_group.get(group, set())) or {group}

    def _join(self, rid: str, group: str | None) -> None:
        old = self.current.get(rid)
        if old is not None:
            self.by_group.get(old, set()).discard(rid)
        self.current[rid] = group
        if group is not None:
            self.by_group.setdefault(group, set()).add(rid)
        self.moved.add(rid)

    def add(self, rid: str, sig: np.ndarray | None) -> AddResult:
        """One record of the run, in pending order (``prefetch`` its batch first)."""
        self.waiting.discard(rid)
        self.processed.add(rid)
        if sig is None:
            self._join(rid, None)
            return AddResult(None)
        matched = self.matches(sig)
        row = len(self.ids)
        self.ids.append(rid)
        self.sigs.append(sig)
        self.run_row[rid] = row
        self.bands.add(row, sig)
        if not matched:
            self._join(rid, None)
            return AddResult(None)
        groups = {self._name(m) for m in matched}
        age = self._age(groups) if len(groups) > 1 else {g: () for g in groups}
        target = min(groups, key=lambda g: age[g])
        merged: dict[str, str] = {}
        for g in sorted(groups - {target}):
            for m in self._members(g):
                self._join(m, target)
            merged[g] = target
        for m in matched:
            self._join(m, target)
        self._join(rid, target)
        return AddResult(target, matched, merged)

    def group(self, rid: str) -> str | None:
        return self.current.get(rid)

    def relabels(self, batch: Collection[str]) -> dict[str, str]:
        """Records outside ``batch`` whose group moved since the last call (to be stored)."""
        out = {m: g for m in self.moved - set(batch)
               if (g := self.current.get(m)) and self.saved.get(m) != g}
        self.saved.update(out)
        self.moved.clear()
        return out

    def written(self, groups: dict[str, str]) -> None:
        """The groups a batch was stored with."""
        self.saved.update(groups)


def band_tag(hasher: MinHasher, bands: BandIndex) -> str:
    return f"{hasher.params}-b{bands.b}r{bands.r}"


def open_dup_index(inst: Installation, hasher: MinHasher, pending: Collection[str],
                   threshold: float = 0.6) -> StoreDupIndex:
    """A run's index: the pending records' old bands dropped (their text changed), or every band
    rebuilt from the stored signatures when they were made with other settings."""
    index = StoreDupIndex(inst.store, hasher, threshold, pending, writer=secrets.randbelow(2**31 - 2) + 1)
    state, tag = shared_state(inst), band_tag(hasher, index.bands)
    raw = state.get(BANDS_KEY)
    if raw is not None and json.loads(raw.decode("utf-8")).get("tag") == tag:
        inst.store.save_bands({rid: () for rid in pending})
    else:
        rebuild_bands(inst, index, set(pending))
        state.put(BANDS_KEY, json.dumps({"tag": tag}).encode("utf-8"))
    index.history = inst.store.has_bands()   # the stage's lease: no other writer adds any meanwhile
    return index


def rebuild_bands(inst: Installation, index: StoreDupIndex, exclude: set[str], chunk: int = 2000) -> int:
    """Every analysed record's bands from its stored signature (made again from the masked text
    when stale), but the excluded; how many records have bands."""
    store, hasher, done, after = inst.store, index.hasher, 0, ""
    store.rebuilding_bands(True)
    while page := store.signature_page(after, chunk):
        after = page[-1].id
        part = [r for r in page if r.id not in exclude]
        stale = [r.id for r in part if not (r.params == hasher.params and r.signature)]
        texts = store.analyses(stale) if stale else {}
        fresh: dict[str, bytes | None] = {}
        vecs: dict[str, np.ndarray] = {}
        for row in part:
            if row.id in texts:
                a = texts[row.id]
                vec = hasher.signature(strip_tags(join_title(a.masked_title or "", a.masked_text or "")))
                fresh[row.id] = None if vec is None else vec.astype(np.uint32).tobytes()
            else:
                vec = np.frombuffer(row.signature, dtype=np.uint32) if row.signature else None
            if vec is not None:
                vecs[row.id] = vec
        keys = index.bands.band_keys(np.stack(list(vecs.values()))) if vecs else []
        bands = dict(zip(vecs, (signed(k) for k in keys)))
        store.save_signatures(hasher.params, fresh, {r: k for r, k in bands.items() if r in fresh})
        store.save_bands({r: k for r, k in bands.items() if r not in fresh})
        done += len(bands)
    store.rebuilding_bands(False)
    return done
