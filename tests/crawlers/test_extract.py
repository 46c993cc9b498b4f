"""Selectors and JSON paths as profiles declare them."""

from __future__ import annotations

from parsel import Selector

from crawlers.extract import extract_first, extract_text, json_path

DOC = Selector(text="<div class='a'><p>一</p><p>二<br>三</p></div><a class='n' href='/x?page=2'>下一页</a>"
                    "<td id='t'>值</td>")


def test_css_element_text_line_per_node() -> None:
    assert extract_text(DOC, "div.a") == "一\n二\n三"


def test_css_text_pseudo() -> None:
    assert extract_text(DOC, "a.n::text") == "下一页"


def test_css_attr() -> None:
    assert extract_first(DOC, "a.n::attr(href)") == "/x?page=2"


def test_xpath_element() -> None:
    assert extract_text(DOC, "xpath://td[@id='t']") == "值"


def test_xpath_attr() -> None:
    assert extract_first(DOC, "xpath://a/@href") == "/x?page=2"


def test_no_match_is_none() -> None:
    assert extract_text(DOC, "span.missing") is None


def test_empty_spec_is_none() -> None:
    assert extract_first(DOC, "") is None


def test_json_path_nested() -> None:
    assert json_path({"data": {"list": [{"shop": {"name": "店"}}]}}, "data.list[0].shop.name") == "店"


def test_json_path_missing_key() -> None:
    assert json_path({"data": {}}, "data.list") is None


def test_json_path_index_out_of_range() -> None:
    assert json_path({"a": [1]}, "a[3]") is None


def test_json_path_empty_returns_doc() -> None:
    assert json_path([1, 2], "") == [1, 2]
