"""Rows stored with impossible dates before the window was enforced (issue 18, item 4).

New input is refused by ``suqiu.model`` (tests/test_model_dates.py); rows already in a store
(0001-01-01, 1899, 2099, 9999-12-31) must not stop anything that reads them: ``suqiu analyze``
exits 0, ``suqiu run`` reaches route, index and the report, the detail page and the Excel export
answer 200. Such rows stay findable but are left out of what counts by week.
"""

from __future__ import annotations

import re
from datetime import datetime
from io import BytesIO
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import update
from typer.testing import CliRunner

from crawlers.synthetic.generator import generate, strip_truth
from suqiu.cli import app as cli
from suqiu.installation import Installation, write_default_config
from suqiu.model import build_demand
from suqiu.store import schema

pytestmark = pytest.mark.slow

LEGACY = {"L0001": datetime(1, 1, 1), "L1899": datetime(1899, 12, 31, 9), "L2099": datetime(2099, 5, 1, 9),
          "L9999": datetime(9999, 12, 31, 23, 59)}
runner = CliRunner()


def seed_legacy(home: Path) -> Installation:
    """Forty ordinary demands and four whose dates an older release let through."""
    write_default_config(home)
    inst = Installation.load(home, environ={})
    items = [build_demand(strip_truth(i)) for i in generate(40, seed=7, sources=["hotline"], bad_rate=0.0)]
    legacy = [build_demand({"source": "hotline", "source_id": sid, "received_at": "2026-11-20 09:00",
                            "channel": "电话", "title": "路灯不亮", "department_given": "城市管理局",
                            "content": f"鼓楼区五四路路灯不亮已经一周，晚上行人很危险（{sid}）"}) for sid in LEGACY]
    inst.store.upsert(items + legacy)
    with inst.store.begin() as conn:
        for sid, when in LEGACY.items():
            conn.execute(update(schema.records).where(schema.records.c.id == f"hotline:{sid}")
                         .values(received_at=when, replied_at=when if sid == "L0001" else None))
    return inst


@pytest.fixture(scope="module")
def legacy(tmp_path_factory):
    home = tmp_path_factory.mktemp("legacy-dates")
    inst = seed_legacy(home)
    results = {cmd: runner.invoke(cli, [cmd, "--home", str(home)]) for cmd in ("analyze", "route", "index")}
    yield inst, results
    inst.store.close()


@pytest.mark.parametrize("cmd", ["analyze", "route", "index"])
def test_the_pipeline_commands_exit_0(legacy, cmd):
    result = legacy[1][cmd]
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"


def test_every_row_is_analysed_and_indexed(legacy):
    inst, _ = legacy
    status = inst.store.status()
    assert status["analyzed"] == status["records"]["total"] == 44
    assert status["indexed"] == 44
    assert all(r["status"] == "ok" for r in status["runs"]), status["runs"]


def test_no_profile_or_warning_falls_in_an_impossible_week(legacy):
    inst, _ = legacy
    weeks = {r["week"] for r in inst.store.profile_rows()}
    assert weeks and all(re.fullmatch(r"20\d\d-W\d\d", w) and w <= "2026-W53" for w in weeks), weeks


@pytest.mark.parametrize("cmd", [["status", "--json"], ["digest", "--department", "all"], ["profiles"],
                                 ["hotspots"], ["report", "weekly", "--week", "2026-W47"]])
def test_readers_of_the_store_exit_0(legacy, cmd):
    inst, _ = legacy
    result = runner.invoke(cli, [*cmd, "--home", str(inst.home)])
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"


def test_search_still_finds_the_legacy_rows(legacy):
    inst, _ = legacy
    result = runner.invoke(cli, ["search", "路灯", "--json", "--home", str(inst.home)])
    assert result.exit_code == 0 and all(f"hotline:{sid}" in result.stdout for sid in LEGACY)


@pytest.fixture(scope="module")
def office(legacy):
    from suqiu.twoway.accounts import add_user
    from suqiu.web.application import create_app
    inst, _ = legacy
    add_user(inst.store, "boss", "boss-pass-123", "office", config=inst.config)
    with TestClient(create_app(inst), base_url="http://127.0.0.1") as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        client.post("/login", data={"username": "boss", "password": "boss-pass-123", "csrf_token": token,
                                    "next": "/search"}, follow_redirects=False)
        yield client


@pytest.mark.parametrize("sid", list(LEGACY))
def test_the_detail_page_of_a_legacy_row_answers(office, sid):
    r = office.get(f"/records/hotline:{sid}", headers={"accept": "text/html"})
    assert r.status_code == 200
    assert f"{LEGACY[sid]:%Y}"[:1] and f"{LEGACY[sid].year:04d}-{LEGACY[sid].month:02d}" in r.text


def test_the_search_page_and_the_export_hold_the_legacy_rows(office):
    assert office.get("/search", params={"q": "路灯"}).status_code == 200
    r = office.get("/search/export.xlsx", params={"q": "路灯"})
    assert r.status_code == 200
    cells = [str(c) for row in load_workbook(BytesIO(r.content)).active.iter_rows(values_only=True) for c in row]
    assert "0001-01-01 00:00" in cells and "9999-12-31 23:59" in cells


def test_the_department_api_lists_a_legacy_row(legacy):
    from suqiu.twoway.tokens import create_token
    from suqiu.web.application import create_app
    inst, _ = legacy
    _, token = create_token(inst, "城市管理局", "test", "department")
    with TestClient(create_app(inst), base_url="http://127.0.0.1") as client:
        r = client.get("/api/v1/demands", headers={"authorization": f"Bearer {token}"}, params={"limit": 100})
        assert r.status_code == 200
        one = client.get("/api/v1/demands/hotline:L0001", headers={"authorization": f"Bearer {token}"})
        assert one.status_code == 200 and one.json()["received_at"].startswith("0001-01-01")


def test_suqiu_run_reaches_route_index_and_report(tmp_path, prefect_harness):
    from flows.pipeline import pipeline
    inst = seed_legacy(tmp_path / "home")
    result = pipeline(home=str(inst.home), sources=[], files=[], period="day", report_week="2026-W47")
    assert result["analyze"]["analyzed"] == 44
    assert result["route"]["route"]["routed"] + result["route"]["route"]["triage"] > 0
    assert result["index"]["indexed"] == 44 and result["index"]["ok"]
    assert result["report"]
