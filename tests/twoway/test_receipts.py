"""Receipts are issued in bulk: each demand its own code and its own phone's tail, once."""

from __future__ import annotations

from suqiu.twoway.receipts import issue_receipts, requester_key
from tests.twoway.seed import analysis, demand, seed


def _seed_many(app, n: int) -> list[str]:
    rows = [(demand(f"p{i}", f"路灯不亮，联系电话1391234{i:04d}" if i % 3 else "路灯不亮，无电话", days=i / 1000),
             analysis(f"hotline:p{i}", "路灯不亮", "", None)) for i in range(n)]
    return seed(app.store, rows)


def test_every_demand_gets_its_own_code_and_its_own_phone_once(app):
    ids = _seed_many(app, 1205)                # more than one batch of 500 and of the 5,000 limit's reads
    assert issue_receipts(app, limit=700) == 1205
    orders = {rid: app.store.work_order(rid) for rid in ids}
    assert all(len(o["verify_code"]) == 6 for o in orders.values())
    assert len({o["verify_code"] for o in orders.values()}) > 1100       # random codes, not one for all
    for i, rid in enumerate(ids):
        o = orders[rid]
        if i % 3:
            assert o["phone_tail"] == f"{i:04d}" and o["requester_key"] == requester_key(f"1391234{i:04d}")
        else:
            assert o["phone_tail"] is None and o["requester_key"] is None
    assert issue_receipts(app) == 0            # once: a second run issues nothing and changes no code
    assert {rid: app.store.work_order(rid)["verify_code"] for rid in ids} == {
        rid: o["verify_code"] for rid, o in orders.items()}
