"""Reading values out of pages and JSON documents by the selectors and paths a profile declares."""

from __future__ import annotations

import re
from typing import Any

from parsel import Selector, SelectorList

_JSON_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def select(node: Selector | Any, spec: str) -> SelectorList:
    """CSS by default; ``xpath:`` prefix for XPath."""
    if spec.startswith("xpath:"):
        return node.xpath(spec.removeprefix("xpath:"))
    return node.css(spec.removeprefix("css:"))


def _yields_strings(spec: str) -> bool:
    s = spec.strip()
    if s.startswith("xpath:"):
        tail = s.rsplit("/", 1)[-1]
        return tail.startswith("@") or tail in ("text()", "string()") or tail.startswith("string(")
    return "::text" in s or "::attr(" in s


def element_text(el: Selector) -> str:
    """An element's text, one line per text node, so <p> and <br> become line breaks."""
    parts = [t.strip() for t in el.xpath(".//text()").getall()]
    return "\n".join(p for p in parts if p)


def extract_text(node: Selector | Any, spec: str) -> str | None:
    """The text a selector points at; None when nothing matches (not the same as empty)."""
    if not spec:
        return None
    found = select(node, spec)
    if not found:
        return None
    if _yields_strings(spec):
        return "\n".join(s.strip() for s in found.getall() if s and s.strip())
    return "\n".join(t for t in (element_text(el) for el in found) if t)


def extract_first(node: Selector | Any, spec: str) -> str | None:
    """The first string a selector yields (a link's href, an id)."""
    if not spec:
        return None
    found = select(node, spec)
    if not found:
        return None
    value = found[0].get() if _yields_strings(spec) else element_text(found[0])
    return value.strip() if value is not None else None


def json_path(doc: Any, path: str) -> Any:
    """``data.list[0].shop.name`` → the value, or None when any step is missing."""
    if not path:
        return doc
    node = doc
    for key, index in _JSON_STEP.findall(path):
        if key:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        else:
            i = int(index)
            if not isinstance(node, list) or i >= len(node):
                return None
            node = node[i]
    return node
