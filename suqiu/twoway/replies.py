"""Replies and status changes coming back from departments (API, Open311), with their rules.

Every change goes through ``Store.set_fields`` so it lands in the record's history with its origin
and actor. A department may only answer demands routed to it; the petition office may act on any.
What may follow what:

- a department replies (status → replied) to a demand that is not closed, and may close a
  demand it has replied to;
- the petition office may also reopen a replied or closed demand and record the citizen's
  satisfaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from suqiu.disclosure import may_see
from suqiu.installation import Installation
from suqiu.model import MAX_CONTENT_CHARS, Status, as_shanghai
from suqiu.principals import Principal
from suqiu.store import now_local

DEPARTMENT_STATUSES = {Status.CLOSED.value}
OFFICE_STATUSES = {Status.CLOSED.value, Status.REOPENED.value}


class ReplyError(ValueError):
    """Refused; ``status`` is the HTTP status the API answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _load(app: Installation, who: Principal, record_id: str) -> dict[str, Any]:
    row = app.store.get(record_id)
    owner = app.store.owner_of(app.config, record_id) if row is not None else None
    analysis = app.store.get_analysis(record_id) if row is not None else None
    # another department's demand, or an office-only one (分级), answers as a missing one: no probing ids
    if row is None or not who.may_act_for(owner) or not may_see(who, analysis.publication if analysis else None,
                                                                   owner):
        raise ReplyError(404, f"诉求不存在: {record_id}")
    return row


def post_reply(app: Installation, who: Principal, record_id: str, text: str, replied_by: str | None = None,
               replied_at: datetime | None = None, close: bool = False, origin: str = "api") -> dict[str, Any]:
    """Store a department's reply; with ``close`` the demand is closed at the same time."""
    text = (text or "").strip()
    if not text:
        raise ReplyError(400, "答复内容不能为空")
    if len(text) > MAX_CONTENT_CHARS:
        raise ReplyError(400, f"答复内容过长（最多 {MAX_CONTENT_CHARS} 字）")
    row = _load(app, who, record_id)
    if row["status"] == Status.CLOSED.value:
        raise ReplyError(400, "诉求已办结，不能再答复；如需重办请联系信访办")
    when = as_shanghai(replied_at) if replied_at else now_local()
    if when < row["received_at"]:
        raise ReplyError(400, "答复时间不能早于受理时间")
    changes = {"reply_text": text, "replied_at": when, "replied_by": (replied_by or who.department or "信访办")[:200],
               "status": Status.CLOSED if close else Status.REPLIED}
    app.store.set_fields(record_id, changes, origin=origin, actor=who.actor)
    return _summary(app, record_id)


def change_status(app: Installation, who: Principal, record_id: str, status: str, note: str | None = None,
                  satisfaction: str | None = None, origin: str = "api") -> dict[str, Any]:
    allowed = OFFICE_STATUSES if who.is_office else DEPARTMENT_STATUSES
    if status not in allowed:
        raise ReplyError(400,
                         f"不允许设置状态 {status}（可设置: {'、'.join(sorted(allowed))}）")
    if satisfaction is not None and not who.is_office:
        raise ReplyError(403, "满意度由信访办回访录入")
    row = _load(app, who, record_id)
    current = row["status"]
    if status == Status.CLOSED.value and not row["reply_text"]:
        raise ReplyError(400, "尚未答复，不能办结")
    if status == Status.REOPENED.value and current not in (Status.REPLIED.value, Status.CLOSED.value):
        raise ReplyError(400, f"当前状态为 {current}，只有已答复或已办结的诉求可以重办")
    changes: dict[str, Any] = {"status": status}
    if satisfaction is not None:
        changes["satisfaction"] = satisfaction.strip()[:50]
    app.store.set_fields(record_id, changes, origin=origin, actor=who.actor, note=note)
    return _summary(app, record_id)


def _summary(app: Installation, record_id: str) -> dict[str, Any]:
    row = app.store.get(record_id) or {}
    return {"record_id": record_id, "status": row.get("status"),
            "replied_at": row["replied_at"].isoformat() if row.get("replied_at") else None,
            "replied_by": row.get("replied_by"), "department": app.store.owner_of(app.config, record_id)}
