"""Request-scoped access to the installation and the logged-in user, for every router."""

from __future__ import annotations

from fastapi import Request

from suqiu.installation import Installation
from suqiu.twoway.accounts import User
from suqiu.web.auth import SESSION_COOKIE, SessionSigner, session_user


class LoginRequired(Exception):
    """Raised by page dependencies; the app answers with a redirect to the login page."""


def get_suqiu(request: Request) -> Installation:
    return request.app.state.suqiu


def get_signer(request: Request) -> SessionSigner:
    return request.app.state.signer


def optional_user(request: Request) -> User | None:
    cached = getattr(request.state, "user", False)
    if cached is not False:
        return cached
    app = get_suqiu(request)
    user, renewed = session_user(get_signer(request), app.store, request.cookies.get(SESSION_COOKIE),
                                 idle_s=app.config.server.session_idle_minutes * 60)
    request.state.user = user
    request.state.session_renewal = renewed  # set as the cookie by the page that renders
    return user


def require_user(request: Request) -> User:
    """The logged-in user; pages without one redirect to the login page."""
    user = optional_user(request)
    if user is None:
        raise LoginRequired()
    return user
