"""End to end in real headless Chromium against `suqiu serve` on 127.0.0.1 (a free port)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from tests.web.seed import HB, JT, PASSWORDS

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(seeded_app) -> Iterator[str]:
    """`suqiu serve` in a child process on the seeded installation; its URL."""
    app, _ids = seeded_app
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUQIU_")}
    proc = subprocess.Popen([sys.executable, "-m", "suqiu.cli", "serve", "--home", str(app.home),
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
def page(chromium_browser):
    context = chromium_browser.new_context(locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.dialogs = dialogs  # type: ignore[attr-defined]
    yield pg
    context.close()


def _login(page, server: str, username: str) -> None:
    page.goto(f"{server}/search")
    assert "/login" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORDS[username])
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/search*")


def test_office_searches_filters_and_opens_a_record(page, server: str, seeded) -> None:
    _login(page, server, "office")
    page.fill("input[name=q]", "噪音")
    page.click("form.searchbar button[type=submit]")
    page.wait_for_url("**/search?q=*")
    assert page.inner_text("#total") == "3"
    assert page.locator("li.hit mark").first.inner_text() == "噪音"
    page.click(f'ul[data-facet="department"] a[data-value="{HB}"]')
    page.wait_for_url(f"**department={quote(HB)}*")
    assert page.inner_text("#total") == "2"
    assert page.locator(".active-filters .chip").first.inner_text().startswith("承办部门")
    page.click("a.hit-link:has-text('夜间噪音投诉')")
    page.wait_for_url("**/records/**")
    assert page.inner_text(".routed-department") == HB
    assert "联系电话[手机号]" in page.inner_text(".reply-text")
    assert page.locator("table.history tbody tr").count() >= 2
    page.click("text=← 返回检索结果")
    page.wait_for_url(f"**department={quote(HB)}*")
    assert page.inner_text("#total") == "2"


def test_script_in_a_message_renders_as_text(page, server: str, seeded) -> None:
    _login(page, server, "office")
    page.goto(f"{server}/search?q={quote('噪音')}")
    page.goto(f"{server}/records/{quote(seeded['1005'])}")
    text = page.inner_text(".record-text")
    assert "<script>alert('xss')</script>" in text and "<img src=x onerror=alert(1)>" in text
    page.wait_for_timeout(300)  # give an injected image time to fail and fire
    assert page.dialogs == []
    assert page.evaluate("document.querySelectorAll('script, img, [onerror]').length") == 0
    page.goto(f"{server}/search?q={quote('<img src=x onerror=alert(2)>')}")
    page.wait_for_timeout(300)
    assert page.dialogs == []
    assert page.input_value("input[name=q]") == "<img src=x onerror=alert(2)>"


def test_department_cannot_reach_another_departments_record(page, server: str, seeded) -> None:
    _login(page, server, "jt")
    assert page.inner_text("#total") == "3"
    assert HB not in page.inner_text("main")
    resp = page.goto(f"{server}/records/{quote(seeded['1003'])}")
    assert resp.status == 404
    assert "未找到" in page.inner_text("main") and "工地" not in page.content()
    page.goto(f"{server}/search?department={quote(HB)}&q={quote('噪音')}")
    assert page.inner_text("#total") == "0"
    resp = page.goto(f"{server}/records/{quote(seeded['1001'])}")
    assert resp.status == 200 and page.inner_text(".routed-department") == JT


def test_kind_selector_finds_profiles_and_topics(page, server: str, seeded) -> None:
    _login(page, server, "office")
    page.select_option("select[name=kind]", "profile")
    page.click("form.searchbar button[type=submit]")
    page.wait_for_url("**kind=profile*")
    assert page.inner_text("#total") == "3" and "需求画像" in page.inner_text(".summary")
    assert page.locator("li.hit-profile").count() == 3 and page.locator("li.hit-profile a.hit-link").count() == 3
    page.click(f"li.hit-profile a.hit-link:has-text('{HB}')")
    page.wait_for_url("**/profiles/**")
    assert page.inner_text("h1") == f"{HB} · 2026-W45 需求画像"
    assert "3 件" in page.inner_text(".profile-volume") and "黑臭水体" in page.inner_text(".keywords")
    page.click("table.topic-mix a")  # the profile's topic mix links to the topic's page
    page.wait_for_url("**/topics/1")
    assert page.inner_text("h1") == "主题：公交 站台" and "公交站台损坏" in page.inner_text("ol.representatives")
    page.goto(f"{server}/search?kind=topic&q={quote('公交')}")
    assert page.inner_text("li.hit-topic h3") == "主题：公交 站台"
    page.wait_for_timeout(300)
    assert page.dialogs == []  # the XSS text among the profile's representatives never ran


def test_department_kind_selector_offers_its_profiles_only(page, server: str, seeded) -> None:
    _login(page, server, "jt")
    options = page.locator("select[name=kind] option").all_inner_texts()
    assert options == ["需求", "画像"]
    page.select_option("select[name=kind]", "profile")
    page.click("form.searchbar button[type=submit]")
    page.wait_for_url("**kind=profile*")
    assert page.inner_text("#total") == "1" and page.inner_text("li.hit-profile h3") == f"{JT} · 2026-W45 需求画像"
    page.click("li.hit-profile a.hit-link")
    page.wait_for_url("**/profiles/**")
    assert page.inner_text("h1") == f"{JT} · 2026-W45 需求画像" and page.locator("table.topic-mix a").count() == 0
    for url in (f"/profiles/{quote('department:' + HB + ':2026-W45')}", f"/profiles/{quote('district:鼓楼区:2026-W45')}",
                "/topics/1"):
        assert page.goto(server + url).status == 404
    page.goto(f"{server}/search?kind=topic")
    assert page.inner_text("#total") == "0"
