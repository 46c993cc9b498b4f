"""Field cleaning rules: small pure functions on the forms Chinese sites print."""

from __future__ import annotations

from datetime import datetime

import pytest

from crawlers.processors import (
    clean_text, map_status, optional_text, parse_float, parse_int, parse_time, process_field,
    strip_label,
)
from suqiu.model import SHANGHAI


def test_clean_text_collapses_full_width_spaces() -> None:
    assert clean_text("\u3000\u3000您好，\xa0 请问") == "您好， 请问"


def test_clean_text_keeps_line_breaks_drops_blank_lines() -> None:
    assert clean_text("第一行\r\n\r\n\n  第二行  ") == "第一行\n第二行"


def test_clean_text_none_is_empty() -> None:
    assert clean_text(None) == ""


def test_strip_label() -> None:
    assert strip_label("所属地区：鼓楼区") == "鼓楼区"


def test_strip_label_ascii_colon() -> None:
    assert strip_label("区域: 台江区") == "台江区"


def test_strip_label_leaves_plain_value() -> None:
    assert strip_label("鼓楼区") == "鼓楼区"


def test_optional_text_empty_is_none() -> None:
    assert optional_text("   ") is None


@pytest.mark.parametrize("text,expected", [
    ("2026-11-19 14:07:10", datetime(2026, 11, 19, 14, 7, 10, tzinfo=SHANGHAI)),
    ("2026/1/5 9:03", datetime(2026, 1, 5, 9, 3, tzinfo=SHANGHAI)),
    ("2026年11月19日 17:31", datetime(2026, 11, 19, 17, 31, tzinfo=SHANGHAI)),
    ("来信时间：2026年3月8日", datetime(2026, 3, 8, tzinfo=SHANGHAI)),
    ("2026.03.08", datetime(2026, 3, 8, tzinfo=SHANGHAI)),
])
def test_parse_time_forms(text: str, expected: datetime) -> None:
    assert parse_time(text) == expected


def test_parse_time_iso_with_offset_becomes_shanghai() -> None:
    got = parse_time("2026-10-07T04:29:55Z")
    assert got == datetime(2026, 10, 7, 12, 29, 55, tzinfo=SHANGHAI)


def test_parse_time_keeps_offset_meaning() -> None:
    assert parse_time("2026-09-28T14:07:10+08:00") == datetime(2026, 9, 28, 14, 7, 10, tzinfo=SHANGHAI)


@pytest.mark.parametrize("bad", ["2026-13-45 25:61", "昨天下午", "0000-00-00"])
def test_parse_time_keeps_unreadable_text(bad: str) -> None:
    assert parse_time(bad) == bad


def test_parse_time_empty_is_none() -> None:
    assert parse_time("  ") is None


def test_parse_int_from_label() -> None:
    assert parse_int("支持(12)") == 12


def test_parse_int_keeps_negative_for_validation() -> None:
    assert parse_int("-3") == -3


def test_parse_int_unreadable_kept() -> None:
    assert parse_int("很多") == "很多"


def test_parse_float() -> None:
    assert parse_float("4.5分") == 4.5


def test_parse_float_number_passes() -> None:
    assert parse_float(40) == 40.0


def test_map_status_exact() -> None:
    assert map_status("已办结") == "closed"


def test_map_status_contained() -> None:
    assert map_status("状态：已回复") == "replied"


def test_map_status_unknown_is_none() -> None:
    assert map_status("神秘状态") is None


def test_map_status_custom_table() -> None:
    assert map_status("已反馈", {"已反馈": "replied"}) == "replied"






def test_process_field_dispatch() -> None:
    assert process_field("votes_up", "支持 7") == 7


def test_process_field_unknown_field_passes_through() -> None:
    assert process_field("whatever", " x ") == " x "
