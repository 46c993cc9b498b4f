"""Exports' counts kept as fields: 转处理次数 (passed on), 有效回复条数, 回访次数; 推诿 in the figures."""

from __future__ import annotations

import pytest

from crawlers.importers.run import import_file
from suqiu.model import COUNT_FIELDS, build_demand
from suqiu.twoway.tracking import department_figures

FUZHOU = ["区域,河流,性质,信息来源,时间,标题,投诉件内容,回复1,匿名(1)/实名(0),转处理次数,有效回复条数",
          "仓山区,龙津河,投诉,电话,2026-11-02 09:00,河道发臭,龙津河发臭,已清淤,0,3,2",
          "鼓楼区,白马河,投诉,网站,2026-11-03 10:00,河面垃圾,白马河垃圾多,已打捞,1,0,1"]
WORKORDER = ["工单编号,来电时间,诉求内容,承办部门,转办次数,回访次数",
             "GD1,2026-11-02 09:00,小区电梯坏了,住房和城乡建设局,2,1",
             "GD2,2026-11-02 10:00,物业乱收费,住房和城乡建设局,1,0",
             "GD3,2026-11-03 10:00,电梯又坏了,住房和城乡建设局,4,2"]


def test_fuzhou_profile_keeps_transfers_and_replies(app, write_csv) -> None:
    s = import_file(app.store, app.config, write_csv(FUZHOU))
    rows = {r["district"]: r for r in app.store.iter_records()}
    assert s.profile == "fuzhou12345-hotline"
    assert (rows["仓山区"]["transfer_count"], rows["仓山区"]["reply_count"]) == (3, 2)
    assert rows["鼓楼区"]["transfer_count"] == 0


def test_workorder_profile_keeps_transfers_and_callbacks(app, write_csv) -> None:
    import_file(app.store, app.config, write_csv(WORKORDER))
    r = app.store.get("hotline:GD1")
    assert (r["transfer_count"], r["callback_count"]) == (2, 1)


def test_a_count_that_is_not_a_number_is_quarantined(app, write_csv) -> None:
    s = import_file(app.store, app.config, write_csv(WORKORDER[:1] + ["GD9,2026-11-02 09:00,内容,住建局,两次,0"]))
    assert s.quarantined_by_reason == {"bad_value": 1}


def test_department_figures_count_demands_passed_on_more_than_once(app, write_csv) -> None:
    from suqiu.twoway.dispatch import route_pending
    import_file(app.store, app.config, write_csv(WORKORDER))
    from nlp.stages import run_stages
    run_stages(app)
    route_pending(app)
    f = department_figures(app.store, app.config, "住房和城乡建设局")["住房和城乡建设局"]
    assert f.assigned == 3 and f.passed_on == 2


def test_records_without_counts_keep_their_hash() -> None:
    """Counts are new fields: a demand that has none hashes as it did before they existed."""
    import hashlib
    import json
    d = build_demand({"source": "hotline", "source_id": "x", "received_at": "2026-11-02 09:00", "content": "路灯坏了"})
    before = d.model_dump(mode="json", exclude={"crawl_run", *COUNT_FIELDS})
    old = hashlib.sha256(json.dumps(before, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()
    assert d.content_hash() == old
    assert build_demand({**d.model_dump(), "transfer_count": 2}).content_hash() != old


def test_negative_count_refused() -> None:
    from suqiu.model import RecordError
    with pytest.raises(RecordError, match="transfer_count"):
        build_demand({"source": "hotline", "source_id": "x", "received_at": "2026-11-02", "content": "c",
                      "transfer_count": -1})


@pytest.mark.shared_data
def test_real_fuzhou_export_keeps_its_transfer_counts(app, shared_datasets) -> None:
    import csv
    path = shared_datasets / "fuzhou12345" / "hotline_export.csv"
    import_file(app.store, app.config, path)
    stored = [r["transfer_count"] for r in app.store.iter_records()]
    with open(path, encoding="utf-8", newline="") as fh:
        in_file = [int(row["转处理次数"]) for row in csv.DictReader(fh)]
    assert None not in stored and max(stored) == max(in_file) == 7
    assert sum(t > 1 for t in stored) <= sum(t > 1 for t in in_file) and sum(t > 1 for t in stored) > 90
