"""Highlight fragments rendered safely: only the highlight marks survive as markup.

Search backends return fragments with marks around matched words. Whatever a backend did, every
piece of text between marks is escaped here (after undoing any escaping the backend already
applied, so nothing is escaped twice) and only balanced ``<mark>`` elements are emitted.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup, escape

_MARK_RE = re.compile(r"<(/?)(?:mark|em|b|strong)(?:\s[^<>]*)?>", re.IGNORECASE)


def safe_fragment(fragment: str) -> Markup:
    out: list[str] = []
    open_mark = False
    pos = 0
    for m in _MARK_RE.finditer(fragment):
        out.append(str(escape(html.unescape(fragment[pos:m.start()]))))
        closing = m.group(1) == "/"
        if closing and open_mark:
            out.append("</mark>")
            open_mark = False
        elif not closing and not open_mark:
            out.append("<mark>")
            open_mark = True
        pos = m.end()
    out.append(str(escape(html.unescape(fragment[pos:]))))
    if open_mark:
        out.append("</mark>")
    return Markup("".join(out))
