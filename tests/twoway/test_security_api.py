"""The department API's boundaries (issue 18, items 8 and 12; deliver 3).

Found open: an Open311 client token read every department's ``/api/v1/figures``; the API told a
missing id (404) from another department's (403); responses were whatever the view dict held.
"""

from __future__ import annotations

import pytest

import suqiu.web.api as api_module
from tests.twoway.conftest import bearer
from tests.twoway.seed import HOUSING

REPLY = "经现场核查，已责令物业公司整改。"
SECRET = "13812345678-不应出现"


@pytest.mark.parametrize("method,path,body", [
    ("get", "/api/v1/figures", None), ("get", "/api/v1/me", None), ("get", "/api/v1/demands", None),
    ("get", "/api/v1/demands/hotline:h1", None), ("get", "/api/v1/openapi.json", None),
    ("post", "/api/v1/replies", {"record_id": "hotline:h1", "text": REPLY}),
    ("post", "/api/v1/status", {"record_id": "hotline:h1", "status": "closed"}),
    ("post", "/api/v1/reassign", {"record_id": "hotline:h1", "department": HOUSING, "reason": "x"}),
])
def test_an_open311_client_token_reads_and_writes_nothing_in_the_department_api(client, tokens, method, path, body):
    kw = {"json": body} if body is not None else {}
    r = getattr(client, method)(path, headers=bearer(tokens["client"]), **kw)
    assert r.status_code == 403
    assert "Open311 客户端令牌不能使用部门接口" in r.json()["detail"]
    assert HOUSING not in r.text


def test_another_departments_demand_answers_exactly_as_a_missing_one(client, tokens):
    h = bearer(tokens["labour"])
    foreign, missing = client.get("/api/v1/demands/hotline:h1", headers=h), client.get("/api/v1/demands/hotline:zz", headers=h)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["detail"].replace("hotline:h1", "ID") == missing.json()["detail"].replace("hotline:zz", "ID")
    for path, body in (("/api/v1/replies", {"text": REPLY}), ("/api/v1/status", {"status": "closed"})):
        foreign = client.post(path, headers=h, json={"record_id": "hotline:h1", **body})
        missing = client.post(path, headers=h, json={"record_id": "hotline:zz", **body})
        assert foreign.status_code == missing.status_code == 404, path


@pytest.fixture
def leaky_views(monkeypatch):
    """The views grow a field the API never declared (as a future disclosure change might add)."""
    real = api_module.demand_views

    def with_extra(*args, **kwargs):
        return [{**v, "requester_phone": SECRET, "address_full": SECRET} for v in real(*args, **kwargs)]
    monkeypatch.setattr(api_module, "demand_views", with_extra)


def test_a_field_outside_the_response_model_cannot_leak(client, tokens, leaky_views):
    h = bearer(tokens["housing"])
    listing = client.get("/api/v1/demands", headers=h)
    detail = client.get("/api/v1/demands/hotline:h1", headers=h)
    assert listing.status_code == detail.status_code == 200
    assert SECRET not in listing.text and SECRET not in detail.text
    assert "requester_phone" not in listing.json()["items"][0]


def test_responses_carry_exactly_the_declared_fields(client, tokens):
    from suqiu.web.api_models import ActionResult, DemandDetail, DemandItem, MeOut
    h = bearer(tokens["housing"])
    assert set(client.get("/api/v1/me", headers=h).json()) == set(MeOut.model_fields)
    item = client.get("/api/v1/demands", headers=h).json()["items"][0]
    assert set(item) == set(DemandItem.model_fields)
    assert item["received_at"].endswith("+08:00")
    detail = client.get("/api/v1/demands/hotline:h1", headers=h).json()
    assert set(detail) == set(DemandDetail.model_fields)
    assert set(detail["history"][0]) == {"at", "field", "value", "origin"}
    reply = client.post("/api/v1/replies", headers=h, json={"record_id": "hotline:h1", "text": REPLY}).json()
    assert set(reply) == set(ActionResult.model_fields) and reply["status"] == "replied"


def test_reassign_answers_with_from_and_to(client, tokens):
    r = client.post("/api/v1/reassign", headers=bearer(tokens["office"]),
                    json={"record_id": "hotline:h1", "department": "人力资源和社会保障局", "reason": "欠薪"})
    assert r.status_code == 200 and set(r.json()) == {"record_id", "from", "to", "reason", "actor"}
    assert r.json()["from"] == HOUSING


def test_openapi_document_only_for_authenticated_callers(client, tokens):
    assert client.get("/api/v1/openapi.json").status_code == 401
    assert client.get("/api/v1/openapi.json", headers=bearer("sq_forged")).status_code == 401
    doc = client.get("/api/v1/openapi.json", headers=bearer(tokens["housing"]))
    assert doc.status_code == 200
    paths = doc.json()["paths"]
    assert "/api/v1/demands" in paths and "/api/v1/replies" in paths
    assert all(p.startswith("/api/v1/") for p in paths)          # nothing of the pages or Open311
    assert "DemandItem" in doc.json()["components"]["schemas"]
    for off in ("/openapi.json", "/docs", "/redoc", "/docs/oauth2-redirect"):
        assert client.get(off).status_code == 404


@pytest.mark.parametrize("query", ["offset=10000000000000000000000000000000000000000", "offset=-1",
                                   "limit=0", "limit=99999999999999999999", "status=nope"])
def test_out_of_range_query_parameters_are_400_in_chinese(client, tokens, query):
    r = client.get(f"/api/v1/demands?{query}", headers=bearer(tokens["housing"]))
    assert r.status_code == 400
    assert "请求参数不正确" in r.json()["detail"]
