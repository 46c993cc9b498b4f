"""Open311 lat/long: stored as numbers when a client files a request, and served back."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.twoway.test_open311 import BASE, api, recent  # noqa: F401 (fixtures)


def test_posted_lat_long_are_kept_as_numbers_and_served_back(api, recent, tokens):
    form = {"api_key": tokens["client"], "service_code": "cgj", "lat": "26.087412", "long": "119.298105",
            "description": "井盖缺失，夜间危险"}
    rid = api.post(f"{BASE}/requests.json", data=form).json()[0]["service_request_id"]
    rec = recent.store.get(rid)
    assert rec["lat"] == 26.087412 and rec["lon"] == 119.298105
    assert rec["address"] is None                                    # no longer flattened into the address
    served = api.get(f"{BASE}/requests/{rid}.json").json()[0]
    assert served["lat"] == 26.087412 and served["long"] == 119.298105
    xml = ET.fromstring(api.get(f"{BASE}/requests/{rid}.xml").content)
    assert xml.find("request/lat").text == "26.087412" and xml.find("request/long").text == "119.298105"


def test_requests_without_a_point_serve_none(api):
    served = api.get(f"{BASE}/requests.json").json()
    assert served and all(r["lat"] is None and r["long"] is None for r in served)


def test_an_address_alone_still_files_a_request(api, recent, tokens):
    form = {"api_key": tokens["client"], "service_code": "cgj", "address_string": "鼓楼区五四路", "description": "路灯不亮"}
    rid = api.post(f"{BASE}/requests.json", data=form).json()[0]["service_request_id"]
    assert recent.store.get(rid)["lat"] is None and recent.store.get(rid)["address"] == "鼓楼区五四路"
