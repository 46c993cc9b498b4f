"""Open311 lat/long: stored as numbers when a client files a request, and served back."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from suqiu.twoway.dispatch import route_pending
from tests.twoway.seed import analysis
from tests.twoway.test_open311 import BASE, api, recent  # noqa: F401 (fixtures)


def _classified_public(app, rid: str) -> None:
    """What the analysis would do: the filed request classified public and routed to its department."""
    app.store.save_analysis([analysis(rid, "井盖缺失，夜间危险", "", "城市管理局", publication="public")],
                            stage="classify")
    route_pending(app)


def test_posted_lat_long_are_kept_as_numbers_and_served_back(api, recent):
    from suqiu.twoway.tokens import create_token
    client = create_token(recent, None, "城管 App", role="client", scope=["城市管理局"])[1]
    form = {"api_key": client, "service_code": "cgj", "lat": "26.087412", "long": "119.298105",
            "description": "井盖缺失，夜间危险"}
    rid = api.post(f"{BASE}/requests.json", data=form).json()[0]["service_request_id"]
    rec = recent.store.get(rid)
    assert rec["lat"] == 26.087412 and rec["lon"] == 119.298105
    assert rec["address"] is None                                    # no longer flattened into the address
    _classified_public(recent, rid)
    key = {"api_key": client}                                        # a client in scope reads the point as filed
    served = api.get(f"{BASE}/requests/{rid}.json", params=key).json()[0]
    assert served["lat"] == 26.087412 and served["long"] == 119.298105
    xml = ET.fromstring(api.get(f"{BASE}/requests/{rid}.xml", params=key).content)
    assert xml.find("request/lat").text == "26.087412" and xml.find("request/long").text == "119.298105"
    public = api.get(f"{BASE}/requests/{rid}.json").json()[0]         # keyless: about 100 m
    assert public["lat"] == 26.087 and public["long"] == 119.298


def test_requests_without_a_point_serve_none(api):
    served = api.get(f"{BASE}/requests.json").json()
    assert served and all(r["lat"] is None and r["long"] is None for r in served)
