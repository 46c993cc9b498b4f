from datetime import timedelta

import math

import pytest

from nlp.hotspots import HEAT_FACTORS, HeatWeights, HotspotSettings, assign_places, demand_units, find_hotspots
from tests.topics.corpus import at


def rec(i, topic=1, places=("湖前小区",), district="鼓楼区", day=0, **kw):
    base = {"id": f"r{i}", "received_at": at(0, day, 9 + i % 8), "topic_id": topic, "places": list(places),
            "district": district, "requester": f"u{i}", "title": f"诉求{i}", "votes_up": 0, "votes_down": 0,
            "publication": "internal"}
    base.update(kw)
    return base


S = HotspotSettings(min_demands=2)


def test_duplicates_count_once_with_their_submission_count():
    copies = [rec(i, dup_group="g1", requester="same") for i in range(5)]
    others = [rec(10), rec(11)]
    [h] = find_hotspots(copies + others, settings=S)
    assert h["count"] == 3 and h["submissions"] == 7
    assert h["requesters"] == 3
    assert h["representatives"][0]["submissions"] == 5


def test_units_are_led_by_the_earliest_submission():
    [u] = demand_units([rec(2, dup_group="g", day=3), rec(1, dup_group="g", day=1)])
    assert u.first["id"] == "r1" and u.submissions == 2


def test_place_backs_off_to_the_district_when_the_fine_place_is_alone():
    units = demand_units([rec(1, places=("湖前小区",)), rec(2, places=("湖前小区",)),
                          rec(3, places=("屏西小区",))])
    places = assign_places(units, min_place_demands=2)
    assert places == {"r1": "湖前小区", "r2": "湖前小区", "r3": "鼓楼区"}


def test_topics_are_kept_apart():
    hs = find_hotspots([rec(1, topic=1), rec(2, topic=1), rec(3, topic=2), rec(4, topic=2)], settings=S)
    assert sorted(h["topic_id"] for h in hs) == [1, 2]


def test_a_long_quiet_gap_starts_a_new_window():
    rs = [rec(1, day=0), rec(2, day=1), rec(3, day=40), rec(4, day=41)]
    hs = find_hotspots(rs, settings=S)
    assert len(hs) == 2 and all(h["count"] == 2 for h in hs)


def test_a_single_demand_is_never_a_hotspot_however_liked_or_resubmitted():
    liked = [rec(1, topic=-1, votes_up=2000, votes_down=5)]
    copies = [rec(10 + i, topic=3, dup_group="g", requester=f"p{i}", votes_up=100) for i in range(12)]
    assert find_hotspots(liked + copies, settings=S) == []
    assert find_hotspots(liked + copies) == []


def test_min_demands_below_two_is_refused():
    with pytest.raises(ValueError, match="single demand"):
        HotspotSettings(min_demands=1)


def test_one_requester_is_not_a_hotspot():
    same = [rec(i, requester="同一人") for i in range(4)]
    assert find_hotspots(same, settings=S) == []
    assert len(find_hotspots(same + [rec(9)], settings=S)) == 1


def test_default_needs_two_distinct_demands_from_two_people():
    assert find_hotspots([rec(1)]) == []
    [h] = find_hotspots([rec(1), rec(2)])
    assert h["count"] == 2 and h["requesters"] == 2


def test_a_wave_of_resubmissions_is_growth():
    base = [rec(1, day=0), rec(2, day=1)]
    wave = [rec(10 + i, day=16, dup_group="r2", requester=f"p{i}") for i in range(5)]
    [h] = find_hotspots(base + wave)
    assert h["count"] == 2 and h["submissions"] == 7
    assert h["components"]["growth"] == 4.0   # (1 + 5) / (1 + 0) capped at 4: the first two are older


def test_outliers_do_not_group_with_each_other():
    hs = find_hotspots([rec(1, topic=-1), rec(2, topic=-1)], settings=S)
    assert hs == []


def test_more_people_is_hotter_than_one_person_resubmitting():
    many = [rec(i, topic=1) for i in range(4)]
    one = [rec(10 + i, topic=2, dup_group="g", requester="same") for i in range(4)] + [rec(20, topic=2)]
    hs = find_hotspots(many + one, settings=S)
    assert [h["topic_id"] for h in hs] == [1, 2]


def test_heat_is_the_product_of_its_factors():
    rs = [rec(1, sentiment_label="negative", urgency_level="critical", votes_up=9),
          rec(2, sentiment_label="neutral", urgency_level="low")]
    [h] = find_hotspots(rs, settings=S)
    c = h["components"]
    assert set(c) == set(HEAT_FACTORS)
    assert c["demands"] == 2 and c["diversity"] == 1.0 and c["recency"] == 1.0
    assert c["attention"] == pytest.approx(1 + 0.25 * math.log1p(9) + 0.5 * 0.5 + 0.5 * 0.5, abs=1e-3)
    assert h["heat"] == pytest.approx(math.prod(c.values()), rel=1e-3)
    plain = HotspotSettings(min_demands=2, weights=HeatWeights(votes=0, negative=0, urgency=0))
    [h0] = find_hotspots(rs, settings=plain)
    assert h0["components"]["attention"] == 1.0 and h0["heat"] == pytest.approx(2 * c["growth"])


def test_one_person_writing_often_counts_less_than_many_people():
    one = [rec(i, topic=1, requester="同一人") for i in range(4)] + [rec(9, topic=1)]
    many = [rec(10 + i, topic=2, places=("屏西小区",)) for i in range(5)]
    hs = {h["topic_id"]: h for h in find_hotspots(one + many, settings=S)}
    assert hs[1]["components"]["diversity"] == pytest.approx(0.4) and hs[2]["components"]["diversity"] == 1.0
    assert hs[2]["heat"] > hs[1]["heat"]


def test_recency_halves_with_each_half_life_of_quiet():
    old = [rec(i, topic=1, day=0) for i in range(3)]
    fresh = [rec(10 + i, topic=2, places=("屏西小区",), day=28) for i in range(3)]
    hs = {h["topic_id"]: h for h in find_hotspots(old + fresh, settings=S)}
    assert hs[2]["components"]["recency"] == 1.0
    assert hs[1]["components"]["recency"] == pytest.approx(0.25, abs=0.02)  # 28 days, half-life 14
    assert [h["topic_id"] for h in find_hotspots(old + fresh, settings=S)] == [2, 1]


def test_growth_rewards_recent_activity():
    old = [rec(i, topic=1, day=0) for i in range(3)]
    fresh = [rec(10 + i, topic=2, places=("屏西小区",), day=20) for i in range(3)]
    fading = [rec(20 + i, topic=3, places=("福湾小区",), day=8) for i in range(3)] + [rec(30, topic=3, places=("福湾小区",), day=15)]
    hs = {h["topic_id"]: h for h in find_hotspots(old + fresh + fading, settings=S)}
    assert hs[2]["components"]["growth"] == 4.0          # (1 + 3) / (1 + 0)
    assert hs[1]["components"]["growth"] == 1.0          # nothing lately, nothing before
    assert hs[3]["components"]["growth"] == pytest.approx(0.5)  # (1 + 1) / (1 + 3): one lately, three the week before


def test_hotspot_shape_for_reports():
    [h] = find_hotspots([rec(1), rec(2, day=2)], topic_labels={1: "物业·电梯"}, settings=S)
    assert h["places"] == "湖前小区" and h["topic_label"] == "物业·电梯"
    assert h["span"] == f"{at(0):%Y-%m-%d} 至 {(at(0) + timedelta(days=2)):%Y-%m-%d}"
    assert "物业·电梯" in h["description"] and h["record_ids"] == ["r1", "r2"]
    assert h["headline"] == "湖前小区：物业·电梯"


def test_top_limits_the_list():
    rs = [rec(i, topic=i // 2, places=(f"小区{i // 2}",)) for i in range(10)]
    assert len(find_hotspots(rs, settings=S, top=3)) == 3


def test_at_a_coarse_place_demands_split_by_subject():
    case = [rec(i, places=(), keywords=["车贷", "立案", f"x{i}"]) for i in range(3)]
    estate = [rec(10 + i, places=(), keywords=["江山帝景", "交房", f"y{i}"]) for i in range(3)]
    filler = [rec(20 + i, places=(), keywords=[f"z{i}"]) for i in range(40)]
    hs = find_hotspots(case + estate + filler, settings=S)
    groups = sorted(sorted(h["record_ids"]) for h in hs)
    assert groups == [["r0", "r1", "r2"], ["r10", "r11", "r12"]]


def test_a_fine_place_is_not_split_by_subject():
    rs = [rec(i, keywords=[f"k{i}"]) for i in range(3)]
    [h] = find_hotspots(rs, settings=S)
    assert h["count"] == 3 and h["place"] == "湖前小区"


def test_praise_is_not_a_hotspot():
    praise = [rec(i, sentiment_label="positive", votes_up=200) for i in range(4)]
    complaints = [rec(10 + i, topic=2, sentiment_label="negative") for i in range(3)]
    hs = find_hotspots(praise + complaints, settings=S)
    assert [h["topic_id"] for h in hs] == [2]


def test_mixed_group_with_some_praise_stays_a_hotspot():
    group = [rec(1, sentiment_label="positive"), rec(2, sentiment_label="negative"), rec(3)]
    assert len(find_hotspots(group, settings=S)) == 1


def test_hotspot_ids_never_look_like_phone_numbers():
    hs = find_hotspots([rec(i, topic=i // 2, places=(f"小区{i // 2}",)) for i in range(40)], settings=S)
    assert hs and all(h["id"].isalpha() and len(h["id"]) == 12 for h in hs)


def test_an_office_only_demand_never_leads_a_hotspot():
    """Digests carry hotspots to departments: a 举报件's headline is no representative."""
    secret = [rec(i, votes_up=10, title="举报某局工作人员", publication="office_only") for i in range(3)]
    [h] = find_hotspots(secret + [rec(10), rec(11)], settings=S)
    assert h["count"] == 5 and "举报" not in h["description"]
    assert {r["id"] for r in h["representatives"]} <= {"r10", "r11"}
