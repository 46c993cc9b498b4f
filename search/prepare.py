"""Segmenting index documents in worker processes, batch by batch, in order.

Cutting text in search mode was the largest part of an index run (about 30% of an embedded rebuild
of 13,000 demands, sampled with py-spy; the FTS5 writes were the next). A run with many documents
has them cut by worker processes while this process builds the next batch and the engine takes
the previous one. Memory stays bounded: one batch with the
workers, one being written. A document leaves here with its ``seg`` field, which
``SearchBackend.prepare_document`` then keeps; with one worker nothing changes hands and the
backend segments as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from nlp.pool import WorkerPool
from nlp.stages.text import auto_workers
from search.documents import searchable_text
from search.segmentation import QuerySegmenter, segment_text

BATCH = 500     # documents handed to the workers at a time (about 0.2 MB of text)
CHUNK = 50      # documents per task: large enough that a task's overhead is noise


def _segment_chunk(segmenter: QuerySegmenter, texts: Sequence[str]) -> list[str]:
    return [segment_text(segmenter, t) for t in texts]


class Segmenting:
    """Adds ``seg`` to documents, in worker processes when it has a pool."""

    def __init__(self, pool: WorkerPool[QuerySegmenter] | None) -> None:
        self.pool = pool

    @property
    def workers(self) -> int:
        return self.pool.workers if self.pool is not None else 1

    def apply(self, docs: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        if self.pool is None:
            yield from docs
            return
        it, running = iter(docs), None
        while batch := list(islice(it, BATCH)):
            texts = [searchable_text(d) for d in batch]
            submitted = self.pool.map_async(_segment_chunk, [texts[i:i + CHUNK] for i in range(0, len(texts), CHUNK)])
            if running is not None:
                yield from _joined(*running)
            running = (batch, submitted)
        if running is not None:
            yield from _joined(*running)


def _joined(batch: list[dict[str, Any]], handle: Any) -> Iterator[dict[str, Any]]:
    segs = [s for part in handle.get() for s in part]
    for doc, seg in zip(batch, segs, strict=True):
        yield doc if "seg" in doc else {**doc, "seg": seg}


@contextmanager
def segmenting(segmenter: QuerySegmenter, documents: int, workers: int = 0) -> Iterator[Segmenting]:
    """``Segmenting`` for a run of about ``documents`` documents; ``workers=0`` chooses as the
    text stage does (two processes when there is enough text to repay starting them)."""
    workers = workers or auto_workers(documents)
    if workers <= 1:
        yield Segmenting(None)
        return
    with WorkerPool(segmenter, workers) as pool:
        yield Segmenting(pool)
