"""Each role's day in real headless Chromium against `suqiu serve` on 127.0.0.1.

A department clerk signs for a demand, gives an interim reply, returns one that is not theirs and
answers another; the office assigns a triage demand in one click from the router's suggestions,
approves an extension, calls a citizen back and reopens the demand answered 不满意.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from suqiu.installation import Installation, write_default_config
from suqiu.principals import Principal
from suqiu.store import now_local
from suqiu.twoway import workorders as work
from suqiu.twoway.accounts import add_user
from suqiu.twoway.dispatch import route_pending
from tests.twoway.seed import HOUSING, analysis, demand, seed
from tests.web.test_browser import _free_port

pytestmark = pytest.mark.browser
PASSWORDS = {"zjj": "zjj-browser-1", "ban": "office-browser-1"}
ZJ = Principal.for_department(HOUSING, name="zjj")
CANDIDATES = [{"department": HOUSING, "score": 0.48}, {"department": "市场监督管理局", "score": 0.3},
              {"department": "城市管理局", "score": 0.12}]


def _seed(app: Installation) -> None:
    at = now_local() - timedelta(hours=5)
    rows = [("d1", "小区物业乱收停车费，电话13812345678", "物业乱收停车费"), ("d2", "楼上装修噪音", "装修噪音"),
            ("d3", "小区电梯经常停运", "电梯停运"), ("o1", "物业不公示维修基金", "维修基金"),
            ("o2", "小区门口垃圾堆放", "垃圾堆放")]
    seed(app.store, [(demand(sid, text, title, received_at=at + timedelta(minutes=i)),
                      analysis(f"hotline:{sid}", text.replace("13812345678", "[手机号]"), title, HOUSING,
                               urgency_level="medium"))
                     for i, (sid, text, title) in enumerate(rows)] + [
        (demand("t1", "小区物业把绿地改成停车位", "绿地改车位", received_at=at),
         analysis("hotline:t1", "小区物业把绿地改成停车位", "绿地改车位", None, reason="triage", confidence=0.48,
                  route_candidates=CANDIDATES))])
    route_pending(app)
    add_user(app.store, "zjj", PASSWORDS["zjj"], "department", HOUSING, display_name="住建局李四", config=app.config)
    add_user(app.store, "ban", PASSWORDS["ban"], "office", display_name="信访办张三", config=app.config)
    # the office's day starts from the departments' earlier work: an extension request and an answer
    work.sign(app, ZJ, "hotline:o1")
    work.request_extension(app, ZJ, "hotline:o1", 5, "需业主大会表决后公示")
    work.reply(app, ZJ, "hotline:o2", "已安排保洁清运", final=True)


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[str, Installation]]:
    home: Path = tmp_path_factory.mktemp("workbench-home")
    write_default_config(home)
    app = Installation.load(home, environ={})
    _seed(app)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUQIU_")}
    proc = subprocess.Popen([sys.executable, "-m", "suqiu.cli", "serve", "--home", str(home), "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/login", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("suqiu serve did not start: " + (proc.stdout.read().decode(errors="replace")
                                                                   if proc.stdout else ""))
                time.sleep(0.2)
        yield url, app
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        app.store.close()


@pytest.fixture
def page(chromium_browser):
    context = chromium_browser.new_context(locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.errors = errors  # type: ignore[attr-defined]
    yield pg
    context.close()


def _login(page, url: str, username: str, landing: str) -> None:
    page.goto(f"{url}{landing}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORDS[username])
    page.click("form button[type=submit]")
    page.wait_for_url(f"{url}{landing}*")


def _open(page, title: str) -> None:
    page.click(f"a.item-link:has-text('{title}')")
    page.wait_for_url("**/work/demands/**")


def _count(page, tab: str) -> int:
    return int(page.inner_text(f'a[data-tab="{tab}"] .count'))


def test_a_departments_day(page, served) -> None:
    url, app = served
    _login(page, url, "zjj", "/work")
    assert _count(page, "pending") == 3 and "13812345678" not in page.content()
    _open(page, "物业乱收停车费")
    page.fill("#sign-form input[name=note]", "已接单，联系诉求人")
    page.click("#sign-form button")
    page.wait_for_url("**done=sign")
    assert page.inner_text("#status") == "已签收" and "已完成：签收" in page.inner_text(".notice")
    page.check("#reply-form input[value=interim]")
    page.fill("#reply-form textarea[name=text]", "已联系物业公司，正在核实收费依据。")
    page.click("#reply-form button")
    page.wait_for_url("**done=interim")
    assert page.inner_text("#status") == "办理中" and "阶段性答复" in page.inner_text("#replies")
    page.click("text=← 返回工单列表")
    assert _count(page, "doing") == 2 and _count(page, "pending") == 2      # o1 waits for its extension
    _open(page, "电梯停运")
    page.fill("#return-form textarea[name=reason]", "电梯属特种设备，请转市场监督管理局")
    page.click("#return-form button")
    page.wait_for_url("**/work?tab=returned&done=return")
    assert _count(page, "returned") == 1 and "特种设备" in page.inner_text("#queue")
    assert page.goto(f"{url}/work/demands/hotline%3Ad3").status == 404    # no longer this department's
    page.errors.clear()
    page.goto(f"{url}/work")
    _open(page, "装修噪音")
    page.check("#reply-form input[value=final]")
    page.fill("#reply-form textarea[name=text]", "已上门劝导，装修时间调整为工作日白天。")
    page.click("#reply-form button")
    page.wait_for_url("**done=answer")
    assert page.inner_text("#status") == "已答复"
    page.goto(f"{url}/work?tab=done")
    assert "装修噪音" in page.inner_text("#queue")
    assert app.store.get("hotline:d3")["status"] == "returned" and app.store.get("hotline:d2")["replied_by"] == HOUSING
    assert page.errors == []


def test_the_offices_day(page, served) -> None:
    url, app = served
    _login(page, url, "ban", "/office")
    assert page.inner_text('a[data-card="triage"] .big') >= "1"
    page.click('a[data-card="triage"]')
    row = page.locator('tr[data-id="hotline:t1"]')
    assert row.locator("button.assign-suggestion").count() == 3 and "模型判断概率 48%" in row.inner_text()
    row.locator('button.assign-suggestion[data-rank="1"]').click()
    page.wait_for_url("**/office/triage?done=route")
    assert page.locator('tr[data-id="hotline:t1"]').count() == 0
    assert app.store.owner_of(app.config, "hotline:t1") == HOUSING
    page.goto(f"{url}/office/extensions")
    ext = page.locator('tr[data-id="hotline:o1"]')
    assert "需业主大会表决后公示" in ext.inner_text()
    ext.locator("input[name=note]").fill("同意延期")
    ext.locator("button.grant").click()
    page.wait_for_url("**/office/extensions?done=grant_extension")
    assert "没有待审批的延期申请" in page.inner_text("main")
    page.goto(f"{url}/office/callbacks")
    cb = page.locator('tr[data-id="hotline:o2"]')
    cb.locator("input[value=no]").check()
    cb.locator("select[name=satisfaction]").select_option("不满意")
    cb.locator("input[name=note]").fill("垃圾仍未清运")
    cb.locator("button").click()
    page.wait_for_url("**/office/callbacks?done=callback")
    page.goto(f"{url}/work/demands/hotline%3Ao2")
    assert page.inner_text("#status") == "重新办理" and "回访" in page.inner_text("table.history")
    due = page.inner_text("#due")
    assert due > f"{now_local() + timedelta(days=7):%Y-%m-%d}"        # a fresh 15 working days from now
    assert app.store.work_order("hotline:o2")["solved"] is False
    page.goto(f"{url}/office/audit?record_id=hotline%3Ao2")
    assert "回访" in page.inner_text("#audit") and "信访办（ban）" in page.inner_text("#audit")
    assert page.errors == []
