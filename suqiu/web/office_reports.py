"""The office's pages of oversight: warnings and their lifecycle, each department's figures (the
three rates), and the audit log. The office's alone: anyone else gets 404."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from suqiu.twoway.accounts import User
from suqiu.twoway.warning_steps import advance_warning, warnings_with_states
from suqiu.twoway.workorders import WorkflowError
from suqiu.web.deps import get_suqiu
from suqiu.web.office_pages import require_office
from suqiu.web.rendering import check_csrf, render

router = APIRouter(prefix="/office")


@router.get("/warnings", response_class=HTMLResponse)
def warnings(request: Request, user: User = Depends(require_office)) -> Response:
    app = get_suqiu(request)
    done = request.query_params.get("done")
    return render(request, "office_warnings.html", {"items": warnings_with_states(app), "error": None,
                                                    "notice": "预警状态已更新" if done else None})


@router.post("/warnings/{warning_id}")
def advance(request: Request, warning_id: str, user: User = Depends(require_office), csrf_token: str = Form(""),
            state: str = Form(""), note: str = Form("")) -> Response:
    if not check_csrf(request, csrf_token):
        return render(request, "error.html", {"title": "请求无效", "message": "页面已过期，请返回后重试。"},
                      status_code=400)
    app = get_suqiu(request)
    try:
        advance_warning(app, user.principal, warning_id, state, note)
    except WorkflowError as exc:
        if exc.status == 404:
            raise StarletteHTTPException(404) from None
        return render(request, "office_warnings.html", {"items": warnings_with_states(app), "error": exc.message,
                                                        "notice": None}, status_code=400)
    return RedirectResponse("/office/warnings?done=1", status_code=303)
