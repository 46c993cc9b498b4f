"""已超时 and 即将超时 wherever a demand shows: the workbench queue, search hits and the record page."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

from search.indexing import index_pending
from suqiu.principals import Principal
from suqiu.store import now_local
from suqiu.twoway import office_steps, workorders
from suqiu.twoway.dispatch import route_pending
from tests.twoway.seed import HOUSING, analysis, demand, seed
from tests.web.test_workbench_pages import _as, wb  # noqa: F401  (the fixture)


def _with_one_due_soon(app) -> None:
    """h9: high urgency, received two hours ago: due in 22 of its 24 hours, so 即将超时."""
    at = now_local() - timedelta(hours=2)
    seed(app.store, [(demand("h9", "小区消防通道被占，车辆进不去", "消防通道被占", received_at=at),
                      analysis("hotline:h9", "小区消防通道被占，车辆进不去", "消防通道被占", HOUSING,
                               urgency_level="high"))])
    route_pending(app)
    index_pending(app)


def _hit(html: str, title: str) -> str:
    """The one result list item whose title is ``title``."""
    items = re.findall(r'<li class="hit">(.*?)</li>', html, re.S)
    return next(i for i in items if f">{title}<" in i)


def test_search_hits_carry_the_flags(wb):  # noqa: F811
    app, client = wb
    _with_one_due_soon(app)
    html = _as(client, "ban").get("/search", params={"q": "电梯 OR 停车费 OR 消防通道", "size": 20}).text
    assert '<span class="flag overdue">已超时</span>' in _hit(html, "电梯故障")          # critical, 2 days old
    assert '<span class="flag due-soon">即将超时</span>' in _hit(html, "消防通道被占")
    # h1 and h2 are one near-duplicate group (g1): the folded hit shows the newest, h2; 15 working days
    assert "flag" not in _hit(html, "物业乱收停车费")


def test_the_record_page_shows_the_limit_and_its_flag(wb):  # noqa: F811
    app, client = wb
    _with_one_due_soon(app)
    _as(client, "zjj")
    late = client.get(f"/records/{quote('hotline:h3', safe='')}").text
    due = late.split('<span id="due">', 1)[1].split('id="to-workbench"', 1)[0]
    assert "办理时限" in due and "已超时" in due
    assert 'href="/work/demands/hotline%3Ah3"' in late                                   # on to the workbench
    soon = client.get(f"/records/{quote('hotline:h9', safe='')}").text
    assert "即将超时" in soon and "已超时" not in soon
    calm = client.get(f"/records/{quote('hotline:h1', safe='')}").text
    assert 'id="due"' in calm and "已超时" not in calm and "即将超时" not in calm


def test_a_suspended_demand_is_not_flagged(wb):  # noqa: F811
    """The clock stops while a demand is suspended (挂起): no flag, though its limit has passed."""
    app, client = wb
    workorders.sign(app, Principal.for_department(HOUSING, name="zjj"), "hotline:h3", "签收")
    office_steps.suspend(app, Principal.office(name="ban"), "hotline:h3", "等待鉴定结果")
    index_pending(app)
    _as(client, "ban")
    page = client.get(f"/records/{quote('hotline:h3', safe='')}").text
    assert 'id="due"' in page and "已超时" not in page
    html = client.get("/search", params={"q": "电梯"}).text
    assert "已超时" not in _hit(html, "电梯故障")
