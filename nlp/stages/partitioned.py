"""The text and classify stages fanned out over partitions of the pending records (map), merged in
one sequential step (reduce), with exactly the outcome of one process.

Map (``analyse_partition``, any worker that reaches the installation's store and shared state):
the per-document text work (normalize, mask, segment, places, TextRank, duplicate signature) and
the classifiers, which need nothing but the document. Reduce (``merge_partitions``, one process,
partitions in pending order): what needs every earlier document — the corpus statistics a batch's
keywords are weighed by and the near-duplicate groups — through the text stage's own ``TextMerge``,
in the same batches as one process; then the writes. Partitions are contiguous slices of the
pending ids, so the batches, and therefore every keyword, group and write, are the ones one process
makes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from nlp.stages.classify import FIELDS as CLASSIFY_FIELDS
from nlp.stages.classify import Classifiers, ClassifyStats, classify_work
from nlp.stages.text import TextMerge, TextStats, docs_of
from nlp.text_pipeline import TextPipeline, TextResult, Wire, pack_result, unpack_result
from suqiu.config import Config
from suqiu.installation import Installation
from suqiu.model import Analysis

CLASSIFY = "classify"


@dataclass
class PartitionResult:
    """One partition's map output, small enough to travel between processes."""

    ids: list[str]                          # the partition's pending ids, in order
    wires: list[Wire]                       # per-document text results (packed), in order
    rows: dict[str, dict[str, Any]]         # what the reduce needs of each record (district, text hash)
    classified: list[Analysis] = field(default_factory=list)


def partitions(ids: Sequence[str], size: int) -> list[list[str]]:
    """Contiguous slices of the pending ids (order kept: the reduce depends on it)."""
    return [list(ids[i:i + size]) for i in range(0, len(ids), size)]


@lru_cache(maxsize=2)
def worker_pipeline(config_json: str) -> TextPipeline:
    """The text pipeline of a configuration, built once per worker process (a Dask worker analyses
    many partitions; its dictionaries then load once). Keyed by the whole configuration."""
    return TextPipeline.from_config(Config.model_validate_json(config_json)).warm()


def analyse_partition(inst: Installation, ids: Sequence[str], chunk: int = 32) -> PartitionResult:
    """The map step for one partition: its records read from the store, the per-document text
    work and the classifiers (the installation's current models, from the shared state)."""
    rows = {r["id"]: r for r in inst.store.iter_records(ids=list(ids))}
    pipeline = worker_pipeline(inst.config.model_dump_json())
    docs = docs_of(rows[i] for i in ids if i in rows)
    partial = [r for i in range(0, len(docs), chunk) for r in pipeline.process_docs(docs[i:i + chunk])]
    work = [(r.record_id, r.normalized_text, tuple(r.tokens), rows[r.record_id].get("category_given"))
            for r in partial]
    classified = classify_work(Classifiers.for_installation(inst), work)
    slim = {rid: {"district": row.get("district"), "text_hash": row["text_hash"]} for rid, row in rows.items()}
    return PartitionResult(list(ids), [pack_result(r) for r in partial], slim, classified)


@dataclass
class MergeStats:
    text: TextStats
    classify: ClassifyStats
    partitions: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {**self.text.as_dict(), "partitions": self.partitions,
                "stages": {CLASSIFY: self.classify.as_dict()}}


class _Batches:
    """Results regrouped into the batches one process would make (``batch_size`` pending ids each)."""

    def __init__(self, ids: Sequence[str], batch_size: int) -> None:
        self.position = {rid: n for n, rid in enumerate(ids)}
        self.size, self.total = batch_size, len(ids)
        self.waiting: dict[int, list[tuple[TextResult, Analysis]]] = {}
        self.rows: dict[str, dict[str, Any]] = {}
        self.next = 0

    def add(self, part: PartitionResult) -> list[tuple[list[TextResult], list[Analysis]]]:
        """Take one partition; the batches now complete, in order."""
        self.rows.update(part.rows)
        for wire, analysis in zip(part.wires, part.classified):
            result = unpack_result(wire)
            self.waiting.setdefault(self.position[result.record_id] // self.size, []).append((result, analysis))
        covered = self.position[part.ids[-1]] + 1 if part.ids else 0
        return self._ready(covered)

    def _ready(self, covered: int) -> list[tuple[list[TextResult], list[Analysis]]]:
        out = []
        while self.next * self.size < self.total and min((self.next + 1) * self.size, self.total) <= covered:
            pairs = self.waiting.pop(self.next, [])
            out.append(([r for r, _ in pairs], [a for _, a in pairs]))
            self.next += 1
        return out


def merge_partitions(inst: Installation, ids: Sequence[str], parts: Iterable[PartitionResult],
                     batch_size: int = 500) -> MergeStats:
    """The reduce step: each partition (in pending order) as soon as it arrives, batch by batch:
    keywords against the growing statistics, duplicate groups, the text stage's writes, then the
    classifiers' (stage ``classify``, at the text each record had when it was read)."""
    stats = MergeStats(TextStats(pending=len(ids)), ClassifyStats())
    merge = TextMerge(inst, TextPipeline.from_config(inst.config), ids, stats.text)
    batches, counters = _Batches(ids, batch_size), Counter[str]()
    for part in parts:
        stats.partitions += 1
        for partial, classified in batches.add(part):
            if not partial:
                continue
            merge.finish_and_store(partial, batches.rows)
            seen = {a.record_id: batches.rows[a.record_id]["text_hash"] for a in classified}
            stats.classify.classified += inst.store.save_analysis(classified, stage=CLASSIFY,
                                                                  fields=list(CLASSIFY_FIELDS), seen=seen)
            counters.update(str(a.route_reason) for a in classified)
    merge.close()
    summary = inst.store.duplicate_summary()
    stats.text.dup_groups, stats.text.records_in_dup_groups = summary["dup_groups"], summary["records_in_dup_groups"]
    stats.classify.by_reason = dict(sorted(counters.items()))
    return stats
