from datetime import datetime

import pytest

from crawlers.importers.mapping import RowContext, RowError, cell_text, derived_id, map_row
from crawlers.importers.import_profiles import bind
from suqiu.config import ImportProfile, StatusRule
from suqiu.model import SHANGHAI

HEADERS = ["编号", "时间", "标题", "内容", "匿名", "状态", "回复", "点赞"]


def _profile(**kw):
    base = dict(name="t", columns={
        "source_id": ["编号"], "received_at": ["时间"], "title": ["标题"], "content": ["内容"],
        "requester_type": ["匿名"], "status": ["状态"], "reply_text": ["回复"], "votes_up": ["点赞"]},
        value_maps={"requester_type": {"1": "anonymous", "0": "individual"}},
        status_rules=[StatusRule(when="reply_text", status="replied")])
    base.update(kw)
    return ImportProfile(**base)


def _map(cells, profile=None, headers=HEADERS, ctx=None):
    p = profile or _profile()
    return map_row(cells, bind(p, headers), ctx or RowContext())


ROW = ["7", "2024-03-01 08:00", "路灯", "路灯不亮", "1", "", "", "3"]


def test_basic_row():
    d = _map(ROW)
    assert (d.id, d.title, d.votes_up) == ("hotline:7", "路灯", 3)
    assert d.received_at == datetime(2024, 3, 1, 8, 0, tzinfo=SHANGHAI)


def test_value_map_anonymous():
    assert _map(ROW).requester_type.value == "anonymous"


def test_value_map_real_name():
    assert _map(ROW[:4] + ["0"] + ROW[5:]).requester_type.value == "individual"


def test_unknown_requester_value_is_bad_value():
    with pytest.raises(RowError) as e:
        _map(ROW[:4] + ["9"] + ROW[5:])
    assert e.value.code == "bad_value" and e.value.field == "requester_type"


def test_status_rule_reply_means_replied():
    assert _map(ROW[:6] + ["已处理完毕", "3"]).status.value == "replied"


def test_no_reply_stays_received():
    assert _map(ROW).status.value == "received"


def test_status_column_wording():
    assert _map(ROW[:5] + ["已办结", "好", "3"]).status.value == "closed"


def test_status_column_beats_rule():
    assert _map(ROW[:5] + ["办理中", "先回复一句", "3"]).status.value == "in_progress"


def test_unknown_status_wording_quarantines():
    with pytest.raises(RowError) as e:
        _map(ROW[:5] + ["外星状态", "", "3"])
    assert e.value.code == "bad_value"


def test_bad_date_code():
    with pytest.raises(RowError) as e:
        _map(["7", "去年", "a", "b", "1", "", "", ""])
    assert e.value.code == "bad_date" and "去年" in e.value.detail


def test_missing_date_code():
    with pytest.raises(RowError) as e:
        _map(["7", "", "a", "b", "1", "", "", ""])
    assert e.value.code == "missing_date"


def test_empty_text_code():
    with pytest.raises(RowError) as e:
        _map(["7", "2024-03-01", "", "  ", "1", "", "", ""])
    assert e.value.code == "empty_content"


def test_title_only_row_is_valid():
    assert _map(["7", "2024-03-01", "路灯", "", "1", "", "", ""]).title == "路灯"


def test_missing_id_code():
    with pytest.raises(RowError) as e:
        _map(["", "2024-03-01", "a", "b", "1", "", "", ""])
    assert e.value.code == "missing_id"


def test_bad_number_code():
    with pytest.raises(RowError) as e:
        _map(ROW[:7] + ["很多"])
    assert e.value.code == "bad_value" and e.value.field == "votes_up"


def test_number_with_thousands_separator():
    assert _map(ROW[:7] + ["1,234"]).votes_up == 1234


def test_id_prefix():
    assert _map(ROW, _profile(id_prefix="x-")).source_id == "x-7"


def test_xlsx_float_id_loses_point_zero():
    assert _map([7.0] + ROW[1:]).source_id == "7"


def test_undecodable_bytes_are_bad_encoding():
    with pytest.raises(RowError) as e:
        _map(ROW[:3] + ["路灯\udcff坏"] + ROW[4:])
    assert e.value.code == "bad_encoding"


def test_sheet_name_fills_district():
    p = _profile(sheet_field="district")
    assert _map(ROW, p, ctx=RowContext(sheet="鼓楼区")).district == "鼓楼区"


def test_default_channel():
    assert _map(ROW, _profile(channel="电话")).channel == "电话"


NO_ID = ["时间", "标题", "内容"]


def _no_id_profile():
    return ImportProfile(name="n", id_prefix="n-", columns={"received_at": ["时间"], "title": ["标题"], "content": ["内容"]})


def test_derived_id_same_for_text_and_excel_date():
    a = _map(["2020-09-03", "标题", "内容"], _no_id_profile(), NO_ID)
    b = _map([datetime(2020, 9, 3), "标题", "内容"], _no_id_profile(), NO_ID)
    assert a.source_id == b.source_id and a.source_id.startswith("n-")


def test_derived_id_ignores_whitespace_layout():
    a = _map(["2020-09-03", "标题", "第一行\r\n第二行 "], _no_id_profile(), NO_ID)
    b = _map(["2020-09-03", "标题", "第一行\n第二行"], _no_id_profile(), NO_ID)
    assert a.source_id == b.source_id


def test_derived_id_differs_with_content():
    a = _map(["2020-09-03", "标题", "内容甲"], _no_id_profile(), NO_ID)
    b = _map(["2020-09-03", "标题", "内容乙"], _no_id_profile(), NO_ID)
    assert a.source_id != b.source_id


def test_derived_id_is_stable_value():
    p = _no_id_profile()
    assert derived_id(p, {"received_at": datetime(2020, 9, 3), "title": "t", "content": "c"}) == \
        derived_id(p, {"received_at": datetime(2020, 9, 3), "title": " t ", "content": "c"})


@pytest.mark.parametrize("value, text", [(None, ""), (3.0, "3"), (2.5, "2.5"), (" a\r\nb ", "a\nb")])
def test_cell_text(value, text):
    assert cell_text(value) == text
