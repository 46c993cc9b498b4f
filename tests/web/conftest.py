"""Web fixtures: one seeded installation per module (read-only tests), a TestClient that logs in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.seed import PASSWORDS, seed

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "page carries no CSRF token"
    return m.group(1)


def login(client: TestClient, username: str, password: str | None = None) -> None:
    page = client.get("/login")
    resp = client.post("/login", data={"username": username, "password": password or PASSWORDS[username],
                                       "csrf_token": csrf_from(page.text), "next": "/search"},
                       follow_redirects=False)
    assert resp.status_code == 303, resp.text


@pytest.fixture(scope="module")
def seeded_app(tmp_path_factory: pytest.TempPathFactory):
    """A seeded installation shared by one module's tests; they must not change it."""
    from suqiu.installation import Installation, write_default_config
    home: Path = tmp_path_factory.mktemp("web-home")
    write_default_config(home)
    app = Installation.load(home, environ={})
    ids = seed(app)
    yield app, ids
    app.store.close()


@pytest.fixture
def seeded(seeded_app) -> dict[str, str]:
    return seeded_app[1]


@pytest.fixture(scope="module")
def web_app(seeded_app):
    from suqiu.web.application import create_app
    return create_app(seeded_app[0])


@pytest.fixture
def client(web_app) -> Iterator[TestClient]:
    with TestClient(web_app, base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture
def as_user(client):
    def _as(username: str) -> TestClient:
        client.cookies.clear()
        login(client, username)
        return client
    return _as
