"""The workbench (工作台): a department's queue, one demand's page, and every step's form.

- ``GET /work``: the department's queue with its tabs (待签收, 办理中, 即将超时, 已超时, 已退回, 已办结,
  协办) and their counts; the office is sent to its own pages (``suqiu.web.office_pages``).
- ``GET /work/demands/{id}``: the demand with its history, replies, related demands and the router's
  reasons, and the forms of the steps the reader may take (``suqiu.twoway.lifecycle.actions_for``).
- ``POST /work/demands/{id}/{step}``: one step (CSRF-checked); then back to the page with a notice.

A demand the user may not read, or act on, answers 404 exactly as a missing one does.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from suqiu.principals import Principal
from suqiu.store import now_local
from suqiu.twoway import office_steps as office
from suqiu.twoway import workorders as work
from suqiu.twoway.accounts import User
from suqiu.twoway.rates import department_rates
from suqiu.twoway.workorders import WorkflowError
from suqiu.web.audit_trail import record_read
from suqiu.web.deps import get_suqiu, require_user
from suqiu.web.rendering import check_csrf, render
from suqiu.web.workbench_views import TABS, action_label, demand_page, department_queue

router = APIRouter()


def demand_url(record_id: str) -> str:
    return f"/work/demands/{quote(record_id, safe='')}"


def safe_back(target: str | None, default: str) -> str:
    """Only this site's workbench pages (never another origin) as the place to return to."""
    if target and target.startswith(("/work", "/office")) and "//" not in target and "\\" not in target:
        return target
    return default


@router.get("/work", response_class=HTMLResponse)
def queue(request: Request, tab: str = "pending", user: User = Depends(require_user)) -> Response:
    if user.role == "office":
        return RedirectResponse("/office", status_code=303)
    if user.role != "department" or not user.department:
        raise StarletteHTTPException(404)
    tab = tab if tab in dict(TABS) else "pending"
    app = get_suqiu(request)
    items, counts = department_queue(app, user.department, tab, now_local())
    rates = department_rates(app.store, app.config, user.department)[user.department]
    done = request.query_params.get("done")
    return render(request, "work_queue.html", {"tabs": TABS, "tab": tab, "items": items, "counts": counts,
                                               "demand_url": demand_url, "rates": rates,
                                               "notice": f"已完成：{action_label(done)}" if done else None})


def _page(request: Request, user: User, record_id: str, error: str | None = None,
          status_code: int = 200) -> Response:
    view = demand_page(get_suqiu(request), user.principal, record_id, now_local())
    if view is None:
        raise StarletteHTTPException(404)
    done = request.query_params.get("done")
    notice = f"已完成：{action_label(done)}" if done and not error else None
    return render(request, "work_demand.html", {**view, "error": error, "notice": notice, "demand_url": demand_url,
                                                "back": "/office" if user.role == "office" else "/work"},
                  status_code=status_code)


@router.get("/work/demands/{record_id:path}", response_class=HTMLResponse)
def demand(request: Request, record_id: str, user: User = Depends(require_user)) -> Response:
    response = _page(request, user, record_id)
    record_read(get_suqiu(request), user.principal, "view", record_id, "web")
    return response


def _run(app: Any, who: Principal, record_id: str, step: str, f: dict[str, Any]) -> None:
    """Carry out one step with the form's fields; raises WorkflowError."""
    steps = {
        "sign": lambda: work.sign(app, who, record_id, f["note"]),
        "reply": lambda: work.reply(app, who, record_id, f["text"], final=f["kind"] == "final"),
        "return": lambda: work.return_demand(app, who, record_id, f["reason"]),
        "extension": lambda: work.request_extension(app, who, record_id, _number(f["days"]), f["reason"]),
        "invite": lambda: work.invite(app, who, record_id, f["department"], f["note"]),
        "assign": lambda: office.assign(app, who, record_id, f["department"], f["note"]),
        "decide": lambda: _decide(app, who, record_id, f),
        "supervise": lambda: office.supervise(app, who, record_id, f["note"]),
        "suspend": lambda: office.suspend(app, who, record_id, f["reason"]),
        "resume": lambda: office.resume(app, who, record_id, f["note"]),
        "callback": lambda: office.callback(app, who, record_id, f["solved"] == "yes", f["satisfaction"], f["note"]),
        "close": lambda: office.close(app, who, record_id, f["note"]),
        "reopen": lambda: office.reopen(app, who, record_id, f["note"]),
    }
    if step not in steps:
        raise WorkflowError(404, "没有这个操作")
    steps[step]()


def _decide(app: Any, who: Principal, record_id: str, f: dict[str, Any]) -> None:
    """An extension decision, for a request of the demand in the URL only."""
    ext_id = int(_number(f["extension_id"]))
    rows = app.store.extension_rows(ext_id=ext_id)
    if not rows or rows[0]["record_id"] != record_id:
        raise WorkflowError(404, "延期申请不存在")
    office.decide_extension(app, who, ext_id, f["decision"] == "grant", f["note"])


def _number(text: str) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        raise WorkflowError(400, "请填写数字") from None


DONE = {"reply": "answer", "extension": "request_extension", "decide": "grant_extension", "assign": "route"}


@router.post("/work/demands/{record_id:path}/{step}")
def act(request: Request, record_id: str, step: str, user: User = Depends(require_user),
        csrf_token: str = Form(""), note: str = Form(""), text: str = Form(""), kind: str = Form("interim"),
        reason: str = Form(""), days: str = Form(""), department: str = Form(""), solved: str = Form(""),
        satisfaction: str = Form(""), extension_id: str = Form(""), decision: str = Form(""),
        back: str = Form("")) -> Response:
    if not check_csrf(request, csrf_token):
        return render(request, "error.html", {"title": "请求无效", "message": "页面已过期，请返回后重试。"},
                      status_code=400)
    fields = {"note": note, "text": text, "kind": kind, "reason": reason, "days": days, "department": department,
              "solved": solved, "satisfaction": satisfaction, "extension_id": extension_id, "decision": decision}
    try:
        _run(get_suqiu(request), user.principal, record_id, step, fields)
    except WorkflowError as exc:
        if exc.status in (403, 404):
            raise StarletteHTTPException(404) from None
        return _page(request, user, record_id, error=exc.message, status_code=400)
    done = "refuse_extension" if step == "decide" and decision != "grant" else DONE.get(step, step)
    if step == "reply" and kind != "final":
        done = "interim"
    # a returned demand is no longer the department's: back to the list of what it returned
    target = safe_back(back, "/work?tab=returned" if step == "return" and user.role == "department"
                       else demand_url(record_id))
    return RedirectResponse(f"{target}{'&' if '?' in target else '?'}done={done}", status_code=303)
