"""The numpy band index gives the candidates datasketch's MinHashLSH gives, in bounded memory."""

from __future__ import annotations

import tracemalloc

import numpy as np
from datasketch import MinHash, MinHashLSH

from nlp.dedup import DupIndex, MinHasher
from nlp.dup_bands import BandIndex


def _signatures(n: int, perms: int, seed: int = 3) -> np.ndarray:
    """Random signatures, every fourth a near copy of an earlier one (so buckets are shared)."""
    rng = np.random.default_rng(seed)
    sigs = rng.integers(0, 2**32, size=(n, perms), dtype=np.uint32)
    for i in range(4, n, 4):
        src = sigs[rng.integers(0, i)]
        keep = rng.random(perms) < 0.75
        sigs[i] = np.where(keep, src, sigs[i])
    return sigs


def test_candidates_are_datasketchs_for_the_same_threshold():
    hasher = MinHasher()
    sigs = _signatures(3000, hasher.num_perm)
    ours = BandIndex(hasher.num_perm, 0.6, max_bucket=10_000)
    ours.MERGE_AT = 700   # part merged into the arrays, part still pending
    theirs = MinHashLSH(threshold=0.6, num_perm=hasher.num_perm)
    assert (ours.b, ours.r) == (theirs.b, theirs.r)
    perms = np.vstack([hasher.a[:, 0], hasher.b[:, 0]]).astype(np.uint32)
    for i, sig in enumerate(sigs[:2000]):
        ours.add(i, sig)
        theirs.insert(i, MinHash(hashvalues=sig, permutations=perms, scheme="affine32"), check_duplication=False)
    ours.add_many(np.arange(2000, 3000), sigs[2000:])
    for i in range(2000, 3000):
        theirs.insert(i, MinHash(hashvalues=sigs[i], permutations=perms, scheme="affine32"), check_duplication=False)
    for sig in sigs[::7]:
        assert ours.candidates(sig) == set(theirs.query(MinHash(hashvalues=sig, permutations=perms, scheme="affine32")))


def test_a_crowded_bucket_gives_only_its_newest_rows():
    index = BandIndex(64, 0.6, max_bucket=5)
    sig = np.arange(64, dtype=np.uint32)
    index.add_many(np.arange(0, 50), np.tile(sig, (50, 1)))
    for row in range(50, 53):
        index.add(row, sig)
    assert index.candidates(sig) == {48, 49, 50, 51, 52}


def test_a_loaded_history_holds_under_a_kilobyte_a_record():
    hasher = MinHasher()
    sigs = _signatures(20_000, hasher.num_perm)
    tracemalloc.start()
    index = DupIndex(hasher)
    index.load((f"hotline:GD2024{i:010d}", sigs[i], f"hotline:GD2024{i:010d}") for i in range(len(sigs)))
    held = tracemalloc.get_traced_memory()[0] / len(sigs)
    tracemalloc.stop()
    assert held < 1024, held
    assert index.group("hotline:GD20240000000001") == "hotline:GD20240000000001"
    near = sigs[4].copy()
    assert set(index.matches(near)) >= {"hotline:GD20240000000004"}


def test_a_history_loaded_in_chunks_answers_as_one_bulk_load():
    sigs = _signatures(3000, 64, seed=5)
    whole, chunked = BandIndex(64, 0.6, max_bucket=3), BandIndex(64, 0.6, max_bucket=3)
    whole.add_many(np.arange(3000), sigs)
    for start in range(0, 3000, 700):
        chunked.add_many(np.arange(start, min(start + 700, 3000)), sigs[start:start + 700])
    assert chunked._bulk[0] and not len(chunked.keys[0])   # nothing sorted before it is needed
    for sig in sigs[::11]:
        assert chunked.candidates(sig) == whole.candidates(sig)


def test_rows_added_one_by_one_after_a_bulk_load_are_the_newest_of_their_bucket():
    index = BandIndex(64, 0.6, max_bucket=4)
    sig = np.arange(64, dtype=np.uint32)
    index.add_many(np.arange(0, 10), np.tile(sig, (10, 1)))
    index.add(10, sig)
    index.MERGE_AT = 1
    index.add(11, sig)        # merges pending rows and the bulk chunk together
    index.add_many(np.arange(12, 14), np.tile(sig, (2, 1)))
    assert index.candidates(sig) == {10, 11, 12, 13}
