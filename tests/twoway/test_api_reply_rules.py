"""Reply rules on the department API (issue 18 item 7): the server's time, the claim kept beside it,
nothing dated in the future or before the demand, ``replied_by`` from the token only."""

from __future__ import annotations

from datetime import timedelta

from suqiu.store import now_local
from suqiu.twoway.tracking import department_figures
from tests.twoway.conftest import bearer
from tests.twoway.seed import HOUSING, T0

REPLY = "经现场核查，已责令物业公司整改。"


def test_a_reply_dated_in_the_future_is_refused(client, tokens, app):
    later = (now_local() + timedelta(days=30)).isoformat()
    r = client.post("/api/v1/replies", headers=bearer(tokens["housing"]),
                    json={"record_id": "hotline:h1", "text": REPLY, "replied_at": later})
    assert r.status_code == 400 and "不能晚于当前时间" in r.json()["detail"]
    assert app.store.get("hotline:h1")["reply_text"] is None


def test_a_reply_dated_before_the_demand_is_refused(client, tokens, app):
    r = client.post("/api/v1/replies", headers=bearer(tokens["housing"]),
                    json={"record_id": "hotline:h1", "text": REPLY, "replied_at": (T0 - timedelta(days=2)).isoformat()})
    assert r.status_code == 400 and "不能早于受理时间" in r.json()["detail"]


def test_replied_by_cannot_name_another_unit(client, tokens, app):
    r = client.post("/api/v1/replies", headers=bearer(tokens["housing"]),
                    json={"record_id": "hotline:h1", "text": REPLY, "replied_by": "市委办公厅"})
    assert r.status_code == 400 and app.store.get("hotline:h1")["replied_by"] is None
    ok = client.post("/api/v1/replies", headers=bearer(tokens["housing"]),
                     json={"record_id": "hotline:h1", "text": REPLY, "replied_by": "住建局"})
    assert ok.status_code == 200 and ok.json()["replied_by"] == HOUSING


def test_a_back_dated_claim_does_not_move_the_figures(client, tokens, app):
    claimed = T0 + timedelta(hours=1)
    r = client.post("/api/v1/replies", headers=bearer(tokens["housing"]),
                    json={"record_id": "hotline:h1", "text": REPLY, "replied_at": claimed.isoformat()})
    assert r.status_code == 200
    reply = app.store.replies_of("hotline:h1")[-1]
    assert reply["claimed_at"] == claimed and reply["at"] == app.store.get("hotline:h1")["replied_at"]
    hours = department_figures(app.store, app.config, HOUSING)[HOUSING].response_hours_median
    assert hours > 24 * 10            # from receipt (2026-11-16) to the server's time, not the 1 h claimed


def test_the_api_takes_the_departments_other_steps(client, tokens, app):
    h = bearer(tokens["housing"])
    assert client.post("/api/v1/sign", headers=h, json={"record_id": "hotline:h1", "note": "接单"}).json()["status"] == "signed"
    r = client.post("/api/v1/interim", headers=h, json={"record_id": "hotline:h1", "text": "正在核实"})
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    r = client.post("/api/v1/extensions", headers=h, json={"record_id": "hotline:h1", "days": 5, "reason": "待表决"})
    assert r.status_code == 200 and r.json()["status"] == "extension_requested"
    r = client.post("/api/v1/return", headers=h, json={"record_id": "hotline:h2", "reason": "不属本部门"})
    assert r.status_code == 200 and r.json()["status"] == "returned" and r.json()["department"] is None
    again = client.post("/api/v1/sign", headers=h, json={"record_id": "hotline:h1"})
    assert again.status_code == 400 and "不能签收" in again.json()["detail"]
    other = client.post("/api/v1/sign", headers=bearer(tokens["labour"]), json={"record_id": "hotline:h3"})
    assert other.status_code == 404          # another department's demand answers as a missing one
    assert [r["origin"] for r in app.store.audit_rows(record_id="hotline:h1")[1]][:3] == ["api", "api", "api"]
