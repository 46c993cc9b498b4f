"""The whole two-way loop on a tiny export: import → analyse → route → digest by email → reply by
API and by re-import → history, Open311 and the department's figures."""

from __future__ import annotations

import csv
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from suqiu.store import now_local
from tests.twoway.conftest import bearer
from tests.twoway.test_delivery import free_port, start_smtp

HEADERS = ["工单编号", "来电时间", "诉求标题", "诉求内容", "承办部门", "办理结果", "回复时间"]


def write_export(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        w.writerows(rows)
    return path


@pytest.mark.slow
def test_import_to_digest_to_reply_and_back(app, tmp_path):
    from crawlers.importers.run import import_file
    from nlp.stages import LevelsStage, TextStage, run_stages
    from reports.digests import deliver_digest
    from suqiu.twoway.dispatch import route_pending
    from suqiu.twoway.tokens import create_token
    from suqiu.twoway.tracking import department_figures
    from suqiu.web.application import create_app

    t = now_local() - timedelta(days=1)
    stamp = t.strftime("%Y-%m-%d %H:%M:%S")
    rows = [["W1", stamp, "小区电梯故障", "屏西小区3号楼电梯坏了一周，业主电话13812345678", "住建局", "", ""],
            ["W2", stamp, "拖欠工资", "某公司拖欠工资三个月，联系人电话13987654321", "人社局", "", ""]]
    stats = import_file(app.store, app.config, write_export(tmp_path / "export.csv", rows), "12345-workorder")
    assert stats.new == 2
    run_stages(app, [TextStage(), LevelsStage()])  # levels: only a classified demand reaches a department
    assert route_pending(app).routed == 2

    port = free_port()
    ctl, inbox = start_smtp(port)
    app.config.smtp.port = port
    try:
        out = deliver_digest(app, "住房和城乡建设局", "day")
    finally:
        ctl.stop()
    assert out["status"] == "sent" and out["items"] == 1
    msg = message_from_bytes(inbox.messages[0][2], policy=policy.default)
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "电梯" in html and "13812345678" not in html and inbox.messages[0][1] == ["zjj@example.gov.cn"]

    token = create_token(app, "住建局")[1]
    # hotline work orders are internal: a client app reads them within its scope (keyless: 404)
    key = {"api_key": create_token(app, None, "12345 App", role="client",
                                   scope=["住房和城乡建设局", "人力资源和社会保障局"])[1]}
    with TestClient(create_app(app)) as client:
        assert client.get("/open311/v2/requests/hotline:W1.json").status_code == 404
        r = client.post("/api/v1/replies", headers=bearer(token),
                        json={"record_id": "hotline:W1", "text": "经现场核查，已安排维保单位更换电梯主板，目前已恢复运行。"})
        assert r.status_code == 200
        assert [h["origin"] for h in app.store.history("hotline:W1") if h["field"] == "reply_text"] == ["api"]
        req = client.get("/open311/v2/requests/hotline:W1.json", params=key).json()[0]
        assert req["status"] == "closed" and req["agency_responsible"] == "住房和城乡建设局"

        # the labour bureau answers in its own system; the re-exported work order brings the reply back
        reply_at = (t + timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S")
        rows[1][5:7] = ["已责令企业于本月底前结清工资，目前已支付部分款项。", reply_at]
        again = import_file(app.store, app.config, write_export(tmp_path / "export2.csv", rows), "12345-workorder")
        assert again.updated == 1
        assert [h["origin"] for h in app.store.history("hotline:W2") if h["field"] == "reply_text"] == ["import"]
        assert client.get("/open311/v2/requests/hotline:W2.json", params=key).json()[0]["status"] == "closed"
        updates = client.get("/open311/v2/servicerequestupdates.json", params=key).json()
        assert {u["service_request_id"] for u in updates if u["status"] == "closed"} == {"hotline:W1", "hotline:W2"}

    labour = department_figures(app.store, app.config, "人力资源和社会保障局")["人力资源和社会保障局"]
    assert labour.answered == 1 and labour.response_hours_median == pytest.approx(48, abs=0.01)
    housing = department_figures(app.store, app.config, "住房和城乡建设局")["住房和城乡建设局"]
    assert housing.answered == 1
