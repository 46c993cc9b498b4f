"""Demands' points for the bounding-box filter: where they come from, and the Elasticsearch body."""

from __future__ import annotations

from datetime import datetime

from search.backends.elasticsearch import filter_clauses
from search.documents import location
from search.mappings import ADDED_FIELDS, demand_mappings
from search.query import Filters
from suqiu.model import SHANGHAI, Analysis

PLACES = [{"name": "鼓楼区", "level": "district", "lon": 119.26, "lat": 26.10},
          {"name": "五四路", "level": "road", "lon": 119.27, "lat": 26.11}]


def test_the_sources_point_wins_over_the_texts_places():
    a = Analysis(record_id="x", places=PLACES)
    assert location({"lat": 26.08, "lon": 119.30}, a) == {"lat": 26.08, "lon": 119.30}
    assert location({}, a) == {"lat": 26.11, "lon": 119.27}          # the road is finer than the district
    assert location({}, Analysis(record_id="x")) is None and location({}, None) is None


def test_bbox_compiles_to_a_geo_bounding_box_on_a_geo_point():
    f = Filters.build(bbox="119.2,26.0,119.4,26.2")
    clause = filter_clauses(f, datetime(2026, 11, 1, tzinfo=SHANGHAI))[-1]
    assert clause == {"geo_bounding_box": {"location": {"top_left": {"lat": 26.2, "lon": 119.2},
                                                        "bottom_right": {"lat": 26.0, "lon": 119.4}}}}
    assert demand_mappings()["properties"]["location"] == {"type": "geo_point"} == ADDED_FIELDS["location"]
    assert Filters.build().bbox is None
