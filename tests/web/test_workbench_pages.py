"""The department's workbench pages over HTTP: queue tabs, the demand page, each step's form, access."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from datetime import timedelta

from suqiu.store import now_local
from suqiu.twoway.accounts import add_user
from suqiu.twoway.dispatch import route_pending
from suqiu.web.application import create_app
from tests.twoway.seed import HOUSING, LABOUR, analysis, demand, seed
from tests.web.conftest import csrf_from, login

PASSWORD = "workbench-pass-1"


def recent_set(store) -> list[str]:
    """housing_set's demands, received two days ago (the pages count time from now): h3 is critical
    (24 hours, overdue), h1 and h2 have 15 working days, l1 is labour's."""
    at = now_local() - timedelta(days=2)
    return seed(store, [
        (demand("h1", "小区物业乱收停车费，电话13812345678", "物业乱收费", received_at=at),
         analysis("hotline:h1", "小区物业乱收停车费，电话[手机号]", "物业乱收费", HOUSING, dup_group="g1",
                  urgency_level="medium")),
        (demand("h2", "物业乱收停车费，请处理 13812345678", "物业乱收停车费", received_at=at + timedelta(hours=1)),
         analysis("hotline:h2", "物业乱收停车费，请处理 [手机号]", "物业乱收停车费", HOUSING, dup_group="g1",
                  urgency_level="low")),
        (demand("h3", "楼道电梯坏了三天，老人被困", "电梯故障", received_at=at + timedelta(hours=2)),
         analysis("hotline:h3", "楼道电梯坏了三天，老人被困", "电梯故障", HOUSING, urgency_level="critical")),
        (demand("l1", "公司拖欠工资三个月", "拖欠工资", received_at=at),
         analysis("hotline:l1", "公司拖欠工资三个月", "拖欠工资", LABOUR)),
    ])


@pytest.fixture
def wb(app):
    """Housing and labour demands routed; a clerk for each department and one office user."""
    recent_set(app.store)
    route_pending(app)
    for name, role, dept in (("zjj", "department", HOUSING), ("rsj", "department", LABOUR), ("ban", "office", None)):
        add_user(app.store, name, PASSWORD, role, dept, display_name=name, config=app.config)
    with TestClient(create_app(app), base_url="http://127.0.0.1") as client:
        yield app, client


def _as(client: TestClient, name: str) -> TestClient:
    client.cookies.clear()
    login(client, name, PASSWORD)
    return client


def url(rid: str) -> str:
    return f"/work/demands/{quote(rid, safe='')}"


def post(client: TestClient, rid: str, step: str, **fields: str):
    token = csrf_from(client.get(url(rid)).text)
    return client.post(f"{url(rid)}/{step}", data={"csrf_token": token, **fields}, follow_redirects=False)


def tab_counts(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-tab="(\w+)"[^>]*>[^<]*<span class="count">(\d+)</span>', html)}


def test_the_queue_has_its_tabs_and_counts(wb):
    app, client = wb
    seed(app.store, [(demand("h4", "燃气管道漏气", "漏气", received_at=now_local() - timedelta(hours=10)),
                      analysis("hotline:h4", "燃气管道漏气", "漏气", HOUSING, urgency_level="high"))])
    route_pending(app)
    html = _as(client, "zjj").get("/work").text
    assert tab_counts(html) == {"pending": 4, "doing": 0, "due_soon": 1, "overdue": 1, "returned": 0, "done": 0,
                                "cohandling": 0}
    soon = client.get("/work?tab=due_soon").text
    assert ">漏气<" in soon and "即将超时" in soon and "物业乱收费" not in soon
    assert "电梯故障" in html and "拖欠工资" not in html        # labour's demand is not listed
    assert "13812345678" not in html and "已超时" in html


def test_sign_moves_the_demand_to_doing(wb):
    app, client = wb
    _as(client, "zjj")
    r = post(client, "hotline:h1", "sign", note="已接单")
    assert r.status_code == 303 and r.headers["location"] == f"{url('hotline:h1')}?done=sign"
    assert "已完成：签收" in client.get(r.headers["location"]).text
    assert tab_counts(client.get("/work").text)["doing"] == 1
    assert app.store.get("hotline:h1")["status"] == "signed"


def test_interim_then_final_reply_from_the_forms(wb):
    app, client = wb
    _as(client, "zjj")
    post(client, "hotline:h1", "sign")
    assert post(client, "hotline:h1", "reply", kind="interim", text="正在核实，电话13900001111").status_code == 303
    assert post(client, "hotline:h1", "reply", kind="final", text="已责令退还停车费").status_code == 303
    page = client.get(url("hotline:h1")).text
    assert "阶段性答复" in page and "办结答复" in page and "13900001111" not in page and "[手机号]" in page
    assert app.store.get("hotline:h1")["replied_by"] == HOUSING
    assert tab_counts(client.get("/work").text)["done"] == 1


def test_return_needs_a_reason_and_lists_under_returned(wb):
    app, client = wb
    _as(client, "zjj")
    r = post(client, "hotline:h3", "return", reason="  ")
    assert r.status_code == 400 and "退回原因不能为空" in r.text
    r = post(client, "hotline:h3", "return", reason="电梯属特种设备，归市场监管")
    assert r.status_code == 303 and r.headers["location"] == "/work?tab=returned&done=return"
    html = client.get("/work?tab=returned").text
    assert tab_counts(html)["returned"] == 1 and "归市场监管" in html
    assert client.get(url("hotline:h3")).status_code == 404     # no longer its own
    assert app.store.owner_of(app.config, "hotline:h3") is None


def test_extension_request_and_invitation(wb):
    app, client = wb
    _as(client, "zjj")
    post(client, "hotline:h1", "sign")
    assert post(client, "hotline:h1", "extension", days="5", reason="需业委会表决").status_code == 303
    assert post(client, "hotline:h1", "invite", department=LABOUR, note="涉欠薪").status_code == 303
    page = client.get(url("hotline:h1")).text
    assert "延期申请中" in page and "待审批" in page and LABOUR in page
    labour = _as(client, "rsj")
    html = labour.get("/work?tab=cohandling").text
    assert tab_counts(html)["cohandling"] == 1 and "物业乱收费" in html
    view = labour.get(url("hotline:h1"))
    assert view.status_code == 200 and "本部门为协办部门" in view.text and 'id="reply-form"' not in view.text
    assert labour.get(f"/records/{quote('hotline:h1', safe='')}").status_code == 200


def test_a_department_cannot_see_or_act_on_what_is_not_its_own(wb):
    app, client = wb
    _as(client, "rsj")
    assert client.get(url("hotline:h1")).status_code == 404
    assert client.get(url("hotline:nope")).status_code == 404
    token = csrf_from(client.get(url("hotline:l1")).text)
    r = client.post(f"{url('hotline:h1')}/sign", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 404 and app.store.get("hotline:h1")["status"] == "routed"


def test_a_step_without_the_csrf_token_is_refused(wb):
    app, client = wb
    _as(client, "zjj")
    client.get(url("hotline:h1"))
    r = client.post(f"{url('hotline:h1')}/sign", data={"csrf_token": "forged"}, follow_redirects=False)
    assert r.status_code == 400 and app.store.get("hotline:h1")["status"] == "routed"


def test_a_step_out_of_turn_shows_why(wb):
    app, client = wb
    _as(client, "zjj")
    post(client, "hotline:h1", "sign")
    r = post(client, "hotline:h1", "sign")
    assert r.status_code == 400 and "当前状态为「已签收」，不能签收" in r.text


def test_views_and_steps_are_in_the_audit_log(wb):
    app, client = wb
    _as(client, "zjj")
    post(client, "hotline:h1", "sign")
    actions = [r["action"] for r in app.store.audit_rows(record_id="hotline:h1")[1]]
    assert "sign" in actions and "view" in actions
    assert all(r["actor"] == f"{HOUSING}（zjj）" for r in app.store.audit_rows(record_id="hotline:h1")[1])


def test_the_office_is_sent_to_its_own_pages(wb):
    app, client = wb
    r = _as(client, "ban").get("/work", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/office"


def test_markup_in_a_demand_renders_as_text(app):
    from tests.twoway.seed import analysis, demand, seed
    seed(app.store, [(demand("x1", "<script>alert(1)</script>物业", "<img src=x onerror=alert(2)>"),
                      analysis("hotline:x1", "<script>alert(1)</script>物业", "<img src=x onerror=alert(2)>",
                               HOUSING))])
    route_pending(app)
    add_user(app.store, "zjj", PASSWORD, "department", HOUSING, config=app.config)
    with TestClient(create_app(app), base_url="http://127.0.0.1") as client:
        login(client, "zjj", PASSWORD)
        for page in (client.get("/work").text, client.get(url("hotline:x1")).text):
            assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
            assert "&lt;script&gt;" in page or "&lt;img" in page
