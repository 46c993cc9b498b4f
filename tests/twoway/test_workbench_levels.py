"""The workbench follows 分级: an office-only demand (a 举报件 about the department, 涉稳) is never in
a department's queue, page, co-handling, alerts or rates, even when routed to it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reports.alerts import send_alerts
from suqiu.principals import Principal
from suqiu.store import now_local
from suqiu.twoway import workorders as work
from suqiu.twoway.dispatch import route_pending
from suqiu.twoway.rates import department_rates
from suqiu.twoway.workorders import WorkflowError
from suqiu.web.workbench_views import demand_page, department_queue
from tests.twoway.seed import HOUSING, LABOUR, analysis, demand, seed

ZJ = Principal.for_department(HOUSING, name="zjj")
RS = Principal.for_department(LABOUR, name="rsj")


@pytest.fixture
def levels(app):
    at = now_local() - timedelta(days=2)
    seed(app.store, [
        (demand("in1", "物业乱收费", "物业", received_at=at), analysis("hotline:in1", "物业乱收费", "物业", HOUSING)),
        (demand("rep", "举报住建局工作人员收受好处", "举报", received_at=at),
         analysis("hotline:rep", "举报住建局工作人员收受好处", "举报", HOUSING, publication="office_only",
                  sensitivity="report")),
        (demand("mob", "业主集体上访，扬言堵路", "集体上访", received_at=at),
         analysis("hotline:mob", "业主集体上访，扬言堵路", "集体上访", HOUSING, publication="office_only",
                  sensitivity="stability", urgency_level="critical", urgency_reasons=["群体性事件风险: 集体上访"])),
    ])
    route_pending(app)
    return app


def test_the_queue_and_the_page_never_show_an_office_only_demand(levels):
    items, counts = department_queue(levels, HOUSING, "pending", now_local())
    assert [i["id"] for i in items] == ["hotline:in1"] and counts["pending"] == 1
    assert demand_page(levels, ZJ, "hotline:rep", now_local()) is None
    assert demand_page(levels, Principal.office(), "hotline:rep", now_local()) is not None
    with pytest.raises(WorkflowError) as exc:
        work.sign(levels, ZJ, "hotline:rep")
    assert exc.value.status == 404


def test_a_co_handler_never_reads_an_office_only_demand(levels):
    work.invite(levels, Principal.office(), "hotline:rep", LABOUR, "请协助核查")
    assert demand_page(levels, RS, "hotline:rep", now_local()) is None
    work.invite(levels, ZJ, "hotline:in1", LABOUR)
    assert demand_page(levels, RS, "hotline:in1", now_local()) is not None


def test_an_office_only_critical_demand_alerts_the_office_alone(levels):
    out = send_alerts(levels)
    assert out["departments"] == {} and out["office"] == 1


def test_office_only_demands_do_not_count_in_the_rates(levels):
    levels.config.tracking.min_count = 1
    with levels.store.begin() as conn:   # routed long ago, never signed: late, were it the department's
        for rid in ("hotline:rep", "hotline:mob"):
            levels.store.save_work_order(conn, rid, {"routed_at": now_local() - timedelta(days=3)})
    work.sign(levels, ZJ, "hotline:in1")
    r = department_rates(levels.store, levels.config, HOUSING)[HOUSING]
    assert (r.response_base, r.signed_on_time) == (1, 1)
