"""Security headers and ``Cache-Control`` on every response, from one middleware; ``Secure`` cookies
over TLS (issue 18, item 12; deliver 3).

Found open: no security headers or ``no-store`` on JSON, XML and error responses; the session
cookie never ``Secure`` behind TLS.
"""

from __future__ import annotations

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from suqiu.twoway.accounts import add_user
from suqiu.twoway.tokens import create_token
from suqiu.web.application import create_app
from tests.web.conftest import csrf_from

PASSWORD = "office-pass-1"
REQUIRED = {"content-security-policy": "frame-ancestors 'none'", "x-content-type-options": "nosniff",
            "x-frame-options": "DENY", "referrer-policy": "same-origin"}


def _boom() -> None:
    raise RuntimeError("a bug no handler caught")


@pytest.fixture
def web(app):
    add_user(app.store, "office", PASSWORD, "office", config=app.config)
    broken = APIRouter()
    broken.add_api_route("/boom", _boom)
    return create_app(app, routers=[broken])


@pytest.fixture
def token(app) -> str:
    return create_token(app, None, "值班", role="office")[1]


def _assert_headers(resp, cache: str = "no-store") -> None:
    for name, must in REQUIRED.items():
        assert must in resp.headers.get(name, ""), (resp.request.url, name, dict(resp.headers))
    assert resp.headers.get("cache-control") == cache, (resp.request.url, resp.headers.get("cache-control"))


def test_every_kind_of_response_carries_the_headers(web, token) -> None:
    c = TestClient(web, base_url="http://127.0.0.1", raise_server_exceptions=False)
    auth = {"Authorization": f"Bearer {token}"}
    html = {"Accept": "text/html"}
    cases = [
        c.get("/login"),                                                    # page
        c.get("/search", follow_redirects=False),                           # redirect to login
        c.get("/nope", headers=html),                                       # HTML 404
        c.get("/nope"),                                                     # JSON 404
        c.get("/api/v1/demands"),                                           # API 401
        c.get("/api/v1/figures", headers=auth),                             # API JSON
        c.get("/api/v1/demands?limit=0", headers=auth),                     # validation error
        c.get("/open311/v2/services.json"),                                 # Open311 JSON
        c.get("/open311/v2/services.xml"),                                  # Open311 XML
        c.get("/open311/v2/requests/nope.xml"),                             # Open311 XML error
        c.post("/logout", data={}),                                         # 400 page
        c.get("/boom"),                                                     # an unhandled exception
    ]
    assert [r.status_code for r in cases] == [200, 303, 404, 404, 401, 200, 400, 200, 200, 404, 400, 500]
    for resp in cases:
        _assert_headers(resp)
    assert "服务器内部错误" in cases[-1].json()["detail"] and "RuntimeError" not in cases[-1].text


def test_static_files_may_be_cached_but_still_carry_the_headers(web) -> None:
    resp = TestClient(web).get("/static/suqiu.css")
    assert resp.status_code == 200
    _assert_headers(resp, cache="public, max-age=3600")


def test_the_export_is_not_cached(web) -> None:
    c = TestClient(web, base_url="http://127.0.0.1")
    page = c.get("/login")
    c.post("/login", data={"username": "office", "password": PASSWORD, "csrf_token": csrf_from(page.text)})
    resp = c.get("/search/export.xlsx")
    assert resp.status_code == 200
    _assert_headers(resp)


def test_no_page_sets_the_headers_itself() -> None:
    """One middleware owns them: the per-page copy is gone (it drifted from what JSON and errors got)."""
    import suqiu.web.rendering as rendering
    assert not hasattr(rendering, "SECURITY_HEADERS")


def _login_cookie(c: TestClient, headers: dict[str, str] | None = None) -> str:
    """The session cookie a login sets (the CSRF cookie passed by hand: a Secure cookie set over the
    proxy's TLS would not be sent back by the test client, which speaks plain HTTP to the app)."""
    page = c.get("/login", headers=headers)
    nonce = page.cookies.get("suqiu_csrf") or c.cookies.get("suqiu_csrf")
    c.cookies.clear()
    resp = c.post("/login", data={"username": "office", "password": PASSWORD, "csrf_token": csrf_from(page.text)},
                  headers={**(headers or {}), "Cookie": f"suqiu_csrf={nonce}"}, follow_redirects=False)
    assert resp.status_code == 303
    return next(v for v in resp.headers.get_list("set-cookie") if v.startswith("suqiu_session="))


def test_session_cookie_is_secure_over_tls(web) -> None:
    assert "Secure" in _login_cookie(TestClient(web, base_url="https://127.0.0.1"))
    assert "Secure" not in _login_cookie(TestClient(web, base_url="http://127.0.0.1"))


def test_hsts_only_over_tls(web) -> None:
    assert "max-age=" in TestClient(web, base_url="https://127.0.0.1").get("/login").headers["strict-transport-security"]
    assert "strict-transport-security" not in TestClient(web, base_url="http://127.0.0.1").get("/login").headers


def test_forwarded_proto_counts_only_from_a_trusted_proxy(app) -> None:
    add_user(app.store, "office", PASSWORD, "office", config=app.config)
    https = {"X-Forwarded-Proto": "https"}
    untrusted = TestClient(create_app(app), base_url="http://127.0.0.1", client=("10.0.0.9", 4000))
    assert "Secure" not in _login_cookie(untrusted, https)           # anyone can send the header
    app.config.server.trusted_proxies = ["10.0.0.1"]
    proxied = TestClient(create_app(app), base_url="http://127.0.0.1", client=("10.0.0.1", 4000))
    assert "Secure" in _login_cookie(proxied, https)                 # the proxy terminated TLS
    stranger = TestClient(create_app(app), base_url="http://127.0.0.1", client=("10.0.0.9", 4000))
    assert "Secure" not in _login_cookie(stranger, https)
