"""The three rates: 响应率 (signed within the limit), 解决率 (called back as solved), 满意率, with
minimum counts, a composite score, per department and per week."""

from __future__ import annotations

from datetime import timedelta

import pytest

from suqiu.principals import Principal
from suqiu.store import now_local
from suqiu.twoway import office_steps as office
from suqiu.twoway import workorders as work
from suqiu.twoway.dispatch import route_pending
from suqiu.twoway.rates import Rates, department_rates, ranked, weekly_rates
from suqiu.weeks import Week
from tests.twoway.seed import HOUSING, LABOUR, analysis, demand, seed

ZJ = Principal.for_department(HOUSING, name="zjj")
OFFICE = Principal.office(name="zhang")


@pytest.fixture
def five(app):
    """Five housing demands received this week, routed now; min_count 2 so rates count."""
    app.config.tracking.min_count = 2
    at = now_local() - timedelta(hours=1)
    seed(app.store, [(demand(f"r{i}", f"物业问题{i}", f"物业{i}", received_at=at),
                      analysis(f"hotline:r{i}", f"物业问题{i}", f"物业{i}", HOUSING, urgency_level="low"))
                     for i in range(5)] + [
        (demand("x1", "工资问题", "工资", received_at=at), analysis("hotline:x1", "工资问题", "工资", LABOUR))])
    route_pending(app)
    return app


def _routed_ago(app, rid: str, hours: float) -> None:
    with app.store.begin() as conn:
        app.store.save_work_order(conn, rid, {"routed_at": now_local() - timedelta(hours=hours)})


def test_response_counts_signing_within_the_limit(five):
    app = five
    work.sign(app, ZJ, "hotline:r0")                    # on time
    _routed_ago(app, "hotline:r1", 30)
    work.sign(app, ZJ, "hotline:r1")                    # 30 h after routing: the limit is 24 h
    _routed_ago(app, "hotline:r2", 30)                  # unsigned and past the limit: late
    work.reply(app, ZJ, "hotline:r3", "已处理", final=True)   # an answer signs it, on time
    r = department_rates(app.store, app.config, HOUSING)[HOUSING]
    assert (r.response_base, r.signed_on_time) == (4, 2)    # r4 is unsigned but still within its limit
    assert r.response_rate == 0.5


def test_resolution_and_satisfaction_come_from_callbacks(five):
    app = five
    for rid, solved, sat in (("hotline:r0", True, "满意"), ("hotline:r1", True, "基本满意"),
                             ("hotline:r2", False, "不满意")):
        work.reply(app, ZJ, rid, "已处理", final=True)
        office.callback(app, OFFICE, rid, solved=solved, satisfaction=sat)
    r = department_rates(app.store, app.config, HOUSING)[HOUSING]
    assert (r.called_back, r.solved, r.rated, r.satisfied) == (3, 2, 3, 2)
    assert r.resolution_rate == pytest.approx(2 / 3) and r.satisfaction_rate == pytest.approx(2 / 3)
    assert r.composite == pytest.approx(100 * (0.1 * 1.0 + 0.45 * 2 / 3 + 0.45 * 2 / 3))


def test_too_few_demands_give_no_composite(five):
    app = five
    app.config.tracking.min_count = 10
    work.reply(app, ZJ, "hotline:r0", "已处理", final=True)
    office.callback(app, OFFICE, "hotline:r0", solved=True, satisfaction="满意")
    r = department_rates(app.store, app.config, HOUSING)[HOUSING]
    assert r.response_rate == 1.0 and r.enough == {"response": False, "resolution": False, "satisfaction": False}
    assert r.composite is None and r.as_dict()["composite"] is None


def test_a_sources_own_satisfaction_counts_without_a_callback(app):
    app.config.tracking.min_count = 1
    seed(app.store, [(demand("s1", "噪音", "噪音", status="closed", reply_text="已处理", satisfaction="满意"),
                      analysis("hotline:s1", "噪音", "噪音", HOUSING))])
    route_pending(app)
    r = department_rates(app.store, app.config, HOUSING)[HOUSING]
    assert (r.rated, r.satisfied, r.called_back, r.response_base) == (1, 1, 0, 0)   # answered at the source: not timed


def test_per_week_by_the_week_received(five):
    app = five
    seed(app.store, [(demand("old", "物业旧件", "旧件", received_at=now_local() - timedelta(days=14)),
                      analysis("hotline:old", "物业旧件", "旧件", HOUSING))])
    route_pending(app)
    work.sign(app, ZJ, "hotline:old")
    this, before = Week.of(now_local()), Week.of(now_local() - timedelta(days=14))
    weekly = weekly_rates(app.store, app.config, [before, this])
    assert weekly[str(before)][HOUSING].signed_on_time == 1 and weekly[str(this)][HOUSING].signed_on_time == 0


def test_ranking_puts_departments_without_a_score_last():
    a, b, c = Rates("甲", min_count=1), Rates("乙", min_count=1), Rates("丙", min_count=5)
    for r, signed in ((a, 1), (b, 0), (c, 1)):
        r.response_base, r.signed_on_time, r.called_back, r.solved, r.rated, r.satisfied = 1, signed, 1, 1, 1, 1
    assert [r.department for r in ranked({"甲": a, "乙": b, "丙": c})] == ["甲", "乙", "丙"]


def _called_back(app, n: int = 3) -> None:
    for i in range(n):
        work.sign(app, ZJ, f"hotline:r{i}")
        work.reply(app, ZJ, f"hotline:r{i}", "已处理", final=True)
        office.callback(app, OFFICE, f"hotline:r{i}", solved=i != 2, satisfaction="不满意" if i == 2 else "满意")


def test_suqiu_figures_shows_the_three_rates(five, home):
    import json
    from typer.testing import CliRunner
    from suqiu.cli import app as cli
    _called_back(five)
    r = CliRunner().invoke(cli, ["figures", "--json"], env={"SUQIU_HOME": str(home), "SUQIU__TRACKING__MIN_COUNT": "2"})
    doc = json.loads(r.stdout)
    rates = doc["rates"][HOUSING]
    assert (rates["response_rate"], rates["resolution_rate"]) == (1.0, 0.6667) and rates["composite"] is not None
    assert doc["rates_ranking"] == [HOUSING]
    this_week = str(Week.of(now_local()))
    assert doc["rates_weekly"][this_week][HOUSING]["called_back"] == 3
    text = CliRunner().invoke(cli, ["figures"], env={"SUQIU_HOME": str(home), "SUQIU__TRACKING__MIN_COUNT": "2"})
    assert "响应率 100%（3/3）" in text.output and "解决率 67%（2/3）" in text.output


def test_the_digest_and_the_weekly_report_carry_the_rates(five):
    from reports.collect import collect_weekly
    from reports.digest import render_html, render_text
    from reports.digests import make_digest
    from reports.weekly import build_weekly
    app = five
    _called_back(app)
    digest, _ = make_digest(app, HOUSING, "day")
    assert digest.figures["resolution_rate"] == pytest.approx(2 / 3)
    assert "响应率（按时签收）" in render_html(digest) and "解决率 66.7%" in render_text(digest)
    section = next(s for s in build_weekly(collect_weekly(app, Week.of(now_local()))).sections if s.key == "departments")
    three = next(t for t in section.tables if t.title.startswith("各部门三率"))
    row = next(r for r in three.rows if r[0] == HOUSING)
    assert row[1] == "100%（3/3）" and row[2] == "67%（2/3）" and str(row[4]) != "样本不足" and row[4].value > 0
    trend = next(t for t in section.tables if t.title.startswith("三率综合得分周趋势"))
    assert trend.headers[-1] == str(Week.of(now_local()))


def test_the_office_figures_page(five):
    from fastapi.testclient import TestClient
    from suqiu.twoway.accounts import add_user
    from suqiu.web.application import create_app
    from tests.web.conftest import login
    app = five
    _called_back(app)
    add_user(app.store, "ban", "office-pass-1", "office", config=app.config)
    add_user(app.store, "zjj", "zjj-pass-001", "department", HOUSING, config=app.config)
    with TestClient(create_app(app), base_url="http://127.0.0.1") as client:
        login(client, "ban", "office-pass-1")
        page = client.get("/office/figures").text
        assert f'data-department="{HOUSING}"' in page and "3/3" in page and "2/3" in page
        assert "样本不足" in page                      # the other departments have no demands
        client.cookies.clear()
        login(client, "zjj", "zjj-pass-001")
        assert client.get("/office/figures").status_code == 404
        assert "解决率 67%（2/3）" in client.get("/work").text


def test_a_demand_the_source_had_routed_starts_its_signing_clock_when_routed_here(app):
    seed(app.store, [(demand("p1", "噪音", "噪音", status="routed", department_given="环保局"),
                      analysis("hotline:p1", "噪音", "噪音", None, reason=None))])
    route_pending(app)
    assert app.store.work_order("hotline:p1")["routed_at"] is not None
    assert app.store.get("hotline:p1")["status"] == "routed"


def test_rates_and_figures_read_only_the_weeks_they_cover(five, monkeypatch):
    """A report's rates and figures ask the store for demands received from their first week, not
    for the whole history (a million demands with their texts held 5 GB)."""
    from suqiu.twoway.tracking import department_figures
    seed(five.store, [(demand("old1", "物业问题旧", "物业旧", received_at=now_local() - timedelta(days=200)),
                       analysis("hotline:old1", "物业问题旧", "物业旧", HOUSING, urgency_level="low"))])
    route_pending(five)
    asked: list = []
    real = type(five.store).owned_rows

    def spy(self, config, department=None, statuses=None, since=None):
        rows = real(self, config, department, statuses, since=since)
        asked.append((since, {r["id"] for r in rows}))
        return rows

    since = Week.of(now_local()).start
    monkeypatch.setattr(type(five.store), "owned_rows",
                        lambda self, config, department=None, statuses=None, since=None: real(self, config, department))
    whole = (department_rates(five.store, five.config, since=since),
             weekly_rates(five.store, five.config, [Week.of(now_local())]))   # the history read whole, as before
    monkeypatch.setattr(type(five.store), "owned_rows", spy)
    assert (department_rates(five.store, five.config, since=since),
            weekly_rates(five.store, five.config, [Week.of(now_local())])) == whole
    assert department_figures(five.store, five.config, since=since)[HOUSING].assigned == 5
    assert len(asked) == 3 and all(s == since and "hotline:old1" not in ids for s, ids in asked)
    assert "hotline:old1" in {r["id"] for r in real(five.store, five.config)}


def test_a_digest_reads_its_recent_days_and_the_open_demands_not_the_history(five, monkeypatch):
    """The digest's figures cover the last FIGURES_DAYS; its open and overdue counts every open
    demand however old; a closed demand of long ago is never read (a million demands with their
    texts took 216 s and 1.3 GB for a day's digests)."""
    from reports.digest import render_text
    from reports.digests import FIGURES_DAYS, make_digest
    long_ago = now_local() - timedelta(days=400)
    seed(five.store, [(demand("old_open", "物业问题旧", "物业旧", received_at=long_ago),
                       analysis("hotline:old_open", "物业问题旧", "物业旧", HOUSING, urgency_level="low")),
                      (demand("old_done", "物业问题已办", "物业已办", received_at=long_ago),
                       analysis("hotline:old_done", "物业问题已办", "物业已办", HOUSING, urgency_level="low"))])
    route_pending(five)
    work.reply(five, ZJ, "hotline:old_done", "已处理", final=True)
    read: set = set()
    real = type(five.store).owned_rows

    def spy(self, config, department=None, statuses=None, since=None):
        rows = real(self, config, department, statuses, since=since)
        read.update(r["id"] for r in rows)
        return rows

    monkeypatch.setattr(type(five.store), "owned_rows", spy)
    digest, _ = make_digest(five, HOUSING, "day")
    assert "hotline:old_done" not in read
    f = digest.figures
    assert f["figures_days"] == FIGURES_DAYS and f["assigned"] == 5       # the five of this week
    assert f["open"] == 6 and f["overdue"] == 1                           # with the old open one
    assert f"三率（近 {FIGURES_DAYS} 天受理）" in render_text(digest)
