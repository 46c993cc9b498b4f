"""XLSX export: cells a spreadsheet would evaluate are neutralised; odd characters do not break it."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from suqiu.web.export import COLUMNS, export_xlsx
from suqiu.web.highlight import safe_fragment


def _sheet(data: bytes):
    return load_workbook(io.BytesIO(data)).active


@pytest.mark.parametrize("payload", [
    "=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1",
    "＝1+1", "=cmd|' /C calc'!A0",
])
def test_formula_triggers_are_neutralised(payload: str) -> None:
    ws = _sheet(export_xlsx([{"id": "hotline:1", "title": payload, "content": payload, "district": payload}]))
    headers = [c.value for c in ws[1]]
    row = {h: c for h, c in zip(headers, ws[2])}
    for header in ("标题", "内容（已脱敏）", "区县"):
        cell = row[header]
        assert cell.data_type == "s"                 # text, never a formula
        assert cell.value == payload and cell.quotePrefix   # shown as written: no apostrophe added


def test_rows_headers_and_labels() -> None:
    ws = _sheet(export_xlsx([
        {"id": "portal:7", "source": "portal", "channel": "市长信箱", "received_at": "2026-11-02T08:30:00+08:00",
         "district": "鼓楼区", "title": "噪音扰民", "content": "夜间施工噪音，电话[手机号]", "department": "城市管理局",
         "status": "routed", "sentiment": "negative", "urgency": "high", "topic": 3, "keywords": ["噪音", "施工"]},
    ]))
    assert [c.value for c in ws[1]] == [c[0] for c in COLUMNS]
    values = dict(zip([c.value for c in ws[1]], [c.value for c in ws[2]]))
    assert values["编号"] == "portal:7"
    assert values["来源"] == "网上留言"
    assert values["受理时间"] == datetime(2026, 11, 2, 8, 30)   # a date-time cell, in Shanghai time
    assert ws.cell(row=2, column=4).number_format == "yyyy-mm-dd hh:mm"
    assert values["状态"] == "已分派"
    assert values["情感"] == "负面"
    assert values["紧急程度"] == "紧急"
    assert values["主题"] == 3
    assert values["关键词"] == "噪音、施工"
    assert ws.max_row == 2


def test_control_characters_do_not_break_the_export() -> None:
    ws = _sheet(export_xlsx([{"id": "hotline:2", "content": "坏\x00字\x0b符\x1f"}]))
    values = dict(zip([c.value for c in ws[1]], [c.value for c in ws[2]]))
    assert values["内容（已脱敏）"] == "坏字符"


def test_empty_result_still_has_headers() -> None:
    ws = _sheet(export_xlsx([]))
    assert ws.max_row == 1 and ws["A1"].value == "编号"


@pytest.mark.parametrize("fragment, expected", [
    ("噪音<mark>扰民</mark>", "噪音<mark>扰民</mark>"),
    ("&lt;script&gt;alert(1)&lt;/script&gt; <mark>x</mark>", "&lt;script&gt;alert(1)&lt;/script&gt; <mark>x</mark>"),
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("<img src=x onerror=alert(1)><em>y</em>", "&lt;img src=x onerror=alert(1)&gt;<mark>y</mark>"),
    ("<mark onclick=alert(1)>z", "<mark>z</mark>"),
    ("</mark>a<mark>b", "a<mark>b</mark>"),
])
def test_highlight_fragments_keep_only_marks(fragment: str, expected: str) -> None:
    assert str(safe_fragment(fragment)) == expected


def test_truncation_note_sheet() -> None:
    wb = load_workbook(io.BytesIO(export_xlsx([{"id": "hotline:1"}], note="检索结果共 9000 条")))
    assert wb.sheetnames == ["检索结果", "说明"]
    assert wb["说明"]["A2"].value == "检索结果共 9000 条"
