"""Profile and topic documents on their own (pure builders, no engine)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from search.documents import HIT_FIELDS, UNKNOWN_VALUE, demand_document, profile_document, topic_document
from suqiu.model import SHANGHAI


@pytest.fixture(scope="module")
def config():
    from suqiu.config import load_config
    return load_config(Path("/nonexistent-suqiu-home"))


def profile(dimension: str = "district", value: str = "鼓楼区", **extra) -> dict:
    return {"id": f"{dimension}:{value}:2026-W47", "dimension": dimension, "value": value, "week": "2026-W47",
            "week_start": "2026-11-16", "volume": 12, "previous_volume": 5, "top_keywords": ["噪音", "施工"],
            "topic_mix": [{"topic_id": 3, "label": "噪音 施工", "count": 8, "share": 0.67},
                          {"topic_id": 5, "label": "停车 收费", "count": 2, "share": 0.17}],
            "representatives": [{"id": "hotline:1", "title": "工地夜间施工噪音", "topic_id": 3}], **extra}


def test_profile_document_identity_and_time():
    doc = profile_document(profile())
    assert doc["id"] == "profile:district:鼓楼区:2026-W47" and doc["kind"] == "profile"
    assert doc["received_at"] == "2026-11-16T00:00:00+08:00"
    assert (doc["dimension"], doc["week"], doc["heat"], doc["topic"]) == ("district", "2026-W47", 12.0, 3)


def test_profile_title_and_searchable_content():
    doc = profile_document(profile())
    assert doc["title"] == "鼓楼区 · 2026-W47 需求画像"
    for text in ("区县：鼓楼区", "共 12 件诉求", "上周 5 件", "噪音、施工", "噪音 施工、停车 收费", "工地夜间施工噪音"):
        assert text in doc["content"], text
    assert doc["keywords"] == ["噪音", "施工"]


@pytest.mark.parametrize("dimension,field", [("district", "district"), ("channel", "channel"),
                                             ("department", "department"), ("business", "business_name")])
def test_profile_value_goes_into_its_dimensions_field(dimension, field):
    doc = profile_document(profile(dimension, "某值"))
    assert doc[field] == "某值"
    others = {"district", "channel", "department", "business_name"} - {field}
    assert all(doc[o] is None for o in others)


def test_only_a_department_profile_carries_a_department():
    assert profile_document(profile("district"))["department"] is None
    assert profile_document(profile("requester_type", "enterprise"))["department"] is None


def test_department_alias_becomes_the_configured_name(config):
    doc = profile_document(profile("department", "环保局"), config=config)
    assert doc["department"] == "生态环境局" and doc["title"].startswith("生态环境局 · ")
    assert doc["id"] == "profile:department:环保局:2026-W47"  # the id stays the store's


def test_unknown_value_fills_no_field():
    doc = profile_document(profile("department", UNKNOWN_VALUE))
    assert doc["department"] is None and UNKNOWN_VALUE in doc["title"]


def test_unknown_value_matches_the_profile_builder():
    from nlp.profiles import UNKNOWN
    assert UNKNOWN_VALUE == UNKNOWN


def test_requester_type_is_shown_in_chinese():
    assert profile_document(profile("requester_type", "enterprise"))["title"] == "企业 · 2026-W47 需求画像"


def test_profile_is_never_an_open_demand():
    doc = profile_document(profile())
    assert doc["open"] is False and doc["status"] is None and doc["due_at"] is None


def test_sparse_profile_still_builds():
    doc = profile_document({"dimension": "district", "value": "台江区", "week": "2026-W01", "volume": 1})
    assert doc["id"] == "profile:district:台江区:2026-W01" and doc["received_at"].startswith("2025-12-29")


def test_profiles_from_the_builder_become_documents():
    from nlp.profiles import DIMENSIONS, build_profiles
    records = [{"id": f"h:{i}", "received_at": datetime(2026, 11, 17, 9, tzinfo=SHANGHAI), "district": "鼓楼区",
                "channel": "电话", "department": "生态环境局", "requester_type": "individual", "status": "routed",
                "keywords": ["噪音"], "title": "噪音扰民", "topic_id": 1, "sentiment_label": "negative",
                "publication": "internal"} for i in range(3)]
    records.append({**records[0], "id": "h:x", "title": "举报环保局工作人员", "publication": "office_only"})
    docs = [profile_document(p) for dim in DIMENSIONS for p in build_profiles(records, dim, {1: "噪音"})]
    assert {d["id"] for d in docs} >= {"profile:department:生态环境局:2026-W47", "profile:district:鼓楼区:2026-W47"}
    assert all("噪音扰民" in d["content"] and d["heat"] == 4.0 for d in docs)
    assert not any("举报" in d["content"] for d in docs)   # an office-only headline never represents a profile
    assert all(d["publication"] == "internal" for d in docs)


def test_topic_document():
    doc = topic_document({"id": 7, "label": "停水 小区", "keywords": ["停水", "小区", "供水"], "size": 40,
                          "first_seen": datetime(2026, 10, 1, 8, 30)}, ["小区停水三天", "", "小区停水三天"])
    assert doc["id"] == "topic:7" and doc["kind"] == "topic" and doc["topic"] == 7
    assert doc["title"] == "主题：停水 小区" and doc["heat"] == 40.0 and doc["department"] is None
    assert doc["received_at"] == "2026-10-01T08:30:00+08:00"
    assert doc["content"].count("小区停水三天") == 1 and "停水、小区、供水" in doc["content"]


def test_every_kind_has_every_hit_field(config):
    from suqiu.model import Analysis
    record = {"id": "hotline:1", "source": "hotline", "received_at": datetime(2026, 11, 1, tzinfo=SHANGHAI),
              "status": "routed"}
    demand = demand_document(record, Analysis(record_id="hotline:1", masked_text="x"))
    topic = topic_document({"id": 1, "label": "x", "first_seen": "2026-11-01T00:00:00"})
    for doc in (demand, profile_document(profile()), topic):
        assert set(HIT_FIELDS) - {"dimension", "week"} <= set(doc), doc["kind"]
    assert set(HIT_FIELDS) <= set(profile_document(profile())) and set(HIT_FIELDS) <= set(topic)
