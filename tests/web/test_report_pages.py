"""The reports page: every report listed, viewable and downloadable by the office only, and the
每月一题 picked through a form."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from reports.collect import write_weekly_report
from reports.leaders_collect import write_leaders_report
from reports.periods import Period
from suqiu.store import now_local
from suqiu.twoway.accounts import add_user
from suqiu.weeks import Week
from tests.reports.test_leaders import seed_history
from tests.web.conftest import csrf_from, login

PASSWORDS = {"office": "office-pass-1", "jt": "jt-pass-001"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """One installation with a history and its reports for the module (the pick test adds a pick)."""
    from suqiu.installation import Installation, write_default_config
    home = tmp_path_factory.mktemp("reports-home")
    write_default_config(home)
    inst = Installation.load(home, environ={})
    yield inst
    inst.store.close()


@pytest.fixture(scope="module")
def site(app):
    from suqiu.web.application import create_app
    seed_history(app)
    add_user(app.store, "office", PASSWORDS["office"], "office", config=app.config)
    add_user(app.store, "jt", PASSWORDS["jt"], "department", "交通运输局", config=app.config)
    write_leaders_report(app, Period.parse("2026-11"))
    write_weekly_report(app, Week.parse("2026-W47"))
    with TestClient(create_app(app), base_url="http://127.0.0.1") as c:
        yield c


def test_office_lists_views_and_downloads_reports(site):
    site.cookies.clear()
    login(site, "office", PASSWORDS["office"])
    page = site.get("/reports")
    assert page.status_code == 200 and "月报" in page.text and "2026年11月" in page.text and "周报" in page.text
    html = site.get(f"/reports/2026-11/{quote('诉求月报-2026-11.html')}")
    assert html.status_code == 200 and "群众诉求月报" in html.text
    csp = html.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp          # a document: no script at all
    docx = site.get(f"/reports/2026-11/{quote('诉求月报-2026-11.docx')}")
    assert docx.status_code == 200 and docx.headers["content-disposition"].startswith("attachment")
    assert docx.content[:2] == b"PK"
    assert site.get(f"/reports/2026-W47/{quote('诉求周报-2026-W47-附表.xlsx')}").status_code == 200


@pytest.mark.parametrize("path", ["/reports/2026-11/..%2Fsuqiu.toml", "/reports/..%2F..%2F/x.html",
                                  f"/reports/2026-11/{quote('每月一题候选-2026-11.json')}",
                                  f"/reports/2026-10/{quote('诉求月报-2026-10.html')}"])
def test_only_report_files_can_be_named(site, path):
    site.cookies.clear()
    login(site, "office", PASSWORDS["office"])
    assert site.get(path).status_code == 404


def test_departments_do_not_see_the_reports(site):
    site.cookies.clear()
    login(site, "jt", PASSWORDS["jt"])
    assert site.get("/reports").status_code == 403
    assert site.get(f"/reports/2026-11/{quote('诉求月报-2026-11.html')}").status_code == 403


def test_office_picks_the_monthly_topic_with_the_form(site, app):
    site.cookies.clear()
    login(site, "office", PASSWORDS["office"])
    page = site.get("/reports")
    month = str(Period.last_complete(now_local(), "month"))
    resp = site.post("/reports/topic-pick", data={"month": month, "topic_id": "1", "note": "集中整治",
                                                  "csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert resp.status_code == 303
    pick = app.store.documents("topic_pick")[month]
    assert pick["topic_id"] == 1 and pick["by"] == "office" and pick["note"] == "集中整治"
    assert "物业 收费" in site.get("/reports").text
    bad = site.post("/reports/topic-pick", data={"month": month, "topic_id": "1", "csrf_token": "forged"})
    assert bad.status_code == 400
