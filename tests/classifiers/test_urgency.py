from __future__ import annotations

import pytest

from nlp.urgency import UrgencyRater


@pytest.fixture(scope="module")
def rater():
    return UrgencyRater()


def test_gas_leak_is_high_with_its_words(rater):
    r = rater.rate("楼道里燃气泄漏，味道很大")
    assert r.level == "high"
    assert r.flags["safety"] == ("燃气泄漏",)
    assert r.reasons == ("安全隐患: 燃气泄漏",)


def test_self_harm_threat_is_critical(rater):
    r = rater.rate("再不解决我就跳楼")
    assert r.level == "critical" and r.flags["self_harm"] == ("跳楼",)


def test_mass_incident_threat_is_critical(rater):
    r = rater.rate("几十名业主准备集体上访")
    assert r.level == "critical"
    assert "集体上访" in r.flags["mass_incident"]
    assert r.flags["many_people"] == ("几十名",)


def test_utilities_cut_for_days_is_high(rater):
    r = rater.rate("小区停水三天了，老人孩子没水喝")
    assert r.level == "high"
    assert {"停水", "三天"} <= set(r.flags["utilities"])


def test_planned_short_outage_is_not_urgent(rater):
    assert rater.rate("小区明天计划停水").level == "low"


def test_unpaid_wages_before_the_holiday_is_high(rater):
    r = rater.rate("老板拖欠工资，春节前要回家过年")
    assert r.level == "high"
    assert r.reasons == ("节前欠薪: 拖欠工资、春节",)


def test_unpaid_wages_without_holiday_is_not_flagged(rater):
    assert "wages_holiday" not in rater.rate("老板拖欠工资两个月").flags


def test_negated_hazard_is_not_flagged(rater):
    r = rater.rate("经检查没有安全隐患，无人受伤")
    assert r.level == "low" and r.reasons == ()


def test_health_hazard_to_many_is_critical(rater):
    r = rater.rate("食堂食物中毒，30多名学生送医")
    assert r.level == "critical"
    assert "health" in r.flags and "many_people" in r.flags


def test_repeated_pressing_complaint_is_medium(rater):
    r = rater.rate("多次反映小区噪音，请尽快处理")
    assert r.level == "medium"
    assert set(r.flags) == {"urgent_words", "repeated"}


def test_ordinary_demand_is_low(rater):
    assert rater.rate("路灯不亮，希望修一下").level == "low"
