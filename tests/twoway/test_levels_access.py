"""Departments never see, answer or receive office-only demands, not even their own (分级分类)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from suqiu.twoway.dispatch import route_pending
from tests.twoway.conftest import bearer
from tests.twoway.seed import HOUSING, analysis, demand, seed

REPORT = "hotline:x1"      # a 举报件 routed to the department it names
UNCLASSIFIED = "hotline:x2"
OPEN = "hotline:x3"


@pytest.fixture
def levelled(app):
    seed(app.store, [
        (demand("x1", "实名举报住建局工作人员吃拿卡要"),
         analysis(REPORT, "实名举报住建局工作人员吃拿卡要", "举报", HOUSING, publication="office_only",
                  sensitivity="report")),
        (demand("x2", "小区消防通道被占用", days=0.1),
         analysis(UNCLASSIFIED, "小区消防通道被占用", "", HOUSING, publication=None, sensitivity=None)),
        (demand("x3", "楼道电梯坏了三天", days=0.2), analysis(OPEN, "楼道电梯坏了三天", "电梯", HOUSING)),
    ])
    route_pending(app)
    return app


@pytest.fixture
def api(levelled):
    from suqiu.web.application import create_app
    with TestClient(create_app(levelled)) as c:
        yield c


def test_department_lists_only_what_it_may_see(api, tokens):
    items = api.get("/api/v1/demands", params={"status": "all"}, headers=bearer(tokens["housing"])).json()["items"]
    assert [i["id"] for i in items] == [OPEN]
    office = api.get("/api/v1/demands", params={"status": "all"}, headers=bearer(tokens["office"])).json()["items"]
    assert {i["id"] for i in office} == {REPORT, UNCLASSIFIED, OPEN}


@pytest.mark.parametrize("rid", [REPORT, UNCLASSIFIED])
def test_department_gets_404_for_its_own_office_only_demand(api, tokens, rid):
    missing = api.get("/api/v1/demands/hotline:none", headers=bearer(tokens["housing"]))
    hidden = api.get(f"/api/v1/demands/{rid}", headers=bearer(tokens["housing"]))
    assert hidden.status_code == missing.status_code == 404
    assert api.get(f"/api/v1/demands/{rid}", headers=bearer(tokens["office"])).status_code == 200


@pytest.mark.parametrize("rid", [REPORT, UNCLASSIFIED])
def test_department_cannot_answer_or_close_it(api, tokens, levelled, rid):
    r = api.post("/api/v1/replies", headers=bearer(tokens["housing"]), json={"record_id": rid, "text": "已处理"})
    assert r.status_code == 404
    assert levelled.store.get(rid)["reply_text"] is None
    ok = api.post("/api/v1/replies", headers=bearer(tokens["office"]), json={"record_id": rid, "text": "信访办已处理"})
    assert ok.status_code == 200


def test_digest_carries_no_office_only_demand(levelled):
    from reports.digests import make_digest
    _, ids = make_digest(levelled, HOUSING, "week")
    assert ids == [OPEN]


def test_overdue_list_leaves_office_only_out(levelled):
    from datetime import timedelta

    from suqiu.store import now_local
    from suqiu.twoway.tracking import overdue_items
    late = overdue_items(levelled.store, levelled.config, HOUSING, now=now_local() + timedelta(days=400))
    assert [i["record_id"] for i in late] == [OPEN]
