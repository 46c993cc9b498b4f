"""A writer holding the SQLite lock must not freeze the web server (issue 18, item 3).

Another process's write lock (an import, analyze or index run) may make a request that writes
wait, but never the event loop: static files and pages keep answering while that request waits,
and the wait ends at the web's busy timeout with a 503 and a Chinese message, not a 60 s stall.
"""

from __future__ import annotations

import inspect
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from suqiu.twoway.tokens import create_token
from suqiu.web.application import create_app
from tests.web.live import live_server
from tests.web.routes import api_routes

# handlers allowed to be coroutines: each awaits its request body, then does its store work off the loop
ASYNC_ALLOWED = {("/open311/v2/requests.{fmt}", "POST")}


def _db_path(app) -> Path:
    return Path(app.store_url.split("///", 1)[1])


@contextmanager
def write_lock(app, seconds: float) -> Iterator[threading.Event]:
    """Another connection (as another process would) holds the database's write lock for ``seconds``."""
    taken, done = threading.Event(), threading.Event()

    def hold() -> None:
        con = sqlite3.connect(_db_path(app), isolation_level=None, timeout=30)
        try:
            con.execute("BEGIN IMMEDIATE")
            taken.set()
            done.wait(seconds)
            con.execute("ROLLBACK")
        finally:
            con.close()

    t = threading.Thread(target=hold, daemon=True)
    t.start()
    assert taken.wait(10), "could not take the write lock"
    try:
        yield done
    finally:
        t.join(seconds + 10)


def _post_open311(base: str, token: str, code: str, out: dict) -> None:
    start = time.monotonic()
    try:
        r = httpx.post(f"{base}/open311/v2/requests.json", timeout=60, data={
            "api_key": token, "service_code": code, "description": "小区门口路灯不亮，夜间出行不便",
            "address_string": "鼓楼区五四路"})
        out["status"], out["body"] = r.status_code, r.text
    finally:
        out["seconds"] = time.monotonic() - start


@pytest.fixture
def served(app):
    _, token = create_token(app, None, "市民 App", role="client")
    with live_server(create_app(app)) as base:
        yield base, token, app.config.departments[0].slug


def test_static_and_login_answer_while_an_open311_post_waits_for_the_lock(app, served) -> None:
    base, token, code = served
    httpx.get(f"{base}/login", timeout=10)          # warm up: templates compiled, threadpool started
    posted: dict = {}
    with write_lock(app, 3.0):
        poster = threading.Thread(target=_post_open311, args=(base, token, code, posted))
        poster.start()
        time.sleep(0.4)                              # the POST is now waiting for the lock
        for path in ("/static/suqiu.css", "/login"):
            start = time.monotonic()
            r = httpx.get(f"{base}{path}", timeout=10)
            elapsed = time.monotonic() - start
            assert r.status_code == 200
            assert elapsed < 1.0, f"GET {path} took {elapsed:.2f} s while a POST waited for the lock"
        assert poster.is_alive(), "the POST should still be waiting for the lock"
    poster.join(30)
    assert posted["status"] == 200, posted   # it got the lock once the writer let go (within the busy timeout)


def test_a_lock_longer_than_the_busy_timeout_gives_503_not_a_stall(app) -> None:
    app.config.server.busy_timeout_s = 1.0
    _, token = create_token(app, None, "市民 App", role="client")
    with live_server(create_app(app)) as base:
        posted: dict = {}
        with write_lock(app, 4.0):
            _post_open311(base, token, app.config.departments[0].slug, posted)
    assert posted["status"] == 503, posted
    assert "繁忙" in posted["body"]
    assert posted["seconds"] < 3.5, posted


def test_no_handler_is_a_coroutine_that_could_block_the_loop(app) -> None:
    """Plain ``def`` handlers run in the threadpool; a coroutine handler would run its store calls on the loop."""
    api = create_app(app)
    routes = api_routes(api)
    assert len(routes) > 20 and {"/search", "/api/v1/replies"} <= {r.path for r in routes}
    coroutines = {(r.path, m) for r in routes for m in r.methods if inspect.iscoroutinefunction(r.endpoint)}
    assert coroutines <= ASYNC_ALLOWED, coroutines - ASYNC_ALLOWED
