"""The work-order steps against the store: statuses, history, replies, extensions, callbacks, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from suqiu.deadlines import add_workdays
from suqiu.principals import Principal
from suqiu.store import TRIAGE, now_local
from suqiu.twoway import office_steps as office
from suqiu.twoway import workorders as work
from suqiu.twoway.dispatch import route_pending
from suqiu.twoway.workorders import WorkflowError
from tests.twoway.seed import HOUSING, LABOUR, T0

ZJ = Principal.for_department(HOUSING, name="zjj")
RS = Principal.for_department(LABOUR, name="rsj")
OFFICE = Principal.office(name="zhang")


@pytest.fixture
def routed(app, seeded):
    route_pending(app)
    return app


def _statuses(app, rid):
    return [(h["old_value"], h["new_value"]) for h in app.store.history(rid) if h["field"] == "status"]


def test_a_departments_day_sign_interim_answer(routed):
    app = routed
    work.sign(app, ZJ, "hotline:h1", "已接单")
    work.reply(app, ZJ, "hotline:h1", "已联系物业，正在核实收费依据", final=False)
    out = work.reply(app, ZJ, "hotline:h1", "经核实已责令物业退还多收费用", final=True)
    assert out["status"] == "replied" and out["replied_by"] == HOUSING
    assert _statuses(app, "hotline:h1")[-3:] == [("routed", "signed"), ("signed", "in_progress"),
                                                 ("in_progress", "replied")]
    replies = app.store.replies_of("hotline:h1")
    assert [(r["kind"], r["department"], r["actor"]) for r in replies] == [
        ("interim", HOUSING, f"{HOUSING}（zjj）"), ("final", HOUSING, f"{HOUSING}（zjj）")]
    assert app.store.work_order("hotline:h1")["signed_at"] is not None
    fields = [h["field"] for h in app.store.history("hotline:h1")]
    assert "reply" in fields and "reply_text" in fields
    total, rows = app.store.audit_rows(record_id="hotline:h1")
    assert total == 3 and [r["action"] for r in rows] == ["answer", "interim", "sign"]
    assert {r["actor"] for r in rows} == {f"{HOUSING}（zjj）"}


def test_a_step_out_of_turn_is_refused(routed):
    work.sign(routed, ZJ, "hotline:h1")
    with pytest.raises(WorkflowError, match="不能签收") as exc:
        work.sign(routed, ZJ, "hotline:h1")
    assert exc.value.status == 400


def test_another_departments_demand_and_a_missing_one(routed):
    with pytest.raises(WorkflowError) as other:
        work.sign(routed, RS, "hotline:h1")
    with pytest.raises(WorkflowError) as missing:
        work.sign(routed, RS, "hotline:nope")
    assert (other.value.status, missing.value.status) == (404, 404)   # another's answers as a missing one
    assert routed.store.get("hotline:h1")["status"] == "routed"


def test_an_answer_without_signing_signs_it(routed):
    work.reply(routed, ZJ, "hotline:h2", "已处理", final=True, origin="api")
    wo = routed.store.work_order("hotline:h2")
    assert wo["signed_at"] is not None and routed.store.get("hotline:h2")["status"] == "replied"


def test_a_return_goes_back_to_triage_and_the_office_assigns_it(routed):
    app = routed
    work.return_demand(app, ZJ, "hotline:h3", "电梯属特种设备，应由市场监管局处理")
    assert app.store.get("hotline:h3")["status"] == "returned"
    assert app.store.route_of("hotline:h3")["queue"] == TRIAGE and app.store.owner_of(app.config, "hotline:h3") is None
    assert "hotline:h3" in app.store.triage_queue()
    wo = app.store.work_order("hotline:h3")
    assert wo["returned_by"] == HOUSING and "特种设备" in wo["return_reason"]
    with pytest.raises(WorkflowError):
        work.reply(app, ZJ, "hotline:h3", "再答复", final=True)     # no longer its own
    office.assign(app, OFFICE, "hotline:h3", "市场监管局", "属特种设备")
    assert app.store.owner_of(app.config, "hotline:h3") == "市场监督管理局"
    assert app.store.get("hotline:h3")["status"] == "routed"


def test_an_extension_granted_moves_the_due_time_by_working_days(routed):
    app = routed
    work.sign(app, ZJ, "hotline:h1")
    before = work.begin(app, ZJ, "hotline:h1").due()
    work.request_extension(app, ZJ, "hotline:h1", 5, "需协调业委会表决")
    assert app.store.get("hotline:h1")["status"] == "extension_requested"
    ext = app.store.extension_rows(state="pending")[0]
    office.decide_extension(app, OFFICE, ext["id"], grant=True, note="同意")
    after = work.begin(app, ZJ, "hotline:h1").due()
    assert after == add_workdays(before - timedelta(microseconds=1), 5) and after > before + timedelta(days=5)
    assert app.store.get("hotline:h1")["status"] == "in_progress"
    assert app.store.extension_rows(ext_id=ext["id"])[0]["state"] == "granted"
    with pytest.raises(WorkflowError, match="已审批|不能"):
        office.decide_extension(app, OFFICE, ext["id"], grant=False)


def test_a_refused_extension_keeps_the_due_time(routed):
    work.sign(routed, ZJ, "hotline:h1")
    before = work.begin(routed, ZJ, "hotline:h1").due()
    work.request_extension(routed, ZJ, "hotline:h1", 3, "人手不足")
    office.decide_extension(routed, OFFICE, routed.store.extension_rows()[0]["id"], grant=False, note="不符合延期条件")
    assert work.begin(routed, ZJ, "hotline:h1").due() == before
    with pytest.raises(WorkflowError, match="1 到 60"):
        work.request_extension(routed, ZJ, "hotline:h1", 0, "x")


def test_a_department_cannot_decide_its_own_extension(routed):
    work.sign(routed, ZJ, "hotline:h1")
    work.request_extension(routed, ZJ, "hotline:h1", 3, "理由")
    with pytest.raises(WorkflowError) as exc:
        office.decide_extension(routed, ZJ, routed.store.extension_rows()[0]["id"], grant=True)
    assert exc.value.status == 403


def test_callback_unsatisfied_reopens_with_a_new_limit(routed):
    app = routed
    work.reply(app, ZJ, "hotline:h1", "已处理", final=True)
    office.callback(app, OFFICE, "hotline:h1", solved=False, satisfaction="不满意", note="停车费仍未退还")
    rec = app.store.get("hotline:h1")
    assert rec["status"] == "reopened" and rec["satisfaction"] == "不满意"
    wo = app.store.work_order("hotline:h1")
    assert wo["solved"] is False and wo["callback_at"] is not None
    assert wo["due_at"] > now_local() + timedelta(days=14)       # 15 working days from the callback
    assert _statuses(app, "hotline:h1")[-2:] == [("replied", "called_back"), ("called_back", "reopened")]
    work.sign(app, ZJ, "hotline:h1")                              # the department signs again
    assert app.store.get("hotline:h1")["status"] == "signed"


def test_callback_satisfied_then_the_office_closes(routed):
    work.reply(routed, ZJ, "hotline:h1", "已处理", final=True)
    office.callback(routed, OFFICE, "hotline:h1", solved=True, satisfaction="满意")
    assert routed.store.get("hotline:h1")["status"] == "called_back"
    office.close(routed, OFFICE, "hotline:h1")
    assert routed.store.get("hotline:h1")["status"] == "closed"
    with pytest.raises(WorkflowError, match="满意度应为"):
        office.callback(routed, OFFICE, "hotline:h2", solved=True, satisfaction="还行")


def test_suspension_stops_the_clock(routed):
    app = routed
    work.sign(app, ZJ, "hotline:h1")
    due = work.begin(app, ZJ, "hotline:h1").due()
    office.suspend(app, OFFICE, "hotline:h1", "诉求人出国，暂无法联系")
    held = now_local() - timedelta(hours=30)
    with app.store.begin() as conn:   # as if suspended 30 hours ago
        app.store.save_work_order(conn, "hotline:h1", {"suspended_at": held})
    office.resume(app, OFFICE, "hotline:h1")
    after = work.begin(app, ZJ, "hotline:h1").due()
    assert timedelta(hours=29.9) < after - due < timedelta(hours=30.1)
    assert app.store.work_order("hotline:h1")["suspended_at"] is None


def test_reply_times_come_from_the_server_and_claims_are_checked(routed):
    app = routed
    with pytest.raises(WorkflowError, match="不能晚于当前时间"):
        work.reply(app, ZJ, "hotline:h1", "答复", claimed_at=now_local() + timedelta(days=3))
    with pytest.raises(WorkflowError, match="不能早于受理时间"):
        work.reply(app, ZJ, "hotline:h1", "答复", claimed_at=T0 - timedelta(days=1))
    with pytest.raises(WorkflowError, match="答复单位由登录账号或令牌确定"):
        work.reply(app, ZJ, "hotline:h1", "答复", replied_by="市政府办公厅")
    claimed = T0 + timedelta(days=1)
    work.reply(app, ZJ, "hotline:h1", "答复", claimed_at=claimed, replied_by="住建局")   # an alias of its own name
    rec, reply = app.store.get("hotline:h1"), app.store.replies_of("hotline:h1")[-1]
    assert reply["claimed_at"] == claimed and rec["replied_at"] == reply["at"]
    assert abs((rec["replied_at"] - now_local()).total_seconds()) < 60 and rec["replied_by"] == HOUSING


def test_a_demand_dated_in_the_future_takes_no_reply(app):
    """Intake lets a demand be up to a day ahead (clock skew, suqiu.model's window): no reply before it."""
    from tests.twoway.seed import analysis, demand, seed
    seed(app.store, [(demand("f1", "物业问题", received_at=now_local() + timedelta(hours=12)),
                      analysis("hotline:f1", "物业问题", department=HOUSING))])
    route_pending(app)
    with pytest.raises(WorkflowError, match="受理时间晚于当前时间"):
        work.reply(app, ZJ, "hotline:f1", "答复")


def test_a_co_handler_sees_but_does_not_act(routed):
    app = routed
    work.invite(app, ZJ, "hotline:h1", "人社局", "涉及物业员工欠薪")
    assert [c["department"] for c in app.store.co_handlers_of("hotline:h1")] == [LABOUR]
    with pytest.raises(WorkflowError, match="已是协办部门"):
        work.invite(app, ZJ, "hotline:h1", LABOUR)
    with pytest.raises(WorkflowError, match="无需邀请自己"):
        work.invite(app, ZJ, "hotline:h1", HOUSING)
    with pytest.raises(WorkflowError) as exc:
        work.reply(app, RS, "hotline:h1", "我们来答复", final=True)
    assert exc.value.status == 404
    assert app.store.history("hotline:h1")[-1]["field"] == "co_handler"


def test_supervision_is_recorded(routed):
    office.supervise(routed, OFFICE, "hotline:h3", "特急件，请今日内答复")
    wo = routed.store.work_order("hotline:h3")
    assert wo["supervised_at"] is not None and wo["supervise_note"] == "特急件，请今日内答复"
    with pytest.raises(WorkflowError) as exc:
        office.supervise(routed, ZJ, "hotline:h3")
    assert exc.value.status == 403


def test_the_audit_log_refuses_changes(routed):
    work.sign(routed, ZJ, "hotline:h1")
    with pytest.raises(Exception, match="append-only"):
        with routed.store.begin() as conn:
            conn.execute(text("UPDATE audit_log SET actor = 'someone else'"))
    with pytest.raises(Exception, match="append-only"):
        with routed.store.begin() as conn:
            conn.execute(text("DELETE FROM audit_log"))
    assert routed.store.audit_rows()[0] == 1


def test_a_reimport_does_not_undo_the_workbench(routed, tmp_path):
    from crawlers.importers.run import import_file
    work.reply(routed, ZJ, "hotline:h1", "已处理", final=True)
    path = tmp_path / "again.csv"
    path.write_text("工单编号,来电时间,诉求标题,诉求内容,办理状态\n"
                    "h1,2026-11-16 09:00:00,物业乱收费,小区物业乱收停车费，电话13812345678,办理中\n", encoding="utf-8")
    stats = import_file(routed.store, routed.config, path, "12345-workorder")
    assert (stats.rows_read, stats.updated, stats.quarantined) == (1, 1, 0)
    assert routed.store.get("hotline:h1")["status"] == "replied"
