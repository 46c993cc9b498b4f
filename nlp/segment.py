"""Word segmentation with our own ``jieba.Tokenizer`` and a government-domain user dictionary.

The user dictionary comes from the installation's configuration (district, street, community,
road and estate names, department names and aliases, ``text.demand_terms``), so 八一七北路 or
噪音扰民 stay one token. Every stage that needs tokens (keywords, routing, topics) builds its
segmenter with ``Segmenter.from_config(config)`` so all of them cut text the same way.

jieba's dictionary loads lazily on the first cut (about a second), never at import.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from nlp.fast_cut import DagCutter

if TYPE_CHECKING:
    import jieba

    from suqiu.config import Config

# Function words and fillers that never help retrieval, keywords or routing.
BASE_STOP_WORDS = frozenset("""
的 了 在 是 我 有 和 就 不 人 都 一 一个 上 也 很 到 说 要 去 你 会 着 没有 看 好 自己 这 那 他 她 它 们 与 及
或 而 但 被 把 让 给 对 向 从 于 为 以 之 其 此 所 等 等等 吗 呢 吧 啊 呀 哦 嗯 么 啦 并 又 再 还 已 才 更 最 太
该 各 每 某 本 如 若 则 即 既 因 因为 所以 由于 因此 但是 而且 并且 如果 虽然 可是 然后 或者 以及 还有 只是 这些 那些 这样
那样 这里 那里 哪里 如何 为什么 多少 几 个 些 里 中 内 外 后 前 时 时候 现在 目前 一直 一些 一下 一样 非常 比较 可能 应该
能够 能 可 得 地 过 来 下 大 小 多 少 又 第 年 月 日 号 元 万 希望 要求 反映 请 请求 麻烦 感谢 谢谢 您 您好 你好 尊敬 的话
问题 情况 相关 有关 部门 领导 政府 我们 你们 他们 她们 大家 什么 怎么 怎样 已经 还是 就是 可以 没 无 将 把 被 啥
""".split())

_KEEP_RE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
_DIGITS_RE = re.compile(r"[\d.%\-:/]+")


def gazetteer_words(config: "Config") -> list[str]:
    """Names from the configuration that must survive segmentation as one token."""
    words = [name for name, _, _ in config.place_names()]
    for dep in config.departments:
        words += [dep.name, *dep.aliases, *dep.keywords]
    words += list(config.text.demand_terms)
    seen: set[str] = set()
    return [w for w in (w.strip() for w in words) if w and not (w in seen or seen.add(w))]


class Segmenter:
    """Cuts text into tokens with a private jieba tokenizer; ``tokens`` also drops stop words.

    Picklable: a copy rebuilds its tokenizer lazily in the receiving process.
    """

    def __init__(self, user_words: Iterable[str] = (), stop_words: Iterable[str] = (),
                 dictionary: str | None = None, hmm: bool = True, use_base_stop_words: bool = True) -> None:
        self.user_words = tuple(user_words)
        self.stop_words = frozenset(stop_words) | (BASE_STOP_WORDS if use_base_stop_words else frozenset())
        self.dictionary = dictionary
        self.hmm = hmm
        self._tokenizer: jieba.Tokenizer | None = None
        self._cutter: DagCutter | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, config: "Config", **kwargs: Any) -> "Segmenter":
        return cls(user_words=gazetteer_words(config), stop_words=config.text.stop_words, **kwargs)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_tokenizer"] = None
        state["_cutter"] = None
        state["_lock"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @property
    def tokenizer(self) -> "jieba.Tokenizer":
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    self._tokenizer = self._build()
        return self._tokenizer

    @property
    def cutter(self) -> DagCutter:
        """jieba's accurate mode over the same dictionary, faster (``nlp.fast_cut``)."""
        if self._cutter is None:
            tok = self.tokenizer
            with self._lock:
                if self._cutter is None:
                    self._cutter = DagCutter(tok)
        return self._cutter

    def clear_cache(self) -> None:
        """Forget cached cuts (benchmarks call this so each run segments the text for real)."""
        if self._cutter is not None:
            self._cutter.clear_cache()

    def _build(self) -> "jieba.Tokenizer":
        import jieba
        logging.getLogger("jieba").setLevel(logging.WARNING)  # jieba logs every dictionary load at DEBUG
        tok = jieba.Tokenizer(self.dictionary or jieba.DEFAULT_DICT)
        tok.initialize()
        for word in self.user_words:
            # suggest_freq makes the word win against the stock dictionary's splits
            tok.add_word(word, freq=max(tok.suggest_freq(word, False), 1000))
        return tok

    def warm(self) -> "Segmenter":
        """Load the dictionary now (before forking workers, so they share it)."""
        self.cutter  # noqa: B018
        return self

    def cut(self, text: str) -> list[str]:
        """Every token jieba produces, punctuation and spaces included."""
        if self.hmm:
            return self.cutter.lcut(text)
        return self.tokenizer.lcut(text, HMM=False)

    def cut_for_search(self, text: str) -> list[str]:
        """Search-engine mode (long words also yield their shorter words), for index and query text.

        jieba's ``cut_for_search`` over the fast accurate cut: every word longer than two characters
        is preceded by its dictionary 2-grams, longer than three also by its 3-grams (same tokens,
        same order as jieba)."""
        out: list[str] = []
        for w in self.cut(text):
            out += self.search_words(w)
        return out

    def search_words(self, word: str) -> list[str]:
        """What search mode makes of one word of the accurate cut: its dictionary 2-grams (words
        longer than two characters), then 3-grams (longer than three), then the word itself."""
        n = len(word)
        if n <= 2:
            return [word]
        freq = self.tokenizer.FREQ
        out = [g for g in (word[i:i + 2] for i in range(n - 1)) if freq.get(g)]
        if n > 3:
            out += [g for g in (word[i:i + 3] for i in range(n - 2)) if freq.get(g)]
        out.append(word)
        return out

    def keep(self, token: str) -> bool:
        """A content token: has a letter, digit or Han character, and is not a stop word."""
        return bool(_KEEP_RE.search(token)) and token not in self.stop_words and not token.isspace()

    def filter(self, raw: Sequence[str]) -> list[str]:
        stop, has_content = self.stop_words, _KEEP_RE.search
        return [t for t in raw if t not in stop and has_content(t) and not t.isspace()]

    def tokens(self, text: str) -> list[str]:
        return self.filter(self.cut(text))

    def tokens_many(self, texts: Sequence[str], workers: int = 1, chunk: int = 64) -> Iterator[list[str]]:
        """Content tokens for many texts, in order; ``workers`` > 1 cuts in parallel processes."""
        if workers <= 1 or len(texts) < 2 * chunk:
            for t in texts:
                yield self.tokens(t)
            return
        from nlp.pool import WorkerPool
        with WorkerPool(self.warm(), workers) as pool:
            for part in pool.map(_tokens_chunk, [texts[i:i + chunk] for i in range(0, len(texts), chunk)]):
                yield from part


def _tokens_chunk(seg: Segmenter, texts: Sequence[str]) -> list[list[str]]:
    return [seg.tokens(t) for t in texts]


def is_number(token: str) -> bool:
    return bool(_DIGITS_RE.fullmatch(token))
