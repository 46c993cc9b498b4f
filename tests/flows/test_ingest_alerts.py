"""The hourly ingest flow routes what it analysed and alerts critical demands in the same run."""

from __future__ import annotations

from pathlib import Path

import pytest

from suqiu.installation import Installation, write_default_config

pytestmark = pytest.mark.slow

ROWS = ("工单编号,来电时间,诉求标题,诉求内容,承办部门\n"
        "A1,{t},欠薪,公司拖欠工资半年，我实在活不下去了，想跳楼，电话13812345678,人社局\n"
        "A2,{t},路灯不亮,五四路路灯不亮好几天了,城管局\n")


def test_an_hourly_run_routes_and_alerts_a_critical_demand(tmp_path, prefect_harness):
    from flows.ingest import ingest
    from suqiu.store import now_local
    home = tmp_path / "home"
    write_default_config(home)
    export = tmp_path / "export.csv"
    export.write_text(ROWS.format(t=f"{now_local():%Y-%m-%d %H:%M:%S}"), encoding="utf-8")
    result = ingest(home=str(home), sources=[], files=[str(export)])
    app = Installation.load(home)
    assert result["route"]["routed"] == 2 and app.store.owner_of(app.config, "hotline:A1") == "人力资源和社会保障局"
    assert app.store.get_analysis("hotline:A1").urgency_level.value == "critical"
    assert result["alerts"]["departments"] == {"人力资源和社会保障局": 1} and result["alerts"]["office"] == 1
    for folder in ("rsj", "office"):
        mail = next(Path(app.path("outbox", folder)).glob("*-alert-*.html")).read_text("utf-8")
        assert "轻生风险" in mail and "13812345678" not in mail
    assert not list(Path(app.path("outbox", "cgj")).glob("*-alert-*"))
    assert result["index"]["indexed"] == 2
