"""Warnings have a lifecycle (新 → 已确认 → 处置中 → 已解除): the office moves them forward, a re-run
of the warnings stage keeps their state, the page and the weekly report show it."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from reports.collect import collect_weekly
from suqiu.model import SHANGHAI
from suqiu.principals import Principal
from suqiu.store import now_local
from suqiu.twoway.accounts import add_user
from suqiu.twoway.warning_steps import advance_warning, warnings_with_states
from suqiu.twoway.workorders import WorkflowError
from suqiu.weeks import Week
from suqiu.web.application import create_app
from tests.web.conftest import csrf_from, login

OFFICE = Principal.office(name="zhang")
WARNING = {"id": "w-surge-1", "kind": "surge_district", "week": "2026-W47", "subject": "鼓楼区", "level": "high",
           "message": "鼓楼区本周诉求量为基线的 3 倍", "evidence": {"count": 30, "baseline": 10, "records": []}}


@pytest.fixture
def warned(app):
    app.store.replace_views([], [], [WARNING], now_local())
    return app


def _state(app) -> str:
    return warnings_with_states(app)[0]["state"]


def test_a_new_warning_moves_forward_with_who_and_why(warned):
    assert _state(warned) == "new"
    advance_warning(warned, OFFICE, "w-surge-1", "acknowledged", "已通知鼓楼区")
    advance_warning(warned, OFFICE, "w-surge-1", "handling")
    w = warnings_with_states(warned)[0]
    assert (w["state"], w["state_by"], w["next_states"]) == ("handling", "信访办（zhang）", ("resolved",))
    assert [e["state"] for e in warned.store.warning_events_of("w-surge-1")] == ["acknowledged", "handling"]
    assert warned.store.audit_rows(action="warning")[0] == 2


def test_a_warning_never_moves_back_and_only_the_office_moves_it(warned):
    advance_warning(warned, OFFICE, "w-surge-1", "handling")
    with pytest.raises(WorkflowError, match="顺序"):
        advance_warning(warned, OFFICE, "w-surge-1", "acknowledged")
    with pytest.raises(WorkflowError) as exc:
        advance_warning(warned, Principal.for_department("住房和城乡建设局"), "w-surge-1", "resolved")
    assert exc.value.status == 403
    with pytest.raises(WorkflowError) as missing:
        advance_warning(warned, OFFICE, "w-nope", "resolved")
    assert missing.value.status == 404


def test_a_rerun_of_the_warnings_stage_keeps_the_state(warned):
    advance_warning(warned, OFFICE, "w-surge-1", "acknowledged")
    warned.store.replace_views([], [], [{**WARNING, "message": "鼓楼区本周诉求量为基线的 4 倍"}], now_local())
    w = warnings_with_states(warned)[0]
    assert w["state"] == "acknowledged" and "4 倍" in w["message"]


def test_the_weekly_report_shows_each_warnings_state(warned):
    advance_warning(warned, OFFICE, "w-surge-1", "resolved", "已协调处置")
    data = collect_weekly(warned, Week(2026, 47), now=datetime(2026, 11, 23, 8, tzinfo=SHANGHAI))
    assert data.warnings[0]["state"] == "已解除（信访办（zhang））"
    from reports.weekly import build_weekly
    section = next(s for s in build_weekly(data).sections if s.key == "warnings")
    assert section.tables[0].headers[-1] == "处置状态" and "已解除 1 条" in section.paragraphs[-1]


def test_the_warnings_page(warned):
    add_user(warned.store, "ban", "office-pass-1", "office", config=warned.config)
    with TestClient(create_app(warned), base_url="http://127.0.0.1") as client:
        login(client, "ban", "office-pass-1")
        page = client.get("/office/warnings").text
        assert "鼓楼区本周诉求量" in page and 'data-state="new"' in page
        r = client.post("/office/warnings/w-surge-1", data={"csrf_token": csrf_from(page), "state": "acknowledged",
                                                            "note": "已电话通知"}, follow_redirects=False)
        assert r.status_code == 303
        page = client.get("/office/warnings").text
        assert 'data-state="acknowledged"' in page and "已电话通知" in page
        bad = client.post("/office/warnings/w-surge-1", data={"csrf_token": csrf_from(page), "state": "new"})
        assert bad.status_code == 400 and "顺序" in bad.text
