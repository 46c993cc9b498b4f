"""The steps of a work order a department takes (签收, replies, 退回, 延期, 协办), and what every step shares.

Each step loads the demand, decides who is acting (its main department, ``owner``, or the office)
against ``suqiu.ownership`` (``Store.owner_of``), asks ``suqiu.lifecycle`` whether the step may
follow the current status, and writes the status change, its own rows, the record's history and
an audit entry in one transaction. The office's steps are in ``suqiu.twoway.office_steps``.

Replies follow the accountability rules: the reply's time is the server's; a time the sender
claims is kept beside it and refused when it lies in the future or before the demand; who replied
is the signed-in department (or the token's), never a free-text field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from suqiu.deadlines import due_at
from suqiu.disclosure import may_see
from suqiu.installation import Installation
from suqiu.twoway.lifecycle import OFFICE, OWNER, UNSIGNED_STATUSES, TransitionError, target
from suqiu.model import MAX_CONTENT_CHARS, as_shanghai
from suqiu.principals import Principal
from suqiu.store import now_local

CLOCK_SKEW = timedelta(minutes=2)      # a claimed reply time this far ahead of the server still counts as now
MAX_NOTE = 2000
MAX_EXTENSION_DAYS = 60


class WorkflowError(ValueError):
    """A step refused; ``status`` is the HTTP status to answer with, ``message`` is for users."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Step:
    """One demand as a step sees it: the record, its owner, and the acting principal's part in it."""

    app: Installation
    who: Principal
    record: dict[str, Any]
    owner: str | None
    actor: str              # lifecycle.OWNER or lifecycle.OFFICE
    origin: str

    @property
    def id(self) -> str:
        return self.record["id"]

    @property
    def status(self) -> str:
        return self.record["status"]

    def target(self, action: str) -> str:
        try:
            return target(action, self.status, self.actor)
        except TransitionError as exc:
            raise WorkflowError(400, str(exc)) from None

    def due(self) -> datetime:
        """The demand's current due time (a step's override, else its limit from receipt)."""
        store = self.app.store
        wo = store.work_order(self.id) or {}
        urgency = (store.get_analysis(self.id) or _NoAnalysis).urgency_level
        return due_at(self.app.config, self.record["received_at"], self.owner, self.record.get("category_given"),
                      getattr(urgency, "value", urgency), wo.get("due_at"))

    def audit(self, conn: Any, action: str, detail: str | None = None) -> None:
        self.app.store.audit({"actor": self.who.actor, "role": self.who.role, "department": self.who.department,
                              "action": action, "record_id": self.id, "origin": self.origin,
                              "detail": (detail or "")[:2000] or None}, conn)

    def move(self, conn: Any, action: str, note: str | None, changes: dict[str, Any] | None = None) -> str:
        """Take ``action``: the status (and ``changes``) with history, and the audit entry."""
        to = self.target(action)
        values = dict(changes or {})
        if to != self.status:
            values["status"] = to
        if values:
            self.app.store.set_fields(self.id, values, origin=self.origin, actor=self.who.actor, note=note, conn=conn)
        self.audit(conn, action, note)
        self.record = {**self.record, **values}
        return to


class _NoAnalysis:
    urgency_level = None


def begin(app: Installation, who: Principal, record_id: str, origin: str = "web") -> Step:
    """The demand and the principal's part in it. Another department's demand, or an office-only one
    (分级, ``suqiu.disclosure.may_see``), answers 404 exactly as a missing one: no probing ids."""
    who = who.canonical(app.config)
    record = app.store.get(record_id) if len(record_id) <= 256 else None
    if record is None:
        raise WorkflowError(404, f"诉求不存在: {record_id}")
    owner = app.store.owner_of(app.config, record_id)
    if who.is_office:
        return Step(app, who, record, owner, OFFICE, origin)
    analysis = app.store.get_analysis(record_id)
    if who.role == "department" and who.may_act_for(owner) and may_see(
            who, analysis.publication if analysis else None, owner):
        return Step(app, who, record, owner, OWNER, origin)
    raise WorkflowError(404, f"诉求不存在: {record_id}")


def _text(value: str | None, what: str, required: bool = True, limit: int = MAX_NOTE) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise WorkflowError(400, f"{what}不能为空")
        return None
    if len(text) > limit:
        raise WorkflowError(400, f"{what}过长（最多 {limit} 字）")
    return text


def result(step: Step) -> dict[str, Any]:
    row = step.app.store.get(step.id) or {}
    return {"record_id": step.id, "status": row.get("status"),
            "replied_at": row["replied_at"].isoformat() if row.get("replied_at") else None,
            "replied_by": row.get("replied_by"), "department": step.app.store.owner_of(step.app.config, step.id)}


# ---------------------------------------------------------------------------- department steps
def sign(app: Installation, who: Principal, record_id: str, note: str | None = None,
         origin: str = "web") -> dict[str, Any]:
    """签收: the main department takes the demand on; the signing time counts for 响应率."""
    step = begin(app, who, record_id, origin)
    note = _text(note, "说明", required=False)
    with app.store.begin() as conn:
        step.move(conn, "sign", note or "签收")
        if not (app.store.work_order(step.id, conn) or {}).get("signed_at"):
            app.store.save_work_order(conn, step.id, {"signed_at": now_local(), "signed_by": step.who.actor})
    return result(step)


def replier(app: Installation, who: Principal, claimed: str | None) -> str:
    """Who a reply is from: the principal's department (the office: 信访办); a differing claim is refused."""
    name = who.department or "信访办"
    if claimed is not None and claimed.strip():
        known = app.config.department(claimed.strip())
        if (known.name if known else claimed.strip()) != name:
            raise WorkflowError(400, "答复单位由登录账号或令牌确定，不能填写其他单位")
    return name


def claimed_time(record: dict[str, Any], claimed: datetime | None, now: datetime) -> datetime | None:
    """The sender's claimed reply time, checked: never in the future, never before the demand."""
    if record["received_at"] > now:
        raise WorkflowError(400, "诉求的受理时间晚于当前时间，请先由信访办核实受理时间")
    if claimed is None:
        return None
    claimed = as_shanghai(claimed)
    if claimed > now + CLOCK_SKEW:
        raise WorkflowError(400, "答复时间不能晚于当前时间")
    if claimed < record["received_at"]:
        raise WorkflowError(400, "答复时间不能早于受理时间")
    return claimed


def reply(app: Installation, who: Principal, record_id: str, text: str, final: bool = True,
          claimed_at: datetime | None = None, replied_by: str | None = None,
          origin: str = "web") -> dict[str, Any]:
    """A reply: interim (阶段性答复, the demand is in progress) or final (办结答复, the demand is answered).

    A final answer to a demand not yet signed for signs it at the same moment."""
    body = _text(text, "答复内容", limit=MAX_CONTENT_CHARS)
    step = begin(app, who, record_id, origin)
    by = replier(app, step.who, replied_by)
    now = now_local()
    claimed = claimed_time(step.record, claimed_at, now)
    unsigned = step.status in UNSIGNED_STATUSES
    store = app.store
    with store.begin() as conn:
        store.add_reply(conn, {"record_id": step.id, "kind": "final" if final else "interim", "text": body,
                               "department": step.who.department, "actor": step.who.actor, "at": now,
                               "claimed_at": claimed, "origin": origin})
        if final:
            step.move(conn, "answer", "办结答复", {"reply_text": body, "replied_at": now, "replied_by": by})
        else:
            store.add_event(conn, step.id, "reply", body[:500], origin, step.who.actor)
            step.move(conn, "interim", "阶段性答复")
        if final and unsigned and not (store.work_order(step.id, conn) or {}).get("signed_at"):
            store.save_work_order(conn, step.id, {"signed_at": now, "signed_by": step.who.actor})
    return result(step)


def return_demand(app: Installation, who: Principal, record_id: str, reason: str,
                  origin: str = "web") -> dict[str, Any]:
    """退回: not this department's remit; back to the office's triage queue with the reason."""
    why = _text(reason, "退回原因")
    step = begin(app, who, record_id, origin)
    store = app.store
    with store.begin() as conn:
        step.move(conn, "return", why)
        store.write_route(conn, step.id, None, "return", None, origin=origin, actor=step.who.actor, note=why,
                          triage_label=app.config.routing.triage_queue)
        store.save_work_order(conn, step.id, {"returned_by": step.owner, "returned_at": now_local(),
                                              "return_reason": why, "signed_at": None, "signed_by": None})
    return result(step)


def request_extension(app: Installation, who: Principal, record_id: str, days: float, reason: str,
                      origin: str = "web") -> dict[str, Any]:
    """申请延期: more working days, with the reason; the office grants or refuses."""
    why = _text(reason, "延期理由")
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise WorkflowError(400, f"延期天数应在 1 到 {MAX_EXTENSION_DAYS} 个工作日之间")
    step = begin(app, who, record_id, origin)
    store, due = app.store, step.due()
    with store.begin() as conn:
        step.move(conn, "request_extension", why)
        store.add_extension(conn, {"record_id": step.id, "department": step.owner or "", "days": days,
                                   "reason": why, "state": "pending", "requested_at": now_local(),
                                   "requested_by": step.who.actor, "old_due_at": due})
        store.add_event(conn, step.id, "extension", f"申请延期 {days:g} 个工作日", origin, step.who.actor, why)
    return result(step)


def invite(app: Installation, who: Principal, record_id: str, department: str, note: str | None = None,
           origin: str = "web") -> dict[str, Any]:
    """邀请协办: another department sees the demand too; the main department still answers it."""
    step = begin(app, who, record_id, origin)
    dept = app.config.department((department or "").strip())
    if dept is None:
        raise WorkflowError(400, f"未知部门: {department}")
    if dept.name == step.owner:
        raise WorkflowError(400, "主办部门无需邀请自己协办")
    note = _text(note, "说明", required=False)
    with app.store.begin() as conn:
        step.target("invite")
        if not app.store.add_co_handler(conn, step.id, dept.name, step.who.actor, note):
            raise WorkflowError(400, f"{dept.name} 已是协办部门")
        app.store.add_event(conn, step.id, "co_handler", dept.name, origin, step.who.actor, note)
        step.audit(conn, "invite", dept.name)
    return result(step)
