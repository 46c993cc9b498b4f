"""Replies and status changes through the department API and Open311: the lifecycle's steps.

Every change is a step of ``suqiu.twoway.lifecycle`` taken by ``suqiu.twoway.workorders`` (the department's
steps) or ``suqiu.twoway.office_steps`` (the office's), so it lands in the record's history and the
audit log with its origin and actor. What the API offers:

- a department answers a demand it owns (status → replied, signing it if it had not), and may
  close a demand it has answered;
- the office may also reopen an answered, called-back or closed demand and record the citizen's
  satisfaction.

The reply's time is the server's; ``replied_at`` in a request is the sender's claim, kept beside it
(``replies.claimed_at``) and refused in the future or before the demand; ``replied_by`` may only
name the caller's own department.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from suqiu.installation import Installation
from suqiu.model import Status
from suqiu.principals import Principal
from suqiu.twoway import office_steps
from suqiu.twoway.workorders import WorkflowError, reply

DEPARTMENT_STATUSES = {Status.CLOSED.value}
OFFICE_STATUSES = {Status.CLOSED.value, Status.REOPENED.value}

ReplyError = WorkflowError  # the name earlier releases used; ``status`` is the HTTP status


def post_reply(app: Installation, who: Principal, record_id: str, text: str, replied_by: str | None = None,
               replied_at: datetime | None = None, close: bool = False, origin: str = "api") -> dict[str, Any]:
    """Store a department's final reply; with ``close`` the demand is closed at the same time."""
    out = reply(app, who, record_id, text, final=True, claimed_at=replied_at, replied_by=replied_by, origin=origin)
    if close:
        out = office_steps.close(app, who, record_id, "答复并办结", origin=origin)
    return out


def change_status(app: Installation, who: Principal, record_id: str, status: str, note: str | None = None,
                  satisfaction: str | None = None, origin: str = "api") -> dict[str, Any]:
    allowed = OFFICE_STATUSES if who.is_office else DEPARTMENT_STATUSES
    if status not in allowed:
        raise ReplyError(400, f"不允许设置状态 {status}（可设置: {'、'.join(sorted(allowed))}）")
    if satisfaction is not None and not who.is_office:
        raise ReplyError(403, "满意度由信访办回访录入")
    if status == Status.REOPENED.value:
        return office_steps.reopen(app, who, record_id, note, satisfaction=satisfaction, origin=origin)
    return office_steps.close(app, who, record_id, note, satisfaction=satisfaction, origin=origin)
