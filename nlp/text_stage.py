"""The text stage: normalize → mask PII → segment → places → keywords → duplicate signature.

Pure composition of the small stages in ``nlp/``; every part is swappable through the
constructor. ``process`` takes a batch of ``TextDoc`` and returns one ``TextResult`` per doc, in
order. Per-document work (everything but the corpus-level TF-IDF) runs in worker processes when
a pool is given; the ``DocFreq`` the TF-IDF half needs stays in the calling process and grows with
each batch. Grouping near-duplicates needs every earlier signature, so it is left to the caller
(``nlp.dedup.DupIndex``); the result carries the signature.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from nlp.dedup import MinHasher
from nlp.keywords import DocFreq, KeywordExtractor
from nlp.normalize import Normalizer
from nlp.pii import PiiMasker, strip_tags
from nlp.places import PlaceExtractor
from nlp.segment import Segmenter

if TYPE_CHECKING:
    from nlp.pool import WorkerPool
    from suqiu.config import Config
    from suqiu.model import Analysis

# fields of Analysis this stage fills (dup_group is filled by the caller from the signatures)
FIELDS = ("normalized_text", "masked_title", "masked_text", "tokens", "keywords", "places", "dup_group")


@dataclass(frozen=True)
class TextDoc:
    record_id: str
    title: str = ""
    content: str = ""
    address: str | None = None


@dataclass
class TextResult:
    record_id: str
    normalized_text: str
    masked_title: str
    masked_text: str
    tokens: list[str]
    places: list[dict[str, str]]
    district: str | None                  # what the places imply; the caller decides whether to use it
    signature: np.ndarray | None
    keywords: list[str] = field(default_factory=list)
    pii: dict[str, int] = field(default_factory=dict)   # kind → count found
    textrank: dict[str, float] = field(default_factory=dict, repr=False)

    def analysis(self, dup_group: str | None = None) -> "Analysis":
        from suqiu.model import Analysis
        return Analysis(record_id=self.record_id, normalized_text=self.normalized_text,
                        masked_title=self.masked_title, masked_text=self.masked_text, tokens=self.tokens,
                        keywords=self.keywords, places=self.places, dup_group=dup_group)


def join_title(title: str, content: str) -> str:
    """Title and content as one text, as ``Demand.text`` does (a title repeated in the content once)."""
    if title and title not in content[: len(title) + 5]:
        return f"{title}\n{content}" if content else title
    return content or title


class TextStage:
    def __init__(self, normalizer: Normalizer | None = None, masker: PiiMasker | None = None,
                 segmenter: Segmenter | None = None, places: PlaceExtractor | None = None,
                 keywords: KeywordExtractor | None = None, hasher: MinHasher | None = None,
                 textrank_keep: int = 24, dup_threshold: float = 0.6) -> None:
        self.normalizer = normalizer or Normalizer()
        self.masker = masker or PiiMasker()
        self.segmenter = segmenter or Segmenter()
        self.places = places or PlaceExtractor()
        self.keywords = keywords or KeywordExtractor()
        self.hasher = hasher or MinHasher()
        self.textrank_keep = textrank_keep
        self.dup_threshold = dup_threshold  # estimated Jaccard similarity that makes two texts one demand

    @classmethod
    def from_config(cls, config: "Config", **kwargs: Any) -> "TextStage":
        kwargs.setdefault("segmenter", Segmenter.from_config(config))
        kwargs.setdefault("places", PlaceExtractor.from_config(config))
        return cls(**kwargs)

    def warm(self) -> "TextStage":
        """Load dictionaries now (before forking workers, so they share them)."""
        self.segmenter.warm()
        self.keywords.stock.warm()
        return self

    # ------------------------------------------------------------------ per document
    def process_one(self, doc: TextDoc) -> TextResult:
        """Everything that needs only this document (keywords get their TF-IDF half in ``finish``)."""
        title = self.normalizer(doc.title)
        content = self.normalizer(doc.content)
        masked_title, spans_t = self.masker.mask_spans(title)
        masked_content, spans_c = self.masker.mask_spans(content)
        pii: dict[str, int] = {}
        for s in (*spans_t, *spans_c):
            pii[s.kind] = pii.get(s.kind, 0) + 1
        readable = strip_tags(join_title(masked_title, masked_content))
        raw = self.segmenter.cut(readable)
        tokens = self.segmenter.filter(raw)
        place_tokens = raw
        if doc.address:
            address = strip_tags(self.masker(self.normalizer(doc.address)))
            if address and address not in readable:
                place_tokens = self.segmenter.cut(address) + ["\n"] + raw
        places = self.places.extract(place_tokens)
        tr = self.keywords.textrank(tokens, top_n=self.textrank_keep)
        return TextResult(
            record_id=doc.record_id, normalized_text=join_title(title, content), masked_title=masked_title,
            masked_text=masked_content, tokens=tokens, places=places,
            district=self.places.infer_district(places), signature=self.hasher.signature(readable),
            pii=pii, textrank=tr)

    # ------------------------------------------------------------------ batches
    def finish(self, results: Sequence[TextResult], doc_freq: DocFreq) -> list[TextResult]:
        """Fold the batch into the corpus statistics, then pick each document's keywords."""
        doc_freq.add(r.tokens for r in results)
        for r in results:
            r.keywords = self.keywords.keywords(r.tokens, doc_freq, r.textrank)
            r.textrank = {}
        return list(results)

    def process(self, docs: Sequence[TextDoc], doc_freq: DocFreq | None = None,
                pool: "WorkerPool[TextStage] | None" = None, chunk: int = 32) -> list[TextResult]:
        doc_freq = doc_freq if doc_freq is not None else DocFreq()
        if pool is None or len(docs) <= chunk:
            partial = [self.process_one(d) for d in docs]
        else:
            chunks = [docs[i:i + chunk] for i in range(0, len(docs), chunk)]
            partial = [r for part in pool.map(_process_chunk, chunks) for r in part]
        return self.finish(partial, doc_freq)

    @contextmanager
    def pool(self, workers: int) -> Iterator["WorkerPool[TextStage] | None"]:
        """A worker pool sharing this stage (dictionary loaded first), or None for one process."""
        if workers <= 1:
            yield None
            return
        from nlp.pool import WorkerPool
        with WorkerPool(self.warm(), workers) as pool:
            yield pool


def _process_chunk(stage: TextStage, docs: Sequence[TextDoc]) -> list[TextResult]:
    return [stage.process_one(d) for d in docs]
