"""Topic discovery over segmented demands with gensim.

The number of topics is chosen by c_v coherence over a range of candidates, fitted and scored on
seeded samples so a large corpus costs one full fit; every fit uses a fixed seed, so the same corpus
gives the same topics. The model learns from the demands the caller marks (the topics stage caps
each near-duplicate group) and assigns every demand. A demand belongs to its best topic when that topic's weight
reaches ``min_weight``, or reaches the lower ``soft_weight`` while clearly ahead of the runner-up
(``soft_margin`` times its weight); otherwise it is an outlier (topic ``-1``, shown as 其他), not
forced into a topic. Each topic is named by two to four key phrases of its demands
(``nlp.topic_names``). Topic *identity* is kept stable across
retraining by matching each new topic to a known one on top-keyword overlap (``match_topics``), so
a week-over-week trend for topic 7 is a trend of the same theme.

Tokenizing is the caller's job: every function here takes token lists (any re-iterable stream of
them). Sharp edge: gensim's dictionary ids change after ``filter_extremes``; nothing outside this
module should hold on to them — topics leave this module as keyword lists and stable ids.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from nlp.topic_names import (
    NamingSettings,
    WordWeight,
    join_name,
    name_groups,
    pos_weight,
)
from nlp.topic_backends import BACKENDS, LdaBackend, NmfBackend, TopicBackend, make_backend  # noqa: F401 (re-exported)
from nlp.topic_scale import nmf_weights, top_two
from suqiu.model import OUTLIER

ASSIGN_BATCH = 2000    # demands projected onto the topics per solver call

# Tokens that carry no theme: punctuation, digits, latin-only fragments, single characters.
_NOISE = re.compile(r"^[\W\d_a-zA-Z]+$")

# Words of address and filler that every message uses whatever it is about.
DEFAULT_TOPIC_STOP_WORDS: frozenset[str] = frozenset(
    "您好 你好 请问 谢谢 感谢 领导 尊敬 相关 部门 有关 问题 情况 一下 我们 你们 他们 这个 那个 这些 那些 "
    "什么 怎么 已经 还是 就是 没有 可以 希望 反映 要求 请求 解决 处理 政府 市民 群众 本人 现在 目前 "
    "因为 所以 但是 而且 如果 这样 那么 进行 一个 一些 多次 不是 不能 还有 以及 关于 对于 由于 需要 "
    "非常 特别 严重 时间 今年 去年 时候 问一下 咨询 投诉 建议 此致 敬礼 万分 盼复 回复 答复 留言 "
    "为什么 怎么办 能否 是否 如何 请求 恳请 恳求 麻烦 帮忙 帮助 重视 尽快 及时 给予 予以 知道 认为 "
    "表示 得到 没人 不了 起来 出来 之后 以后 以前 之前 期间 其中 其他 另外 同时 自己 大家 很多 "
    "所有 每天 一直 还是 只能 应该 应当 必须 可能 已经 这么 那么 为了 通过 根据 按照 我市".split()
)


def _sample(n: int, limit: int, seed: int) -> list[int]:
    """Indices of a seeded sample of at most ``limit`` of ``n`` items, in order (all when ``n`` <= limit)."""
    if n <= limit:
        return list(range(n))
    return sorted(random.Random(seed).sample(range(n), limit))


def topic_tokens(tokens: Iterable[str], stop_words: frozenset[str] | set[str] = DEFAULT_TOPIC_STOP_WORDS,
                 drop: re.Pattern[str] | None = None) -> list[str]:
    """Keep the tokens that can name a theme (two characters or more, not noise, not stop words)."""
    out = []
    for t in tokens:
        t = t.strip()
        if len(t) < 2 or t in stop_words or _NOISE.match(t) or (drop is not None and drop.search(t)):
            continue
        out.append(t)
    return out


# ------------------------------------------------------------------------------------------ corpus
class TokenStream:
    """A re-iterable stream of token lists (gensim's corpus contract) over a factory of iterables."""

    def __init__(self, source: Callable[[], Iterable[list[str]]] | Sequence[list[str]]) -> None:
        self._source = source

    def __iter__(self) -> Iterator[list[str]]:
        src = self._source() if callable(self._source) else self._source
        yield from src


class BowCorpus:
    """Streams bag-of-words vectors of a token stream through a dictionary, without holding them."""

    def __init__(self, texts: Iterable[list[str]], dictionary: Any) -> None:
        self.texts = texts
        self.dictionary = dictionary

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        for tokens in self.texts:
            yield self.dictionary.doc2bow(tokens)


# ------------------------------------------------------------------------------------------ settings
@dataclass(frozen=True)
class TopicSettings:
    """Knobs of a topic fit; defaults are sized for a demo (about 2,000 demands in well under 30 s)."""

    k_values: tuple[int, ...] = (6, 9, 12, 15, 18)
    passes: int = 4
    iterations: int = 30
    seed: int = 12345
    no_below: int = 3            # a word must appear in this many demands …
    no_above: float = 0.5        # … and in at most this share of them
    keep_n: int = 20_000
    min_weight: float = 0.3      # from this best-topic weight a demand belongs to its best topic …
    soft_weight: float = 0.15    # … and from this one too when its best topic clearly leads:
    soft_margin: float = 2.0     # at least this many times the runner-up's weight; else an outlier
    min_tokens: int = 3          # fewer in-vocabulary tokens: outlier
    topn: int = 10               # keywords per topic (also the c_v window's word set)
    label_words: int = 4         # at most this many key phrases name a topic (nlp.topic_names)
    coherence_window: int = 110
    # c_v only sees each topic's top words, so too few topics can look as coherent as the right
    # number (a missing theme just hides below the top words): among candidates within this much
    # of the best score, the finer one wins
    coherence_tolerance: float = 0.01
    max_tokens: int = 400        # long letters are cut; their head says what they want
    max_terms: int = 40          # per demand, keep the most distinctive words (tf-idf) only
    representatives: int = 3
    selection_docs: int = 20_000  # candidates for k are fitted on a seeded sample of this many demands …
    coherence_docs: int = 5_000   # … and scored by c_v on this many; the chosen k is refitted on the fit sample
    # a fit reads at most this many demands, drawn by week (``nlp.topic_scale``); the rest are
    # assigned afterwards: a refit of 103,000 demands took 57 s and 515 MB (bench_scale store)
    fit_sample: int = 20_000
    # a candidate k whose largest topic holds more than this share (never below 1.5 / k: three themes
    # are a third each at k = 3) is passed over; c_v alone chose a catch-all of 37% at 20k realistic demands
    max_topic_share: float = 0.25

    def __post_init__(self) -> None:
        if not self.k_values or min(self.k_values) < 2:
            raise ValueError("k_values: need at least one candidate, each >= 2")
        if not 0 <= self.min_weight < 1:
            raise ValueError("min_weight: must be in [0, 1)")
        if not 0 <= self.soft_weight <= self.min_weight:
            raise ValueError("soft_weight: must be in [0, min_weight]")
        if not 0 < self.max_topic_share <= 1:
            raise ValueError("max_topic_share: must be in (0, 1]")


# ------------------------------------------------------------------------------------------ results
@dataclass
class Topic:
    """One topic of a fit; ``index`` is its position in the model (not its stable id)."""

    index: int
    keywords: list[str]
    weights: list[float]
    label_words: list[str]
    coherence: float
    size: int = 0
    representatives: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The topic's short Chinese name: its key phrases joined (噪音扰民·夜间施工)."""
        return join_name(self.label_words)


@dataclass(frozen=True)
class Assignment:
    doc_id: str
    index: int       # model topic index or OUTLIER
    weight: float    # best topic weight (for outliers too: how far it was from fitting)


@dataclass
class TopicFit:
    backend: str
    model: Any
    dictionary: Any
    k: int
    coherence: float
    coherence_by_k: dict[int, float]
    topics: list[Topic]
    assignments: list[Assignment]
    settings: TopicSettings

    @property
    def outlier_share(self) -> float:
        if not self.assignments:
            return 0.0
        return sum(a.index == OUTLIER for a in self.assignments) / len(self.assignments)


# ------------------------------------------------------------------------------------------ fitting
class TopicModeler:
    """Fits topic models over token lists and assigns demands to topics."""

    def __init__(self, settings: TopicSettings | None = None, backend: TopicBackend | None = None,
                 word_weight: WordWeight | None = None) -> None:
        self.settings = settings or TopicSettings()
        self.word_weight = word_weight  # how well a word can name a topic; default: its part of speech
        # NMF is the default: on the Teddy Cup messages it scores c_v ~0.52 against LDA's ~0.37 and
        # fits faster (bench/eval_topics.py --backend lda to compare)
        self.backend = backend or NmfBackend()

    def build_dictionary(self, texts: Iterable[list[str]]) -> Any:
        """Vocabulary over the stream, with rare and ubiquitous words filtered (ids are compacted)."""
        from gensim.corpora import Dictionary
        s = self.settings
        dictionary = Dictionary(texts)
        n_docs = dictionary.num_docs
        # on tiny corpora, "in at least 3 demands" would leave nothing
        no_below = min(s.no_below, max(1, n_docs // 20))
        dictionary.filter_extremes(no_below=no_below, no_above=s.no_above, keep_n=s.keep_n)
        return dictionary

    def fit(self, doc_ids: Sequence[str], texts: Iterable[list[str]],
            fit_on: Sequence[bool] | None = None) -> TopicFit:
        """Fit one model per candidate k, keep the most c_v-coherent, assign every demand.

        ``fit_on`` marks the demands the model learns from (default: all); the topics stage caps
        each near-duplicate group, so a letter resubmitted thirty times does not become a topic of
        its own. Every demand is assigned. ``coherence`` in the result
        is the chosen model's c_v (see ``coherence_tolerance``).
        """
        s = self.settings
        clipped = [list(t[: s.max_tokens]) for t in texts]
        if len(clipped) != len(doc_ids):
            raise ValueError(f"doc_ids: {len(doc_ids)} ids for {len(clipped)} texts")
        learn = list(fit_on) if fit_on is not None else [True] * len(clipped)
        if len(learn) != len(clipped):
            raise ValueError(f"fit_on: {len(learn)} flags for {len(clipped)} texts")
        dictionary = self.build_dictionary([doc for doc, f in zip(clipped, learn) if f])
        if len(dictionary) < 2:
            raise ValueError("texts: vocabulary too small to find topics (need more demands)")
        kept = [[t for t in doc if t in dictionary.token2id] for doc in clipped]
        training = [doc for doc, f in zip(kept, learn) if f and doc]
        usable = [b for b in (self._prune(dictionary.doc2bow(doc), dictionary) for doc in training) if b]
        max_k = max(2, min(len(usable) // 2, len(dictionary) // 2))
        k_values = sorted({min(k, max_k) for k in s.k_values})
        best_k, model, coherence_by_k, per_topic = self._select(usable, training, dictionary, k_values)

        topics = self._describe(model, dictionary, per_topic)
        assignments = self.assign(model, dictionary, doc_ids, kept, vocab_filtered=True)
        self._fill_sizes(topics, assignments)
        self._name(topics, kept, assignments)
        return TopicFit(backend=self.backend.name, model=model, dictionary=dictionary, k=best_k,
                        coherence=coherence_by_k[best_k], coherence_by_k=coherence_by_k, topics=topics,
                        assignments=assignments, settings=s)

    def _select(self, usable: list[list[tuple[int, int]]], texts: list[list[str]], dictionary: Any,
                k_values: list[int]) -> tuple[int, Any, dict[int, float], list[float]]:
        """Choose k by c_v on seeded samples (``selection_docs`` to fit the candidates,
        ``coherence_docs`` to score them), then fit the chosen k on every usable demand.

        Returns (k, model, c_v by k, per-topic c_v of the returned model)."""
        from gensim.models import CoherenceModel

        s = self.settings
        sample = _sample(len(usable), s.selection_docs, s.seed)
        candidates = [usable[i] for i in sample]
        models = {k: self.backend.train(candidates, dictionary, k, s) for k in k_values}
        topic_words = {k: self._top_words(models[k], dictionary) for k in k_values}
        scored = [texts[i] for i in _sample(len(texts), s.coherence_docs, s.seed + 1)]
        # one accumulator over the union of all candidates' words, then cheap per-candidate scores
        cm = CoherenceModel.for_topics(list(topic_words.values()), texts=scored, dictionary=dictionary,
                                       coherence="c_v", topn=s.topn, window_size=s.coherence_window, processes=1)

        def per_topic(words: list[list[str]]) -> list[float]:
            cm.topics = words
            return [0.0 if math.isnan(v) else float(v) for v in cm.get_coherence_per_topic()]

        by_k = {k: per_topic(topic_words[k]) for k in k_values}
        coherence_by_k = {k: sum(v) / len(v) for k, v in by_k.items()}
        best_k = self._choose_k(coherence_by_k, models, [usable[i] for i in _sample(len(usable), s.coherence_docs,
                                                                                       s.seed + 2)])
        if len(sample) == len(usable):
            return best_k, models[best_k], coherence_by_k, by_k[best_k]
        model = self.backend.train(usable, dictionary, best_k, s)
        return best_k, model, coherence_by_k, per_topic(self._top_words(model, dictionary))

    def _choose_k(self, coherence_by_k: dict[int, float], models: dict[int, Any],
                  bows: list[list[tuple[int, int]]]) -> int:
        """The finest k within ``coherence_tolerance`` of the best c_v among candidates whose largest
        topic holds at most ``max_topic_share`` (c_v reads only top words: a catch-all scores as well
        as a clean topic); when every candidate has one, the one whose largest topic is smallest."""
        s = self.settings
        shares = {k: self._largest_share(model, bows) for k, model in models.items()}
        eligible = [k for k in coherence_by_k if shares[k] <= max(s.max_topic_share, 1.5 / k)] or \
            [min(coherence_by_k, key=lambda k: (shares[k], -k))]
        top = max(coherence_by_k[k] for k in eligible)
        return max(k for k in eligible if coherence_by_k[k] >= top - s.coherence_tolerance)

    def _largest_share(self, model: Any, bows: list[list[tuple[int, int]]]) -> float:
        """The share of ``bows`` whose best topic is the model's most common one."""
        if not bows:
            return 0.0
        best = [a.index for a in self._assign_batch(model, [(str(i), b) for i, b in enumerate(bows)])]
        counts = [best.count(i) for i in set(best) if i != OUTLIER]
        return max(counts, default=0) / len(bows)

    def assign(self, model: Any, dictionary: Any, doc_ids: Sequence[str], texts: Iterable[list[str]],
               vocab_filtered: bool = False) -> list[Assignment]:
        """Best topic per demand, or OUTLIER when the demand fits no topic well; projected in
        batches of ``ASSIGN_BATCH`` (``nlp.topic_scale``)."""
        s = self.settings
        slots: list[Assignment | None] = []   # in the input's order, whatever is batched
        batch: list[tuple[int, str, list[tuple[int, int]]]] = []
        for doc_id, tokens in zip(doc_ids, texts, strict=True):
            tokens = list(tokens[: s.max_tokens]) if not vocab_filtered else tokens
            bow = self._prune(dictionary.doc2bow(tokens), dictionary)
            if sum(n for _, n in bow) < s.min_tokens:
                slots.append(Assignment(doc_id, OUTLIER, 0.0))
                continue
            slots.append(None)
            batch.append((len(slots) - 1, doc_id, bow))
            if len(batch) >= ASSIGN_BATCH:
                self._fill(slots, model, batch)
                batch = []
        self._fill(slots, model, batch)
        return slots  # type: ignore[return-value]  # every slot is filled

    def _fill(self, slots: list[Assignment | None], model: Any,
              batch: list[tuple[int, str, list[tuple[int, int]]]]) -> None:
        """Assignments of a batch into their input positions (the caller zips them with its demands)."""
        for (pos, doc_id, _), assignment in zip(batch, self._assign_batch(model, [(d, b) for _, d, b in batch])):
            slots[pos] = assignment

    def _assign_batch(self, model: Any, batch: list[tuple[str, list[tuple[int, int]]]]) -> list[Assignment]:
        """A demand takes its best topic when the weight reaches ``min_weight``, or ``soft_weight``
        while at least ``soft_margin`` times the runner-up's; else it is an outlier."""
        s = self.settings
        if hasattr(model, "_solveproj"):        # gensim Nmf: the whole batch in one solver call
            ranked = top_two(nmf_weights(model, [bow for _, bow in batch]))
        else:
            ranked = [self._best(model, bow) for _, bow in batch]
        out = []
        for (doc_id, _), (i, w, runner_up) in zip(batch, ranked):
            fits = i >= 0 and (w >= s.min_weight or (w >= s.soft_weight and w >= s.soft_margin * runner_up))
            out.append(Assignment(doc_id, int(i) if fits else OUTLIER, round(float(w), 4) if i >= 0 else 0.0))
        return out

    @staticmethod
    def _best(model: Any, bow: list[tuple[int, int]]) -> tuple[int, float, float]:
        """Best (topic, weight, runner-up weight) of one demand; (-1, 0, 0) when the model gives it no topic."""
        dist = model.get_document_topics(bow, minimum_probability=0.0) \
            if hasattr(model, "get_document_topics") else model[bow]
        if not dist:
            return -1, 0.0, 0.0
        ranked = sorted(dist, key=lambda p: (-p[1], p[0]))
        return int(ranked[0][0]), float(ranked[0][1]), float(ranked[1][1]) if len(ranked) > 1 else 0.0

    # -------------------------------------------------------------------------------- helpers
    def _prune(self, bow: list[tuple[int, int]], dictionary: Any) -> list[tuple[int, int]]:
        """Keep a demand's ``max_terms`` most distinctive words (tf-idf): faster, crisper topics."""
        limit = self.settings.max_terms
        if not limit or len(bow) <= limit:
            return bow
        n = max(dictionary.num_docs, 1)
        dfs = dictionary.dfs
        ranked = sorted(bow, key=lambda p: (-p[1] * math.log(n / max(dfs.get(p[0], 1), 1)), p[0]))
        return sorted(ranked[:limit])

    def _top_words(self, model: Any, dictionary: Any) -> list[list[str]]:
        import numpy as np
        topics = model.get_topics()
        return [[dictionary[int(i)] for i in np.argsort(-row)[: self.settings.topn]] for row in topics]

    def _describe(self, model: Any, dictionary: Any, coherences: list[float]) -> list[Topic]:
        """Keywords by probability; names come later, from the demands each topic holds (``_name``)."""
        import numpy as np
        s = self.settings
        phi = np.asarray(model.get_topics(), dtype=float)
        phi = phi / np.clip(phi.sum(axis=1, keepdims=True), 1e-12, None)
        topics = []
        for i, row in enumerate(phi):
            top = np.argsort(-row)[: s.topn]
            topics.append(Topic(index=i, keywords=[dictionary[int(j)] for j in top],
                                weights=[round(float(row[j]), 5) for j in top], label_words=[],
                                coherence=round(coherences[i], 4)))
        return topics

    def _name(self, topics: list[Topic], docs: Sequence[list[str]], assignments: Sequence[Assignment]) -> None:
        """Two to four key phrases per topic from its member demands (``nlp.topic_names``)."""
        group_of = [None if a.index == OUTLIER else a.index for a in assignments]
        if self.word_weight is None:
            self.word_weight = pos_weight()
        names = name_groups(docs, group_of, {t.index: t.keywords for t in topics},
                            NamingSettings(max_phrases=self.settings.label_words), self.word_weight)
        for t in topics:
            t.label_words = names.get(t.index) or t.keywords[:2]

    def _fill_sizes(self, topics: list[Topic], assignments: list[Assignment]) -> None:
        by_topic: dict[int, list[Assignment]] = {}
        for a in assignments:
            if a.index != OUTLIER:
                by_topic.setdefault(a.index, []).append(a)
        for t in topics:
            members = by_topic.get(t.index, [])
            t.size = len(members)
            ranked = sorted(members, key=lambda a: (-a.weight, a.doc_id))
            t.representatives = [a.doc_id for a in ranked[: self.settings.representatives]]


