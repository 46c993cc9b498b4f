"""Pre-segmenting Chinese text for the index and for queries, the same way on both sides.

Two representations are indexed for every text:

- ``seg``: jieba search-mode tokens (words plus their dictionary sub-words), lower-cased, joined by
  spaces; Elasticsearch reads it with the ``whitespace`` analyzer, SQLite FTS5 with ``unicode61``.
- ``chars``: what Elasticsearch's ``standard`` analyzer makes of Chinese (one token per ideograph,
  letter/digit runs as words). Phrases and the recall fallback match here.

The jieba tokenizer is owned by the segmenter (never jieba's global) and injected through the
constructor; when ``nlp.segment.Segmenter`` is available the factory reuses it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Protocol

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_CHAR_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
_WORDISH = re.compile(rf"[{_CJK}\w]")


class QuerySegmenter(Protocol):
    def search_tokens(self, text: str) -> list[str]: ...


def char_tokens(text: str) -> list[str]:
    """Tokens as the ``standard`` analyzer makes them from Chinese text (lower-cased)."""
    return [t.lower() for t in _CHAR_TOKEN.findall(text or "")]


def clean_tokens(tokens: Iterable[str]) -> list[str]:
    """Keep tokens with a letter, digit or ideograph; lower-case them (the whitespace analyzer won't)."""
    out: list[str] = []
    for tok in tokens:
        tok = tok.strip().lower()
        if tok and _WORDISH.search(tok) and not any(c.isspace() for c in tok):
            out.append(tok)
    return out


class JiebaSearchSegmenter:
    """jieba search-mode segmentation with its own ``jieba.Tokenizer`` and the configured words."""

    def __init__(self, tokenizer: Any | None = None, words: Iterable[str] = ()) -> None:
        self._tokenizer = tokenizer
        self._words = tuple(words)
        self._ready = False

    @property
    def tokenizer(self) -> Any:
        if self._tokenizer is None:
            import jieba  # heavy: loaded on first use, never at import
            self._tokenizer = jieba.Tokenizer()
        if not self._ready:
            for w in self._words:
                self._tokenizer.add_word(w)
            self._ready = True
        return self._tokenizer

    def search_tokens(self, text: str) -> list[str]:
        if not text:
            return []
        return clean_tokens(self.tokenizer.cut_for_search(text, HMM=False))


class SegmenterAdapter:
    """Wraps ``nlp.segment.Segmenter`` (whatever its method names) into ``search_tokens``."""

    def __init__(self, segmenter: Any) -> None:
        self.segmenter = segmenter

    def search_tokens(self, text: str) -> list[str]:
        if not text:
            return []
        seg = self.segmenter
        for name in ("cut_for_search", "search_tokens", "tokens_for_search"):
            if hasattr(seg, name):
                return clean_tokens(getattr(seg, name)(text))
        tok = getattr(seg, "tokenizer", None)
        if tok is not None:
            return clean_tokens(tok.cut_for_search(text, HMM=False))
        raise TypeError("nlp.segment.Segmenter offers no search-mode cut")


def segment_text(segmenter: QuerySegmenter, text: str) -> str:
    """The ``seg`` field: search-mode tokens joined by single spaces."""
    return " ".join(segmenter.search_tokens(text))


def chars_text(text: str) -> str:
    return " ".join(char_tokens(text))


def default_segmenter(config: Any | None = None) -> QuerySegmenter:
    """The project's segmenter when it exists, else jieba search mode with the configured terms."""
    words: list[str] = []
    if config is not None:
        words = list(config.text.demand_terms)
        for d in config.districts:
            words += [d.name, *d.aliases, *d.streets, *d.communities, *d.roads, *d.estates]
    try:
        from nlp.segment import Segmenter  # type: ignore[import-not-found]
    except ImportError:
        return JiebaSearchSegmenter(words=words)
    try:
        seg = Segmenter.from_config(config) if config is not None and hasattr(Segmenter, "from_config") else Segmenter()
    except Exception:  # an incompatible constructor must not take search down
        return JiebaSearchSegmenter(words=words)
    return SegmenterAdapter(seg)
