from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from suqiu.config import load_config
from suqiu.deadlines import Limit, time_limit
from suqiu.model import SHANGHAI
from suqiu.twoway.dispatch import route_pending
from suqiu.twoway.tracking import (
    DepartmentFigures, department_figures, overdue_count, overdue_items, rank_departments, satisfied,
)
from tests.twoway.seed import HOUSING, LABOUR, T0, analysis, demand, seed


def test_time_limit_prefers_category_then_department_then_default():
    cfg = load_config()
    assert time_limit(cfg, LABOUR, "拖欠工资") == Limit(5, "workdays")
    assert time_limit(cfg, LABOUR, "其他") == Limit(10, "workdays")
    assert time_limit(cfg, LABOUR, urgent=True) == Limit(24, "hours")
    assert time_limit(cfg, None) == Limit(15, "workdays")


def test_overdue_items_for_a_department(app, seeded):
    """T0 is Monday 2026-11-16: 15 working days end at 24:00 on Monday 2026-12-07, not on 12-01."""
    route_pending(app)
    before = datetime(2026, 12, 7, 23, 0, tzinfo=SHANGHAI)   # h3 is critical (24 h); l1 had 10 working days
    assert [i["record_id"] for i in overdue_items(app.store, app.config, HOUSING, now=before)] == ["hotline:h3"]
    now = datetime(2026, 12, 8, 1, 0, tzinfo=SHANGHAI)
    items = overdue_items(app.store, app.config, HOUSING, now=now)
    assert [i["record_id"] for i in items] == ["hotline:h3", "hotline:h1", "hotline:h2"]
    assert overdue_items(app.store, app.config, LABOUR, now=T0 + timedelta(days=5)) == []
    assert overdue_count(app.store, app.config, now=before) == 2          # h3 and l1
    assert overdue_count(app.store, app.config, now=now) == 5            # t1 (triage) counts the default


@pytest.mark.parametrize("value,expected", [
    ("满意", True), ("基本满意", True), ("不满意", False), ("5", True), ("2", False), ("", None), (None, None),
])
def test_satisfied(value, expected):
    assert satisfied(value) is expected


REPLY = ("经现场核查，该小区物业公司收取停车费未经业主大会表决。根据《福州市物业管理条例》第三十条规定，"
         "我局已责令物业公司于5月10日前整改，目前已退还多收的停车费用。如有疑问请拨打联系电话。")


def _replied(app, n: int, dept: str, hours: float, satisfaction: str | None = None, prefix: str = "r"):
    rows = []
    for i in range(n):
        d = demand(f"{prefix}{i}", "小区物业乱收停车费", days=i * 0.01, status="replied",
                   reply_text=REPLY,
                   replied_at=T0 + timedelta(days=i * 0.01, hours=hours), satisfaction=satisfaction)
        rows.append((d, analysis(d.id, "小区物业乱收停车费", "", dept)))
    seed(app.store, rows)
    route_pending(app)


def test_department_figures_count_replies_and_response_time(app):
    _replied(app, 4, HOUSING, hours=48, satisfaction="满意")
    f = department_figures(app.store, app.config, HOUSING)[HOUSING]
    assert f.assigned == 4 and f.answered == 4 and f.open == 0
    assert f.response_hours_median == pytest.approx(48)
    assert f.closure_rate == 1.0 and f.on_time_rate == 1.0 and f.satisfaction_rate == 1.0
    assert 0.5 < f.reply_quality_mean <= 1.0 and f.reply_quality_n == 4
    assert f.rankable is False   # 4 < tracking.min_count (10)


def test_reply_update_flows_into_figures(app, seeded):
    route_pending(app)
    before = department_figures(app.store, app.config, HOUSING)[HOUSING]
    assert before.answered == 0
    app.store.set_fields("hotline:h1", {"reply_text": "已处理", "replied_at": T0 + timedelta(days=2),
                                        "status": "replied"}, origin="api")
    after = department_figures(app.store, app.config, HOUSING)[HOUSING]
    assert after.answered == 1 and after.response_hours_median == pytest.approx(48)


def test_reopen_rate_counts_demands_ever_reopened(app):
    _replied(app, 2, HOUSING, hours=10)
    app.store.set_fields("hotline:r0", {"status": "reopened"}, origin="api")
    f = department_figures(app.store, app.config, HOUSING)[HOUSING]
    assert f.reopened == 1 and f.reopen_rate == 0.5


def test_ranking_leaves_out_departments_under_the_minimum():
    figs = {"A": DepartmentFigures("A", assigned=20, closure_rate=0.5),
            "B": DepartmentFigures("B", assigned=30, closure_rate=0.9),
            "C": DepartmentFigures("C", assigned=3, closure_rate=1.0)}
    out = rank_departments(figs, "closure_rate", min_count=10)
    assert [r["department"] for r in out["ranked"]] == ["B", "A"]
    assert [r["department"] for r in out["insufficient"]] == ["C"]


def test_ranking_lower_is_better_for_response_time():
    figs = {"A": DepartmentFigures("A", assigned=20, response_hours_median=50.0),
            "B": DepartmentFigures("B", assigned=20, response_hours_median=5.0)}
    assert rank_departments(figs, "response_hours_median", 10)["ranked"][0]["department"] == "B"


def test_ranking_unknown_metric():
    with pytest.raises(ValueError):
        rank_departments({}, "nonsense", 10)
