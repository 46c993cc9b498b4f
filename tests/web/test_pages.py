"""The pages over HTTP: login, access by URL and query, escaping, export, masking."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from tests.web.conftest import csrf_from, login
from tests.web.seed import FORMULA_TITLE, HB, JT


# --------------------------------------------------------------------------- login and sessions
@pytest.mark.parametrize("path", ["/", "/search", "/search?q=噪音", "/records/hotline:1001", "/search/export.xlsx"])
def test_pages_need_login(client, path: str) -> None:
    resp = client.get(path, follow_redirects=False)
    assert resp.status_code == 303
    assert resp.headers["location"].startswith("/login?next=")


def test_login_sets_a_hardened_cookie(client) -> None:
    page = client.get("/login")
    assert "登录" in page.text
    resp = client.post("/login", data={"username": "office", "password": "office-pass-1",
                                       "csrf_token": csrf_from(page.text), "next": "/search?q=公交"},
                       follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/search?q=" + quote("公交")
    cookie = resp.headers["set-cookie"]
    assert "suqiu_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "office-pass-1" not in cookie
    assert "信访办张三" in client.get("/search").text


def test_wrong_password_is_refused_in_chinese(client) -> None:
    page = client.get("/login")
    resp = client.post("/login", data={"username": "office", "password": "nope-nope",
                                       "csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert resp.status_code == 401
    assert "用户名或密码错误" in resp.text
    assert "suqiu_session" not in resp.headers.get("set-cookie", "")


def test_login_without_csrf_token_is_refused(client) -> None:
    client.get("/login")
    resp = client.post("/login", data={"username": "office", "password": "office-pass-1"}, follow_redirects=False)
    assert resp.status_code == 400 and "页面已过期" in resp.text
    resp = client.post("/login", data={"username": "office", "password": "office-pass-1",
                                       "csrf_token": "forged"}, follow_redirects=False)
    assert resp.status_code == 400


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"])
def test_login_never_redirects_off_site(client, target: str) -> None:
    page = client.get("/login")
    resp = client.post("/login", data={"username": "office", "password": "office-pass-1",
                                       "csrf_token": csrf_from(page.text), "next": target}, follow_redirects=False)
    assert resp.headers["location"] == "/"


def test_tampered_session_is_ignored(client) -> None:
    login(client, "jt")
    token = client.cookies.get("suqiu_session")
    body, mac = token.split(".")
    import base64
    import json
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["u"] = "office"
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    client.cookies.set("suqiu_session", f"{forged}.{mac}")
    assert client.get("/search", follow_redirects=False).status_code == 303


def test_logout_needs_csrf_and_ends_the_session(as_user) -> None:
    c = as_user("office")
    page = c.get("/search")
    assert c.post("/logout", data={}, follow_redirects=False).status_code == 400
    assert c.get("/search", follow_redirects=False).status_code == 200
    resp = c.post("/logout", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert resp.status_code == 303
    assert c.get("/search", follow_redirects=False).status_code == 303


def test_security_headers(as_user) -> None:
    resp = as_user("office").get("/search")
    csp = resp.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert resp.headers["x-frame-options"] == "DENY"
    assert "http://" not in resp.text.split("<main>")[0] and "https://" not in resp.text.split("<main>")[0]


# --------------------------------------------------------------------------- search and access
def _ids(html: str) -> set[str]:
    import re
    return {m.replace("%3A", ":") for m in re.findall(r'href="/records/([^"?]+)', html)}


def test_office_sees_every_department(as_user, seeded) -> None:
    html = as_user("office").get("/search").text
    assert _ids(html) == set(seeded.values())
    assert 'data-facet="department"' in html and JT in html and HB in html


def test_department_sees_only_its_own(as_user, seeded) -> None:
    c = as_user("jt")
    html = c.get("/search").text
    assert _ids(html) == {seeded["1001"], seeded["1002"], seeded["1006"]}
    assert HB not in html


@pytest.mark.parametrize("query", [
    f"department={quote(HB)}", f"q=噪音&department={quote(HB)}", "q=黑臭水体", "q=噪音", "q=工地 OR 河道",
    "district=仓山区", "topic=2", "q=-公交", "q=hotline:1003", "sort=heat&size=50",
])
def test_department_cannot_widen_by_query(as_user, seeded, query: str) -> None:
    html = as_user("jt").get(f"/search?{query}").text
    hb_ids = {seeded["1003"], seeded["1004"], seeded["1005"]}
    assert not (_ids(html) & hb_ids)
    assert "仓山区某工地" not in html and "黑臭" not in html.split('name="q"')[1].split("</form>")[1]


@pytest.mark.parametrize("path", [
    "/records/hotline:1003", "/records/hotline%3A1003", "/records/hotline:1003?back=/search",
    "/records/hotline:1005", "/records/hotline%3A1005/", "/records/./hotline:1004",
])
def test_department_cannot_open_another_departments_record(as_user, path: str) -> None:
    resp = as_user("jt").get(path, headers={"accept": "text/html"})
    assert resp.status_code == 404
    assert "未找到" in resp.text
    assert "工地" not in resp.text and "黑臭" not in resp.text and "噪音" not in resp.text


def test_forbidden_and_missing_look_the_same(as_user) -> None:
    c = as_user("jt")
    other = c.get("/records/hotline:1003", headers={"accept": "text/html"})
    missing = c.get("/records/hotline:999999", headers={"accept": "text/html"})
    assert other.status_code == missing.status_code == 404
    assert other.text == missing.text


def test_department_opens_its_own_record(as_user, seeded) -> None:
    resp = as_user("hb").get(f"/records/{seeded['1003']}")
    assert resp.status_code == 200
    assert "仓山区某工地夜间施工噪音扰民" in resp.text and HB in resp.text


def test_department_export_holds_only_its_own(as_user, seeded) -> None:
    resp = as_user("hb").get("/search/export.xlsx")
    ws = load_workbook(io.BytesIO(resp.content)).active
    ids = {ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)}
    assert ids == {seeded["1003"], seeded["1004"], seeded["1005"]}
    resp = as_user("hb").get(f"/search/export.xlsx?department={quote(JT)}")
    assert load_workbook(io.BytesIO(resp.content)).active.max_row == 1


def test_facet_filter_and_pagination(as_user, seeded) -> None:
    c = as_user("office")
    html = c.get(f"/search?department={quote(JT)}").text
    assert _ids(html) == {seeded["1001"], seeded["1002"], seeded["1006"]}
    assert "承办部门：交通运输局" in html                      # the active-filter chip
    page1 = c.get("/search?size=10&sort=time").text
    assert "下一页" not in page1
    html = c.get("/search?q=噪音&size=10&page=1&sort=time").text
    assert 'id="total">3<' in html


def test_bad_dates_get_a_chinese_message(as_user) -> None:
    resp = as_user("office").get("/search?from=2026-13-40")
    assert resp.status_code == 400 and "起始日期格式不正确" in resp.text
    resp = as_user("office").get("/search?from=2026-11-10&to=2026-11-01")
    assert resp.status_code == 400


def test_date_range(as_user, seeded) -> None:
    html = as_user("office").get("/search?from=2026-11-01&to=2026-11-02").text
    assert _ids(html) == {seeded["1001"], seeded["1002"]}


# --------------------------------------------------------------------------- escaping and masking
def test_message_text_is_escaped_in_results_and_detail(as_user, seeded) -> None:
    c = as_user("office")
    for html in (c.get("/search?q=噪音").text, c.get(f"/records/{seeded['1005']}").text):
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
    detail = c.get(f"/records/{seeded['1005']}").text
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in detail
    assert "现场核查属实" in detail and "&lt;b&gt;" not in detail   # free text (notes, replies) leaves without markup


def test_query_text_is_escaped_when_echoed(as_user) -> None:
    html = as_user("office").get('/search?q="><script>alert(1)</script>').text
    assert "<script>alert(1)</script>" not in html
    assert "&#34;&gt;&lt;script&gt;" in html


def test_reply_and_history_are_masked(as_user, seeded) -> None:
    html = as_user("office").get(f"/records/{seeded['1005']}").text
    assert "13812345678" not in html
    assert "联系电话[手机号]" in html
    assert "五四路88号3单元" in html                                  # office sees the address


def test_public_view_has_no_personal_fields(as_user, seeded) -> None:
    html = as_user("pub").get(f"/records/{seeded['1005']}").text
    assert "五四路88号3单元" not in html and "地址" not in html
    assert "诉求人类型" not in html and "答复单位" not in html and "操作人" not in html
    assert "联系电话[手机号]" in html


def test_levels_show_to_the_office_not_to_the_public(as_user, seeded) -> None:
    assert "可公开 · 一般" in as_user("office").get(f"/records/{seeded['1005']}").text
    assert "内部 · 一般" in as_user("jt").get(f"/records/{seeded['1001']}").text
    assert "分级分类" not in as_user("pub").get(f"/records/{seeded['1005']}").text


def test_public_sees_public_records_only(as_user, seeded) -> None:
    c = as_user("pub")
    assert c.get(f"/records/{seeded['1001']}").status_code == 404        # an internal work order: as missing
    html = c.get("/search?q=").text
    assert 'id="total">1<' in html and f"/records/{quote(seeded['1005'])}" in html
    assert "仓山区某工地" not in c.get("/search?q=噪音").text
    assert 'name="overdue"' not in html and 'data-facet="urgency"' not in html   # internal fields
    assert c.get("/search?urgency=high").status_code == 400
    sheet = load_workbook(io.BytesIO(c.get("/search/export.xlsx").content)).active
    cells = {str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None}
    assert seeded["1005"] in cells and not {seeded[k] for k in ("1001", "1002", "1003", "1004", "1006")} & cells


def test_export_neutralises_formulas(as_user, seeded) -> None:
    resp = as_user("office").get("/search/export.xlsx?q=公交")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in resp.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(resp.content)).active
    headers = [c.value for c in ws[1]]
    rows = [dict(zip(headers, [c for c in r])) for r in ws.iter_rows(min_row=2)]
    formula_row = next(r for r in rows if r["编号"].value == seeded["1006"])
    assert formula_row["标题"].value == FORMULA_TITLE          # shown as written, no apostrophe added
    assert formula_row["标题"].data_type == "s" and formula_row["标题"].quotePrefix
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)


def test_repeated_failed_logins_are_throttled(seeded_app) -> None:
    from fastapi.testclient import TestClient

    from suqiu.web.application import create_app
    from suqiu.web.auth import LoginThrottle
    api = create_app(seeded_app[0])
    api.state.login_throttle = LoginThrottle(seeded_app[0].store, base_s=60)  # no delay runs out mid-test
    # an address of its own: the throttle's counters live in the store the module's tests share
    client = TestClient(api, base_url="http://127.0.0.1", client=("10.0.0.226", 40000))
    page = client.get("/login")
    token = csrf_from(page.text)
    codes = [client.post("/login", data={"username": "pub", "password": f"wrong-{i}", "csrf_token": token},
                         follow_redirects=False).status_code for i in range(6)]
    assert codes == [401] * 5 + [429]
    resp = client.post("/login", data={"username": "pub", "password": "pub-pass-001", "csrf_token": token},
                       follow_redirects=False)
    assert resp.status_code == 429 and "秒后再试" in resp.text    # delayed, even with the right password
