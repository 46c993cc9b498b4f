"""HTML-safe highlight fragments: the text is escaped first, only our ``<mark>`` tags are markup."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

PRE, POST = "<mark>", "</mark>"
_ADJACENT = re.compile(re.escape(POST) + r"(\s*)" + re.escape(PRE))


def merge_adjacent(fragment: str) -> str:
    """``<mark>噪</mark><mark>音</mark>`` (per-character analyzers) reads as ``<mark>噪音</mark>``."""
    return _ADJACENT.sub(lambda m: m.group(1), fragment)


def highlight_text(text: str, needles: Iterable[str], fragment_chars: int = 120, max_fragments: int = 2) -> list[str]:
    """Fragments of ``text`` around case-insensitive matches of ``needles``, escaped, matches in <mark>."""
    if not text:
        return []
    lowered = text.lower()
    spans: list[tuple[int, int]] = []
    for needle in sorted({n.lower() for n in needles if n and n.strip()}, key=len, reverse=True):
        start = 0
        while (i := lowered.find(needle, start)) >= 0:
            spans.append((i, i + len(needle)))
            start = i + len(needle)
    if not spans:
        return []
    spans.sort()
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    fragments: list[str] = []
    used_until = -1
    for s, _ in merged:
        if len(fragments) >= max_fragments:
            break
        if s < used_until:
            continue
        lo = max(0, s - fragment_chars // 3)
        hi = min(len(text), lo + fragment_chars)
        fragments.append(_render(text, lo, hi, [(a, b) for a, b in merged if a < hi and b > lo]))
        used_until = hi
    return fragments


def _render(text: str, lo: int, hi: int, spans: list[tuple[int, int]]) -> str:
    out, pos = [], lo
    for s, e in spans:
        s, e = max(s, lo), min(e, hi)
        out.append(html.escape(text[pos:s]))
        out.append(PRE + html.escape(text[s:e]) + POST)
        pos = e
    out.append(html.escape(text[pos:hi]))
    return "".join(out)
