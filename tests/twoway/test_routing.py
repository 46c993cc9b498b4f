from __future__ import annotations

from datetime import timedelta

import pytest

from suqiu.config import load_config
from suqiu.twoway.dispatch import RoutingError, decide, reassign, route_pending
from tests.twoway.seed import HOUSING, LABOUR, TRAFFIC, analysis, demand, seed


def test_routes_classified_demands_and_sends_unsure_ones_to_triage(app, seeded):
    stats = route_pending(app)
    assert stats.routed == 4 and stats.triage == 1
    assert stats.by_department == {HOUSING: 3, LABOUR: 1}
    assert app.store.triage_queue() == ["hotline:t1"]


def test_routing_moves_status_received_to_routed_with_history(app, seeded):
    route_pending(app)
    assert app.store.get("hotline:h1")["status"] == "routed"
    hist = app.store.history("hotline:h1")
    status = [h for h in hist if h["field"] == "status"]
    assert status[-1]["old_value"] == "received" and status[-1]["new_value"] == "routed"
    dept = [h for h in hist if h["field"] == "department"]
    assert dept[-1]["new_value"] == HOUSING and dept[-1]["origin"] == "routing"


def test_triage_demand_keeps_status_received(app, seeded):
    route_pending(app)
    assert app.store.get("hotline:t1")["status"] == "received"
    assert app.store.route_of("hotline:t1")["queue"] == "triage"


def test_route_pending_twice_is_idempotent(app, seeded):
    route_pending(app)
    n_hist = len(app.store.history("hotline:h1"))
    again = route_pending(app)
    assert again.routed == 0 and again.triage == 0
    assert again.unchanged == 0          # the triage item's analysis did not change: not read again
    assert len(app.store.history("hotline:h1")) == n_hist


def test_a_triage_demand_is_looked_at_again_when_its_analysis_changes(app, seeded):
    route_pending(app)
    assert route_pending(app).unchanged == 0
    a = app.store.get_analysis("hotline:t1")
    a.department, a.route_reason, a.route_confidence = HOUSING, "model", 0.99
    app.store.save_analysis([a], fields=["department", "route_reason", "route_confidence"])
    assert route_pending(app).routed == 1
    assert app.store.route_of("hotline:t1")["department"] == HOUSING


def test_unclassified_demands_wait(app):
    seed(app.store, [(demand("x1", "还没有分析"), None)])
    assert route_pending(app).routed == 0
    assert app.store.route_of("hotline:x1") is None


def test_reassign_keeps_reason_in_history(app, seeded):
    route_pending(app)
    out = reassign(app, "hotline:h3", TRAFFIC, "电梯属特种设备，由市场监管转交交通", actor="信访办-张")
    assert out["from"] == HOUSING and out["to"] == TRAFFIC
    last = [h for h in app.store.history("hotline:h3") if h["field"] == "department"][-1]
    assert (last["old_value"], last["new_value"], last["origin"]) == (HOUSING, TRAFFIC, "reassign")
    assert last["actor"] == "信访办-张" and "特种设备" in last["note"]
    assert app.store.owner_of(app.config, "hotline:h3") == TRAFFIC
    assert app.store.get_analysis("hotline:h3").department == HOUSING  # the classifier's proposal stays its own


def test_reassign_from_triage_routes_the_demand(app, seeded):
    route_pending(app)
    reassign(app, "hotline:t1", "住建局", "人工判断属物业问题", actor="信访办")
    assert app.store.route_of("hotline:t1")["department"] == HOUSING
    assert app.store.get("hotline:t1")["status"] == "routed"
    assert app.store.triage_queue() == []


@pytest.mark.parametrize("dept,reason,actor,msg", [
    ("不存在的局", "原因", "张", "未知部门"),
    (TRAFFIC, "  ", "张", "原因"),
    (TRAFFIC, "原因", "", "操作人"),
])
def test_reassign_rejects_bad_requests(app, seeded, dept, reason, actor, msg):
    route_pending(app)
    with pytest.raises(RoutingError, match=msg):
        reassign(app, "hotline:h1", dept, reason, actor)


def test_reassign_unknown_record(app, seeded):
    with pytest.raises(RoutingError, match="不存在"):
        reassign(app, "hotline:nope", TRAFFIC, "原因", "张")


def test_department_named_by_source_wins():
    cfg = load_config()
    d = decide(cfg, "市住建局", LABOUR, "model", 0.99)
    assert (d.department, d.reason) == (HOUSING, "given")


def test_low_confidence_model_decision_goes_to_triage():
    cfg = load_config()
    assert decide(cfg, None, HOUSING, "model", 0.1).department is None
    assert decide(cfg, None, HOUSING, "rule", 0.1).department == HOUSING


def test_unknown_classifier_department_goes_to_triage():
    assert decide(load_config(), None, "火星局", "rule", 0.9).queue == "triage"


def test_already_replied_demand_is_routed_without_status_change(app):
    seed(app.store, [(demand("r1", "路灯不亮", status="replied", reply_text="已修复"),
                      analysis("hotline:r1", "路灯不亮", "", "城市管理局"))])
    route_pending(app)
    assert app.store.get("hotline:r1")["status"] == "replied"
    assert app.store.route_of("hotline:r1")["department"] == "城市管理局"


def test_department_given_by_source_routes_before_classification(app):
    seed(app.store, [(demand("g1", "路灯不亮", department_given="城管局"),
                      analysis("hotline:g1", "路灯不亮", "", None, reason=None, confidence=None)),
                     (demand("g2", "路灯不亮", department_given="不存在的单位"),
                      analysis("hotline:g2", "路灯不亮", "", None, reason=None, confidence=None))])
    stats = route_pending(app)
    assert stats.routed == 1 and stats.triage == 0
    assert app.store.route_of("hotline:g1")["reason"] == "given"
    assert app.store.route_of("hotline:g2") is None          # waits for the classifier


def _backdate(store, record_id: str, hours: float) -> None:
    """As if the demand had last changed ``hours`` before the last good route run started."""
    from sqlalchemy import update

    from suqiu.store import schema
    from suqiu.store.engine import to_db_time
    at = to_db_time(store.last_ok_start("route") - timedelta(hours=hours))
    with store.begin() as conn:
        conn.execute(update(schema.records).where(schema.records.c.id == record_id).values(updated_at=at))
        conn.execute(update(schema.analysis).where(schema.analysis.c.record_id == record_id).values(updated_at=at))


def test_a_run_reads_only_the_demands_changed_since_the_last_good_run(app, seeded):
    route_pending(app)
    seed(app.store, [(demand("late", "楼道灯坏了"), analysis("hotline:late", "楼道灯坏了", department=HOUSING)),
                     (demand("old", "小区漏水"), analysis("hotline:old", "小区漏水", department=HOUSING))])
    _backdate(app.store, "hotline:old", hours=2)     # older than the last run less its margin
    stats = route_pending(app)
    assert stats.routed == 1 and app.store.route_of("hotline:late")["department"] == HOUSING
    assert app.store.route_of("hotline:old") is None


def test_a_demand_changed_just_before_the_last_run_is_still_routed(app, seeded):
    route_pending(app)
    seed(app.store, [(demand("edge", "楼道灯坏了"), analysis("hotline:edge", "楼道灯坏了", department=HOUSING))])
    _backdate(app.store, "hotline:edge", hours=0.5)  # within the margin: a batch committed late
    assert route_pending(app).routed == 1


def test_a_batch_of_routes_starts_each_clock_and_keeps_what_the_work_orders_held(app, seeded):
    """Routing writes its work orders in bulk: an existing one (the receipt's code) is updated, not
    replaced; a demand without one gets it; a demand that cannot move only has its version moved."""
    seed(app.store, [(demand("r1", "路灯不亮", status="replied", reply_text="已修复"),
                      analysis("hotline:r1", "路灯不亮", "", "城市管理局"))])
    with app.store.begin() as conn:   # a demand signed for before: a new route starts its clock again
        app.store.save_work_order(conn, "hotline:h3", {"signed_at": app.store.get("hotline:h3")["received_at"],
                                                        "signed_by": "张三"})
    codes = {}
    route_pending(app)
    for rid in ("hotline:h1", "hotline:h2", "hotline:h3", "hotline:l1"):
        wo = app.store.work_order(rid)
        assert wo["routed_at"] is not None and wo["signed_at"] is None and wo["signed_by"] is None
        assert wo["verify_code"], rid                 # the receipt's code survives the update
        codes[rid] = wo["verify_code"]
    assert app.store.work_order("hotline:r1")["routed_at"] is None   # replied: no clock to start
    seed(app.store, [(demand("n1", "噪音扰民", days=0.5), analysis("hotline:n1", "噪音扰民", "", HOUSING))])
    versions = {rid: app.store.get(rid)["version"] for rid in ("hotline:n1", "hotline:r1", "hotline:h1")}
    with app.store.begin() as conn:                   # no receipt yet: the work order is inserted
        app.store.write_routes(conn, [("hotline:n1", HOUSING, "model", 0.9), ("hotline:r1", LABOUR, "manual", None),
                                      ("hotline:h1", LABOUR, "manual", None)],
                               origin="routing", triage_label="待人工分派", routable=("received",))
    assert app.store.work_order("hotline:n1")["routed_at"] is not None
    assert app.store.get("hotline:n1")["status"] == "routed"
    assert app.store.get("hotline:r1")["version"] == versions["hotline:r1"] + 1
    assert app.store.work_order("hotline:h1")["verify_code"] == codes["hotline:h1"]
    assert app.store.get("hotline:h1")["version"] == versions["hotline:h1"] + 1
