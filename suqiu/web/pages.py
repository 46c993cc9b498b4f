"""Server-rendered pages: login, the petition office's search, a record's detail, XLSX export.

Every page needs a logged-in user; what a user may see is decided by the search layer's access
rules for that user's principal, and the detail page checks again before rendering a record.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from search.backends.base import SearchUnavailable
from search.query import MAX_SIZE, QueryError
from search.service import get_document, get_profile, get_topic, search
from suqiu.model import SHANGHAI
from suqiu.installation import Installation
from suqiu.principals import Principal
from suqiu.store import DemandFilter, now_local
from suqiu.twoway.accounts import User, authenticate
from suqiu.web.audit_trail import record_read
from suqiu.web.auth import SESSION_COOKIE, end_session, start_session
from suqiu.web.deps import LoginRequired, get_signer, get_suqiu, require_user
from suqiu.web.export import EXPORT_LIMIT, XLSX_MEDIA_TYPE, export_xlsx
from suqiu.web.highlight import safe_fragment
from suqiu.web.rendering import check_csrf, render, set_session_cookie
from suqiu.web.search_form import PAGE_SIZES, SearchForm, query_error_message
from suqiu.web.workbench_views import item, time_flags

router = APIRouter()

def _safe_next(target: str | None) -> str:
    """Only local paths; never an absolute URL or a scheme-relative one (open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


# --------------------------------------------------------------------------- login
@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", {"next": _safe_next(next), "error": None, "username": ""})


@router.post("/login")
def login(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/"),
          csrf_token: str = Form("")) -> Response:
    if not check_csrf(request, csrf_token):
        return render(request, "login.html", {"next": _safe_next(next), "username": username,
                                              "error": "页面已过期，请重新提交。"}, status_code=400)
    name = username.strip()[:100]
    address = request.client.host if request.client else "-"
    throttle = request.app.state.login_throttle
    wait = throttle.claim(name, address)
    if wait > 0:
        resp = render(request, "login.html", {"next": _safe_next(next), "username": username,
                                              "error": f"尝试过于频繁，请 {math.ceil(wait)} 秒后再试。"}, status_code=429)
        resp.headers["Retry-After"] = str(math.ceil(wait))
        return resp
    store = get_suqiu(request).store
    user = authenticate(store, name, password)
    if user is None:
        throttle.failed(name, address)
        return render(request, "login.html", {"next": _safe_next(next), "username": username,
                                              "error": "用户名或密码错误。"}, status_code=401)
    throttle.succeeded(name, address)
    resp = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(request, resp, start_session(get_signer(request), store, user))
    return resp


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form("")) -> Response:
    if not check_csrf(request, csrf_token):
        return render(request, "error.html", {"title": "请求无效", "message": "页面已过期，请返回后重试。"},
                      status_code=400)
    end_session(get_signer(request), get_suqiu(request).store, request.cookies.get(SESSION_COOKIE))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


# --------------------------------------------------------------------------- search
UNAVAILABLE = "检索服务暂时不可用，请稍后再试。"


def principal_for(user: User) -> Principal:
    """The principal for a logged-in user (role and department from the store)."""
    return user.principal


def kinds_for(user: User) -> tuple[str, ...]:
    """What the kind selector offers: departments see no topics (they aggregate every department),
    the public only demands (profiles and topics are internal: ``search.access``)."""
    return {"department": ("demand", "profile"), "public": ("demand",)}.get(user.role, ("demand", "profile", "topic"))


def hit_view(hit: Any) -> dict[str, Any]:
    """A search hit as the result list and the export read it (masked fields only)."""
    data = dict(hit.fields)
    data["id"] = hit.id
    data["score"] = hit.score
    data["highlights"] = [safe_fragment(f) for f in (hit.highlight or [])]
    data["group_size"] = hit.group_size
    return data


def value_labels(result: Any) -> dict[str, dict[str, str]]:
    """Facet values the result names itself (topics: their names), for buckets and active filters."""
    return {name: {str(b["value"]): b["label"] for b in buckets if b.get("label")}
            for name, buckets in result.facets.items() if any(b.get("label") for b in buckets)}


def with_time_flags(app: Installation, view: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A hit flagged 已超时 / 即将超时 from its indexed due time, as the workbench flags it."""
    due = view.get("due_at")
    due = datetime.fromisoformat(due) if isinstance(due, str) else due
    return {**view, **time_flags(app.config, due, view.get("status"), now)}


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, user: User = Depends(require_user)) -> Response:
    form = SearchForm.from_request(request)
    app = get_suqiu(request)
    context: dict[str, Any] = {"form": form, "error": None, "result": None, "hits": [], "pages": [], "value_labels": {},
                               "facet_order": form.facets, "page_sizes": PAGE_SIZES, "kinds": kinds_for(user)}
    try:
        query = form.to_query()
    except QueryError as exc:
        context["error"] = query_error_message(exc)
        return render(request, "search.html", context, status_code=400)
    try:
        result = search(app, query, principal_for(user))
    except QueryError as exc:  # e.g. the public filtering by a field it cannot see
        context["error"] = query_error_message(exc)
        return render(request, "search.html", context, status_code=400)
    except SearchUnavailable:
        context["error"] = UNAVAILABLE
        return render(request, "search.html", context, status_code=503)
    last_page = max(1, min(-(-result.pageable // form.size), 10_000 // form.size))
    now = now_local()
    context.update(result=result, hits=[with_time_flags(app, hit_view(h), now) for h in result.hits],
                   value_labels=value_labels(result),
                   pages=_page_window(form.page, last_page), last_page=last_page)
    return render(request, "search.html", context)


def _page_window(page: int, last: int, width: int = 3) -> list[int]:
    return list(range(max(1, page - width), min(last, page + width) + 1))


@router.get("/search/export.xlsx")
def export_search(request: Request, user: User = Depends(require_user)) -> Response:
    """The whole result set (up to EXPORT_LIMIT rows) as XLSX, masked text only."""
    form = SearchForm.from_request(request)
    app = get_suqiu(request)
    principal = principal_for(user)
    rows: list[dict[str, Any]] = []
    page, total = 1, 0
    try:
        while len(rows) < EXPORT_LIMIT:
            result = search(app, form.to_query(page=page, size=MAX_SIZE, facets=(), highlight=False, fold=False),
                            principal)
            total = result.total
            rows.extend(export_row(h) for h in result.hits)
            if not result.hits or page * MAX_SIZE >= result.total:
                break
            page += 1
    except QueryError as exc:
        return render(request, "error.html", {"title": "检索条件有误", "message": query_error_message(exc)},
                      status_code=400)
    except SearchUnavailable:
        return render(request, "error.html", {"title": "检索服务不可用", "message": UNAVAILABLE}, status_code=503)
    record_read(app, principal, "export", None, "web", [str(r["id"]) for r in rows[:EXPORT_LIMIT]], request.url.query)
    stamp = datetime.now(SHANGHAI).strftime("%Y%m%d-%H%M")
    filename = f"诉求检索结果-{stamp}.xlsx"
    note = (f"检索结果共 {total} 条，本文件只包含前 {EXPORT_LIMIT} 条；请缩小检索条件后分批导出。"
            if total > EXPORT_LIMIT else None)
    return Response(export_xlsx(rows[:EXPORT_LIMIT], note=note), media_type=XLSX_MEDIA_TYPE, headers={
        "Content-Disposition": f"attachment; filename=\"suqiu-{stamp}.xlsx\"; filename*=UTF-8''{quote(filename)}"})


def export_row(hit: Any) -> dict[str, Any]:
    data = dict(hit.fields)
    data["id"] = hit.id
    return data


# --------------------------------------------------------------------------- detail
@router.get("/records/{record_id:path}", response_class=HTMLResponse)
def record_page(request: Request, record_id: str, user: User = Depends(require_user)) -> Response:
    """One demand; 404, exactly as for a missing id, when the user may not see it."""
    app = get_suqiu(request)
    view = get_document(app, record_id, principal_for(user)) if len(record_id) <= 256 else None
    if view is None:  # the search layer decided, against the store's owner of the demand
        raise StarletteHTTPException(404)
    record_read(app, principal_for(user), "view", record_id, "web")
    rows = app.store.demand_rows(app.config, DemandFilter(ids=[record_id]))
    work = item(app, rows[0], now_local()) if rows else None   # its time limit and flags
    return render(request, "detail.html", {"r": view, "a": view.get("analysis"), "back": _back(request),
                                           "work": work})


def _back(request: Request) -> str:
    return _safe_next(request.query_params.get("back")) if request.query_params.get("back") else "/search"


@router.get("/profiles/{profile_id:path}", response_class=HTMLResponse)
def profile_page(request: Request, profile_id: str, user: User = Depends(require_user)) -> Response:
    """One demand profile (需求画像) with all its figures; 404 as for a missing id when not visible."""
    profile = get_profile(get_suqiu(request), profile_id, principal_for(user)) if len(profile_id) <= 400 else None
    if profile is None:
        raise StarletteHTTPException(404)
    return render(request, "profile.html", {"p": profile, "back": _back(request)})


@router.get("/topics/{topic_id:int}", response_class=HTMLResponse)
def topic_page(request: Request, topic_id: int, user: User = Depends(require_user)) -> Response:
    """One topic; departments get 404 (topics gather every department's demands)."""
    topic = get_topic(get_suqiu(request), topic_id, principal_for(user))
    if topic is None:
        raise StarletteHTTPException(404)
    return render(request, "topic.html", {"t": topic, "back": _back(request)})


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: User = Depends(require_user)) -> Response:
    return RedirectResponse("/search", status_code=303)


def install(api: FastAPI) -> None:
    """Add the pages and their error handling to the application."""
    api.include_router(router)

    @api.exception_handler(LoginRequired)
    async def _to_login(request: Request, _exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @api.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        accept, path = request.headers.get("accept", ""), request.url.path
        # machine endpoints (department API, Open311) keep their JSON errors
        if "text/html" not in accept or path.startswith(("/api/", "/open311/")) or path.endswith((".json", ".xml")):
            return await http_exception_handler(request, exc)
        messages = {404: ("未找到", "没有这个页面或记录，或您无权查看。"), 403: ("无权访问", "您无权查看此内容。"),
                    405: ("不支持的请求", "请求方式不正确。")}
        title, message = messages.get(exc.status_code, ("出错了", "请求无法完成。"))
        # render reads the session's user from the store: never on the event loop
        return await run_in_threadpool(render, request, "error.html", {"title": title, "message": message},
                                       status_code=exc.status_code)
