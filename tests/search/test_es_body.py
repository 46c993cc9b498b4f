"""Elasticsearch query bodies as plain dicts (no cluster needed)."""

import json

from search.access import Principal
from search.backends.base import QueryCompiler
from search.backends.elasticsearch import build_search_body
from search.mappings import demand_mappings, demand_template
from search.query import SearchQuery
from nlp.segment import Segmenter
from search.segmentation import SearchSegmenter


class Spaces:
    """A stand-in segmenter for body-shape tests: splits on spaces (the real one is tested on the cluster)."""

    def search_tokens(self, text):
        return [t.lower() for t in text.split()]


def body(text="", principal=Principal.office(), **kw):
    return build_search_body(SearchQuery.create(text, **kw), principal, QueryCompiler(Spaces()), alias="a")


def test_user_text_never_reaches_query_string():
    b = json.dumps(body('a:b* OR (c AND "d -e~2'), ensure_ascii=False)
    assert "query_string" not in b and "simple_query_string" not in b


def test_department_rule_is_a_filter_in_the_query():
    b = body("x", Principal.for_department("教育局"))
    assert {"bool": {"filter": [{"terms": {"publication": ["public", "internal"]}},
                                {"terms": {"department": ["教育局"]}}]}} in b["query"]["bool"]["filter"]


def test_public_rule_is_a_publication_filter():
    assert {"bool": {"filter": [{"terms": {"publication": ["public"]}}]}} in body(
        "x", Principal.public())["query"]["bool"]["filter"]


def test_scoped_client_rule_is_one_of_two_grants():
    rule = body("x", Principal("client", scope=("教育局",)))["query"]["bool"]["filter"][-1]
    assert rule["bool"]["minimum_should_match"] == 1 and len(rule["bool"]["should"]) == 2


def test_petition_office_has_no_department_rule():
    assert body()["query"]["bool"]["filter"] == []


def test_word_uses_segmented_field_and_char_phrase():
    clause = body("Word")["query"]["bool"]["must"][0]["bool"]["should"][0]["bool"]["should"]
    assert clause[0] == {"match": {"seg": {"query": "word", "operator": "and"}}}
    assert clause[1]["multi_match"]["type"] == "phrase"


def test_phrase_uses_only_characters():
    clause = body('"停车费"')["query"]["bool"]["must"][0]["bool"]["should"][0]
    assert clause["multi_match"]["query"] == "停 车 费"


def test_exclusion_is_must_not():
    assert len(body("a -b")["query"]["bool"]["must_not"]) == 1


def test_relevance_without_text_sorts_by_time():
    assert body()["sort"][0] == {"received_at": {"order": "desc"}}


def test_month_facet_is_date_histogram_in_shanghai_time():
    agg = body(facets=["received_month"])["aggs"]["received_month"]["date_histogram"]
    assert agg["time_zone"] == "+08:00" and agg["calendar_interval"] == "month"


def test_highlight_escapes_html():
    assert body("x")["highlight"]["encoder"] == "html"


def test_mappings_use_core_analyzers_only():
    blob = json.dumps(demand_mappings())
    assert "cjk" not in blob and "ik_" not in blob and "smartcn" not in blob


def test_cjk_subfield_only_when_available():
    assert demand_mappings(cjk=True)["properties"]["content"]["fields"]["cjk"]["analyzer"] == "cjk"


def test_template_covers_versioned_names():
    assert demand_template("p")["index_patterns"] == ["p-demands-v*"]


def test_search_segmenter_owns_its_tokenizer_and_lowercases():
    import jieba
    seg = SearchSegmenter(Segmenter(user_words=["噪音扰民"]))
    assert seg.segmenter.tokenizer is not jieba.dt
    assert "噪音扰民" in seg.search_tokens("APP噪音扰民！") and "app" in seg.search_tokens("APP噪音扰民！")


def test_kind_is_a_terms_filter():
    assert {"terms": {"kind": ["profile"]}} in body(kind="profile")["query"]["bool"]["filter"]


def test_backend_search_defaults_to_demands():
    """``SearchBackend.search`` fills the kind in before the body is built."""
    q = SearchQuery.create("x").with_default_kind()
    b = build_search_body(q, Principal.office(), QueryCompiler(Spaces()), alias="a")
    assert {"terms": {"kind": ["demand"]}} in b["query"]["bool"]["filter"]


def test_new_fields_are_in_the_mapping():
    from search.mappings import ADDED_FIELDS
    props = demand_mappings()["properties"]
    assert all(props[name] == spec for name, spec in ADDED_FIELDS.items()) and props["week"] == {"type": "keyword"}
