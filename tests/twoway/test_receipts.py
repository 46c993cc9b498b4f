"""Receipts are issued in bulk: each demand its own code and its own phone's tail, once."""

from __future__ import annotations

import pytest

from suqiu.store import now_local
from suqiu.twoway.receipts import issue_receipts, requester_key
from tests.twoway.seed import analysis, demand, seed


@pytest.fixture
def app(engine_app):
    """Each test here on both engines (the pages compare row values)."""
    return engine_app


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


@pytest.mark.parametrize("changed", [False, True])
def test_pages_of_demands_without_a_receipt_go_on_from_the_last_one(app, changed):
    ids = _seed_many(app, 30)
    since = now_local().replace(year=2000) if changed else None
    first = app.store.without_receipt(12, since)
    rest = app.store.without_receipt(100, since, after=first[-1]["key"])
    assert len(first) == 12 and len(rest) == 18
    assert sorted(r["id"] for r in first + rest) == sorted(ids)    # each once, none skipped
    if not changed:
        assert [r["id"] for r in first + rest] == ids                # oldest first
