from datetime import timedelta

import pytest

from nlp.profiles import build_profiles, latest_week
from tests.topics.corpus import at


def rec(i, week, **kw):
    base = {"id": f"r{i}", "received_at": at(week, i % 7), "district": "鼓楼区", "channel": "电话",
            "requester_type": "individual", "status": "received", "topic_id": 1, "keywords": [],
            "sentiment_label": "neutral", "urgency_level": "low", "title": f"诉求{i}", "publication": "internal"}
    base.update(kw)
    return base


@pytest.fixture
def records():
    prev = [rec(i, 0) for i in range(4)]
    this = [
        rec(10, 1, topic_id=1, keywords=["物业", "电梯"], sentiment_label="negative", sentiment_score=-0.8,
            urgency_level="high", status="replied", replied_at=at(1, 3) + timedelta(hours=10),
            satisfaction="满意"),
        rec(11, 1, topic_id=1, keywords=["物业", "停车"], sentiment_label="negative", sentiment_score=-0.4,
            status="routed"),
        rec(12, 1, topic_id=2, keywords=["物业"], sentiment_score=0.0, status="closed",
            replied_at=at(1, 5) + timedelta(hours=20), satisfaction="不满意"),
        rec(13, 1, topic_id=-1, keywords=["学校"], status="reopened"),
        rec(14, 1, topic_id=2, keywords=["物业"], dup_group="g", status="received"),
        rec(15, 1, topic_id=2, keywords=["物业"], dup_group="g", status="received"),
        rec(16, 1, district="台江区"),
    ]
    return prev + this


def profile(records, value="鼓楼区", week="2026-W03", dimension="district"):
    return next(p for p in build_profiles(records, dimension) if p["value"] == value and p["week"] == week)


def test_volume_and_change_against_previous_week(records):
    p = profile(records)
    assert p["volume"] == 6 and p["previous_volume"] == 4
    assert p["change"] == 2 and p["change_pct"] == 0.5


def test_first_week_has_no_percentage_change(records):
    p = profile(records, week="2026-W02")
    assert p["previous_volume"] == 0 and p["change"] == 4 and p["change_pct"] is None


def test_distinct_collapses_duplicates(records):
    assert profile(records)["distinct"] == 5


def test_topic_mix_counts_and_shares(records):
    p = profile(records)
    assert p["topic_mix"][0] == {"topic_id": 2, "label": "", "count": 3, "share": 0.5}
    assert p["topic_mix"][1]["topic_id"] == 1 and p["topic_mix"][1]["count"] == 2
    assert p["unassigned"] == 1


def test_sentiment_and_urgency(records):
    p = profile(records)
    assert p["sentiment"]["counts"]["negative"] == 2
    assert p["sentiment"]["negative_share"] == round(2 / 6, 4)
    assert p["sentiment"]["mean_score"] == round((-0.8 - 0.4 + 0.0) / 3, 4)
    assert p["urgency"]["urgent"] == 1


def test_unresolved_counts_received_routed_and_reopened(records):
    assert profile(records)["unresolved"] == 4  # routed, reopened, two received


def test_reply_figures(records):
    r = profile(records)["replies"]
    assert r["replied"] == 2 and r["reply_rate"] == round(2 / 6, 4)
    # r10 arrives day 3 10:00 and is answered 10 h later; r12 arrives day 5 10:00, answered 20 h later
    assert r["median_reply_hours"] == 15.0
    assert r["satisfaction"] == {"满意": 1, "不满意": 1}


def test_top_keywords_by_frequency_then_name(records):
    assert profile(records)["top_keywords"][:3] == ["物业", "停车", "学校"]


def test_representatives_cover_top_keywords_once_per_duplicate_group(records):
    reps = profile(records)["representatives"]
    assert len(reps) == 3
    assert reps[0]["id"] in {"r10", "r11"}
    assert sum(r["id"] in {"r14", "r15"} for r in reps) <= 1


def test_other_dimensions(records):
    assert profile(records, "电话", dimension="channel")["volume"] == 7
    assert profile(records, "台江区")["volume"] == 1


def test_business_dimension_skips_records_without_a_business(records):
    records.append(rec(20, 1, business_name="某某餐厅", source="review"))
    out = build_profiles(records, "business")
    assert [(p["value"], p["volume"]) for p in out] == [("某某餐厅", 1)]


def test_department_prefers_routed_over_given(records):
    records.append(rec(21, 1, department="教育局", department_given="住建局"))
    out = build_profiles(records, "department", weeks=["2026-W03"])
    assert {p["value"] for p in out} == {"教育局", "未知"}


def test_profile_is_plain_json_with_a_stable_id(records):
    import json
    p = profile(records)
    assert p["id"] == "district:鼓楼区:2026-W03" and p["week_start"] == "2026-01-12"
    json.dumps(p, ensure_ascii=False)


def test_unknown_dimension_is_an_error(records):
    with pytest.raises(ValueError, match="dimension 'street'"):
        build_profiles(records, "street")


def test_latest_week(records):
    assert latest_week(records) == "2026-W03"
    assert latest_week([]) is None
