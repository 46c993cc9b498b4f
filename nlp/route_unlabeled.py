"""What the router learns from a city's unlabelled messages, and the check that keeps them honest.

Labelled history is small (a city labels a few thousand messages) while unlabelled messages are
plentiful. ``WordEmbeddings`` trains gensim Word2Vec on labelled plus unlabelled tokens, so a word
the labelled data never shows (欠薪 when the labels only say 拖欠工资) still lands near the words
it shares contexts with; a document becomes the IDF-weighted mean of its words' vectors. The
fitted block keeps only numpy arrays and a vocabulary dict: prediction needs no gensim and the
model pickles small.

``overlapping`` finds unlabelled texts that repeat (or nearly repeat) a held-out text. Evaluation
drops them before training, otherwise a test message could teach the model its own words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from nlp.dedup import core_text


@dataclass
class EmbeddingParams:
    dim: int = 100
    window: int = 5
    min_count: int = 2
    epochs: int = 5
    skip_gram: bool = False        # CBOW: several times faster on two cores, as good here
    seed: int = 13


class WordEmbeddings:
    """Token lists → dense document vectors (unit length) from in-domain Word2Vec."""

    def __init__(self, params: EmbeddingParams | None = None) -> None:
        self.params = params or EmbeddingParams()
        self.index: dict[str, int] = {}
        self.vectors = np.zeros((0, self.params.dim), dtype=np.float32)  # rows pre-scaled by IDF

    def fit(self, corpus: Sequence[Sequence[str]]) -> "WordEmbeddings":
        """Train on every token list given (labelled and unlabelled alike: no labels are read).

        ``workers=1`` and a fixed seed make the vectors the same on every run; gensim's
        multi-threaded training is not deterministic.
        """
        from gensim.models import Word2Vec  # heavy; only training needs it

        p = self.params
        sentences = [list(t) for t in corpus if t]
        if not sentences:
            raise ValueError("word embeddings need at least one non-empty document")
        w2v = Word2Vec(sentences, vector_size=p.dim, window=p.window, min_count=p.min_count,
                       sg=int(p.skip_gram), epochs=p.epochs, seed=p.seed, workers=1)
        self.index = dict(w2v.wv.key_to_index)
        df = np.zeros(len(self.index))
        for tokens in sentences:
            ids = {self.index[t] for t in tokens if t in self.index}
            df[list(ids)] += 1
        idf = np.log((1 + len(sentences)) / (1 + df)) + 1.0
        self.vectors = (w2v.wv.vectors * idf[:, None]).astype(np.float32)
        return self

    def transform(self, docs: Iterable[Sequence[str]]) -> np.ndarray:
        """One row per document; a document with no known word is all zeros."""
        rows = []
        index, vectors = self.index, self.vectors
        for tokens in docs:
            ids = [index[t] for t in tokens if t in index]
            rows.append(vectors[ids].sum(axis=0) if ids else np.zeros(vectors.shape[1], dtype=np.float32))
        out = np.vstack(rows) if rows else np.zeros((0, vectors.shape[1]), dtype=np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)


def _shingles(text: str, k: int) -> set[str]:
    core = core_text(text)
    return {core[i:i + k] for i in range(max(len(core) - k + 1, 1))} if core else set()


def overlapping(unlabeled: Sequence[str], held_out: Sequence[str], k: int = 8,
                share: float = 0.5) -> list[bool]:
    """For each unlabelled text: does it (nearly) repeat one held-out text?

    A pair overlaps when ``share`` of either text's character ``k``-grams occur in the other
    (a resubmission with a greeting added, a title reworded, an exact copy). Eight characters
    are rarely shared by two different demands, even with the same boilerplate.
    """
    held = [_shingles(t, k) for t in held_out]
    postings: dict[str, list[int]] = {}
    for j, sh in enumerate(held):
        for s in sh:
            postings.setdefault(s, []).append(j)
    out = []
    for text in unlabeled:
        sh = _shingles(text, k)
        counts: dict[int, int] = {}
        for s in sh:
            for j in postings.get(s, ()):
                counts[j] = counts.get(j, 0) + 1
        out.append(any(n >= share * len(sh) or n >= share * len(held[j]) for j, n in counts.items()))
    return out


def without_overlap(unlabeled: Sequence[str], held_out: Sequence[str]) -> list[int]:
    """Indexes of the unlabelled texts that repeat no held-out text (see ``overlapping``)."""
    return [i for i, hit in enumerate(overlapping(unlabeled, held_out)) if not hit]


def pseudo_labels(proba: np.ndarray, classes: Sequence[str], labels: Sequence[str], share: float,
                  min_confidence: float) -> tuple[list[int], list[str]]:
    """Self-training's pick: the unlabelled rows the model is surest of, class by class.

    Each class gets at most ``share`` × its labelled count, best first and only at or above
    ``min_confidence``, so a class that dominates the unlabelled stream (housing, in most cities)
    cannot drown the others. Returns row indexes and their labels, in class order.
    """
    counts = {c: 0 for c in classes}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    best, conf = proba.argmax(axis=1), proba.max(axis=1)
    rows: list[int] = []
    names: list[str] = []
    for j, cls in enumerate(classes):
        cand = np.flatnonzero((best == j) & (conf >= min_confidence))
        cand = cand[np.argsort(-conf[cand], kind="stable")][:int(share * counts[cls])]
        rows += cand.tolist()
        names += [cls] * len(cand)
    return rows, names
