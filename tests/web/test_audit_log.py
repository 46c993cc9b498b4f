"""The audit log: views, exports, replies and changes by page and API, shown to the office only."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from suqiu.twoway.tokens import create_token
from suqiu.web.application import create_app
from tests.twoway.conftest import bearer
from tests.web.conftest import login
from tests.web.seed import HB, JT, seed


@pytest.fixture
def audited(app):
    ids = seed(app)
    with TestClient(create_app(app), base_url="http://127.0.0.1") as client:
        yield app, client, ids


def test_views_and_exports_are_logged(audited):
    app, client, ids = audited
    login(client, "jt")
    assert client.get(f"/records/{quote(ids['1001'], safe='')}").status_code == 200
    assert client.get("/search/export.xlsx?q=%E5%85%AC%E4%BA%A4").status_code == 200
    _total, rows = app.store.audit_rows()
    export, view = rows[0], rows[1]
    assert (view["action"], view["record_id"], view["actor"], view["department"]) == ("view", ids["1001"], f"{JT}（jt）", JT)
    assert export["action"] == "export" and '"count": 2' in export["detail"] and ids["1001"] in export["detail"]


def test_api_reads_and_replies_are_logged(audited):
    app, client, ids = audited
    token = create_token(app, HB, "环保接口")[1]
    client.get(f"/api/v1/demands/{ids['1003']}", headers=bearer(token))
    client.post("/api/v1/replies", headers=bearer(token), json={"record_id": ids["1003"], "text": "已责令停工"})
    actions = [(r["action"], r["origin"]) for r in app.store.audit_rows(record_id=ids["1003"])[1]]
    assert actions == [("answer", "api"), ("view", "api")]


def test_the_office_reads_the_log_and_nobody_else_does(audited):
    app, client, ids = audited
    login(client, "hb")
    client.get(f"/work/demands/{quote(ids['1003'], safe='')}")
    assert client.get("/office/audit").status_code == 404
    client.cookies.clear()
    login(client, "office")
    page = client.get(f"/office/audit?record_id={quote(ids['1003'], safe='')}").text
    assert "环保局王五" not in page and f"{HB}（hb）" in page and "查看" in page and "共 1 条" in page
    assert client.post("/office/audit", data={}).status_code in (404, 405)
