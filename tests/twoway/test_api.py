from __future__ import annotations

from sqlalchemy import select

from suqiu.store import schema
from suqiu.twoway.tokens import create_token, hash_token, revoke_token, verify_token
from suqiu.twoway.tracking import department_figures
from tests.twoway.conftest import bearer
from tests.twoway.seed import HOUSING, LABOUR

REPLY = "经现场核查，已责令物业公司整改，目前已退还多收的停车费。"


def test_tokens_are_stored_hashed(app):
    tid, token = create_token(app, HOUSING)
    with app.store.engine.connect() as conn:
        row = conn.execute(select(schema.api_tokens).where(schema.api_tokens.c.id == tid)).mappings().one()
    assert row["token_hash"] == hash_token(token) and token not in str(dict(row).values())
    assert verify_token(app, token).department == HOUSING


def test_revoked_token_no_longer_works(app):
    tid, token = create_token(app, HOUSING)
    assert revoke_token(app, tid)
    assert verify_token(app, token) is None


def test_requests_without_or_with_bad_token_are_refused(client):
    assert client.get("/api/v1/demands").status_code == 401
    r = client.get("/api/v1/demands", headers=bearer("sq_notarealtoken"))
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"


def test_department_lists_only_its_own_demands_masked(client, tokens):
    r = client.get("/api/v1/demands", headers=bearer(tokens["housing"]))
    assert r.status_code == 200
    ids = [i["id"] for i in r.json()["items"]]
    assert ids == ["hotline:h1", "hotline:h2", "hotline:h3"]
    assert "13812345678" not in r.text and "[手机号]" in r.text


def test_department_reply_updates_record_history_and_figures(client, tokens, app):
    r = client.post("/api/v1/replies", headers=bearer(tokens["housing"]),
                    json={"record_id": "hotline:h1", "text": REPLY + "联系电话13900001111"})
    assert r.status_code == 200 and r.json()["status"] == "replied"
    rec = app.store.get("hotline:h1")
    assert rec["status"] == "replied" and rec["replied_by"] == HOUSING
    hist = [h for h in app.store.history("hotline:h1") if h["origin"] == "api"]
    assert {h["field"] for h in hist} >= {"status", "reply_text", "replied_at"}
    assert hist[0]["actor"] == f"{HOUSING}（张工）"
    assert department_figures(app.store, app.config, HOUSING)[HOUSING].answered == 1
    shown = client.get("/api/v1/demands/hotline:h1", headers=bearer(tokens["housing"])).json()
    assert "13900001111" not in shown["reply_text"] and "[手机号]" in shown["reply_text"]


def test_department_cannot_reply_to_another_departments_demand(client, tokens, app):
    r = client.post("/api/v1/replies", headers=bearer(tokens["labour"]),
                    json={"record_id": "hotline:h1", "text": REPLY})
    assert r.status_code == 404      # as for a missing id: no oracle of which ids exist
    assert app.store.get("hotline:h1")["reply_text"] is None


def test_department_cannot_read_another_departments_demand(client, tokens):
    assert client.get("/api/v1/demands/hotline:h1", headers=bearer(tokens["labour"])).status_code == 404


def test_triage_demand_belongs_to_no_department(client, tokens):
    r = client.post("/api/v1/replies", headers=bearer(tokens["housing"]),
                    json={"record_id": "hotline:t1", "text": REPLY})
    assert r.status_code == 404


def test_unknown_demand_is_404(client, tokens):
    r = client.post("/api/v1/replies", headers=bearer(tokens["housing"]), json={"record_id": "hotline:zz", "text": "x"})
    assert r.status_code == 404


def test_empty_reply_is_refused(client, tokens):
    r = client.post("/api/v1/replies", headers=bearer(tokens["housing"]), json={"record_id": "hotline:h1", "text": "  "})
    assert r.status_code == 400


def test_department_closes_after_replying_but_not_before(client, tokens, app):
    h = bearer(tokens["housing"])
    assert client.post("/api/v1/status", headers=h, json={"record_id": "hotline:h3", "status": "closed"}).status_code == 400
    client.post("/api/v1/replies", headers=h, json={"record_id": "hotline:h3", "text": REPLY})
    r = client.post("/api/v1/status", headers=h, json={"record_id": "hotline:h3", "status": "closed", "note": "已修复"})
    assert r.status_code == 200 and app.store.get("hotline:h3")["status"] == "closed"


def test_department_cannot_reopen_or_set_satisfaction(client, tokens):
    h = bearer(tokens["housing"])
    client.post("/api/v1/replies", headers=h, json={"record_id": "hotline:h1", "text": REPLY})
    assert client.post("/api/v1/status", headers=h, json={"record_id": "hotline:h1", "status": "reopened"}).status_code == 400
    r = client.post("/api/v1/status", headers=h,
                    json={"record_id": "hotline:h1", "status": "closed", "satisfaction": "满意"})
    assert r.status_code == 403


def test_office_reopens_and_records_satisfaction(client, tokens, app):
    client.post("/api/v1/replies", headers=bearer(tokens["housing"]), json={"record_id": "hotline:h1", "text": REPLY})
    r = client.post("/api/v1/status", headers=bearer(tokens["office"]),
                    json={"record_id": "hotline:h1", "status": "reopened", "satisfaction": "不满意", "note": "回访不满意"})
    assert r.status_code == 200
    rec = app.store.get("hotline:h1")
    assert rec["status"] == "reopened" and rec["satisfaction"] == "不满意"
    f = department_figures(app.store, app.config, HOUSING)[HOUSING]
    assert f.reopened == 1 and f.satisfaction_rate == 0.0


def test_only_the_office_reassigns(client, tokens, app):
    body = {"record_id": "hotline:h1", "department": LABOUR, "reason": "实为欠薪问题"}
    assert client.post("/api/v1/reassign", headers=bearer(tokens["housing"]), json=body).status_code == 403
    r = client.post("/api/v1/reassign", headers=bearer(tokens["office"]), json=body)
    assert r.status_code == 200 and r.json()["to"] == LABOUR
    assert client.post("/api/v1/replies", headers=bearer(tokens["labour"]),
                       json={"record_id": "hotline:h1", "text": REPLY}).status_code == 200


def test_reply_into_closed_demand_is_refused(client, tokens):
    h = bearer(tokens["housing"])
    client.post("/api/v1/replies", headers=h, json={"record_id": "hotline:h1", "text": REPLY, "close": True})
    assert client.post("/api/v1/replies", headers=h, json={"record_id": "hotline:h1", "text": REPLY}).status_code == 400


def test_figures_are_per_department_and_ranked_for_the_office(client, tokens):
    own = client.get("/api/v1/figures", headers=bearer(tokens["housing"])).json()
    assert list(own["departments"]) == [HOUSING] and "rankings" not in own
    office = client.get("/api/v1/figures", headers=bearer(tokens["office"])).json()
    assert len(office["departments"]) == 8
    assert office["rankings"]["closure_rate"]["ranked"] == []        # nobody has 10 demands yet


def test_client_token_cannot_use_the_department_api(client, tokens):
    r = client.post("/api/v1/replies", headers=bearer(tokens["client"]), json={"record_id": "hotline:h1", "text": REPLY})
    assert r.status_code == 403
