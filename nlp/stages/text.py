"""The text stage at its store edge: the text pipeline over what is new or changed.

Reads ``store.pending("analyze")`` (records whose text hash the stage has not seen), runs
``nlp.text_pipeline.TextPipeline`` in batches (worker processes with ``workers`` > 1; 0 chooses),
groups near-duplicates against every earlier record (``nlp.stages.dup_store``: the history's buckets
read by key, not loaded), fills a missing ``district`` from the places found (origin "analyze", with
history), and saves the analysis with stage ``analyze`` so a re-run finds nothing to do.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nlp.dedup import MinHasher
from nlp.places import Gazetteer
from nlp.stages.base import Progress, Stage, StageStats
from nlp.stages.corpus_stats import fresh_doc_freq, log_doc_freq, save_doc_freq
from nlp.stages.dup_store import StoreDupIndex, open_dup_index
from nlp.stages.levels import FIELDS as LEVEL_FIELDS
from nlp.stages.pending import PendingWindow
from nlp.text_pipeline import FIELDS, TextDoc, TextPipeline, TextResult
from suqiu.installation import Installation
from suqiu.model import Analysis

STAGE = "analyze"
# ``workers=0`` starts a second process from this many pending records (starting one costs about
# two seconds when the caller runs threads, as Prefect does; 2,000 Teddy Cup messages take ~8 s alone)
AUTO_WORKERS_MIN = 2000


@dataclass
class TextStats(StageStats):
    pending: int = 0
    analyzed: int = 0
    chars: int = 0
    chars_per_s: int = 0
    district_filled: int = 0
    relabelled: int = 0
    workers: int = 1
    dup_groups: int = 0
    records_in_dup_groups: int = 0
    pii_masked: dict[str, int] = field(default_factory=dict)


def auto_workers(pending: int, cores: int | None = None) -> int:
    """Worker processes for ``workers=0``: two when there is enough text to repay starting them."""
    if cores is None:
        cores = os.cpu_count() or 1
    return 2 if pending >= AUTO_WORKERS_MIN and cores >= 2 else 1


def docs_of(rows: Iterable[dict[str, Any]]) -> list[TextDoc]:
    return [TextDoc(record_id=r["id"], title=r.get("title") or "", content=r.get("content") or "",
                    address=r.get("address")) for r in rows]


def places_with_district(result: TextResult, gazetteer: Gazetteer | None = None) -> list[dict[str, Any]]:
    """The places found, plus the district they imply (with its centre's coordinates when configured)."""
    places = list(result.places)
    if result.district and not any(p["level"] == "district" and p["name"] == result.district for p in places):
        places.append({"name": result.district, "level": "district", "district": result.district,
                       "source": "inferred", **(gazetteer.point_of(result.district) if gazetteer else {})})
    return places


class TextStage(Stage):
    """normalize → mask → segment → places → keywords → near-duplicates, for pending records."""

    name = STAGE
    after = None

    def __init__(self, pipeline: TextPipeline | None = None, workers: int = 0, batch_size: int = 500) -> None:
        self.pipeline = pipeline
        self.workers = workers
        self.batch_size = batch_size

    def has_work(self, inst: Installation) -> bool:
        return bool(PendingWindow(inst, STAGE).ids(limit=1))

    def run(self, inst: Installation, progress: Progress | None = None) -> TextStats:
        window = PendingWindow(inst, STAGE)
        ids = window.ids()
        stats = TextStats(pending=len(ids))
        if ids:
            self._analyse(inst, ids, stats, progress)
        window.close()
        summary = inst.store.duplicate_summary()
        stats.dup_groups, stats.records_in_dup_groups = summary["dup_groups"], summary["records_in_dup_groups"]
        return stats

    def _analyse(self, inst: Installation, ids: Sequence[str], stats: TextStats, progress: Progress | None) -> None:
        pipeline = self.pipeline or TextPipeline.from_config(inst.config)
        stats.workers = self.workers or auto_workers(len(ids))
        merge = TextMerge(inst, pipeline, ids, stats)
        batch = _Batcher(inst, ids, self.batch_size)
        if progress:
            progress(0, len(ids))
        with pipeline.pool(stats.workers) as pool:
            # with workers, the pipeline runs the next batch while this one is stored
            for results in pipeline.process_batches(batch.docs(), merge.doc_freq, pool):
                merge.store(results, batch.rows.pop(0))
                if progress:
                    progress(stats.analyzed, len(ids))
        merge.close()

    @staticmethod
    def _store_batch(inst: Installation, results: list[TextResult], rows: dict[str, dict[str, Any]],
                     index: StoreDupIndex, stats: TextStats, hasher: MinHasher,
                     gazetteer: Gazetteer | None = None) -> None:
        """Group, save the analysis, relabel earlier records whose group merged, fill districts."""
        store = inst.store
        index.prefetch([r.signature for r in results])
        for r in results:
            index.add(r.record_id, r.signature)
        relabel = index.relabels({r.record_id for r in results})
        store.save_signatures(hasher.params, {r.record_id: None if r.signature is None
                                              else r.signature.astype(np.uint32).tobytes() for r in results},
                              {r.record_id: index.band_keys(r.signature) for r in results if r.signature is not None},
                              written_by=index.writer)
        analyses = []
        for r in results:
            a = r.analysis(dup_group=index.group(r.record_id) or r.record_id)
            a.places = places_with_district(r, gazetteer)
            analyses.append(a)
            stats.chars += len(r.normalized_text)
        # new text clears the levels: the record is the office's only until the levels stage reads it
        store.save_analysis(analyses, stage=STAGE, fields=(*FIELDS, *LEVEL_FIELDS),
                            seen={r.record_id: rows[r.record_id]["text_hash"] for r in results})
        index.written({a.record_id: a.dup_group for a in analyses})
        if relabel:
            store.save_analysis([Analysis(record_id=m, dup_group=g) for m, g in relabel.items()], fields=["dup_group"])
            stats.relabelled += len(relabel)
        inferred = {r.record_id: {"district": r.district} for r in results
                    if r.district and not rows[r.record_id].get("district")}
        if inferred:
            stats.district_filled += len(store.set_fields_many(
                inferred, origin=STAGE, actor="suqiu analyze", note="由文本中的地点推断"))
        stats.analyzed += len(results)


class TextMerge:
    """The text stage's sequential half, batch by batch in pending order: corpus statistics (each
    batch folded in before its keywords are picked), near-duplicate groups against every earlier
    record, and the writes. The per-document half may come from this process, a worker pool or
    partitions analysed elsewhere (``nlp.stages.partitioned``); the outcome is the same."""

    def __init__(self, inst: Installation, pipeline: TextPipeline, ids: Sequence[str], stats: TextStats) -> None:
        self.inst, self.pipeline, self.stats = inst, pipeline, stats
        self.doc_freq, self.log_id = fresh_doc_freq(inst)
        if self.log_id is None:  # the run's batches are logged against a saved table
            self.log_id = save_doc_freq(inst, self.doc_freq)
        log_doc_freq(inst, self.log_id, [])  # an entry outliving the run tells the next one it died
        self.index = open_dup_index(inst, pipeline.hasher, ids, threshold=pipeline.dup_threshold)
        self.pii: Counter[str] = Counter()
        self.started = time.perf_counter()

    def finish_and_store(self, partial: list[TextResult], rows: dict[str, dict[str, Any]]) -> list[TextResult]:
        """Keywords for a batch of per-document results (statistics first), then ``store``."""
        results = self.pipeline.finish(partial, self.doc_freq)
        self.store(results, rows)
        return results

    def store(self, results: list[TextResult], rows: dict[str, dict[str, Any]]) -> None:
        TextStage._store_batch(self.inst, results, rows, self.index, self.stats, self.pipeline.hasher,
                               self.pipeline.places.gazetteer)
        log_doc_freq(self.inst, self.log_id, (r.tokens for r in results))
        for r in results:
            self.pii.update(r.pii)

    def close(self) -> None:
        """The whole table once, and the run's figures."""
        stats = self.stats
        save_doc_freq(self.inst, self.doc_freq)
        stats.seconds = round(time.perf_counter() - self.started, 3)
        stats.chars_per_s = round(stats.chars / stats.seconds) if stats.seconds > 0 and stats.chars else 0
        stats.pii_masked = dict(sorted(self.pii.items()))


class _Batcher:
    """Reads pending records batch by batch; keeps each batch's rows until it is stored."""

    def __init__(self, inst: Installation, ids: Sequence[str], size: int) -> None:
        self.inst, self.ids, self.size = inst, ids, size
        self.rows: list[dict[str, dict[str, Any]]] = []

    def docs(self) -> Iterator[list[TextDoc]]:
        for start in range(0, len(self.ids), self.size):
            batch_ids = list(self.ids[start:start + self.size])
            rows = {r["id"]: r for r in self.inst.store.iter_records(ids=batch_ids)}
            self.rows.append(rows)
            yield docs_of(rows[i] for i in batch_ids if i in rows)
