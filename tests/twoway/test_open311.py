"""Conformance to Open311 GeoReport v2 (open311/open311.github.io GeoReport_v2/index.md) and
mySociety's servicerequestupdates extension."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from suqiu.twoway.dispatch import route_pending
from suqiu.store import now_local
from suqiu.web.open311 import Open311Error, parse_w3c
from tests.twoway.conftest import bearer
from tests.twoway.seed import HOUSING, analysis, demand, seed

BASE = "/open311/v2"
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")
REQUIRED = {"service_request_id", "status", "service_name", "service_code", "description",
            "requested_datetime", "updated_datetime", "address"}


@pytest.fixture
def recent(app):
    """Public demands from the last days (the default 90-day window), plus one from 200 days ago
    (classified public: what keyless reads serve; ``test_open311_access`` covers the other levels)."""
    now = now_local()
    rows = []
    for i, (days, dept, status) in enumerate([(1, HOUSING, "received"), (2, HOUSING, "received"),
                                              (3, "交通运输局", "received"), (200, HOUSING, "received")]):
        d = demand(f"o{i}", f"诉求{i} 电话13812345678", received_at=now - timedelta(days=days), status=status)
        rows.append((d, analysis(d.id, f"诉求{i} 电话[手机号]", "", dept, publication="public")))
    seed(app.store, rows)
    route_pending(app)
    app.store.set_fields("hotline:o1", {"status": "replied", "reply_text": "已处理，联系13900001111",
                                        "replied_at": now}, origin="api", actor="住建局")
    return app


@pytest.fixture
def api(recent):
    from suqiu.web.application import create_app
    with TestClient(create_app(recent)) as c:
        yield c


def test_services_list_has_required_fields(api):
    r = api.get(f"{BASE}/services.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    services = r.json()
    assert {s["service_name"] for s in services} >= {HOUSING, "待人工分派"}
    for s in services:
        assert set(s) >= {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
        assert s["metadata"] is False and s["type"] == "realtime"


def test_services_xml(api):
    r = api.get(f"{BASE}/services.xml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/xml")
    assert r.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(r.content)
    assert root.tag == "services" and root[0].tag == "service" and root[0].find("metadata").text == "false"


def test_service_definition(api):
    assert api.get(f"{BASE}/services/zjj.json").json() == {"service_code": "zjj", "attributes": []}
    assert api.get(f"{BASE}/services/nope.json").status_code == 404


def test_requests_default_window_is_90_days(api):
    ids = [r["service_request_id"] for r in api.get(f"{BASE}/requests.json").json()]
    assert set(ids) == {"hotline:o0", "hotline:o1", "hotline:o2"}    # o3 is 200 days old


def test_requests_have_required_fields_status_values_and_w3c_dates(api):
    for req in api.get(f"{BASE}/requests.json").json():
        assert set(req) >= REQUIRED
        assert req["status"] in ("open", "closed")
        for key in ("requested_datetime", "updated_datetime"):
            assert W3C.match(req[key]), (key, req[key])
        assert req["expected_datetime"] is None   # the time limit stays inside (keyless read)


def test_requests_serve_masked_text_only(api):
    r = api.get(f"{BASE}/requests.json")
    assert "13812345678" not in r.text and "13900001111" not in r.text and "[手机号]" in r.text


def test_replied_demand_is_closed_with_the_reply_as_status_notes(api):
    req = api.get(f"{BASE}/requests/hotline:o1.json").json()
    assert len(req) == 1 and req[0]["status"] == "closed"
    assert req[0]["status_notes"].startswith("已处理") and req[0]["agency_responsible"] == HOUSING


def test_status_filter(api):
    closed = api.get(f"{BASE}/requests.json", params={"status": "closed"}).json()
    assert [r["service_request_id"] for r in closed] == ["hotline:o1"]
    both = api.get(f"{BASE}/requests.json", params={"status": "open,closed"}).json()
    assert len(both) == 3


def test_service_code_filter(api):
    got = api.get(f"{BASE}/requests.json", params={"service_code": "jtj"}).json()
    assert [r["service_request_id"] for r in got] == ["hotline:o2"] and got[0]["service_code"] == "jtj"
    assert len(api.get(f"{BASE}/requests.json", params={"service_code": "zjj,jtj"}).json()) == 3


def test_date_filters(api):
    now = now_local()
    start = (now - timedelta(days=2, hours=12)).isoformat(timespec="seconds")
    got = api.get(f"{BASE}/requests.json", params={"start_date": start}).json()
    assert {r["service_request_id"] for r in got} == {"hotline:o0", "hotline:o1"}
    old = api.get(f"{BASE}/requests.json", params={"start_date": (now - timedelta(days=210)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                                                   "end_date": (now - timedelta(days=190)).strftime("%Y-%m-%dT%H:%M:%SZ")}).json()
    assert [r["service_request_id"] for r in old] == ["hotline:o3"]


def test_service_request_id_overrides_other_filters(api):
    got = api.get(f"{BASE}/requests.json", params={"service_request_id": "hotline:o3,hotline:o0", "status": "closed",
                                                   "service_code": "jtj"}).json()
    assert {r["service_request_id"] for r in got} == {"hotline:o3", "hotline:o0"}


def test_empty_parameters_are_ignored(api):
    assert len(api.get(f"{BASE}/requests.json", params={"status": "", "service_code": "", "start_date": ""}).json()) == 3


def test_result_cap_is_1000(recent):
    from suqiu.web.application import create_app
    now = now_local()
    rows = [(d, analysis(d.id, d.content, publication="public"))
            for d in (demand(f"bulk{i}", f"批量{i}", received_at=now - timedelta(minutes=i)) for i in range(1005))]
    seed(recent.store, rows)
    with TestClient(create_app(recent)) as c:
        assert len(c.get(f"{BASE}/requests.json").json()) == 1000


def _assert_error(r, status: int):
    assert r.status_code == status
    body = r.json()
    assert isinstance(body, list) and body and set(body[0]) == {"code", "description"}
    assert body[0]["code"] == status and body[0]["description"]


@pytest.mark.parametrize("params", [
    {"start_date": "yesterday"},
    {"start_date": "2026-11-01T00:00:00"},            # a time needs a zone
    {"start_date": "2026-13-01T00:00:00Z"},
    {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},   # more than 90 days
    {"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"},   # end before start
    {"status": "pending"},
])
def test_bad_input_gives_400_error_list(api, params):
    _assert_error(api.get(f"{BASE}/requests.json", params=params), 400)


def test_unknown_request_is_404_error_list(api):
    _assert_error(api.get(f"{BASE}/requests/hotline:none.json"), 404)


def test_unknown_resource_is_404_error_list(api):
    _assert_error(api.get(f"{BASE}/nothing.json"), 404)


def test_unsupported_format_is_400(api):
    _assert_error(api.get(f"{BASE}/requests.csv"), 400)


def test_errors_in_xml(api):
    r = api.get(f"{BASE}/requests.xml", params={"status": "bogus"})
    assert r.status_code == 400
    root = ET.fromstring(r.content)
    assert root.tag == "errors" and root[0].find("code").text == "400"


def test_requests_xml_shape(api):
    root = ET.fromstring(api.get(f"{BASE}/requests.xml").content)
    assert root.tag == "service_requests" and {c.tag for c in root} == {"request"}
    assert root[0].find("status").text in ("open", "closed")


@pytest.mark.parametrize("value,iso", [
    ("2010-01-01T00:00:00Z", "2010-01-01T08:00:00+08:00"),
    ("1994-11-05T08:15:30-05:00", "1994-11-05T21:15:30+08:00"),
    ("2010-01-01", "2010-01-01T00:00:00+08:00"),
    ("2010-01-01T10:00+08:00", "2010-01-01T10:00:00+08:00"),
    ("2010-01-01T10:00:00.5Z", "2010-01-01T18:00:00.500000+08:00"),
])
def test_parse_w3c(value, iso):
    assert parse_w3c(value, "start_date").isoformat() == iso


def test_parse_w3c_rejects_garbage():
    with pytest.raises(Open311Error):
        parse_w3c("2010-01-01 10:00", "start_date")


# ------------------------------------------------------------------ POST requests
def test_post_request_needs_a_valid_api_key(api):
    _assert_error(api.post(f"{BASE}/requests.json", data={"service_code": "zjj", "address_string": "五四路",
                                                          "description": "路灯坏了"}), 403)


def test_post_request_creates_a_demand(api, recent, tokens):
    form = {"api_key": tokens["client"], "service_code": "cgj", "address_string": "鼓楼区五四路 88 号",
            "description": "路灯不亮已经一周", "first_name": "小明", "last_name": "王", "phone": "13800000000"}
    r = api.post(f"{BASE}/requests.json", data=form)
    assert r.status_code == 200
    body = r.json()
    assert set(body[0]) == {"service_request_id", "service_notice", "account_id"}
    rec = recent.store.get(body[0]["service_request_id"])
    assert rec["source"] == "open311" and rec["department_given"] == "城市管理局" and "13800000000" not in str(rec)
    again = api.post(f"{BASE}/requests.json", data=form).json()
    assert again[0]["service_request_id"] == body[0]["service_request_id"]   # a retried POST is one demand


@pytest.mark.parametrize("form,status", [
    ({"address_string": "x", "description": "d"}, 400),                          # no service_code
    ({"service_code": "nope", "address_string": "x", "description": "d"}, 404),   # unknown service_code
    ({"service_code": "zjj", "description": "d"}, 400),                           # no location
    ({"service_code": "zjj", "lat": "abc", "long": "1", "description": "d"}, 400),
    ({"service_code": "zjj", "address_string": "x"}, 400),                        # no description
])
def test_post_request_bad_input(api, tokens, form, status):
    _assert_error(api.post(f"{BASE}/requests.json", data={"api_key": tokens["client"], **form}), status)


# ------------------------------------------------------------------ servicerequestupdates
def test_updates_list_status_and_reply_changes(api):
    ups = api.get(f"{BASE}/servicerequestupdates.json").json()
    assert ups and all(set(u) == {"update_id", "service_request_id", "status", "updated_datetime", "description",
                                  "media_url"} for u in ups)
    reply = [u for u in ups if u["service_request_id"] == "hotline:o1" and u["status"] == "closed"]
    assert len(reply) == 1 and reply[0]["description"].startswith("已处理") and "13900001111" not in reply[0]["description"]
    assert all(W3C.match(u["updated_datetime"]) for u in ups)
    assert len({u["update_id"] for u in ups}) == len(ups)


def test_updates_window_and_errors(api):
    future = (now_local() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert api.get(f"{BASE}/servicerequestupdates.json", params={"start_date": future}).json() == []
    _assert_error(api.get(f"{BASE}/servicerequestupdates.json", params={"end_date": "not-a-date"}), 400)


def test_api_reply_shows_up_in_open311(api, tokens):
    r = api.post("/api/v1/replies", headers=bearer(tokens["housing"]),
                 json={"record_id": "hotline:o0", "text": "已安排维修，预计本周内完成。"})
    assert r.status_code == 200
    req = api.get(f"{BASE}/requests/hotline:o0.json").json()[0]
    assert req["status"] == "closed" and req["status_notes"].startswith("已安排维修")
    ups = api.get(f"{BASE}/servicerequestupdates.json").json()
    assert any(u["service_request_id"] == "hotline:o0" and u["status"] == "closed" for u in ups)
