"""The office's pages over HTTP: triage with one-click assignment, extensions, 督办, callbacks."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from suqiu.store import now_local
from suqiu.twoway import workorders as work
from suqiu.twoway.accounts import add_user
from suqiu.twoway.dispatch import route_pending
from suqiu.principals import Principal
from suqiu.web.application import create_app
from tests.twoway.seed import HOUSING, LABOUR, analysis, demand, seed
from tests.web.conftest import csrf_from, login
from tests.web.test_workbench_pages import PASSWORD, recent_set, tab_counts, url

ZJ = Principal.for_department(HOUSING, name="zjj")
CANDIDATES = [{"department": "市场监督管理局", "score": 0.41}, {"department": HOUSING, "score": 0.3},
              {"department": "城市管理局", "score": 0.1}]


@pytest.fixture
def office(app):
    recent_set(app.store)
    seed(app.store, [(demand("t1", "小区电梯坏了一周，物业推诿", "电梯坏了", received_at=now_local() - timedelta(hours=3)),
                      analysis("hotline:t1", "小区电梯坏了一周，物业推诿", "电梯坏了", None, reason="triage",
                               confidence=0.41, route_candidates=CANDIDATES))])
    route_pending(app)
    add_user(app.store, "ban", PASSWORD, "office", config=app.config)
    add_user(app.store, "zjj", PASSWORD, "department", HOUSING, config=app.config)
    with TestClient(create_app(app), base_url="http://127.0.0.1") as client:
        login(client, "ban", PASSWORD)
        yield app, client


def _post(client, page: str, action: str, **fields):
    token = csrf_from(client.get(page).text)
    return client.post(action, data={"csrf_token": token, **fields}, follow_redirects=False)


def test_office_pages_are_the_offices_alone(app):
    recent_set(app.store)
    add_user(app.store, "zjj", PASSWORD, "department", HOUSING, config=app.config)
    with TestClient(create_app(app), base_url="http://127.0.0.1") as client:
        login(client, "zjj", PASSWORD)
        for page in ("/office", "/office/triage", "/office/extensions", "/office/overdue", "/office/callbacks"):
            assert client.get(page).status_code == 404


def test_the_overview_counts(office):
    app, client = office
    html = client.get("/office").text
    cards = dict(re.findall(r'data-card="(\w+)"><div>[^<]*</div><div class="big">(\d+)</div>', html))
    assert cards == {"triage": "1", "extensions": "0", "overdue": "1", "callbacks": "0"}


def test_triage_shows_three_suggestions_with_reasons_and_assigns_in_one_click(office):
    app, client = office
    html = client.get("/office/triage").text
    assert html.count('class="assign-suggestion"') == 3
    assert "模型判断概率 41%" in html and "模型判断概率 30%；含本部门关键词：物业、小区、电梯" in html
    r = _post(client, "/office/triage", f"{url('hotline:t1')}/assign", department=HOUSING, note="按分派建议",
              back="/office/triage")
    assert r.status_code == 303 and r.headers["location"] == "/office/triage?done=route"
    assert app.store.owner_of(app.config, "hotline:t1") == HOUSING and app.store.get("hotline:t1")["status"] == "routed"
    assert "没有待分派的诉求" in client.get("/office/triage").text
    assert app.store.audit_rows(record_id="hotline:t1", action="route")[0] == 1


def test_a_returned_demand_comes_back_to_triage_with_its_reason(office):
    app, client = office
    work.return_demand(app, ZJ, "hotline:h1", "属市场监管职责")
    html = client.get("/office/triage").text
    assert "属市场监管职责" in html and "物业乱收费" in html


def test_approving_an_extension_from_its_page(office):
    app, client = office
    work.sign(app, ZJ, "hotline:h1")
    before = work.begin(app, ZJ, "hotline:h1").due()
    work.request_extension(app, ZJ, "hotline:h1", 5, "需业委会表决")
    html = client.get("/office/extensions").text
    assert "需业委会表决" in html and "5 个工作日" in html
    ext = app.store.extension_rows(state="pending")[0]
    r = _post(client, "/office/extensions", f"{url('hotline:h1')}/decide", extension_id=str(ext["id"]),
              decision="grant", note="同意", back="/office/extensions")
    assert r.status_code == 303 and "done=grant_extension" in r.headers["location"]
    assert work.begin(app, ZJ, "hotline:h1").due() > before + timedelta(days=5)
    assert "没有待审批的延期申请" in client.get("/office/extensions").text


def test_an_extension_is_decided_only_through_its_own_demand(office):
    app, client = office
    work.sign(app, ZJ, "hotline:h1")
    work.request_extension(app, ZJ, "hotline:h1", 5, "理由")
    ext = app.store.extension_rows(state="pending")[0]
    r = _post(client, "/office/extensions", f"{url('hotline:h2')}/decide", extension_id=str(ext["id"]), decision="grant")
    assert r.status_code == 404 and app.store.extension_rows(ext_id=ext["id"])[0]["state"] == "pending"


def test_supervising_an_overdue_demand_shows_in_the_departments_queue(office):
    app, client = office
    html = client.get("/office/overdue").text
    assert "电梯故障" in html and "物业乱收费" not in html
    r = _post(client, "/office/overdue", f"{url('hotline:h3')}/supervise", note="今日内答复", back="/office/overdue")
    assert r.status_code == 303
    assert "已督办" in client.get("/office/overdue").text
    client.cookies.clear()
    login(client, "zjj", PASSWORD)
    queue = client.get("/work?tab=overdue").text
    assert "督办" in queue and "今日内答复" in client.get(url("hotline:h3")).text


def test_an_unsatisfied_callback_reopens_with_a_new_limit(office):
    app, client = office
    work.reply(app, ZJ, "hotline:h1", "已处理", final=True)
    assert "物业乱收费" in client.get("/office/callbacks").text
    r = _post(client, "/office/callbacks", f"{url('hotline:h1')}/callback", solved="no", satisfaction="不满意",
              note="费用未退", back="/office/callbacks")
    assert r.status_code == 303
    rec, wo = app.store.get("hotline:h1"), app.store.work_order("hotline:h1")
    assert rec["status"] == "reopened" and rec["satisfaction"] == "不满意" and wo["solved"] is False
    assert wo["due_at"] > now_local() + timedelta(days=14)
    client.cookies.clear()
    login(client, "zjj", PASSWORD)
    assert tab_counts(client.get("/work").text)["pending"] == 3      # h1 waits to be signed again
