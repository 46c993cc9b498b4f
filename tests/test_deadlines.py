"""Time limits in working days: China's holidays and 调休 from chinese-calendar, hours for urgent demands."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from suqiu.config import load_config
from suqiu.deadlines import (
    Limit, add_workdays, calendar_covers, due_at, due_soon, is_workday, last_covered_year, renewed_due, sign_due_at,
    time_limit,
)
from suqiu.model import SHANGHAI

D = lambda *a: datetime(*a, tzinfo=SHANGHAI)  # noqa: E731


def test_national_day_and_its_make_up_saturday():
    """2026: 10-01..10-07 off, Saturday 10-10 worked (调休); five working days from 09-30 end on 10-13."""
    assert not is_workday(date(2026, 10, 5)) and is_workday(date(2026, 10, 10))
    assert add_workdays(D(2026, 9, 30, 10), 5) == D(2026, 10, 14)


def test_spring_festival_2026():
    """Saturday 02-14 is worked (调休), 02-15..02-23 are off."""
    assert add_workdays(D(2026, 2, 13, 17), 1) == D(2026, 2, 15)
    assert add_workdays(D(2026, 2, 14, 17), 1) == D(2026, 2, 25)
    assert not is_workday(date(2026, 2, 16))


def test_an_ordinary_week_skips_the_weekend():
    assert add_workdays(D(2026, 11, 20, 9), 1) == D(2026, 11, 24)    # Friday → Monday, ends at 24:00
    assert add_workdays(D(2026, 11, 21, 9), 1) == D(2026, 11, 24)    # received on Saturday: Monday too


def test_a_fraction_rounds_up_to_a_whole_day():
    assert add_workdays(D(2026, 11, 16, 9), 0.5) == add_workdays(D(2026, 11, 16, 9), 1)


def test_years_the_calendar_does_not_know_fall_back_to_weekdays():
    assert calendar_covers(date(2026, 12, 31)) and not calendar_covers(date(2027, 1, 1))
    assert last_covered_year() == 2026
    assert is_workday(date(2027, 1, 1))          # New Year's Day 2027 is not known yet: a Friday counts
    assert not is_workday(date(2027, 1, 2))      # a Saturday never does


def test_limits_per_department_category_and_urgency():
    cfg = load_config()
    received = D(2026, 9, 30, 10)
    assert due_at(cfg, received, "人力资源和社会保障局", "拖欠工资", "low") == D(2026, 10, 14)
    assert due_at(cfg, received, "人力资源和社会保障局", None, "critical") == received + timedelta(hours=24)
    assert due_at(cfg, received, None, None, None) == add_workdays(received, 15)
    override = D(2026, 12, 31, 12)
    assert due_at(cfg, received, "人力资源和社会保障局", None, "critical", override) == override
    assert time_limit(cfg, "教育局").label == "10 个工作日" and Limit(24, "hours").label == "24 小时"


def test_a_reopened_demand_counts_its_limit_afresh():
    cfg = load_config()
    assert renewed_due(cfg, D(2026, 11, 20, 15), "城市管理局", None, "low") == add_workdays(D(2026, 11, 20, 15), 7)


def test_signing_and_about_to_be_overdue():
    cfg = load_config()
    routed = D(2026, 11, 20, 9)
    assert sign_due_at(cfg, routed, "low") == routed + timedelta(hours=24)
    assert sign_due_at(cfg, routed, "critical") == routed + timedelta(hours=2)
    now = D(2026, 11, 20, 12)
    assert due_soon(cfg, now + timedelta(hours=5), now) and not due_soon(cfg, now + timedelta(hours=30), now)
    assert not due_soon(cfg, now - timedelta(hours=1), now)    # already overdue
