"""Immediate alerts: a critical demand is emailed to its department and the office once, in the
run that routed it; a reassignment alerts the new department."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest

from reports.alerts import is_critical, send_alerts
from suqiu.principals import Principal
from suqiu.twoway import office_steps
from suqiu.twoway.dispatch import route_pending
from tests.twoway.seed import HOUSING, LABOUR, analysis, demand, seed


@pytest.fixture
def critical(app):
    seed(app.store, [
        (demand("c1", "公司欠薪半年，我不想活了，电话13812345678", "欠薪"),
         analysis("hotline:c1", "公司欠薪半年，我不想活了，电话[手机号]", "欠薪", LABOUR, urgency_level="critical",
                  urgency_reasons=["轻生风险: 不想活"])),
        (demand("c2", "小区燃气泄漏，味道很大", "燃气泄漏", days=0.1),
         analysis("hotline:c2", "小区燃气泄漏，味道很大", "燃气泄漏", HOUSING, urgency_level="high",
                  urgency_reasons=["安全隐患: 燃气泄漏"])),
        (demand("c3", "楼道灯不亮", "路灯", days=0.2),
         analysis("hotline:c3", "楼道灯不亮", "路灯", HOUSING, urgency_level="high", urgency_reasons=["紧急: 请尽快"])),
        (demand("c4", "有人说要集体上访", "上访", days=0.3),
         analysis("hotline:c4", "有人说要集体上访", "上访", None, reason="triage", urgency_level="critical",
                  urgency_reasons=["群体性事件风险: 集体上访"])),
    ])
    route_pending(app)
    return app


def test_what_counts_as_critical(app):
    reasons = app.config.tracking.alert_reasons
    assert is_critical(["安全隐患: 漏气"], "high", reasons) and is_critical([], "critical", reasons)
    assert not is_critical(["健康危害: 中毒"], "high", reasons)


def _subjects(app, folder: str) -> list[str]:
    return [message_from_bytes(p.read_bytes(), policy=policy.SMTP)["Subject"]
            for p in sorted(Path(app.path("outbox", folder)).glob("*-alert-*.eml"))]


def test_departments_and_the_office_are_alerted_in_the_same_run(critical):
    app = critical
    out = send_alerts(app)
    assert out["departments"] == {HOUSING: 1, LABOUR: 1} and out["office"] == 3
    office_mail = (next(Path(app.path("outbox", "office")).glob("*-alert-*.html"))).read_text("utf-8")
    assert "群体性事件风险" in office_mail and "待人工分派" in office_mail and "13812345678" not in office_mail
    assert "/work/demands/hotline%3Ac1" in office_mail
    assert _subjects(app, "rsj") == ["【特急】福州市12345 人力资源和社会保障局紧急诉求提醒：1 件"]
    assert "楼道灯不亮" not in (next(Path(app.path("outbox", "zjj")).glob("*-alert-*.html"))).read_text("utf-8")


def test_nothing_is_sent_twice_and_a_reassignment_alerts_the_new_department(critical):
    app = critical
    send_alerts(app)
    again = send_alerts(app)
    assert again["departments"] == {} and again["office"] == 0 and again["deliveries"] == []
    office_steps.assign(app, Principal.office(name="值班"), "hotline:c4", "人社局", "集体讨薪")
    third = send_alerts(app)
    assert third["departments"] == {LABOUR: 1} and third["office"] == 0


def test_alerts_leave_the_demand_in_the_next_digest(critical):
    from reports.digests import make_digest
    send_alerts(critical)
    _digest, carried = make_digest(critical, LABOUR, "day")
    assert "hotline:c1" in carried
