"""The citizen's status page: receipt number plus code (or the phone's last four digits), masked
replies, nothing without the proof, rate-limited, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from suqiu.principals import Principal
from suqiu.store import now_local
from suqiu.twoway import workorders as work
from suqiu.twoway.dispatch import route_pending
from suqiu.web.application import create_app
from tests.twoway.seed import HOUSING, analysis, demand, seed
from tests.web.conftest import csrf_from

ZJ = Principal.for_department(HOUSING, name="zjj")


@pytest.fixture
def citizen(app):
    seed(app.store, [(demand("GD2026001", "小区物业乱收停车费", "物业乱收费", received_at=now_local() - timedelta(days=1),
                             requester="王女士 13812345678"),
                      analysis("hotline:GD2026001", "小区物业乱收停车费", "物业乱收费", HOUSING)),
                     (demand("GD2026002", "噪音扰民", "噪音", received_at=now_local() - timedelta(days=1)),
                      analysis("hotline:GD2026002", "噪音扰民", "噪音", "生态环境局"))])
    route_pending(app)
    work.sign(app, ZJ, "hotline:GD2026001")
    work.reply(app, ZJ, "hotline:GD2026001", "正在核实，经办人电话13900001111", final=False)
    with TestClient(create_app(app), base_url="http://127.0.0.1") as client:
        yield app, client


def _lookup(client, number: str, proof: str):
    token = csrf_from(client.get("/status").text)
    return client.post("/status", data={"csrf_token": token, "number": number, "proof": proof})


def test_receipt_number_and_code_show_status_and_masked_replies(citizen):
    app, client = citizen
    code = app.store.work_order("hotline:GD2026001")["verify_code"]
    assert code and len(code) == 6 and code.isdigit()
    r = _lookup(client, "GD2026001", code)
    assert r.status_code == 200 and "办理中" in r.text and HOUSING in r.text
    assert "正在核实" in r.text and "13900001111" not in r.text and "[手机号]" in r.text
    assert r.headers["cache-control"] == "no-store"
    assert app.store.audit_rows(action="status_lookup")[0] == 1


def test_the_phones_last_four_digits_work_too(citizen):
    app, client = citizen
    assert app.store.work_order("hotline:GD2026001")["phone_tail"] == "5678"
    assert _lookup(client, "hotline:GD2026001", "5678").status_code == 200


def test_a_wrong_proof_and_a_missing_number_look_the_same(citizen):
    app, client = citizen
    wrong, missing = _lookup(client, "GD2026001", "000000"), _lookup(client, "GD9999999", "000000")
    assert wrong.status_code == missing.status_code == 404
    assert "不匹配" in wrong.text and "不匹配" in missing.text and "物业乱收费" not in wrong.text
    no_phone = _lookup(client, "GD2026002", "5678")        # that demand came with no phone
    assert no_phone.status_code == 404


def test_nothing_else_is_reachable_without_signing_in(citizen):
    app, client = citizen
    for page in ("/work", "/office", "/search", f"/records/hotline%3AGD2026001", "/work/demands/hotline%3AGD2026001"):
        r = client.get(page, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_lookups_are_rate_limited(citizen):
    app, client = citizen
    for number in ("GD2026001", "hotline:GD2026001") * 2 + ("GD2026001",):
        assert _lookup(client, number, "111111").status_code == 404
    code = app.store.work_order("hotline:GD2026001")["verify_code"]
    r = _lookup(client, "hotline:GD2026001", code)      # the demand is spent after five failures, however named
    assert r.status_code == 429 and "过于频繁" in r.text
    for _ in range(4):      # the refused lookup did not count: 5 + 4 + 1 = ten from this address
        _lookup(client, "GD2026002", "222222")
    assert _lookup(client, "hotline:GD2026002", "333333").status_code == 404
    assert _lookup(client, "hotline:GD2026002", "444444").status_code == 429


def test_the_form_needs_its_csrf_token(citizen):
    app, client = citizen
    client.get("/status")
    r = client.post("/status", data={"csrf_token": "x", "number": "GD2026001", "proof": "5678"})
    assert r.status_code == 400
