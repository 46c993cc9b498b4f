"""The work-order lifecycle on the test command's real PostgreSQL: steps, queues, rates, and the
audit log's append-only trigger."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from suqiu.installation import Installation
from suqiu.principals import Principal
from suqiu.store import DemandFilter, now_local
from suqiu.twoway import office_steps as office
from suqiu.twoway import workorders as work
from suqiu.twoway.dispatch import route_pending
from suqiu.twoway.rates import department_rates
from suqiu.web.workbench_views import department_queue
from tests.twoway.seed import HOUSING, analysis, demand, seed

pytestmark = pytest.mark.postgres
ZJ = Principal.for_department(HOUSING, name="zjj")


@pytest.fixture
def pg_app(home, pg_test_url):
    app = Installation.load(home, environ={"SUQIU_STORE_URL": pg_test_url})
    at = now_local() - timedelta(hours=3)
    seed(app.store, [(demand(f"p{i}", f"物业问题{i}，电话13812345678", f"物业{i}", received_at=at),
                      analysis(f"hotline:p{i}", f"物业问题{i}，电话[手机号]", f"物业{i}", HOUSING)) for i in range(3)])
    route_pending(app)
    yield app
    app.store.close()


def test_a_day_of_work_on_postgresql(pg_app):
    app = pg_app
    assert app.store.engine.dialect.name == "postgresql"
    work.sign(app, ZJ, "hotline:p0")
    work.reply(app, ZJ, "hotline:p0", "正在核实", final=False)
    work.reply(app, ZJ, "hotline:p0", "已处理", final=True)
    work.return_demand(app, ZJ, "hotline:p1", "不属本部门")
    office.callback(app, Principal.office(name="ban"), "hotline:p0", solved=False, satisfaction="不满意")
    assert app.store.get("hotline:p0")["status"] == "reopened"
    items, counts = department_queue(app, HOUSING, "pending", now_local())
    assert counts["pending"] == 2 and counts["returned"] == 1 and {i["id"] for i in items} == {"hotline:p0", "hotline:p2"}
    assert app.store.demand_count(app.config, DemandFilter(triage=True)) == 1
    r = department_rates(app.store, app.config, HOUSING)[HOUSING]
    assert (r.signed_on_time, r.called_back, r.solved) == (1, 1, 0)
    assert app.store.work_order("hotline:p2")["phone_tail"] == "5678"


def test_the_audit_log_is_append_only_on_postgresql(pg_app):
    work.sign(pg_app, ZJ, "hotline:p0")
    for sql in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"):
            with pg_app.store.begin() as conn:
                conn.execute(text(sql))
    assert pg_app.store.audit_rows()[0] == 1


def test_routing_reads_what_changed_since_the_last_good_run(pg_app):
    """The candidates' two index-driven reads (``routing_candidates(since=…)``) on PostgreSQL."""
    from tests.twoway.test_routing import _backdate
    seed(pg_app.store, [(demand("n1", "楼道灯坏了"), analysis("hotline:n1", "楼道灯坏了", department=HOUSING)),
                        (demand("n2", "小区漏水"), analysis("hotline:n2", "小区漏水", department=HOUSING))])
    _backdate(pg_app.store, "hotline:n2", hours=2)
    assert route_pending(pg_app).routed == 1
    assert pg_app.store.route_of("hotline:n1")["department"] == HOUSING
    assert pg_app.store.route_of("hotline:n2") is None
