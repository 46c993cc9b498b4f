"""The query model on its own: parsing what people type, filters, validation naming the field."""

from datetime import datetime

import pytest

from search.query import FACETS, Filters, QueryError, SearchQuery, Term, date_bound, parse_text
from suqiu.model import SHANGHAI


def test_words_are_groups():
    assert parse_text("噪音 扰民").groups == ((Term("噪音"),), (Term("扰民"),))


def test_quoted_phrase_is_one_term():
    assert parse_text('"停车费 上涨" 物业').groups == ((Term("停车费 上涨", phrase=True),), (Term("物业"),))


def test_chinese_quotes_make_phrases():
    assert parse_text("“停车费上涨”").groups == ((Term("停车费上涨", phrase=True),),)


def test_exclusion_word_and_phrase():
    q = parse_text('噪音 -物业 -"装修 公司"')
    assert q.excluded == (Term("物业"), Term("装修 公司", phrase=True))
    assert q.groups == ((Term("噪音"),),)


def test_or_joins_neighbours():
    assert parse_text("停水 OR 停电 小区").groups == ((Term("停水"), Term("停电")), (Term("小区"),))


def test_pipe_is_or():
    assert parse_text("停水 | 停电").groups == ((Term("停水"), Term("停电")),)


def test_lowercase_or_is_a_word():
    assert len(parse_text("停水 or 停电").groups) == 3


@pytest.mark.parametrize("text", ["OR 停水", "停水 OR", "OR", "- 停水", '"', '""', "  "])
def test_stray_operators_are_ignored(text):
    q = parse_text(text)
    assert all(t.text for g in q.groups for t in g)


def test_hyphen_inside_word_is_not_exclusion():
    assert parse_text("COVID-19").groups == ((Term("COVID-19"),),)


def test_unclosed_quote_runs_to_end():
    assert parse_text('"停车费 上涨').groups == ((Term("停车费 上涨", phrase=True),),)


def test_duplicate_terms_collapse():
    assert parse_text("噪音 OR 噪音").groups == ((Term("噪音"),),)


def test_date_to_includes_whole_day():
    assert date_bound("2024-05-31", end=True) == datetime(2024, 6, 1, tzinfo=SHANGHAI)


def test_date_from_is_start_of_day_in_shanghai():
    assert date_bound("2024-05-31") == datetime(2024, 5, 31, tzinfo=SHANGHAI)


def test_bad_date_names_the_field():
    with pytest.raises(QueryError) as exc:
        Filters.build(date_from="31/05/2024")
    assert exc.value.field == "date_from"


def test_reversed_dates_name_date_to():
    with pytest.raises(QueryError) as exc:
        SearchQuery.create(date_from="2024-06-01", date_to="2024-05-01")
    assert exc.value.field == "date_to"


def test_single_values_become_tuples():
    f = Filters.build(department="教育局", topic="3")
    assert f.department == ("教育局",) and f.topic == (3,)


def test_bad_topic_names_the_field():
    with pytest.raises(QueryError) as exc:
        Filters.build(topic="abc")
    assert exc.value.field == "topic"


@pytest.mark.parametrize("kw,field", [
    ({"sort": "random"}, "sort"), ({"facets": ["requester"]}, "facets"), ({"page": 0}, "page"),
    ({"size": 101}, "size"), ({"page": 600, "size": 20}, "page"),
])
def test_invalid_query_names_the_field(kw, field):
    with pytest.raises(QueryError) as exc:
        SearchQuery.create("x", **kw)
    assert exc.value.field == field


def test_filters_and_keywords_are_exclusive():
    with pytest.raises(QueryError):
        SearchQuery.create(filters=Filters(), district="鼓楼区")


def test_offset():
    assert SearchQuery.create(page=3, size=20).offset == 40


def test_every_facet_is_known():
    assert SearchQuery.create(facets=FACETS).facets == FACETS


def test_kind_dimension_and_week_filters():
    f = Filters.build(kind=["profile", "profile", "topic"], dimension="district", week="2026-w47")
    assert (f.kind, f.dimension, f.week) == (("profile", "topic"), ("district",), ("2026-W47",))
    assert ("week", ("2026-W47",)) in f.keyword_items()


def test_a_query_naming_no_kind_searches_demands():
    assert SearchQuery.create("x").with_default_kind().filters.kind == ("demand",)
    assert SearchQuery.create("x", kind="topic").with_default_kind().filters.kind == ("topic",)


def test_unknown_kind_names_the_field():
    with pytest.raises(QueryError) as exc:
        SearchQuery.create(kind="record")
    assert exc.value.field == "kind"


def test_kind_is_a_facet_but_not_a_default_one():
    from search.query import DEFAULT_FACETS
    assert "kind" in FACETS and "kind" not in DEFAULT_FACETS
