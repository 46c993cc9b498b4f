import codecs

import pytest

from crawlers.importers.readers import (
    ImportFileError, detect_encoding, fill_merged_header, find_header, open_export,
)

KNOWN = {"工单编号", "来电时间", "诉求内容", "区域", "办理结果"}


def _rows(path):
    with open_export(path, KNOWN) as wb:
        t = wb.tables[0]
        return wb, t.headers, [r for _, r in t.rows]


def test_gbk_bytes_detected_as_gb18030(fixtures):
    assert detect_encoding(fixtures / "workorders_gbk.csv") == "gb18030"


def test_gbk_text_decodes(fixtures):
    _, headers, rows = _rows(fixtures / "workorders_gbk.csv")
    assert headers[0] == "工单编号" and rows[0][5] == "鼓楼区"


def test_bom_detected(fixtures):
    assert detect_encoding(fixtures / "workorders_bom.csv") == "utf-8-sig"


def test_bom_not_in_first_header(fixtures):
    _, headers, _ = _rows(fixtures / "workorders_bom.csv")
    assert headers[0] == "工单编号"


def test_forced_utf8_still_strips_bom(fixtures):
    with open_export(fixtures / "workorders_bom.csv", KNOWN, encoding="utf-8") as wb:
        assert wb.tables[0].headers[0] == "工单编号"


def test_plain_utf8(write_csv):
    assert detect_encoding(write_csv(["区域,诉求内容", "鼓楼区,路灯坏了"])) == "utf-8"


def test_utf16_bom(write_csv, tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + "区域\t诉求内容\n鼓楼区\t路灯\n".encode("utf-16-le"))
    _, headers, rows = _rows(path)
    assert headers == ["区域", "诉求内容"] and rows == [["鼓楼区", "路灯"]]


def test_tab_delimited(write_csv):
    _, headers, _ = _rows(write_csv(["区域\t诉求内容", "鼓楼区\t路灯"]))
    assert headers == ["区域", "诉求内容"]


def test_title_line_above_header(write_csv):
    wb, headers, rows = _rows(write_csv(["某市热线导出", "工单编号,区域,诉求内容", "A1,鼓楼区,路灯"]))
    assert headers == ["工单编号", "区域", "诉求内容"] and wb.tables[0].header_row == 2 and len(rows) == 1


def test_row_numbers_count_from_file_start(write_csv):
    with open_export(write_csv(["工单编号,区域", "A1,鼓楼区", "A2,台江区"]), KNOWN) as wb:
        assert [n for n, _ in wb.tables[0].rows] == [2, 3]


def test_empty_file_is_clear_error(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(ImportFileError, match="文件为空"):
        _rows(path)


def test_missing_file(tmp_path):
    with pytest.raises(ImportFileError, match="不存在"):
        _rows(tmp_path / "nope.csv")


def test_damaged_legacy_xls_is_clear_error(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(ImportFileError, match="无法读取旧版 Excel"):
        _rows(path)


def test_legacy_xls_read_by_content(fixtures):
    wb, headers, rows = _rows(fixtures / "workorders_legacy.xls")
    assert wb.kind == "xls" and wb.tables[0].name == "工单" and headers[:2] == ["工单编号", "来电时间"]


def test_legacy_xls_dates_are_datetimes_and_whole_numbers_ints(fixtures):
    from datetime import datetime
    _, headers, rows = _rows(fixtures / "workorders_legacy.xls")
    assert rows[0][1] == datetime(2024, 3, 1, 9, 15) and rows[2][headers.index("来电次数")] == 3


def test_legacy_xls_imports_like_csv(app, fixtures):
    from crawlers.importers.run import import_file
    stats = import_file(app.store, app.config, fixtures / "workorders_legacy.xls")
    assert (stats.kind, stats.new, stats.quarantined) == ("xls", 3, 0)
    assert app.store.get("hotline:GD2024002")["district"] == "台江区"


def test_truncated_xlsx_is_clear_error(fixtures, tmp_path):
    data = (fixtures / "workorders_merged.xlsx").read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportFileError, match="损坏或不完整"):
        _rows(path)


def test_merged_two_row_header(fixtures):
    with open_export(fixtures / "workorders_merged.xlsx", KNOWN) as wb:
        t = wb.tables[0]
        assert t.header_row == 3
        assert t.headers == ["工单编号", "来电时间", "诉求标题", "诉求内容", "区域", "办理状态", "办理结果", "回复时间"]


def test_extra_sheet_is_its_own_table(fixtures):
    with open_export(fixtures / "workorders_merged.xlsx", KNOWN) as wb:
        assert [t.name for t in wb.tables] == ["工单明细", "统计"]


def test_find_header_prefers_row_with_known_names():
    peek = [["导出"], ["工单编号", "诉求信息"], [None, "来电时间", "诉求内容"]]
    assert find_header(peek, KNOWN) == 2


def test_find_header_without_known_names_takes_first_nonblank():
    assert find_header([[None, ""], ["a", "b"]], KNOWN) == 1


def test_fill_merged_header_takes_value_above():
    peek = [["工单编号", "诉求信息", None], [None, "来电时间", "诉求内容"]]
    assert fill_merged_header(peek, 1) == ["工单编号", "来电时间", "诉求内容"]
