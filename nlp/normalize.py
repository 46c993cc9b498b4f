"""Text normalization: the one canonical form every later stage reads.

Traditional → simplified (OpenCC t2s), full-width → half-width, HTML stripped, whitespace tidied,
control characters removed; emoji are kept (they carry sentiment). The original text is never
modified: callers keep it beside the normalized one.

Text shown to people (masked title and text in pages, digests and reports) is set back in Chinese
typography by ``chinese_punctuation``: a comma or colon next to Chinese reads ，/： again, while
12,345 or 10:30 keep theirs.

OpenCC is the official library's wheels (C++). Its t2s runs only on clauses that hold a
traditional character: not for speed any more (converting everything costs less than the scan),
but because t2s rewrites some simplified words as if they were traditional (see ``TradToSimp``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import cached_property
from typing import Any

# Zero-width and formatting characters that only hide content; ZWJ (U+200D) is kept because it
# glues emoji sequences together.
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\ufeff"

_TAG_RE = re.compile(r"<\s*(script|style)\b[^>]*>.*?<\s*/\s*\1\s*>|<!--.*?-->|<[^<>]{0,2000}>", re.S | re.I)
_BLOCK_TAG_RE = re.compile(r"<\s*(br|/p|p|/div|div|/li|li|tr|/tr|h\d|/h\d)\b[^>]*>", re.I)
_LOOKS_HTML_RE = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*\b[^<>]*>|<!--|&(?:[a-zA-Z]{2,8}|#\d{2,6}|#x[0-9a-fA-F]{2,5});")
_SPACES_RE = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f]+")
_LINE_EDGE_RE = re.compile(r" *\n *")
_BLANK_LINES_RE = re.compile(r"\n{2,}")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _width_table() -> dict[int, str | None]:
    """Full-width ASCII variants → ASCII, ideographic space → space, control chars → removed."""
    table: dict[int, str | None] = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
    table[0x3000] = " "
    for cp in list(range(0x00, 0x20)) + list(range(0x7F, 0xA0)):
        if chr(cp) not in "\n\t":
            table[cp] = None
    table[ord("\r")] = "\n"
    table[0x2028] = "\n"
    table[0x2029] = "\n"
    for ch in _INVISIBLE:
        table[ord(ch)] = None
    return table


# clauses: what one t2s call sees when a text holds a traditional character
_CLAUSE_RE = re.compile(r"[^。！？；!?;\n]*[。！？；!?;\n]?")
_CJK_BLOCKS = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))


class TradToSimp:
    """OpenCC's t2s (the official C++ library's wheels), only on clauses holding a traditional character.

    The gate is for correctness, not speed: t2s reads its input as traditional text, and its
    phrase table rewrites simplified words that happen to be traditional words too (打坏 → 打坯,
    一坏一停 → 一坯一停). Text without a character t2s changes is left alone; a text with one is
    converted clause by clause, so a traditional character does not drag its simplified
    neighbours through the phrase table (``bench/bench_normalize.py`` measures both).
    """

    def __init__(self, conversion: str = "t2s.json") -> None:
        self.conversion = conversion

    def __getstate__(self) -> dict[str, Any]:
        """The C++ converter does not pickle: a worker process opens its own on first use."""
        state = dict(self.__dict__)
        state.pop("_converter", None)
        return state

    @cached_property
    def _converter(self) -> Any:  # heavy: reads the OpenCC dictionaries on first use
        from opencc import OpenCC
        return OpenCC(self.conversion)

    @cached_property
    def triggers(self) -> frozenset[str]:
        """Characters the conversion changes on their own (each CJK character converted once, ~30 ms)."""
        convert = self._converter.convert
        chars = (chr(cp) for lo, hi in _CJK_BLOCKS for cp in range(lo, hi))
        return frozenset(ch for ch in chars if convert(ch) != ch)

    def __call__(self, text: str) -> str:
        triggers = self.triggers
        if triggers.isdisjoint(text):
            return text
        convert = self._converter.convert
        return "".join(convert(c) if not triggers.isdisjoint(c) else c for c in _CLAUSE_RE.findall(text))


# ASCII punctuation that Chinese typesetting writes full-width, and its full-width form
_CJK_FORM = {",": "，", "!": "！", "?": "？", ";": "；", ":": "：", "(": "（", ")": "）"}
_PUNCT_RUN_RE = re.compile(r"[,!?;:()]+")
_CJK_RE = re.compile("[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff01-\uff5e]")
_DIGIT_SEPARATED = frozenset(",:")   # 12,345 and 10:30 stay as they are


def _cjk(ch: str) -> bool:
    return bool(ch) and _CJK_RE.match(ch) is not None


def chinese_punctuation(text: str) -> str:
    """ASCII , ! ? ; : ( ) next to Chinese characters → their full-width forms, for display.

    A run of punctuation is converted as a whole when the character before or after it is
    Chinese; a comma or colon between two digits is left alone. Nothing else changes (same length).
    """
    if not text or not _PUNCT_RUN_RE.search(text):
        return text

    def convert(m: re.Match[str]) -> str:
        run, start, end = m.group(), m.start(), m.end()
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        if not (_cjk(before) or _cjk(after)):
            return run
        if len(run) == 1 and run in _DIGIT_SEPARATED and before.isdigit() and after.isdigit():
            return run
        return "".join(_CJK_FORM[c] for c in run)

    return _PUNCT_RUN_RE.sub(convert, text)


def strip_html(text: str) -> str:
    """Drop tags (keeping line breaks of block elements) and unescape entities."""
    text = _BLOCK_TAG_RE.sub("\n", text)
    text = _TAG_RE.sub("", text)
    return html.unescape(text)


def plain_text(text: str) -> str:
    """Text with no markup left: tags stripped until none remain (entities may hide more), then any
    stray angle bracket made full-width. What free text (a reply) becomes before it is masked."""
    for _ in range(3):
        stripped = strip_html(text)
        if stripped == text:
            break
        text = stripped
    return text.replace("<", "＜").replace(">", "＞").strip()


class Normalizer:
    """Callable turning raw citizen text into the canonical form; swap ``t2s`` to change conversion."""

    def __init__(self, t2s: Callable[[str], str] | None = None, strip_markup: bool = True) -> None:
        self.t2s = t2s or TradToSimp()
        self.strip_markup = strip_markup
        self._table = _width_table()

    def __call__(self, text: str | None) -> str:
        if not text:
            return ""
        if self.strip_markup and ("<" in text or "&" in text) and _LOOKS_HTML_RE.search(text):
            text = strip_html(text)
        text = text.translate(self._table)
        if not text.isascii():
            text = self.t2s(text)
            # lone surrogates (broken emoji from bad decoders) cannot be stored or rendered
            text = _SURROGATE_RE.sub("", text)
        text = _SPACES_RE.sub(" ", text)
        text = _LINE_EDGE_RE.sub("\n", text)
        text = _BLANK_LINES_RE.sub("\n", text)
        return text.strip()
