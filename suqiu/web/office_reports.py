"""The office's pages of oversight: warnings and their lifecycle, each department's figures (the
three rates), and the audit log. The office's alone: anyone else gets 404."""

from __future__ import annotations

import json
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from nlp.pii import PiiMasker
from suqiu.store import now_local
from suqiu.twoway.accounts import User
from suqiu.twoway.rates import department_rates, ranked, weekly_rates
from suqiu.twoway.tracking import department_figures
from suqiu.twoway.warning_steps import advance_warning, warnings_with_states
from suqiu.twoway.workorders import WorkflowError
from suqiu.web.deps import get_suqiu
from suqiu.web.office_pages import require_office
from suqiu.web.workbench_pages import demand_url
from suqiu.web.rendering import check_csrf, render
from suqiu.weeks import Week

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


FIGURE_WEEKS = 8


@router.get("/figures", response_class=HTMLResponse)
def figures(request: Request, user: User = Depends(require_office)) -> Response:
    """Each department's three rates and composite score (all demands, and per week received), beside
    its workload and timeliness."""
    app, now = get_suqiu(request), now_local()
    rates = department_rates(app.store, app.config, now=now)
    weeks = [Week.of(now).shift(-i) for i in range(FIGURE_WEEKS - 1, -1, -1)]
    per_week = weekly_rates(app.store, app.config, weeks, now=now)
    return render(request, "office_figures.html", {
        "rates": ranked(rates), "figs": department_figures(app.store, app.config, now=now),
        "weeks": [str(w) for w in weeks], "per_week": per_week, "min_count": app.config.tracking.min_count,
        "weights": app.config.tracking.rate_weights})


AUDIT_PAGE = 100


@router.get("/audit", response_class=HTMLResponse)
def audit(request: Request, user: User = Depends(require_office), record_id: str = "", actor: str = "",
          action: str = "", page: int = 1) -> Response:
    """The audit log, newest first, filtered by demand, actor or action; read only."""
    app, page = get_suqiu(request), max(1, min(page, 10_000))
    total, rows = app.store.audit_rows(record_id.strip()[:256] or None, actor.strip()[:200] or None,
                                       action.strip()[:30] or None, limit=AUDIT_PAGE, offset=(page - 1) * AUDIT_PAGE)
    mask = PiiMasker()
    entries = [{**r, "detail": _detail(r["detail"], mask)} for r in rows]
    return render(request, "office_audit.html", {
        "entries": entries, "total": total, "page": page, "last_page": max(1, -(-total // AUDIT_PAGE)),
        "f": {"record_id": record_id, "actor": actor, "action": action}, "demand_url": demand_url})


def _detail(text: str | None, mask: PiiMasker) -> str:
    """An entry's detail as shown: an export as its count and query, free text masked."""
    if not text:
        return ""
    if text.startswith("{"):
        try:
            data = json.loads(text)
            return f"导出 {data.get('count')} 条" + (f"（条件 {unquote(data['query'])}）" if data.get("query") else "")
        except (ValueError, TypeError):
            pass
    return mask(text)
