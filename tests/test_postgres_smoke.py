"""The store runs on the test command's real PostgreSQL, not only on the embedded SQLite."""

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect

from suqiu.model import SHANGHAI, Analysis, Demand, build_demand
from suqiu.store import Store

pytestmark = pytest.mark.postgres


def _d(source_id: str, **kw: object) -> Demand:
    base = {"source": "hotline", "source_id": source_id, "received_at": "2026-11-20 09:30:00",
            "title": "噪音扰民", "content": "工地夜间施工噪音扰民，希望有关部门处理。", "channel": "电话",
            "district": "仓山区"}
    base.update(kw)
    return build_demand(base)


@pytest.fixture
def pg_store(pg_test_url: str):
    store = Store.open(pg_test_url)
    yield store
    store.close()


def test_server_is_postgresql(pg_store):
    assert pg_store.engine.dialect.name == "postgresql"
    assert "records" in inspect(pg_store.engine).get_table_names()


def test_upsert_and_read_back(pg_store):
    demands = [_d("GD-1"), _d("GD-2", title="路灯损坏", content="小区门口路灯坏了三天。", district="鼓楼区"),
               _d("GD-3", received_at="2026-11-21 23:59:59", content="深夜广场舞音响太吵。")]
    stats = pg_store.upsert(demands)
    assert (stats.new, stats.updated, stats.unchanged) == (3, 0, 0)
    assert pg_store.count() == 3
    row = pg_store.get("hotline:GD-2")
    assert row["title"] == "路灯损坏" and row["content"] == "小区门口路灯坏了三天。" and row["district"] == "鼓楼区"
    assert pg_store.get("hotline:GD-3")["received_at"] == datetime(2026, 11, 21, 23, 59, 59, tzinfo=SHANGHAI)
    assert [r["id"] for r in pg_store.iter_records()] == ["hotline:GD-1", "hotline:GD-2", "hotline:GD-3"]


def test_unchanged_is_noop_and_change_keeps_history(pg_store):
    pg_store.upsert([_d("GD-1")])
    assert pg_store.upsert([_d("GD-1")]).unchanged == 1
    stats = pg_store.upsert([_d("GD-1", status="replied", reply_text="已责令停工", replied_at="2026-11-21 10:00")])
    assert stats.updated == 1
    row = pg_store.get("hotline:GD-1")
    assert row["status"] == "replied" and row["version"] == 2
    changes = {h["field"]: (h["old_value"], h["new_value"]) for h in pg_store.history("hotline:GD-1")}
    assert changes["status"] == ("received", "replied")


def test_stage_state_and_analysis(pg_store):
    pg_store.upsert([_d("GD-1"), _d("GD-2")])
    assert pg_store.pending("analyze") == ["hotline:GD-1", "hotline:GD-2"]
    pg_store.save_analysis([Analysis(record_id="hotline:GD-1", normalized_text="工地 噪音")], stage="analyze")
    assert pg_store.pending("analyze") == ["hotline:GD-2"]
    assert pg_store.get_analysis("hotline:GD-1").normalized_text == "工地 噪音"


def test_each_test_gets_an_empty_database(pg_store):
    assert pg_store.count() == 0


def test_quota_is_atomic_on_postgresql(pg_store):
    """Open311 filing budgets: concurrent callers never overspend one window (one conditional UPDATE)."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import timedelta
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda _: pg_store.take_quota("open311-post:1", 5, timedelta(hours=1)), range(40)))
    assert got.count(True) == 5
    later = datetime(2030, 1, 1, 12, tzinfo=SHANGHAI)   # a new window starts afresh
    assert pg_store.take_quota("open311-post:1", 5, timedelta(hours=1), now=later)


def test_listing_follows_the_publication_levels_on_postgresql(pg_store):
    from suqiu.config import load_config
    from suqiu.principals import Principal
    from suqiu.store import DemandFilter
    config = load_config(Path("/nonexistent-suqiu-home"))
    pg_store.upsert([_d(f"L{i}", department_given="住房和城乡建设局") for i in range(4)])
    pg_store.save_analysis([Analysis(record_id=f"hotline:L{i}", masked_text="x", publication=level)
                            for i, level in enumerate(("public", "internal", "office_only", None))])
    def seen(who):
        return {r["id"] for r in pg_store.demand_rows(config, DemandFilter(visible_to=who))}
    assert seen(Principal.public()) == {"hotline:L0"}
    assert seen(Principal.for_department("住房和城乡建设局")) == {"hotline:L0", "hotline:L1"}
    assert seen(Principal("client", scope=("住房和城乡建设局",))) == {"hotline:L0", "hotline:L1"}
    assert len(seen(Principal.office())) == 4
