"""Named topics, real hotspots and folded near-duplicates, end to end in headless Chromium.

One installation is filled with the synthetic generator's demands (seeded) and run through the
real stages (text, topics, views), the embedded index and the weekly report; then `suqiu serve`
on 127.0.0.1 is driven in Chromium and the report's HTML is opened from disk.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser
PASSWORD = "office-pass-q2"


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from crawlers.synthetic import generate, strip_truth
    from nlp.stages.text import TextStage
    from nlp.stages.topics import TopicsStage
    from nlp.stages.views import ViewsStage
    from reports.collect import write_weekly_report
    from search.indexing import index_pending
    from suqiu.installation import Installation, write_default_config
    from suqiu.model import build_demand
    from suqiu.twoway.accounts import add_user
    from suqiu.weeks import Week

    home: Path = tmp_path_factory.mktemp("quality-home")
    write_default_config(home)
    app = Installation.load(home, environ={})
    items = [strip_truth(i) for i in generate(400, seed=11, sources=["hotline", "portal", "review"], bad_rate=0.0)]
    app.store.upsert([build_demand(i) for i in items], origin="test")
    for stage in (TextStage(workers=1), TopicsStage(), ViewsStage()):
        stage.run(app)
    assert index_pending(app).ok
    latest = max(i["received_at"] for i in items)
    week = Week.of(latest)
    report = write_weekly_report(app, week)
    add_user(app.store, "office", PASSWORD, "office", display_name="信访办", config=app.config)
    yield SimpleNamespace(app=app, home=app.home, store=app.store, week=week, report=report)
    app.store.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(installation) -> Iterator[str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUQIU_")}
    proc = subprocess.Popen([sys.executable, "-m", "suqiu.cli", "serve", "--home", str(installation.home),
                             "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/login", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                    pytest.fail(f"suqiu serve did not start: {out[-2000:]}")
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def page(chromium_browser, server):
    context = chromium_browser.new_context(locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    pg.set_default_navigation_timeout(60_000)  # the server's first text query loads jieba (slow on a busy machine)
    pg.goto(f"{server}/search")
    pg.fill("input[name=username]", "office")
    pg.fill("input[name=password]", PASSWORD)
    pg.click("button[type=submit]")
    pg.wait_for_url(f"{server}/search*")
    yield pg
    context.close()


def test_topic_facet_shows_names_and_outliers_as_other(page, server, installation) -> None:
    page.goto(f"{server}/search")
    names = page.locator('ul[data-facet="topic"] a').all_inner_texts()
    assert len(names) >= 3
    for name in names:
        assert not re.fullmatch(r"-?\d+", name.strip()), name
        assert "-1" not in name
    values = page.locator('ul[data-facet="topic"] a').evaluate_all("els => els.map(e => e.dataset.value)")
    if "-1" in values:
        assert names[values.index("-1")] == "其他"
    assert all(len(p) >= 2 for n in names if n != "其他" for p in n.split("·"))
    first = page.locator('ul[data-facet="topic"] a').first
    shown = first.inner_text()
    first.click()
    page.wait_for_url("**topic=*")
    assert page.locator(".active-filters .chip").first.inner_text() == f"主题：{shown} ✕"
    assert page.locator("li.hit .meta .topic").first.inner_text() == f"主题：{shown}"


def test_near_duplicates_fold_into_one_hit_that_opens_the_others(page, server) -> None:
    page.goto(f"{server}/search?q={quote('噪音 扰民')}")
    total, groups = int(page.inner_text("#total")), int(page.inner_text("#groups"))
    assert groups < total
    titles = page.locator("li.hit a.hit-link").all_inner_texts()
    assert len(titles) == len(set(titles)), titles   # the same complaint is not listed twice
    same = page.locator("li.hit a.same-group").first
    n = int(re.search(r"同类诉求 (\d+) 件", same.inner_text()).group(1))
    assert n >= 2
    same.click()
    page.wait_for_url("**dup_group=*")
    assert int(page.inner_text("#total")) == n and page.locator("li.hit").count() == min(n, 10)
    assert page.locator("#groups").count() == 0       # an opened group is listed whole, unfolded
    assert "同类诉求：已展开一组" in page.inner_text(".active-filters")


def test_weekly_report_names_a_real_hotspot_first(chromium_browser, installation) -> None:
    from datetime import datetime
    hot = installation.store.hotspot_rows(100)
    assert hot and all(h["count"] >= 2 and h["requesters"] >= 2 for h in hot)   # never a single demand
    week_start = installation.week.start
    top = next(h for h in hot if datetime.fromisoformat(h["end"]) >= week_start)   # hottest still active
    ctx = chromium_browser.new_context()
    pg = ctx.new_page()
    try:
        pg.goto(Path(installation.report["html"]).as_uri())
        body = pg.inner_text("body")
        line = next(ln for ln in body.splitlines() if "首要热点" in ln)
        m = re.search(r"(\d+) 项诉求、(\d+) 位诉求人", line)
        assert m and int(m.group(1)) >= 2 and int(m.group(2)) >= 2, line
        assert top["headline"] in line
        topics = pg.locator("h3:has-text('本周诉求最多的话题') + table td:first-child").all_inner_texts()
        assert topics and all(not re.fullmatch(r"-?\d+|话题 ?-?\d+", t.strip()) for t in topics), topics
        hot_rows = pg.locator("h3:has-text('热点问题') + table tbody tr").count()
        assert hot_rows >= 1
    finally:
        ctx.close()
