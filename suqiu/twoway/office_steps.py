"""The office's steps on a work order: 分派 from triage, 延期 decisions, 督办, 挂起, 回访, 办结 and 重办.

Same shape as the department's (``suqiu.twoway.workorders``): checked against ``suqiu.lifecycle``,
written with history and an audit entry in one transaction. A callback answered 不满意 reopens the
demand with a fresh time limit counted from the callback.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from suqiu.deadlines import add_workdays, renewed_due
from suqiu.installation import Installation
from suqiu.twoway.lifecycle import OFFICE, may, routable
from suqiu.principals import Principal
from suqiu.store import now_local
from suqiu.twoway.workorders import Step, WorkflowError, _text, begin, result

SATISFACTION = ("满意", "基本满意", "不满意")


def _office(app: Installation, who: Principal, record_id: str, origin: str) -> Step:
    step = begin(app, who, record_id, origin)
    if step.actor != OFFICE:
        raise WorkflowError(403, "仅信访办可以执行此操作")
    return step


def _urgency(step: Step, conn: Any) -> str | None:
    a = step.app.store.get_analysis(step.id, conn)
    return a.urgency_level.value if a is not None and a.urgency_level else None


def assign(app: Installation, who: Principal, record_id: str, department: str, note: str | None = None,
           origin: str = "web") -> dict[str, Any]:
    """分派 (from the triage queue, or 改派 of a routed demand) to a configured department."""
    step = _office(app, who, record_id, origin)
    dept = app.config.department((department or "").strip())
    if dept is None:
        raise WorkflowError(400, f"未知部门: {department}")
    if dept.name == step.owner:
        raise WorkflowError(400, f"诉求已在 {dept.name}，无需改派")
    action = "route" if may("route", step.status, OFFICE) else "reassign"
    step.target(action)
    note = _text(note, "说明", required=False)
    with app.store.begin() as conn:
        app.store.write_route(conn, step.id, dept.name, "manual" if action == "route" else "reassign", 1.0,
                              origin=origin, actor=step.who.actor, note=note,
                              triage_label=app.config.routing.triage_queue, routable=routable(OFFICE))
        step.audit(conn, action, f"{step.owner or app.config.routing.triage_queue} → {dept.name}"
                   + (f"：{note}" if note else ""))
    return result(step)


def decide_extension(app: Installation, who: Principal, extension_id: int, grant: bool, note: str | None = None,
                     origin: str = "web") -> dict[str, Any]:
    """批准 or 不予延期: a granted request moves the due time on by its working days."""
    rows = app.store.extension_rows(ext_id=extension_id)
    if not rows:
        raise WorkflowError(404, f"延期申请不存在: {extension_id}")
    ext = rows[0]
    step = _office(app, who, ext["record_id"], origin)
    note = _text(note, "审批意见", required=False)
    old = step.due()
    new = add_workdays(old - timedelta(microseconds=1), ext["days"]) if grant else None
    action = "grant_extension" if grant else "refuse_extension"
    with app.store.begin() as conn:
        if not app.store.decide_extension(conn, extension_id, {
                "state": "granted" if grant else "refused", "decided_at": now_local(), "decided_by": step.who.actor,
                "decision_note": note, "new_due_at": new}):
            raise WorkflowError(400, "该延期申请已审批")
        step.move(conn, action, note)
        if new is not None:
            app.store.save_work_order(conn, step.id, {"due_at": new})
        text = f"批准延期 {ext['days']:g} 个工作日，时限至 {new:%Y-%m-%d %H:%M}" if new else "不予延期"
        app.store.add_event(conn, step.id, "extension", text, origin, step.who.actor, note)
    return result(step)


def supervise(app: Installation, who: Principal, record_id: str, note: str | None = None,
              origin: str = "web") -> dict[str, Any]:
    """督办: the office presses the department on an overdue (or any open) demand."""
    step = _office(app, who, record_id, origin)
    note = _text(note, "督办意见", required=False) or "请抓紧办理"
    with app.store.begin() as conn:
        step.move(conn, "supervise", note)
        app.store.save_work_order(conn, step.id, {"supervised_at": now_local(), "supervised_by": step.who.actor,
                                                  "supervise_note": note})
        app.store.add_event(conn, step.id, "supervise", note, origin, step.who.actor)
    return result(step)


def suspend(app: Installation, who: Principal, record_id: str, reason: str, origin: str = "web") -> dict[str, Any]:
    """挂起: the clock stops (the requester cannot be reached, a court case, …)."""
    step = _office(app, who, record_id, origin)
    why = _text(reason, "挂起原因")
    with app.store.begin() as conn:
        step.move(conn, "suspend", why)
        app.store.save_work_order(conn, step.id, {"suspended_at": now_local()})
    return result(step)


def resume(app: Installation, who: Principal, record_id: str, note: str | None = None,
           origin: str = "web") -> dict[str, Any]:
    """恢复办理: the due time moves on by as long as the demand was suspended."""
    step = _office(app, who, record_id, origin)
    wo = app.store.work_order(step.id) or {}
    now, due = now_local(), step.due()
    new = due + (now - wo["suspended_at"]) if wo.get("suspended_at") else due
    with app.store.begin() as conn:
        step.move(conn, "resume", _text(note, "说明", required=False) or f"时限顺延至 {new:%Y-%m-%d %H:%M}")
        app.store.save_work_order(conn, step.id, {"suspended_at": None, "due_at": new})
    return result(step)


def callback(app: Installation, who: Principal, record_id: str, solved: bool, satisfaction: str,
             note: str | None = None, origin: str = "web") -> dict[str, Any]:
    """回访: whether it was solved and whether the citizen is satisfied; 不满意 reopens it (新时限)."""
    if satisfaction not in SATISFACTION:
        raise WorkflowError(400, f"满意度应为 {'、'.join(SATISFACTION)} 之一")
    step = _office(app, who, record_id, origin)
    note = _text(note, "回访记录", required=False)
    summary = f"{'已解决' if solved else '未解决'}，{satisfaction}" + (f"：{note}" if note else "")
    with app.store.begin() as conn:
        step.move(conn, "callback", summary, {"satisfaction": satisfaction})
        app.store.save_work_order(conn, step.id, {"callback_at": now_local(), "callback_by": step.who.actor,
                                                  "solved": solved})
        app.store.add_event(conn, step.id, "callback", summary, origin, step.who.actor)
        if satisfaction == "不满意":
            _reopen(step, conn, "回访不满意，重新办理")
    return result(step)


def _reopen(step: Step, conn: Any, note: str) -> None:
    new = renewed_due(step.app.config, now_local(), step.owner, step.record.get("category_given"), _urgency(step, conn))
    step.move(conn, "reopen", f"{note}（新时限 {new:%Y-%m-%d %H:%M}）")
    step.app.store.save_work_order(conn, step.id, {"due_at": new})


def reopen(app: Installation, who: Principal, record_id: str, note: str | None = None,
           satisfaction: str | None = None, origin: str = "web") -> dict[str, Any]:
    """重办: back to the main department with a fresh time limit."""
    step = _office(app, who, record_id, origin)
    note = _text(note, "重办原因", required=False) or "重新办理"
    with app.store.begin() as conn:
        if satisfaction is not None:
            app.store.set_fields(step.id, {"satisfaction": satisfaction.strip()[:50]}, origin=origin,
                                 actor=step.who.actor, note=note, conn=conn)
        _reopen(step, conn, note)
    return result(step)


def close(app: Installation, who: Principal, record_id: str, note: str | None = None,
          satisfaction: str | None = None, origin: str = "web") -> dict[str, Any]:
    """办结: the office closes an answered (or called-back) demand; its department may close its answer."""
    step = begin(app, who, record_id, origin)
    changes = {"satisfaction": satisfaction.strip()[:50]} if satisfaction and step.actor == OFFICE else None
    with app.store.begin() as conn:
        step.move(conn, "close", _text(note, "说明", required=False) or "办结", changes)
    return result(step)
