"""The store's reads and writes for the dashboard and the leaders' reports, on SQLite and PostgreSQL:
documents, arrivals with their points, owner-aware view rows, the urgency filter."""

from __future__ import annotations

from datetime import datetime

import pytest

from suqiu.config import load_config
from suqiu.model import SHANGHAI, Analysis, build_demand
from suqiu.store import DemandFilter, Store

AT = datetime(2026, 11, 2, 9, tzinfo=SHANGHAI)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_test_url")
    s = Store.open(url)
    yield s
    s.close()


@pytest.fixture
def config(tmp_path):
    return load_config(tmp_path / "nowhere")


def seed(store):
    store.upsert([build_demand({"source": "open311", "source_id": "a", "received_at": AT, "content": "井盖缺失",
                                "lat": 26.08, "lon": 119.30, "department_given": "城管局"}),
                  build_demand({"source": "hotline", "source_id": "b", "received_at": AT.replace(day=3),
                                "content": "五四路积水", "department_given": "交通局"})])
    store.save_analysis([Analysis(record_id="open311:a", masked_text="井盖缺失", urgency_level="high"),
                         Analysis(record_id="hotline:b", masked_text="五四路积水", urgency_level="low",
                                  places=[{"name": "五四路", "level": "road", "lon": 119.27, "lat": 26.11}])],
                        stage="analyze")


def test_documents_put_replace_and_read(store):
    store.put_documents("forecast", {"city:全市": {"mean": 1.5}, "district:鼓楼区": {"mean": 2}}, AT)
    store.put_documents("forecast", {"city:全市": {"mean": 3}}, AT)                  # updates one key
    assert store.documents("forecast") == {"city:全市": {"mean": 3}, "district:鼓楼区": {"mean": 2}}
    store.put_documents("forecast", {"topic:1": {"mean": 4}}, AT, replace=True)       # the kind holds these only
    store.put_documents("topic_pick", {"2026-11": {"topic_id": 1}}, AT)
    assert store.documents("forecast") == {"topic:1": {"mean": 4}} and store.documents("topic_pick")["2026-11"]


def test_arrivals_carry_points_and_follow_the_owner(store, config):
    seed(store)
    rows = store.arrivals(config, AT.replace(day=1))
    assert [(r[1], r[2]) for r in rows] == [(119.30, 26.08), (None, None)] and rows[1][3][0]["name"] == "五四路"
    assert [r[0] for r in store.arrivals(config, AT.replace(day=1), owner="交通运输局")] == [AT.replace(day=3)]
    assert store.arrivals(config, AT.replace(day=4)) == []


def test_view_rows_with_owners_and_the_urgency_filter(store, config):
    seed(store)
    owners = {r["id"]: r["owner"] for r in store.view_rows(config)}
    assert owners == {"open311:a": "城市管理局", "hotline:b": "交通运输局"}
    assert "owner" not in next(iter(store.view_rows()))
    rows = store.demand_rows(config, DemandFilter(urgency=["high", "critical"]))
    assert [r["id"] for r in rows] == ["open311:a"] and rows[0]["lat"] == 26.08
