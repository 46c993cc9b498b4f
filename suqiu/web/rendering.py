"""Page rendering: templates and the CSRF token every form carries."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from suqiu.web.auth import CSRF_COOKIE, CSRF_FIELD, SESSION_COOKIE, SESSION_MAX_AGE_S
from suqiu.web.deps import get_signer, optional_user
from suqiu.web.present import template_globals

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATES_DIR = WEB_DIR / "templates"


def make_templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(template_globals())
    return Jinja2Templates(env=env)


def secure_cookie(request: Request) -> bool:
    """Over TLS, directly or through a trusted proxy (``server.trusted_proxies``: only then does
    ``X-Forwarded-Proto`` set the scheme), cookies are ``Secure``."""
    return request.url.scheme == "https"


def set_session_cookie(request: Request, resp: Response, token: str) -> None:
    resp.set_cookie(SESSION_COOKIE, token, max_age=SESSION_MAX_AGE_S, httponly=True, samesite="lax",
                    secure=secure_cookie(request), path="/")


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
    # the security headers come from suqiu.web.security (one middleware for every response)
    resp = request.app.state.templates.TemplateResponse(request, name, ctx, status_code=status_code)
    renewed = getattr(request.state, "session_renewal", None)
    if renewed:  # the idle clock restarts with this page
        set_session_cookie(request, resp, renewed)
    if new:
        resp.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="strict", secure=secure_cookie(request),
                        path="/")
    return resp


def check_csrf(request: Request, token: str | None) -> bool:
    return get_signer(request).check_csrf(request.cookies.get(CSRF_COOKIE), token)


