"""Pre-segmenting Chinese text for the index and for queries, the same way on both sides.

Two representations are indexed for every text:

- ``seg``: jieba search-mode tokens (words plus their dictionary sub-words), lower-cased, joined by
  spaces; Elasticsearch reads it with the ``whitespace`` analyzer, SQLite FTS5 with ``unicode61``.
- ``chars``: what Elasticsearch's ``standard`` analyzer makes of Chinese (one token per ideograph,
  letter/digit runs as words). Phrases and the recall fallback match here.

The jieba tokenizer is the project segmenter's own (never jieba's global), so the index and the
queries cut text exactly as analysis does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Protocol

from nlp.segment import Segmenter
from suqiu.config import Config

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
    return [c for c in map(_clean, tokens) if c is not None]


def _clean(tok: str) -> str | None:
    tok = tok.strip().lower()
    return tok if tok and _WORDISH.search(tok) and not any(c.isspace() for c in tok) else None


class SearchSegmenter:
    """jieba search-mode tokens from the project's own segmenter (``nlp.segment.Segmenter``: a
    private tokenizer with the gazetteer and demand terms), cleaned for the index.

    What search mode makes of a word (its dictionary sub-words, cleaned) is remembered per distinct
    word of the accurate cut, in a bounded table: citizen text reuses few words, and the sub-word
    lookups were most of the time an index run spent segmenting."""

    CACHE_LIMIT = 200_000

    def __init__(self, segmenter: Segmenter) -> None:
        self.segmenter = segmenter
        self._expanded: dict[str, tuple[str, ...]] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_expanded": {}}   # a worker process builds its own table

    def search_tokens(self, text: str) -> list[str]:
        if not text:
            return []
        expanded, words = self._expanded, self.segmenter.search_words
        if len(expanded) > self.CACHE_LIMIT:
            expanded.clear()
        out: list[str] = []
        for word in self.segmenter.cut(text):
            tokens = expanded.get(word)
            if tokens is None:
                tokens = expanded[word] = tuple(c for c in map(_clean, words(word)) if c is not None)
            out += tokens
        return out


def segment_text(segmenter: QuerySegmenter, text: str) -> str:
    """The ``seg`` field: search-mode tokens joined by single spaces."""
    return " ".join(segmenter.search_tokens(text))


def chars_text(text: str) -> str:
    return " ".join(char_tokens(text))


def default_segmenter(config: Config | None = None) -> QuerySegmenter:
    """The project's segmenter, with the installation's words when a configuration is given."""
    return SearchSegmenter(Segmenter.from_config(config) if config is not None else Segmenter())
