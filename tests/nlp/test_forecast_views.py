"""Views-time forecasts: documents per subject, warnings worded expected against actual, the
history ending where the data ends; and the views stage storing them."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from nlp.forecast import ForecastSettings
from nlp.forecast_views import CITY, build_outlook, history_end, subjects_of
from suqiu.model import SHANGHAI, Analysis, build_demand
from suqiu.weeks import Week

SETTINGS = ForecastSettings(horizon=4)
MONDAY = datetime(2026, 6, 1, 9, tzinfo=SHANGHAI)   # ISO 2026-W23
LABELS = {1: "物业 小区", 2: "噪音 施工"}


def history(weeks: int = 30, surge_last: int = 0, seed: int = 3) -> list[dict]:
    """Records: steady weekly counts per district, department and topic; ``surge_last`` more in
    鼓楼区 in the last week."""
    rng = random.Random(seed)
    rows = []
    for w in range(weeks):
        start = MONDAY + timedelta(weeks=w)
        for district, owner, topic, n in (("鼓楼区", "住房和城乡建设局", 1, 30), ("台江区", "生态环境局", 2, 15)):
            extra = surge_last if (w == weeks - 1 and district == "鼓楼区") else 0
            for i in range(n + rng.randint(-3, 3) + extra):
                rows.append({"id": f"h:{w}-{district}-{i}", "received_at": start + timedelta(hours=rng.randrange(150)),
                             "district": district, "owner": owner, "topic_id": topic})
    return rows


def test_every_subject_of_a_demand():
    r = {"district": "鼓楼区", "owner": "教育局", "topic_id": 1}
    assert subjects_of(r, LABELS) == [("city", CITY, CITY), ("district", "鼓楼区", "鼓楼区"),
                                      ("department", "教育局", "教育局"), ("topic", "1", "话题「物业 小区」")]
    assert subjects_of({"topic_id": -1}, LABELS) == [("city", CITY, CITY)]   # outliers and unknowns: the city only


def test_history_ends_at_the_last_complete_week_with_demands():
    now = datetime(2026, 7, 15, 10, tzinfo=SHANGHAI)              # a Wednesday of 2026-W29
    assert str(history_end(["2026-W25", "2026-W28", "2026-W29"], now)) == "2026-W28"
    assert str(history_end(["2026-W25", "2026-W26"], now)) == "2026-W26"   # data stopped: no zero weeks after
    assert history_end(["2026-W29"], now) is None


def test_documents_per_subject_four_weeks_ahead():
    rows = history()
    last = Week.of(rows[-1]["received_at"])
    now = last.end + timedelta(days=2)
    out = build_outlook(rows, SETTINGS, now, LABELS)
    assert out.history_end == str(last)
    assert set(out.documents) == {"city:全市", "district:鼓楼区", "district:台江区", "department:住房和城乡建设局",
                                  "department:生态环境局", "topic:1", "topic:2"}
    doc = out.documents["district:鼓楼区"]
    assert [s["period"] for s in doc["steps"]] == [str(last.shift(i)) for i in range(1, 5)]
    step = doc["steps"][0]
    lo95, hi95 = step["intervals"][95]
    assert lo95 < 30 < hi95 and lo95 <= step["intervals"][80][0] <= step["mean"] <= step["intervals"][80][1] <= hi95
    assert doc["subject"] == "鼓楼区" and len(doc["recent"]) == 12 and doc["history"] == 30 and doc["history_end"] == str(last)
    city = out.documents["city:全市"]["steps"][0]["mean"]
    assert 35 < city < 55                                           # ~45 a week
    assert out.warnings == []                                       # nothing unusual in a steady history


def test_a_surge_is_a_warning_worded_expected_against_actual():
    rows = history(surge_last=40)
    last = Week.of(rows[-1]["received_at"])
    out = build_outlook(rows, SETTINGS, last.end + timedelta(days=1), LABELS)
    by_kind = {w["kind"]: w for w in out.warnings}
    w = by_kind["forecast_district"]
    assert w["subject"] == "鼓楼区" and w["week"] == str(last) and w["level"] == "high"
    assert w["message"].startswith("上周 鼓楼区 诉求 ") and "件，预期 " in w["message"] and "（95% 区间 " in w["message"]
    assert w["message"].endswith("%") and "高出" in w["message"]
    assert w["evidence"]["actual"] > w["evidence"]["intervals"][95][1] and w["evidence"]["direction"] == "above"
    assert {"forecast_city", "forecast_department", "forecast_topic"} <= set(by_kind)
    assert "台江区" not in {x["subject"] for x in out.warnings}      # the steady district raises nothing
    again = build_outlook(rows, SETTINGS, last.end + timedelta(days=1), LABELS)
    assert [x["id"] for x in again.warnings] == [x["id"] for x in out.warnings]   # stable ids (upserted)


def test_an_older_week_is_named_not_called_last_week():
    rows = history(surge_last=40)
    last = Week.of(rows[-1]["received_at"])
    out = build_outlook(rows, SETTINGS, last.end + timedelta(weeks=3), LABELS)
    assert out.history_end == str(last)
    assert out.warnings[0]["message"].startswith(f"{last.year}年第{last.number}周 ")


def test_no_history_no_forecast():
    out = build_outlook([], SETTINGS, MONDAY, LABELS)
    assert out.history_end is None and out.documents == {} and out.warnings == []


def test_views_stage_stores_forecasts_and_their_warnings(app):
    from nlp.stages.views import ViewsStage
    rows = history(weeks=20, surge_last=40)
    demands = [build_demand({"source": "hotline", "source_id": r["id"].split(":")[1], "received_at": r["received_at"],
                             "content": "小区物业问题", "district": r["district"], "department_given": r["owner"]})
               for r in rows]
    app.store.upsert(demands)
    app.store.save_analysis([Analysis(record_id=d.id, masked_text=d.content, masked_title="", topic_id=None)
                             for d in demands], stage="analyze")
    last = Week.of(rows[-1]["received_at"])
    stats = ViewsStage(clock=lambda: last.end + timedelta(days=1)).run(app)
    docs = app.store.documents("forecast")
    assert stats.forecasts == len(docs) == 5                        # city, two districts, two owners
    assert docs["department:住房和城乡建设局"]["steps"][0]["period"] == str(last.shift(1))
    warns = {w["kind"]: w for w in app.store.warning_rows([str(last)])}
    assert "forecast_district" in warns and warns["forecast_district"]["subject"] == "鼓楼区"
    assert "预期" in warns["forecast_district"]["message"]
