"""The plausible window of a demand's dates (issue 18, item 4), owned by ``suqiu.model``.

Importers, crawlers and the APIs all build records through ``build_demand``, so one rule
quarantines 0001-01-01, 1899 or 2099 with the same reason everywhere.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from scrapy.utils.test import get_crawler

from crawlers.importers.run import import_file
from crawlers.items import DemandItem
from crawlers.pipelines import ValidatePipeline
from suqiu.model import SHANGHAI, RecordError, build_demand, date_problem, plausible_time
from suqiu.store import demand_from_row
from tests.importers.conftest import HEADER

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=SHANGHAI)


def _raw(**kw):
    base = {"source": "hotline", "source_id": "GD-1", "received_at": "2026-11-20 09:30:00",
            "content": "小区楼下餐馆油烟扰民，晚上十点还在营业。"}
    base.update(kw)
    return base


@pytest.mark.parametrize("when", ["0001-01-01 00:00", "1899-12-30", "1899-12-31 09:00", "1989-12-31 23:59",
                                  "2099-05-01 09:00", "9999-12-31 23:59:59"])
def test_an_implausible_received_date_is_refused_naming_the_field(when):
    with pytest.raises(RecordError) as exc:
        build_demand(_raw(received_at=when))
    assert exc.value.field == "received_at"
    assert "不在合理范围内" in exc.value.reason and "1990-01-01" in exc.value.reason
    assert when[:10] in exc.value.reason, "the reason quotes the date with its four-digit year"


def test_the_window_starts_in_1990():
    assert build_demand(_raw(received_at="1990-01-01 00:00")).received_at.year == 1990


def test_a_day_of_clock_skew_is_allowed_but_not_more():
    soon = datetime.now(SHANGHAI) + timedelta(hours=6)
    assert build_demand(_raw(received_at=soon)).received_at == soon
    with pytest.raises(RecordError, match="不在合理范围内"):
        build_demand(_raw(received_at=datetime.now(SHANGHAI) + timedelta(days=2)))


def test_a_reply_before_the_demand_day_is_refused():
    with pytest.raises(RecordError) as exc:
        build_demand(_raw(replied_at="2026-11-19 16:00", status="replied"))
    assert exc.value.field == "replied_at" and "早于受理时间" in exc.value.reason


def test_a_date_only_reply_on_the_day_of_the_demand_is_kept():
    """Exports often give the reply's day only (00:00), which is earlier than the call's hour."""
    d = build_demand(_raw(replied_at="2026-11-20", status="replied"))
    assert d.replied_at.date() == d.received_at.date()


@pytest.mark.parametrize("when", ["0001-01-01", "2099-01-01 08:00"])
def test_an_implausible_reply_date_is_refused(when):
    with pytest.raises(RecordError) as exc:
        build_demand(_raw(replied_at=when, status="replied"))
    assert exc.value.field == "replied_at"


def test_date_problem_is_the_same_rule_for_any_caller():
    assert date_problem(NOW - timedelta(days=3), NOW - timedelta(days=1), now=NOW) is None
    assert date_problem(NOW + timedelta(days=3), None, now=NOW).field == "received_at"
    assert date_problem(NOW, NOW + timedelta(days=3), now=NOW).field == "replied_at"
    assert not plausible_time(datetime(1, 1, 1, tzinfo=SHANGHAI), NOW)
    assert not plausible_time(datetime(9999, 12, 31, 23, 59, tzinfo=SHANGHAI), NOW)
    assert plausible_time(NOW, NOW)


def test_a_row_stored_before_the_rule_still_reads_back():
    """Legacy rows are kept as they are; only new input is judged."""
    row = {**_raw(received_at=datetime(1, 1, 1, tzinfo=SHANGHAI)), "title": "", "status": "received"}
    assert demand_from_row(row).received_at.year == 1


def test_the_importer_quarantines_implausible_dates_and_imports_the_rest(app, tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text("\n".join([HEADER,
                               "D1,0001-01-01 00:00,噪音,楼下施工噪音很大晚上睡不着,鼓楼区,已受理,",
                               "D2,1899-12-31 09:00,停水,小区停水三天无人处理,仓山区,已受理,",
                               "D3,2099-05-01 09:00,路灯,路灯不亮晚上很危险,台江区,已受理,",
                               "D4,2026-11-20 09:00,垃圾,垃圾清运不及时气味难闻,晋安区,已受理,"]) + "\n",
                    encoding="utf-8")
    stats = import_file(app.store, app.config, path)
    assert (stats.new, stats.quarantined, stats.balanced) == (1, 3, True)
    assert dict(stats.quarantined_by_reason) == {"implausible_date": 3}
    reasons = [q["reason"] for q in app.store.quarantined()]
    assert all("来电时间" in r and "不在合理范围内" in r for r in reasons)
    assert any("0001-01-01" in r for r in reasons) and app.store.get("hotline:D4") is not None


def test_a_crawled_item_with_a_placeholder_date_is_invalid():
    item = DemandItem(source="portal", source_id="p-1", received_at="2099-01-01 00:00", content="路灯不亮",
                      source_name="portal")
    out = ValidatePipeline(get_crawler().stats).process_item(item)
    assert out.demand is None and out.error_field == "received_at" and "不在合理范围内" in out.error
