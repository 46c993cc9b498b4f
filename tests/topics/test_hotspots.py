from datetime import timedelta

from nlp.hotspots import HeatWeights, HotspotSettings, assign_places, demand_units, find_hotspots
from tests.topics.corpus import at


def rec(i, topic=1, places=("湖前小区",), district="鼓楼区", day=0, **kw):
    base = {"id": f"r{i}", "received_at": at(0, day, 9 + i % 8), "topic_id": topic, "places": list(places),
            "district": district, "requester": f"u{i}", "title": f"诉求{i}", "votes_up": 0, "votes_down": 0,
            "publication": "internal"}
    base.update(kw)
    return base


S = HotspotSettings(min_demands=2, min_votes=50)


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


def test_single_demand_is_a_hotspot_only_with_many_votes():
    lone = [rec(1, topic=-1, votes_up=200, votes_down=5), rec(2, topic=-1, places=("别处",), votes_up=3)]
    hs = find_hotspots(lone, settings=S)
    assert [h["representatives"][0]["id"] for h in hs] == ["r1"]
    assert hs[0]["topic_id"] is None and hs[0]["votes_up"] == 200


def test_outliers_do_not_group_with_each_other():
    hs = find_hotspots([rec(1, topic=-1), rec(2, topic=-1)], settings=S)
    assert hs == []


def test_more_people_is_hotter_than_one_person_resubmitting():
    many = [rec(i, topic=1) for i in range(4)]
    one = [rec(10 + i, topic=2, dup_group="g", requester="same") for i in range(4)] + [rec(20, topic=2)]
    hs = find_hotspots(many + one, settings=S)
    assert [h["topic_id"] for h in hs] == [1, 2]


def test_heat_is_the_weighted_sum_of_its_components():
    rs = [rec(1, sentiment_label="negative", urgency_level="critical", votes_up=9),
          rec(2, sentiment_label="neutral", urgency_level="low")]
    [h] = find_hotspots(rs, settings=HotspotSettings(weights=HeatWeights(1, 0, 0, 0, 0, 0)))
    assert h["components"]["negative"] == 0.5 and h["components"]["urgency"] == 0.5
    assert h["heat"] == round(h["components"]["volume"], 3)
    [h2] = find_hotspots(rs)
    expected = sum(getattr(HeatWeights(), k) * v for k, v in h2["components"].items())
    assert abs(h2["heat"] - expected) < 0.01  # components are rounded for display


def test_growth_rewards_recent_activity():
    old = [rec(i, topic=1, day=0) for i in range(3)]
    fresh = [rec(10 + i, topic=2, places=("屏西小区",), day=20) for i in range(3)]
    hs = {h["topic_id"]: h for h in find_hotspots(old + fresh, settings=S)}
    assert hs[2]["components"]["growth"] > 0 and hs[1]["components"]["growth"] == 0


def test_hotspot_shape_for_reports():
    [h] = find_hotspots([rec(1), rec(2, day=2)], topic_labels={1: "物业·电梯"}, settings=S)
    assert h["places"] == "湖前小区" and h["topic_label"] == "物业·电梯"
    assert h["span"] == f"{at(0):%Y-%m-%d} 至 {(at(0) + timedelta(days=2)):%Y-%m-%d}"
    assert "物业·电梯" in h["description"] and h["record_ids"] == ["r1", "r2"]


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


def test_an_office_only_demand_never_leads_a_hotspot():
    """Digests carry hotspots to departments: a 举报件's headline is no representative."""
    secret = [rec(i, votes_up=10, title="举报某局工作人员", publication="office_only") for i in range(3)]
    [h] = find_hotspots(secret + [rec(10), rec(11)], settings=S)
    assert h["count"] == 5 and "举报" not in h["description"]
    assert {r["id"] for r in h["representatives"]} <= {"r10", "r11"}
