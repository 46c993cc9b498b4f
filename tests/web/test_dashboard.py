"""The dashboard: the page shell, its JSON (office: the city; a department: its own demands only),
the city's outlines, and the data module's panels on a clock of our choosing."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest

from reports.citymap import SHIPPED, load_geojson, map_info, region_names
from reports.dashboard import dashboard_data
from suqiu.model import SHANGHAI
from suqiu.principals import Principal
from tests.web.seed import HB, JT

NOW = datetime(2026, 11, 10, 10, 0, tzinfo=SHANGHAI)   # the seed's demands arrived 2026-11-01 … 06


def test_page_is_a_static_shell_with_local_scripts_only(as_user):
    resp = as_user("office").get("/dashboard")
    assert resp.status_code == 200
    assert "script-src 'self'" in resp.headers["content-security-policy"]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", resp.text, re.S)
    assert [s[0].strip() for s in scripts] == ['src="/static/vendor/echarts/echarts.min.js"', 'src="/static/dashboard.js"']
    assert all(body.strip() == "" for _, body in scripts)      # no inline script
    assert 'data-src="/dashboard/data.json"' in resp.text and "全市诉求态势" in resp.text
    for card in ("trend", "channels", "map", "forecast", "overdue", "satisfaction", "rates"):
        assert f'id="table-{card}"' in resp.text and f'aria-controls="table-{card}"' in resp.text


def test_echarts_is_served_by_the_app(client):
    resp = client.get("/static/vendor/echarts/echarts.min.js")
    assert resp.status_code == 200 and len(resp.content) > 500_000 and b"echarts" in resp.content[:2000]


def test_office_data_covers_the_city(as_user):
    resp = as_user("office").get("/dashboard/data.json")
    assert resp.status_code == 200 and resp.headers["cache-control"] == "no-store"
    data = resp.json()
    assert data["scope"] == "全市" and data["city"] == "福州市"
    for key in ("volume", "channels", "districts", "points", "map", "overdue", "critical", "warnings", "hotspots",
                "satisfaction", "rates", "forecast"):
        assert key in data
    assert data["map"]["available"] and set(data["map"]["regions"]) >= {"鼓楼区", "台江区", "仓山区"}


def test_department_sees_its_own_demands_only(as_user):
    data = as_user("jt").get("/dashboard/data.json").json()
    assert data["scope"] == JT
    assert {c["department"] for c in data["critical"]} <= {JT}
    assert {o["department"] for o in data["overdue"]} <= {JT}
    assert all(w["subject"] == JT for w in data["warnings"])


def test_public_and_anonymous_are_kept_out(as_user, client):
    assert as_user("pub").get("/dashboard").status_code == 403
    assert as_user("pub").get("/dashboard/data.json").status_code == 403
    client.cookies.clear()
    resp = client.get("/dashboard/data.json", follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"].startswith("/login")


def test_city_outlines_are_served_to_logged_in_users(as_user):
    resp = as_user("jt").get("/dashboard/city.geojson")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/geo+json")
    assert {f["properties"]["name"] for f in json.loads(resp.content)["features"]} >= {"鼓楼区", "福清市"}


# ---------------------------------------------------------------- the data module, on a fixed clock
def test_panels_on_the_seeded_city(seeded_app):
    app, _ = seeded_app
    data = dashboard_data(app, Principal.office(), now=NOW)
    assert data["total"] == 6 and sum(c["value"] for c in data["channels"]) == 6
    assert {d["name"]: d["value"] for d in data["districts"]}["鼓楼区"] == 3
    assert data["volume"]["week"] is not None and data["volume"]["trend"]     # history before this week exists
    crit = data["critical"]
    assert [c["urgency"] for c in crit] == ["high", "high"] and {c["department"] for c in crit} == {JT, HB}
    assert all("[手机号]" not in c["title"] and c["title"] for c in crit)
    assert {o["department"] for o in data["overdue"]} <= {JT, HB}
    assert [s["name"] for s in data["satisfaction"]] == ["满意", "不满意", "未评价"]


def test_a_department_gets_its_own_counts(seeded_app):
    app, _ = seeded_app
    data = dashboard_data(app, Principal.for_department("交通局"), now=NOW)   # an alias resolves to the name
    assert data["scope"] == JT and data["total"] == 3
    assert sum(d["value"] for d in data["districts"]) == 3 and data["hotspots"] == []
    with pytest.raises(PermissionError):
        dashboard_data(app, Principal.public(), now=NOW)


def test_points_come_from_the_source_or_the_finest_place():
    from reports.dashboard import _points
    places = [{"name": "五四路", "level": "road", "lon": 119.27, "lat": 26.11},
              {"name": "鼓楼区", "level": "district", "lon": 119.26, "lat": 26.10}]
    arrivals = [(NOW, 119.30123, 26.08765, None), (NOW, None, None, places), (NOW, None, None, places),
                (NOW, None, None, []), (datetime(2026, 9, 1, tzinfo=SHANGHAI), 119.3, 26.0, None)]
    assert _points(arrivals, datetime(2026, 10, 11, tzinfo=SHANGHAI)) == [[119.27, 26.11, 2], [119.301, 26.088, 1]]


def test_the_shipped_outline_has_every_sample_district(app):
    data = load_geojson(SHIPPED / "fuzhou-demo.geojson")
    assert set(region_names(data)) == {d.name for d in app.config.districts}
    info = map_info(app)
    assert info["available"] and info["missing"] == [] and "示意" in info["note"]


def test_a_missing_map_degrades_to_tables(app, home):
    (home / "suqiu.toml").write_text((home / "suqiu.toml").read_text(encoding="utf-8").replace(
        'geojson = "fuzhou-demo.geojson"', 'geojson = "nowhere.geojson"'), encoding="utf-8")
    from suqiu.installation import Installation
    info = map_info(Installation.load(home))
    assert not info["available"] and "nowhere.geojson" in info["note"]
