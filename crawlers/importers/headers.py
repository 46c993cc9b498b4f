"""Header names compare loosely: exports differ in spacing, line breaks and full-width punctuation."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_SPACE = re.compile(r"\s+")


def normalize_header(value: Any) -> str:
    """``'信息 来源'``, ``'信息来源\\n'`` and ``'匿名（1）/实名（0）'`` compare equal to their plain forms."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return _SPACE.sub("", text).lower()
