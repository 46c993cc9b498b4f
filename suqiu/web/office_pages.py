"""The office's pages (信访办 / 12345 中心): the overview, the triage queue with one-click 分派 from
the router's suggestions, extension approvals, 督办 of overdue work, callbacks (回访), and the
pages of figures, warnings and the audit log (``suqiu.web.office_reports``).

Every page is the office's alone: any other user gets 404, as for a page that does not exist. The
forms post to the demand's step (``suqiu.web.workbench_pages``) with a ``back`` to return here.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from suqiu.store import now_local
from suqiu.twoway.accounts import User
from suqiu.web import office_views as views
from suqiu.web.deps import get_suqiu, require_user
from suqiu.web.rendering import render
from suqiu.web.workbench_pages import demand_url
from suqiu.web.workbench_views import action_label

router = APIRouter(prefix="/office")


def require_office(user: User = Depends(require_user)) -> User:
    if user.role != "office":
        raise StarletteHTTPException(404)
    return user


def _render(request: Request, name: str, context: dict) -> Response:
    done = request.query_params.get("done")
    return render(request, name, {"demand_url": demand_url, "notice": f"已完成：{action_label(done)}" if done else None,
                                  "departments": [d.name for d in get_suqiu(request).config.departments], **context})


@router.get("", response_class=HTMLResponse)
def overview(request: Request, user: User = Depends(require_office)) -> Response:
    return _render(request, "office_home.html", {"o": views.overview(get_suqiu(request), now_local())})


@router.get("/triage", response_class=HTMLResponse)
def triage(request: Request, user: User = Depends(require_office)) -> Response:
    app = get_suqiu(request)
    return _render(request, "office_triage.html", {"items": views.triage(app, now_local()),
                                                   "queue_name": app.config.routing.triage_queue})


@router.get("/extensions", response_class=HTMLResponse)
def extensions(request: Request, user: User = Depends(require_office)) -> Response:
    return _render(request, "office_extensions.html", {"items": views.extensions(get_suqiu(request), now_local())})


@router.get("/overdue", response_class=HTMLResponse)
def overdue(request: Request, user: User = Depends(require_office)) -> Response:
    items, total = views.overdue(get_suqiu(request), now_local())
    return _render(request, "office_overdue.html", {"items": items, "total": total})


@router.get("/callbacks", response_class=HTMLResponse)
def callbacks(request: Request, user: User = Depends(require_office)) -> Response:
    items, total = views.callbacks(get_suqiu(request), now_local())
    return _render(request, "office_callbacks.html", {"items": items, "total": total})
