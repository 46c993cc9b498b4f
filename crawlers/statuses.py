"""How sources word a demand's status, for every crawler and importer: one vocabulary.

A site profile's ``status_map`` or an import profile's ``value_maps.status`` adds to (or
overrides) these wordings; what none of them knows leaves the record's default status.
"""

from __future__ import annotations

from collections.abc import Mapping

STATUS_WORDS: dict[str, str] = {
    # the record's own codes, as exports of this system write them
    "received": "received", "routed": "routed", "replied": "replied", "closed": "closed", "reopened": "reopened",
    # Open311 GeoReport v2
    "open": "received",
    "待受理": "received", "已受理": "received", "待处理": "received", "未处理": "received",
    "待回复": "received", "未回复": "received", "待办理": "received", "新建": "received",
    "已派单": "routed", "已转办": "routed", "转办中": "routed", "已交办": "routed", "办理中": "routed",
    "处理中": "routed", "已签收": "routed", "转办": "routed",
    "已回复": "replied", "已答复": "replied", "已办理": "replied", "已处理": "replied",
    "已办结": "closed", "办结": "closed", "已归档": "closed", "已关闭": "closed", "已完成": "closed",
    "重办": "reopened", "退回重办": "reopened", "重新办理": "reopened", "已重办": "reopened",
}


def status_words(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The shared wordings with a source's own on top."""
    return {**STATUS_WORDS, **(extra or {})}


def map_status(text: str | None, words: Mapping[str, str] | None = None) -> str | None:
    """Source wording → record status: exact first, then the longest known wording inside the text
    (状态：已回复); unknown → None (the record keeps its default)."""
    text = (text or "").strip()
    if not text:
        return None
    table = words if words is not None else STATUS_WORDS
    if text in table:
        return table[text]
    inside = [k for k in table if k and k in text]
    return table[max(inside, key=len)] if inside else None
