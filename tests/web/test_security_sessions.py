"""Sessions end on the server (issue 18, item 6): logout, idle time, password change, deactivation.

Found open: the old cookie still worked for 12 h after logout.
"""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from suqiu.twoway.accounts import add_user, set_active, set_password
from suqiu.web.application import create_app
from tests.web.conftest import csrf_from, login

PASSWORD = "office-pass-1"


@pytest.fixture
def web(app):
    add_user(app.store, "office", PASSWORD, "office", config=app.config)
    return create_app(app)


def _signed_in(web) -> TestClient:
    c = TestClient(web, base_url="http://127.0.0.1")
    login(c, "office", PASSWORD)
    return c


def _with_cookie(web, cookie: str) -> TestClient:
    c = TestClient(web, base_url="http://127.0.0.1")
    c.cookies.set("suqiu_session", cookie)
    return c


def _ok(c: TestClient) -> bool:
    r = c.get("/search", follow_redirects=False)
    assert r.status_code in (200, 303), r.status_code
    return r.status_code == 200


def test_logout_ends_the_session_on_the_server(web) -> None:
    c = _signed_in(web)
    stolen = c.cookies["suqiu_session"]
    assert _ok(_with_cookie(web, stolen))
    page = c.get("/search")
    r = c.post("/logout", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert not _ok(_with_cookie(web, stolen))        # the copied cookie no longer works


def test_logout_ends_only_that_session(web) -> None:
    laptop, phone = _signed_in(web), _signed_in(web)
    page = laptop.get("/search")
    laptop.post("/logout", data={"csrf_token": csrf_from(page.text)})
    assert _ok(phone)


def test_a_session_ends_after_idle_time(web, monkeypatch: pytest.MonkeyPatch) -> None:
    c = _signed_in(web)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 31 * 60)
    assert not _ok(c)


def test_activity_keeps_a_session_alive_until_it_goes_idle(web, monkeypatch: pytest.MonkeyPatch) -> None:
    c = _signed_in(web)
    real = time.time
    for minutes in (20, 40, 60):                      # a request every 20 minutes renews the idle clock
        monkeypatch.setattr(time, "time", lambda m=minutes: real() + m * 60)
        assert _ok(c), f"session ended at +{minutes} min despite activity"
    monkeypatch.setattr(time, "time", lambda: real() + 95 * 60)   # 35 minutes without a request
    assert not _ok(c)


def test_idle_time_is_configurable(app, web, monkeypatch: pytest.MonkeyPatch) -> None:
    app.config.server.session_idle_minutes = 5
    c = _signed_in(web)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 6 * 60)
    assert not _ok(c)


def test_renewal_does_not_extend_past_twelve_hours(web, monkeypatch: pytest.MonkeyPatch) -> None:
    c = _signed_in(web)
    real = time.time
    for minutes in range(20, 12 * 60, 20):
        monkeypatch.setattr(time, "time", lambda m=minutes: real() + m * 60)
        assert _ok(c)
    monkeypatch.setattr(time, "time", lambda: real() + 12 * 3600 + 60)
    assert not _ok(c)


@pytest.mark.parametrize("change", ["password", "disable"])
def test_password_change_and_deactivation_end_every_session(app, web, change: str) -> None:
    c = _signed_in(web)
    if change == "password":
        set_password(app.store, "office", "new-password-2")
    else:
        set_active(app.store, "office", False)
    assert not _ok(c)
