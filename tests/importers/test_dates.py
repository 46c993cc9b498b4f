from datetime import datetime

import pytest

from crawlers.dates import DateParseError, parse_datetime


@pytest.mark.parametrize("text, expected", [
    ("2019-08-05", datetime(2019, 8, 5)),
    ("2019/4/25 9:32:09", datetime(2019, 4, 25, 9, 32, 9)),
    ("2019/12/30 17:06", datetime(2019, 12, 30, 17, 6)),
    ("2021-03-02 21:41:26", datetime(2021, 3, 2, 21, 41, 26)),
    ("2019.4.25", datetime(2019, 4, 25)),
    ("2019年4月25日", datetime(2019, 4, 25)),
    ("2019年4月25日 9时32分", datetime(2019, 4, 25, 9, 32)),
    ("2019年4月25日 下午3:05", datetime(2019, 4, 25, 15, 5)),
    ("20190425", datetime(2019, 4, 25)),
    ("20190425 093209", datetime(2019, 4, 25, 9, 32, 9)),
    ("2019-04-25T09:32:09.120", datetime(2019, 4, 25, 9, 32, 9)),
    ("2019-04-25T01:32:09Z", datetime(2019, 4, 25, 9, 32, 9)),
    ("  2019-04-25 \u3000", datetime(2019, 4, 25)),
])
def test_text_formats(text, expected):
    assert parse_datetime(text) == expected


def test_excel_serial_number():
    assert parse_datetime(45352.375) == datetime(2024, 3, 1, 9, 0)


def test_excel_serial_as_text():
    assert parse_datetime("43581") == datetime(2019, 4, 26)


def test_excel_serial_1904_epoch():
    assert parse_datetime(0 + 43581 - 1462, epoch=datetime(1904, 1, 1)) == datetime(2019, 4, 26)


def test_datetime_passes_through():
    assert parse_datetime(datetime(2020, 1, 2, 3, 4)) == datetime(2020, 1, 2, 3, 4)


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_empty_is_none(empty):
    assert parse_datetime(empty) is None


@pytest.mark.parametrize("bad", ["2019-02-30", "2019-13-01", "明天上午", "12/25", "25:00", "123"])
def test_unreadable_raises_quoting_value(bad):
    with pytest.raises(DateParseError) as e:
        parse_datetime(bad)
    assert bad in str(e.value)


def test_small_number_is_not_a_date():
    with pytest.raises(DateParseError):
        parse_datetime(7)


def test_profile_format_first():
    assert parse_datetime("04/25/2019", formats=["%m/%d/%Y"]) == datetime(2019, 4, 25)


def test_us_layout_rejected_without_format():
    with pytest.raises(DateParseError):
        parse_datetime("04/25/2019")
