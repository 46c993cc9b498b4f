import json

import pytest

from crawlers.importers.import_profiles import NoProfileMatch
from crawlers.importers.readers import ImportFileError
from crawlers.importers.run import import_file

H = "工单编号,来电时间,诉求标题,诉求内容,区域,办理状态,办理结果"


def _import(app, path, profile=None):
    return import_file(app.store, app.config, path, profile)


def test_gbk_csv_lands_records(app, fixtures):
    s = _import(app, fixtures / "workorders_gbk.csv")
    assert (s.profile, s.encoding, s.new) == ("12345-workorder", "gb18030", 3)
    assert app.store.get("hotline:GD2024001")["content"].startswith("晚上十点后")


def test_bom_csv_same_records_as_gbk(app, fixtures):
    _import(app, fixtures / "workorders_gbk.csv")
    s = _import(app, fixtures / "workorders_bom.csv")
    assert (s.new, s.unchanged) == (0, 3)


def test_second_import_adds_nothing(app, fixtures):
    _import(app, fixtures / "workorders_gbk.csv")
    s = _import(app, fixtures / "workorders_gbk.csv")
    assert (s.new, s.updated, s.unchanged, s.quarantined) == (0, 0, 3, 0)


def test_later_export_updates_status_and_reply(app, write_csv):
    _import(app, write_csv([H, "A1,2024-03-01 09:00,路灯,路灯不亮,鼓楼区,办理中,"], "v1.csv"))
    s = _import(app, write_csv([H, "A1,2024-03-01 09:00,路灯,路灯不亮,鼓楼区,已办结,已修复路灯"], "v2.csv"))
    rec = app.store.get("hotline:A1")
    assert s.updated == 1 and (rec["status"], rec["reply_text"]) == ("closed", "已修复路灯")
    changes = {(h["field"], h["old_value"], h["new_value"]) for h in app.store.history("hotline:A1")}
    assert ("status", "in_progress", "closed") in changes and ("reply_text", None, "已修复路灯") in changes


def test_older_export_does_not_undo_reply(app, write_csv):
    _import(app, write_csv([H, "A1,2024-03-01 09:00,路灯,路灯不亮,鼓楼区,已办结,已修复"], "v2.csv"))
    _import(app, write_csv([H, "A1,2024-03-01 09:00,路灯,路灯不亮,鼓楼区,,"], "v1.csv"))
    assert app.store.get("hotline:A1")["reply_text"] == "已修复"


def test_duplicate_row_quarantined_once_counted(app, write_csv):
    row = "A1,2024-03-01 09:00,路灯,路灯不亮,鼓楼区,,"
    s = _import(app, write_csv([H, row, row]))
    assert (s.new, s.quarantined, dict(s.quarantined_by_reason)) == (1, 1, {"duplicate_row": 1})


def test_conflicting_duplicate_names_fields(app, write_csv):
    s = _import(app, write_csv([H, "A1,2024-03-01 09:00,路灯,路灯不亮,鼓楼区,,", "A1,2024-03-01 09:00,路灯,路灯不亮,台江区,,"]))
    q = app.store.quarantined()
    assert s.quarantined_by_reason["duplicate_key"] == 1 and "district" in q[0]["reason"]


def test_duplicates_keep_reimport_idempotent(app, write_csv):
    path = write_csv([H, "A1,2024-03-01 09:00,路灯,甲,鼓楼区,,", "A1,2024-03-01 09:00,路灯,乙,鼓楼区,,"])
    _import(app, path)
    s = _import(app, path)
    assert (s.updated, s.unchanged) == (0, 1) and app.store.get("hotline:A1")["content"] == "甲"


def test_bad_rows_quarantined_good_rows_land(app, write_csv):
    s = _import(app, write_csv([H, "A1,2024-03-01,路灯,不亮,鼓楼区,,", "A2,昨天,路灯,不亮,鼓楼区,,",
                                "A3,2024-03-01,,,鼓楼区,,", ",2024-03-01,路灯,不亮,鼓楼区,,"]))
    assert s.new == 1 and dict(s.quarantined_by_reason) == {"bad_date": 1, "empty_content": 1, "missing_id": 1}
    assert s.balanced


def test_quarantine_keeps_raw_payload_and_reason(app, write_csv):
    _import(app, write_csv([H, "A2,昨天,路灯,不亮,鼓楼区,,"]))
    (q,) = app.store.quarantined()
    payload = json.loads(q["payload"])
    assert q["reason"].startswith("bad_date") and payload["cells"]["来电时间"] == "昨天" and q["source_ref"] == "export.csv:2"


def test_field_count_mismatch_quarantined(app, write_csv):
    s = _import(app, write_csv([H, "A1,2024-03-01,路灯,不亮,鼓楼区,,", "A2,2024-03-01,路灯,不亮,逗号,多了,鼓楼区,,"]))
    assert s.quarantined_by_reason == {"field_count": 1} and s.new == 1


def test_truncated_csv_last_row_quarantined(app, tmp_path):
    path = tmp_path / "cut.csv"
    path.write_bytes(f"{H}\nA1,2024-03-01,路灯,不亮,鼓楼区,,\nA2,2024-03-01,路".encode())
    s = _import(app, path)
    assert s.new == 1 and s.quarantined_by_reason == {"field_count": 1} and s.balanced


def test_undecodable_bytes_row_quarantined(app, tmp_path):
    body = f"{H}\nA1,2024-03-01,路灯,不亮,鼓楼区,,\nA2,2024-03-01,路灯,".encode("gb18030") + b"\xff\xff" + ",鼓楼区,,\n".encode()
    path = tmp_path / "bad.csv"
    path.write_bytes(body)
    s = _import(app, path)
    assert s.new == 1 and s.quarantined_by_reason == {"bad_encoding": 1}
    assert "\\xff" in app.store.quarantined()[0]["payload"]


def test_blank_lines_counted_not_read(app, write_csv):
    s = _import(app, write_csv([H, "A1,2024-03-01,路灯,不亮,鼓楼区,,", "", "A2,2024-03-02,路灯,不亮,鼓楼区,,"]))
    assert (s.rows_read, s.blank_rows, s.new) == (2, 1, 2)


def test_header_only_file_imports_nothing(app, write_csv):
    s = _import(app, write_csv([H]))
    assert (s.rows_read, s.new) == (0, 0)


def test_empty_file_fails_and_run_recorded(app, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(ImportFileError):
        _import(app, path)
    run = app.store.recent_runs(1)[0]
    assert run["kind"] == "import" and run["status"] == "failed" and "文件为空" in run["error"]


def test_truncated_xlsx_fails_clearly(app, fixtures, tmp_path):
    data = (fixtures / "workorders_merged.xlsx").read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[:-300])
    with pytest.raises(ImportFileError, match="损坏或不完整"):
        _import(app, path)
    assert app.store.count() == 0


def test_xlsx_merged_header_serial_dates_extra_sheet(app, fixtures):
    s = _import(app, fixtures / "workorders_merged.xlsx")
    assert s.sheets == [{"name": "工单明细", "header_row": 3, "rows_read": 3}] and "统计" in s.skipped_sheets
    assert (s.new, s.blank_rows, dict(s.quarantined_by_reason)) == (2, 1, {"bad_date": 1})
    rec = app.store.get("hotline:X001")
    assert rec["received_at"].isoformat() == "2024-03-01T09:00:00+08:00" and rec["status"] == "replied"
    assert rec["replied_at"].isoformat() == "2024-03-02T12:00:00+08:00"


def test_sheet_pattern_and_sheet_field(app, tmp_path):
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append(["时间", "标题", "投诉件内容", "回复1"])
    ws.append(["2020-01-01", "总表行", "不应导入", "x"])
    for name in ("鼓楼区", "台江区"):
        s = wb.create_sheet(name)
        s.append(["河流", "时间", "标题", "投诉件内容", "回复1"])
        s.append(["某河", "2020-01-02", f"{name}的诉求", "河水发臭", "已处理"])
    path = tmp_path / "fz.xlsx"
    wb.save(path)
    s = _import(app, path)
    assert s.profile == "fuzhou12345-hotline" and s.new == 2 and "汇总" in s.skipped_sheets
    assert sorted(r["district"] for r in app.store.iter_records()) == ["台江区", "鼓楼区"]


def test_no_profile_match_lists_headers(app, write_csv):
    with pytest.raises(NoProfileMatch, match="甲、乙"):
        _import(app, write_csv(["甲,乙", "1,2"]))


def test_unknown_profile_lists_names(app, write_csv):
    with pytest.raises(ImportFileError, match="12345-workorder"):
        _import(app, write_csv([H]), profile="nope")


def test_explicit_profile_missing_header_fails(app, write_csv):
    with pytest.raises(NoProfileMatch, match="留言编号"):
        _import(app, write_csv([H, "A1,2024-03-01,路灯,不亮,鼓楼区,,"]), profile="teddy2020c-replies")


def test_run_stats_recorded(app, fixtures):
    s = _import(app, fixtures / "workorders_gbk.csv")
    run = app.store.recent_runs(1)[0]
    assert run["id"] == s.run_id and run["status"] == "ok" and run["stats"]["new"] == 3
    assert app.store.get("hotline:GD2024001")["crawl_run"] == s.run_id
