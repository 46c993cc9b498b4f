"""How sources word a demand's status, for every crawler and importer: one vocabulary.

The codes are the lifecycle's (``suqiu.twoway.lifecycle``). 12345 wordings map as 已派单/待签收 → routed,
已签收 → signed, 办理中/阶段性答复 → in_progress, 已答复/待回访 → replied (answered), 已回访 →
called_back, 已办结 → closed, 退回/退单 → returned, 重办/退回重办 → reopened (the longest wording
inside a text wins, so 退回重办 is a reopening). A re-import only moves a status forward
(``suqiu.store.records.import_wins``).

A site profile's ``status_map`` or an import profile's ``value_maps.status`` adds to (or
overrides) these wordings; what none of them knows leaves the record's default status.
"""

from __future__ import annotations

from collections.abc import Mapping

STATUS_WORDS: dict[str, str] = {
    # the record's own codes (suqiu.model.Status), as exports of this system write them
    **{code: code for code in ("received", "routed", "signed", "in_progress", "extension_requested", "suspended",
                               "returned", "replied", "called_back", "closed", "reopened")},
    # Open311 GeoReport v2
    "open": "received",
    "待受理": "received", "已受理": "received", "待处理": "received", "未处理": "received",
    "待回复": "received", "未回复": "received", "待办理": "received", "新建": "received",
    "已派单": "routed", "已转办": "routed", "转办中": "routed", "已交办": "routed", "待签收": "routed",
    "转办": "routed",
    "已签收": "signed", "签收": "signed",
    "办理中": "in_progress", "处理中": "in_progress", "阶段性答复": "in_progress", "阶段答复": "in_progress",
    "已延期": "in_progress",
    "延期申请中": "extension_requested", "申请延期": "extension_requested", "延期审批中": "extension_requested",
    "挂起": "suspended", "已挂起": "suspended", "暂停办理": "suspended",
    "已退回": "returned", "退回": "returned", "退单": "returned", "已退单": "returned",
    "已回复": "replied", "已答复": "replied", "已办理": "replied", "已处理": "replied", "待回访": "replied",
    "已回访": "called_back", "回访完成": "called_back",
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
