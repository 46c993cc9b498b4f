import pytest

from nlp.early_warning import WarningSettings, all_warnings, detect_surge, surge_warnings, urgent_clusters
from suqiu.weeks import iso_week, shift_week, week_start, weeks_between
from tests.topics.corpus import at

S = WarningSettings(baseline_weeks=4, surge_ratio=2.0, min_count=5, urgent_cluster_min=3, urgent_window_days=3)


def rec(i, week, topic=1, district="鼓楼区", day=0, urgency="low", dup=None, hour=10):
    return {"id": f"r{i}", "received_at": at(week, day, hour), "topic_id": topic, "district": district,
            "urgency_level": urgency, "dup_group": dup, "title": f"诉求{i}"}


def series(counts, topic=1, district="鼓楼区"):
    """Records making ``counts[w]`` demands in week offset w."""
    out, i = [], 0
    for w, n in enumerate(counts):
        for k in range(n):
            out.append(rec(i, w, topic, district, day=k % 7, hour=8 + k // 7))
            i += 1
    return out


def test_detect_surge_over_baseline():
    counts = {"2026-W02": 3, "2026-W03": 2, "2026-W04": 3, "2026-W05": 4, "2026-W06": 9}
    s = detect_surge(counts, "2026-W06", S)
    assert s is not None and s.count == 9 and s.baseline == 3.0 and s.ratio == 3.0
    assert list(s.series) == ["2026-W02", "2026-W03", "2026-W04", "2026-W05", "2026-W06"]


def test_no_surge_below_ratio():
    counts = {"2026-W02": 4, "2026-W03": 4, "2026-W04": 4, "2026-W05": 4, "2026-W06": 7}
    assert detect_surge(counts, "2026-W06", S) is None


def test_quiet_district_needs_the_minimum_count():
    counts = {"2026-W05": 1, "2026-W06": 4}  # four times the baseline, but only four demands
    assert detect_surge(counts, "2026-W06", S) is None


def test_new_theme_surges_without_baseline():
    s = detect_surge({"2026-W06": 6}, "2026-W06", S)
    assert s is not None and s.ratio is None and s.baseline == 0


def test_missing_weeks_count_as_zero_in_the_baseline():
    s = detect_surge({"2026-W02": 8, "2026-W06": 6}, "2026-W06", S)
    assert s is not None and s.baseline == 2.0 and s.ratio == 3.0


def test_surge_warnings_on_a_constructed_series():
    found = surge_warnings(series([3, 3, 3, 3, 10]), S, {1: "物业·电梯"})
    topic = [w for w in found if w["kind"] == "surge_topic"]
    district = [w for w in found if w["kind"] == "surge_district"]
    assert [w["week"] for w in topic] == [iso_week(at(4))]
    assert [w["week"] for w in district] == [iso_week(at(4))]
    w = topic[0]
    assert w["evidence"]["count"] == 10 and w["evidence"]["baseline"] == 3.0
    assert "物业·电梯" in w["message"] and w["level"] == "medium"
    assert len(w["evidence"]["records"]) == 5


def test_steady_series_raises_nothing_even_where_the_data_begins():
    assert surge_warnings(series([6, 6, 6, 6, 6]), S) == []


def test_baseline_uses_only_weeks_since_the_data_begins():
    s = detect_surge({"2026-W02": 2, "2026-W03": 6}, "2026-W03", S, history_start="2026-W02")
    assert s is not None and s.baseline == 2.0 and list(s.series) == ["2026-W02", "2026-W03"]
    assert detect_surge({"2026-W02": 9}, "2026-W02", S, history_start="2026-W02") is None


def test_near_duplicates_do_not_make_a_surge():
    base = series([3, 3, 3, 3, 0])
    copies = [rec(100 + k, 4, dup="same-letter", day=k % 7) for k in range(10)]
    assert not [w for w in surge_warnings(base + copies, S) if w["week"] == iso_week(at(4))]


def test_outliers_are_not_a_topic_surge():
    found = surge_warnings([rec(99, 0, topic=-1)] + series([0, 0, 0, 0, 8], topic=-1), S)
    assert [w["kind"] for w in found] == ["surge_district"]


def test_warning_ids_are_stable():
    a = surge_warnings(series([3, 3, 3, 3, 10]), S)
    b = surge_warnings(series([3, 3, 3, 3, 10]), S)
    assert [w["id"] for w in a] == [w["id"] for w in b]


def test_urgent_cluster_within_the_window():
    rs = [rec(i, 2, day=i, urgency="high") for i in range(3)] + [rec(9, 2, day=1, urgency="low")]
    found = urgent_clusters(rs, S, {1: "燃气"})
    assert len(found) == 1
    assert found[0]["evidence"]["count"] == 3 and "燃气" in found[0]["message"]
    assert {r["id"] for r in found[0]["evidence"]["records"]} == {"r0", "r1", "r2"}


def test_urgent_demands_spread_out_are_no_cluster():
    rs = [rec(i, i, urgency="critical") for i in range(4)]  # one a week
    assert urgent_clusters(rs, S) == []


def test_urgent_cluster_needs_one_district():
    rs = [rec(i, 2, day=0, urgency="high", district=d) for i, d in enumerate(["鼓楼区", "台江区", "仓山区"])]
    assert urgent_clusters(rs, S) == []


def test_urgent_duplicates_count_once():
    rs = [rec(i, 2, day=0, urgency="high", dup="g") for i in range(5)]
    assert urgent_clusters(rs, S) == []


def test_all_warnings_combines_both_kinds():
    rs = series([3, 3, 3, 3, 10]) + [rec(200 + i, 1, day=i, urgency="high", topic=2) for i in range(3)]
    kinds = {w["kind"] for w in all_warnings(rs, S)}
    assert kinds == {"surge_topic", "surge_district", "urgent_cluster"}


def test_settings_from_config_section(app):
    assert WarningSettings.from_config(app.config.warnings) == WarningSettings()


def test_week_arithmetic():
    assert iso_week(at(0)) == "2026-W02"
    assert shift_week("2026-W01", -1) == "2025-W52"
    assert week_start("2026-W02").isoformat() == "2026-01-05"
    assert weeks_between("2025-W52", "2026-W02") == ["2025-W52", "2026-W01", "2026-W02"]
    with pytest.raises(ValueError, match="ISO week"):
        week_start("2026-47")
