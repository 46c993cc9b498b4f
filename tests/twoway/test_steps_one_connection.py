"""A work-order step reads on its own write transaction's connection, never on a second one.

With the pool's connections all held by requests queued for SQLite's write lock, a step that took
another connection while holding the lock waited for them while they waited for it
(tests/test_store_pool.py); the load test's replies (答复) and sign-ins (签收) did so.
"""

from __future__ import annotations

from suqiu.principals import Principal
from suqiu.twoway import office_steps as office
from suqiu.twoway import workorders as work
from suqiu.twoway.dispatch import route_pending
from tests.lock_spans import nested_checkouts
from tests.twoway.seed import HOUSING

ZJ = Principal.for_department(HOUSING, name="zjj")
OFFICE = Principal.office(name="zhang")


def test_a_final_answer_to_an_unsigned_demand_takes_no_second_connection(app, seeded):
    route_pending(app)
    with nested_checkouts(app.store.engine) as found:
        work.reply(app, ZJ, "hotline:h2", "已处理", final=True, origin="api")
    assert found == []
    assert app.store.work_order("hotline:h2")["signed_at"] is not None   # still signed by the answer


def test_signing_and_an_interim_reply_take_no_second_connection(app, seeded):
    route_pending(app)
    with nested_checkouts(app.store.engine) as found:
        work.sign(app, ZJ, "hotline:h1", "已接单")
        work.reply(app, ZJ, "hotline:h1", "正在核实", final=False)
    assert found == []
    assert app.store.get("hotline:h1")["status"] == "in_progress"


def test_an_unsatisfied_callback_reopens_on_its_own_connection(app, seeded):
    route_pending(app)
    work.reply(app, ZJ, "hotline:h1", "已处理", final=True)
    with nested_checkouts(app.store.engine) as found:
        office.callback(app, OFFICE, "hotline:h1", solved=False, satisfaction="不满意", note="仍未解决")
    assert found == []
    assert app.store.get("hotline:h1")["status"] == "reopened"
