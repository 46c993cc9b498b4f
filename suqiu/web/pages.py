"""Server-rendered pages: login, the petition office's search, a record's detail, XLSX export.

Every page needs a logged-in user; what a user may see is decided by the search layer's access
rules for that user's principal, and the detail page checks again before rendering a record.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from suqiu.web.app import TEMPLATES_DIR
from suqiu.web.auth import (
    CSRF_COOKIE, CSRF_FIELD, SESSION_COOKIE, SESSION_MAX_AGE_S, User, authenticate, session_token,
)
from suqiu.web.deps import LoginRequired, get_signer, get_suqiu, optional_user, require_user

router = APIRouter()

SECURITY_HEADERS = {
    # local assets only: no inline script, no third-party origin
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def make_templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return Jinja2Templates(env=env)


def _secure_cookie(request: Request) -> bool:
    return request.url.scheme == "https"


def _csrf_nonce(request: Request) -> tuple[str, bool]:
    """The browser's CSRF nonce, and whether it is new (then it must be set as a cookie)."""
    nonce = request.cookies.get(CSRF_COOKIE)
    if nonce and 16 <= len(nonce) <= 100:
        return nonce, False
    return secrets.token_urlsafe(24), True


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """Render a page with the user, the CSRF token and the security headers every page carries."""
    nonce, new = _csrf_nonce(request)
    ctx = {"user": optional_user(request), "csrf_field": CSRF_FIELD,
           "csrf_token": get_signer(request).csrf_token(nonce), **context}
    resp = request.app.state.templates.TemplateResponse(request, name, ctx, status_code=status_code,
                                                         headers=SECURITY_HEADERS)
    if new:
        resp.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="strict", secure=_secure_cookie(request),
                        path="/")
    return resp


def check_csrf(request: Request, token: str | None) -> bool:
    return get_signer(request).check_csrf(request.cookies.get(CSRF_COOKIE), token)


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
    user = authenticate(get_suqiu(request).store, username.strip(), password)
    if user is None:
        return render(request, "login.html", {"next": _safe_next(next), "username": username,
                                              "error": "用户名或密码错误。"}, status_code=401)
    resp = RedirectResponse(_safe_next(next), status_code=303)
    resp.set_cookie(SESSION_COOKIE, session_token(get_signer(request), user), max_age=SESSION_MAX_AGE_S,
                    httponly=True, samesite="lax", secure=_secure_cookie(request), path="/")
    return resp


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form("")) -> Response:
    if not check_csrf(request, csrf_token):
        return render(request, "error.html", {"title": "请求无效", "message": "页面已过期，请返回后重试。"},
                      status_code=400)
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


# --------------------------------------------------------------------------- pages
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
        accept = request.headers.get("accept", "")
        if "text/html" not in accept or request.url.path.startswith(("/api/", "/open311/")):
            from fastapi.exception_handlers import http_exception_handler
            return await http_exception_handler(request, exc)
        messages = {404: ("未找到", "没有这个页面或记录，或您无权查看。"), 403: ("无权访问", "您无权查看此内容。"),
                    405: ("不支持的请求", "请求方式不正确。")}
        title, message = messages.get(exc.status_code, ("出错了", "请求无法完成。"))
        return render(request, "error.html", {"title": title, "message": message}, status_code=exc.status_code)
