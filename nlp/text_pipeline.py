"""The text pipeline: normalize → mask PII → segment → places → keywords → duplicate signature.

Pure composition of the small stages in ``nlp/``; every part is swappable through the
constructor. ``process`` takes a batch of ``TextDoc`` and returns one ``TextResult`` per doc, in
order. Per-document work (everything but the corpus-level TF-IDF) runs in worker processes when
a pool is given; the ``DocFreq`` the TF-IDF half needs stays in the calling process and grows with
each batch. Grouping near-duplicates needs every earlier signature, so it is left to the caller
(``nlp.dedup.DupIndex``); the result carries the signature.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from nlp.dedup import MinHasher
from nlp.keywords import DocFreq, KeywordExtractor, candidate_counts, is_candidate
from nlp.normalize import Normalizer, chinese_punctuation
from nlp.pii import PiiMasker, strip_tags
from nlp.places import PlaceExtractor
from nlp.segment import Segmenter

from suqiu.config import Config
from suqiu.model import Analysis

if TYPE_CHECKING:
    from nlp.pool import WorkerPool

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
    places: list[dict[str, Any]]
    district: str | None                  # what the places imply; the caller decides whether to use it
    signature: np.ndarray | None
    keywords: list[str] = field(default_factory=list)
    pii: dict[str, int] = field(default_factory=dict)   # kind → count found
    textrank: dict[str, float] = field(default_factory=dict, repr=False)
    term_counts: dict[str, int] = field(default_factory=dict, repr=False)  # keyword candidates → count

    def analysis(self, dup_group: str | None = None) -> Analysis:
        return Analysis(record_id=self.record_id, normalized_text=self.normalized_text,
                        masked_title=self.masked_title, masked_text=self.masked_text, tokens=self.tokens,
                        keywords=self.keywords, places=self.places, dup_group=dup_group)


def join_title(title: str, content: str) -> str:
    """Title and content as one text, as ``Demand.text`` does (a title repeated in the content once)."""
    if title and title not in content[: len(title) + 5]:
        return f"{title}\n{content}" if content else title
    return content or title


class TextPipeline:
    def __init__(self, normalizer: Normalizer | None = None, masker: PiiMasker | None = None,
                 segmenter: Segmenter | None = None, places: PlaceExtractor | None = None,
                 keywords: KeywordExtractor | None = None, hasher: MinHasher | None = None,
                 textrank_keep: int = 24, dup_threshold: float = 0.6,
                 display: Callable[[str], str] | None = None) -> None:
        self.normalizer = normalizer or Normalizer()
        self.masker = masker or PiiMasker()
        self.segmenter = segmenter or Segmenter()
        self.places = places or PlaceExtractor()
        self.keywords = keywords or KeywordExtractor()
        self.hasher = hasher or MinHasher()
        self.display = display or chinese_punctuation  # masked text as shown to people
        self.textrank_keep = textrank_keep
        self.dup_threshold = dup_threshold  # estimated Jaccard similarity that makes two texts one demand
        self._token_kinds: dict[str, int] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_token_kinds": {}}

    def _split_tokens(self, raw: Sequence[str]) -> tuple[list[str], list[str]]:
        """Content tokens (``Segmenter.filter``) and, of those, keyword candidates, in one pass.

        Both checks are remembered per distinct token (0 drop, 1 content, 2 content and candidate).
        """
        kinds = self._token_kinds
        if len(kinds) > 200_000:
            kinds.clear()
        keep = self.segmenter.keep
        tokens: list[str] = []
        candidates: list[str] = []
        for t in raw:
            kind = kinds.get(t)
            if kind is None:
                kind = kinds[t] = (2 if is_candidate(t) else 1) if keep(t) else 0
            if kind:
                tokens.append(t)
                if kind == 2:
                    candidates.append(t)
        return tokens, candidates

    @classmethod
    def from_config(cls, config: Config, **kwargs: Any) -> "TextPipeline":
        kwargs.setdefault("segmenter", Segmenter.from_config(config))
        kwargs.setdefault("places", PlaceExtractor.from_config(config))
        return cls(**kwargs)

    def warm(self) -> "TextPipeline":
        """Load dictionaries now (before forking workers, so they share them)."""
        self.segmenter.warm()
        self.keywords.stock.warm()
        return self

    # ------------------------------------------------------------------ per document
    def process_one(self, doc: TextDoc) -> TextResult:
        """Everything that needs only this document (keywords get their TF-IDF half in ``finish``)."""
        return self.process_docs([doc])[0]

    def process_docs(self, docs: Sequence[TextDoc]) -> list[TextResult]:
        """``process_one`` for several documents, one step at a time over all of them.

        Step by step rather than document by document: jieba's dictionary and the regexes stay in
        the CPU caches, which measurably speeds up the whole stage.
        """
        norm, mask = self.normalizer, self.masker.mask_spans
        titles = [norm(d.title) for d in docs]
        contents = [norm(d.content) for d in docs]
        # what people read: masked, in Chinese punctuation (normalization made it ASCII for the models)
        display = self.display
        masked_titles = [(display(m), spans) for m, spans in map(mask, titles)]
        masked_contents = [(display(m), spans) for m, spans in map(mask, contents)]
        readable = [strip_tags(join_title(mt, mc)) for (mt, _), (mc, _) in zip(masked_titles, masked_contents)]
        cut = self.segmenter.cut
        raws = [cut(r) for r in readable]
        split = [self._split_tokens(r) for r in raws]
        tokens = [t for t, _ in split]
        candidates = [c for _, c in split]
        place_tokens = [self._place_tokens(d, r, text) for d, r, text in zip(docs, raws, readable)]
        places = [self.places.extract(p) for p in place_tokens]
        trs = [self.keywords.textrank(t, top_n=self.textrank_keep, candidates=c) for t, c in zip(tokens, candidates)]
        sigs = self.hasher.signatures(readable)
        out = []
        for i, doc in enumerate(docs):
            pii: dict[str, int] = {}
            for sp in (*masked_titles[i][1], *masked_contents[i][1]):
                pii[sp.kind] = pii.get(sp.kind, 0) + 1
            out.append(TextResult(
                record_id=doc.record_id, normalized_text=join_title(titles[i], contents[i]),
                masked_title=masked_titles[i][0], masked_text=masked_contents[i][0], tokens=tokens[i],
                places=places[i], district=self.places.infer_district(places[i]), signature=sigs[i],
                pii=pii, textrank=trs[i], term_counts=Counter(candidates[i])))
        return out

    def _place_tokens(self, doc: TextDoc, raw: list[str], readable: str) -> list[str]:
        """The address (when the text does not already contain it) is searched for places too."""
        if not doc.address:
            return raw
        address = strip_tags(self.masker(self.normalizer(doc.address)))
        if not address or address in readable:
            return raw
        return self.segmenter.cut(address) + ["\n"] + raw

    # ------------------------------------------------------------------ batches
    def finish(self, results: Sequence[TextResult], doc_freq: DocFreq) -> list[TextResult]:
        """Fold the batch into the corpus statistics, then pick each document's keywords."""
        doc_freq.add(r.tokens for r in results)
        picked = self.keywords.keywords_many(
            [(r.term_counts or candidate_counts(r.tokens), r.textrank) for r in results], doc_freq)
        for r, keywords in zip(results, picked):
            r.keywords = keywords
            r.textrank, r.term_counts = {}, {}
        return list(results)

    def process(self, docs: Sequence[TextDoc], doc_freq: DocFreq | None = None,
                pool: "WorkerPool[TextPipeline] | None" = None, chunk: int = 32) -> list[TextResult]:
        return next(self.process_batches([docs], doc_freq, pool, chunk), [])

    def process_batches(self, batches: Iterable[Sequence[TextDoc]], doc_freq: DocFreq | None = None,
                        pool: "WorkerPool[TextPipeline] | None" = None, chunk: int = 32) -> Iterator[list[TextResult]]:
        """Results batch by batch, in order; with a pool the workers already run the next batch
        while this process finishes the current one (keywords) and the caller stores it.

        Each batch is folded into ``doc_freq`` before its keywords are picked, exactly as
        ``process`` per batch would; batches are read from ``batches`` in this thread only.
        """
        doc_freq = doc_freq if doc_freq is not None else DocFreq()
        if pool is None:
            for docs in batches:
                partial = [r for i in range(0, len(docs), chunk) for r in self.process_docs(docs[i:i + chunk])]
                yield self.finish(partial, doc_freq)
            return
        running = None
        for docs in batches:
            submitted = pool.map_async(_process_chunk, [docs[i:i + chunk] for i in range(0, len(docs), chunk)])
            if running is not None:
                yield self.finish(_unpack_parts(running.get()), doc_freq)
            running = submitted
        if running is not None:
            yield self.finish(_unpack_parts(running.get()), doc_freq)

    @contextmanager
    def pool(self, workers: int) -> Iterator["WorkerPool[TextPipeline] | None"]:
        """A worker pool sharing this stage (dictionary loaded first), or None for one process."""
        if workers <= 1:
            yield None
            return
        from nlp.pool import WorkerPool
        with WorkerPool(self.warm(), workers) as pool:
            yield pool


# Results cross the process boundary as plain tuples with the token lists joined into one string:
# unpickling thousands of small strings costs more than splitting one (control characters such as
# the separator never survive normalization, so it cannot occur inside a token).
_SEP = "\x1f"
Wire = tuple[Any, ...]


def _pack(r: TextResult) -> Wire:
    return (r.record_id, r.normalized_text, r.masked_title, r.masked_text, _SEP.join(r.tokens), r.places,
            r.district, None if r.signature is None else r.signature.tobytes(), r.pii, r.textrank,
            _SEP.join(t for t, n in r.term_counts.items() for _ in range(n)))


def _unpack(w: Wire) -> TextResult:
    (record_id, normalized, masked_title, masked_text, tokens, places, district, signature, pii, textrank,
     candidates) = w
    return TextResult(record_id=record_id, normalized_text=normalized, masked_title=masked_title,
                      masked_text=masked_text, tokens=tokens.split(_SEP) if tokens else [], places=places,
                      district=district,
                      signature=None if signature is None else np.frombuffer(signature, dtype=np.uint32).copy(),
                      pii=pii, textrank=textrank, term_counts=Counter(candidates.split(_SEP)) if candidates else {})


def _unpack_parts(parts: Iterable[list[Wire]]) -> list[TextResult]:
    return [_unpack(w) for part in parts for w in part]


def _process_chunk(stage: TextPipeline, docs: Sequence[TextDoc]) -> list[Wire]:
    return [_pack(r) for r in stage.process_docs(docs)]
