"""One owner per demand: every view a department has agrees on which demands are its own, after a
re-import changed the text (the classifier then proposes another department) and at once after a
reassignment (before any index run)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from crawlers.importers.run import import_file
from nlp.stages import run_stages
from reports.digests import make_digest
from search.indexing import index_pending
from search.query import SearchQuery
from search.service import get_document, search
from suqiu.principals import Principal
from suqiu.twoway.accounts import add_user
from suqiu.twoway.dispatch import route_pending
from suqiu.twoway.tokens import create_token
from suqiu.twoway.tracking import tracked_rows
from suqiu.web.application import create_app
from tests.twoway.conftest import bearer
from tests.web.conftest import login

HOUSING, LABOUR = "住房和城乡建设局", "人力资源和社会保障局"
LOGIN = {HOUSING: "zjj", LABOUR: "rsj"}
HEADERS = ["工单编号", "来电时间", "诉求标题", "诉求内容"]
ELEVATOR = ["O1", "2026-11-20 09:00:00", "小区电梯坏了", "屏西小区3号楼电梯坏了一周，老人上下楼非常困难，物业一直推诿"]
WAGES = ["O1", "2026-11-20 09:00:00", "拖欠工资", "某建筑公司拖欠农民工工资三个月，老板失联，请劳动监察部门帮助追讨"]
OTHER = ["O2", "2026-11-20 10:00:00", "河道黑臭", "晋安河黑臭水体，气味难闻，请环保部门处理"]
RID = "hotline:O1"
PASSWORD = "correct horse battery"


def write(path: Path, *rows: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        w.writerows(rows)
    return path


def views(app, client: TestClient, department: str, token: str) -> dict[str, set[str]]:
    """The demand ids one department finds through each of its views."""
    who = Principal.for_department(department)
    login(client, LOGIN[department], PASSWORD)
    export = openpyxl.load_workbook(io.BytesIO(client.get("/search/export.xlsx").content), read_only=True)
    exported = {row[0] for row in export.worksheets[0].iter_rows(min_row=2, values_only=True) if row[0]}
    client.cookies.clear()
    digest, carried = make_digest(app, department, "week")
    return {
        "search": {h.id for h in search(app, SearchQuery.create("", size=100), who).hits},
        "detail": {i for i in (RID, "hotline:O2") if get_document(app, i, who) is not None},
        "export": exported,
        "api": {v["id"] for v in client.get("/api/v1/demands?status=all", headers=bearer(token)).json()["items"]},
        "digest": set(carried),
        "tracking": {r["id"] for r in tracked_rows(app.store, app.config, department)},
    }


@pytest.fixture
def routed(app, tmp_path):
    """A demand routed by its text (电梯 → housing), then re-imported about unpaid wages."""
    import_file(app.store, app.config, write(tmp_path / "a.csv", ELEVATOR, OTHER), "12345-workorder")
    run_stages(app)
    assert route_pending(app).routed == 2
    assert app.store.route_of(RID)["department"] == HOUSING
    assert import_file(app.store, app.config, write(tmp_path / "b.csv", WAGES, OTHER), "12345-workorder").updated == 1
    run_stages(app)
    route_pending(app)
    index_pending(app)
    for name in (HOUSING, LABOUR):
        add_user(app.store, LOGIN[name], PASSWORD, "department", name, config=app.config)
    return {name: create_token(app, name)[1] for name in (HOUSING, LABOUR)}


def test_the_classifier_only_proposes(app, routed):
    assert app.store.get_analysis(RID).department == LABOUR     # the new text's proposal
    assert app.store.owner_of(app.config, RID) == HOUSING        # the route still decides


def test_every_view_of_the_owner_holds_the_demand_and_no_other_does(app, routed):
    with TestClient(create_app(app)) as client:
        housing = views(app, client, HOUSING, routed[HOUSING])
        labour = views(app, client, LABOUR, routed[LABOUR])
    assert all(RID in ids for ids in housing.values()), housing
    assert all(RID not in ids for ids in labour.values()), labour


def test_a_reassignment_moves_every_view_at_once(app, routed):
    office = create_token(app, None, "值班", role="office")[1]
    with TestClient(create_app(app)) as client:
        r = client.post("/api/v1/reassign", headers=bearer(office),
                        json={"record_id": RID, "department": LABOUR, "reason": "实为欠薪，转人社"})
        assert r.status_code == 200, r.text
        housing = views(app, client, HOUSING, routed[HOUSING])
        labour = views(app, client, LABOUR, routed[LABOUR])
    assert all(RID not in ids for ids in housing.values()), housing
    assert all(RID in ids for ids in labour.values()), labour


def test_search_checks_the_store_owner_when_the_index_lags(app, routed):
    """A reassignment the index has not seen yet (engine down): the old department no longer finds it."""
    from suqiu.twoway.dispatch import reassign
    reassign(app, RID, LABOUR, "实为欠薪", "信访办")  # the two-way loop alone: no index run
    hits = search(app, SearchQuery.create("", size=100), Principal.for_department(HOUSING)).hits
    assert RID not in {h.id for h in hits}
