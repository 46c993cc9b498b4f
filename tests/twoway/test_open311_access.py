"""Open311 reads by publication level, client scopes, filing rights and the per-token rate limit.

Keyless reads stay as GeoReport v2 defines them (no key needed) but return only public records
with only the public fields; a client key widens that to its scope, never to office-only records
or personal fields; a non-public id answers exactly as a missing one.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from suqiu.store import now_local
from suqiu.twoway.dispatch import route_pending
from tests.twoway.seed import HOUSING, TRAFFIC, analysis, demand, seed

BASE = "/open311/v2"
PUBLIC_KEYS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
               "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
               "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}
REPLY = "<p>已<b>处理</b></p><script>alert(1)</script>，联系13900001111"


def _rows(now):
    """A public portal message (replied), a hotline work order, a 举报件, a 涉稳 cue, another department's."""
    def row(sid, source, text, dept, days):
        d = demand(sid, text, received_at=now - timedelta(days=days), source=source,
                   channel="网站" if source == "portal" else "电话")
        return d, analysis(d.id, text.replace("13812345678", "[手机号]"), "", dept)
    return [
        row("pub1", "portal", "小区路灯坏了一个月，电话13812345678", HOUSING, 1),
        row("int1", "hotline", "楼道电梯坏了三天，老人被困，电话13812345678", HOUSING, 2),
        row("rep1", "portal", "实名举报住建局工作人员吃拿卡要，收受开发商好处", HOUSING, 3),
        row("stab1", "hotline", "业主们准备明天集体上访，到市政府门口拉横幅", HOUSING, 4),
        row("tr1", "hotline", "公交站台顶棚破损，雨天无法候车", TRAFFIC, 5),
    ]


@pytest.fixture
def levelled(app):
    """The rows, classified by the real levels stage and routed; the public message has a reply."""
    from nlp.stages.levels import LevelsStage
    now = now_local()
    ids = seed(app.store, _rows(now))
    app.store.mark_done("analyze", app.store.text_hashes(ids))   # as the text stage leaves them
    assert LevelsStage().run(app).classified == 5
    route_pending(app)
    app.store.set_fields("portal:pub1", {"status": "replied", "reply_text": REPLY, "replied_at": now},
                         origin="api", actor="住建局")
    return app


@pytest.fixture
def unclassified(app):
    """The same rows before any classification (as every store held them before levels existed)."""
    seed(app.store, _rows(now_local()))
    route_pending(app)
    return app


@pytest.fixture
def web(levelled):
    from suqiu.web.application import create_app
    with TestClient(create_app(levelled)) as c:
        yield c


@pytest.fixture
def keys(levelled):
    from suqiu.twoway.tokens import create_token
    return {"scoped": create_token(levelled, None, "住建合作 App", role="client", scope=[HOUSING])[1],
            "client": create_token(levelled, None, "市民 App", role="client")[1],
            "other": create_token(levelled, None, "另一个 App", role="client")[1],
            "housing": create_token(levelled, HOUSING, "张工")[1],
            "office": create_token(levelled, None, "值班", role="office")[1]}


def ids(resp) -> set[str]:
    assert resp.status_code == 200, resp.text
    return {r["service_request_id"] for r in resp.json()}


# ------------------------------------------------------------------ before classification
def test_unclassified_work_orders_are_not_served_without_a_key(unclassified):
    from suqiu.web.application import create_app
    with TestClient(create_app(unclassified)) as c:
        assert ids(c.get(f"{BASE}/requests.json")) == set()
        assert c.get(f"{BASE}/requests/hotline:int1.json").status_code == 404
        assert c.get(f"{BASE}/servicerequestupdates.json").json() == []


# ------------------------------------------------------------------ keyless reads
def test_keyless_list_holds_public_records_only(web):
    assert ids(web.get(f"{BASE}/requests.json")) == {"portal:pub1"}
    assert ids(web.get(f"{BASE}/requests.json", params={"status": "open,closed", "service_code": "zjj,jtj"})) == {
        "portal:pub1"}


def test_keyless_ids_cannot_reach_non_public_records(web):
    every = "portal:pub1,hotline:int1,portal:rep1,hotline:stab1,hotline:tr1"
    assert ids(web.get(f"{BASE}/requests.json", params={"service_request_id": every})) == {"portal:pub1"}


@pytest.mark.parametrize("rid", ["hotline:int1", "portal:rep1", "hotline:stab1", "hotline:tr1"])
def test_non_public_record_answers_exactly_as_a_missing_one(web, rid):
    hidden, missing = web.get(f"{BASE}/requests/{rid}.json"), web.get(f"{BASE}/requests/hotline:nope.json")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()[0]["description"].replace(rid, "X") == missing.json()[0]["description"].replace(
        "hotline:nope", "X")
    assert web.get(f"{BASE}/requests/{rid}.xml").status_code == 404


def test_keyless_record_has_only_the_public_fields(web):
    req = web.get(f"{BASE}/requests/portal:pub1.json").json()[0]
    assert set(req) == PUBLIC_KEYS
    assert req["expected_datetime"] is None and req["service_notice"] is None   # time limits stay inside
    assert req["agency_responsible"] == HOUSING                                # published by default
    assert "[手机号]" in req["description"] and "13812345678" not in str(req)


def test_reply_markup_never_passes_through(web):
    notes = web.get(f"{BASE}/requests/portal:pub1.json").json()[0]["status_notes"]
    assert notes.startswith("已处理") and "<" not in notes and "alert" not in notes and "13900001111" not in notes
    root = ET.fromstring(web.get(f"{BASE}/requests/portal:pub1.xml").content)
    assert root.find("request/status_notes").text == notes
    update = [u for u in web.get(f"{BASE}/servicerequestupdates.json").json() if u["status"] == "closed"]
    assert update and "<" not in update[0]["description"] and "alert" not in update[0]["description"]


def test_keyless_updates_hold_public_records_only(web):
    assert {u["service_request_id"] for u in web.get(f"{BASE}/servicerequestupdates.json").json()} == {"portal:pub1"}


def test_unpublished_replies_and_departments_stay_inside(levelled, monkeypatch):
    from suqiu.installation import Installation
    from suqiu.web.application import create_app
    monkeypatch.setenv("SUQIU__CLASSIFICATION__PUBLIC_FIELDS", "[]")
    quiet = Installation.load(levelled.home)
    with TestClient(create_app(quiet)) as c:
        req = c.get(f"{BASE}/requests/portal:pub1.json").json()[0]
        assert req["agency_responsible"] is None and req["service_code"] != "zjj"
        assert "已处理" not in (req["status_notes"] or "")
        assert all("已处理" not in u["description"] for u in c.get(f"{BASE}/servicerequestupdates.json").json())
        # filtering by department would tell the department: refused with a message
        r = c.get(f"{BASE}/requests.json", params={"service_code": "zjj"})
        assert r.status_code == 400 and r.json()[0]["description"]
    quiet.store.close()


# ------------------------------------------------------------------ client keys
def test_scoped_client_reads_its_departments_internal_records(web, keys):
    got = ids(web.get(f"{BASE}/requests.json", params={"api_key": keys["scoped"]}))
    assert got == {"portal:pub1", "hotline:int1"}                 # never the office-only ones, nor traffic's
    req = web.get(f"{BASE}/requests/hotline:int1.json", params={"api_key": keys["scoped"]}).json()[0]
    assert req["expected_datetime"] and req["service_notice"] and set(req) == PUBLIC_KEYS
    for rid in ("portal:rep1", "hotline:stab1", "hotline:tr1"):
        assert web.get(f"{BASE}/requests/{rid}.json", params={"api_key": keys["scoped"]}).status_code == 404


def test_unscoped_client_and_other_keys_read_as_the_public(web, keys):
    for name in ("client", "housing", "office"):
        assert ids(web.get(f"{BASE}/requests.json", params={"api_key": keys[name]})) == {"portal:pub1"}, name
    assert ids(web.get(f"{BASE}/requests.json", params={"api_key": "sq_forged"})) == {"portal:pub1"}


def test_scoped_client_updates_follow_its_scope(web, keys):
    got = {u["service_request_id"] for u in web.get(f"{BASE}/servicerequestupdates.json",
                                                    params={"api_key": keys["scoped"]}).json()}
    assert got == {"portal:pub1", "hotline:int1"}


def test_scope_names_known_departments(levelled):
    from suqiu.twoway.tokens import TokenError, create_token
    with pytest.raises(TokenError):
        create_token(levelled, None, "x", role="client", scope=["不存在的局"])
    with pytest.raises(TokenError):
        create_token(levelled, HOUSING, "x", role="department", scope=[HOUSING])


# ------------------------------------------------------------------ filing
FORM = {"service_code": "zjj", "address_string": "鼓楼区五四路", "description": "路灯不亮已经一周"}


@pytest.mark.parametrize("who", ["housing", "office"])
def test_only_client_tokens_file_requests(web, keys, who):
    r = web.post(f"{BASE}/requests.json", data={**FORM, "api_key": keys[who]})
    assert r.status_code == 403 and r.json()[0]["code"] == 403


def test_scoped_client_files_within_its_scope_only(web, keys):
    assert web.post(f"{BASE}/requests.json", data={**FORM, "api_key": keys["scoped"]}).status_code == 200
    r = web.post(f"{BASE}/requests.json", data={**FORM, "service_code": "jtj", "api_key": keys["scoped"]})
    assert r.status_code == 403 and "jtj" in r.json()[0]["description"]


def test_filing_is_rate_limited_per_token(levelled, keys, monkeypatch):
    from suqiu.installation import Installation
    from suqiu.web.application import create_app
    monkeypatch.setenv("SUQIU__SERVER__OPEN311_POSTS_PER_HOUR", "3")
    limited = Installation.load(levelled.home)
    with TestClient(create_app(limited)) as c:
        codes = [c.post(f"{BASE}/requests.json", data={**FORM, "description": f"第{i}件", "api_key": keys["client"]})
                 .status_code for i in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        assert c.post(f"{BASE}/requests.json", data={**FORM, "api_key": keys["other"]}).status_code == 200
        r = c.post(f"{BASE}/requests.xml", data={**FORM, "api_key": keys["client"]})
        assert r.status_code == 429 and ET.fromstring(r.content).find("error/code").text == "429"
    limited.store.close()


def test_rate_limit_is_atomic_across_threads(app):
    from concurrent.futures import ThreadPoolExecutor
    from datetime import timedelta as td
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda _: app.store.take_quota("open311:t1", 5, td(hours=1)), range(40)))
    assert got.count(True) == 5
    assert app.store.take_quota("open311:t2", 5, td(hours=1))


# ------------------------------------------------------------------ extreme but well-formed dates
@pytest.mark.parametrize("params", [
    {"start_date": "9999-12-31"}, {"end_date": "0001-01-01"}, {"start_date": "0001-01-01", "end_date": "0001-02-01"},
    {"start_date": "9999-12-31T23:59:59-12:00"}, {"end_date": "0001-01-01T00:00:00+14:00"},
    {"start_date": "9999"}, {"start_date": "1899-12-31"},
])
@pytest.mark.parametrize("path", ["requests.json", "servicerequestupdates.json", "requests.xml"])
def test_extreme_dates_are_400_with_a_message(unclassified, path, params):
    from suqiu.web.application import create_app
    with TestClient(create_app(unclassified), raise_server_exceptions=False) as c:
        r = c.get(f"{BASE}/{path}", params=params)
    assert r.status_code == 400, (path, params, r.status_code)
    assert "日期" in r.text or "date" in r.text


def test_a_department_token_cannot_file_for_any_service(unclassified):
    from suqiu.twoway.tokens import create_token
    from suqiu.web.application import create_app
    token = create_token(unclassified, HOUSING, "张工")[1]
    with TestClient(create_app(unclassified)) as c:
        for code in ("zjj", "jtj", "triage"):
            r = c.post(f"{BASE}/requests.json", data={**FORM, "service_code": code, "api_key": token})
            assert r.status_code == 403, (code, r.text)
    assert unclassified.store.count() == 5
