"""The search contract: every behaviour both backends must show, over the one shared dataset.

Backend test files subclass ``SearchContract`` and set ``backend_kind``; what a backend cannot do
is overridden there as a strict expected failure naming the ``UnsupportedFeature``.
"""

from __future__ import annotations

from typing import Any

import pytest

from search.access import Principal
from search.backends.base import UnsupportedFeature
from search.query import Filters, QueryError, SearchQuery
from suqiu.disclosure import PERSONAL_FIELDS, PUBLIC_FIELDS
from tests.search.dataset import (
    CG, HB, NOW, PROFILE_IDS, TOPIC_IDS, ZJ, ids, indexed_rows, pid, rid, visible_ids,
)

OFFICE = Principal.office()
ALL = {rid(r["sid"]) for r in indexed_rows()}
AGGREGATES = PROFILE_IDS | TOPIC_IDS
PUBLIC = visible_ids(("public",))                       # portal and review messages, not the 涉稳 one
OFFICE_ONLY = ids("h12", "p6")                          # a 举报件 and a 涉稳 cue
UNCLASSIFIED = ids("h13")


def run(backend: Any, text: str = "", principal: Principal = OFFICE, **kw: Any):
    kw.setdefault("size", 50)
    kw.setdefault("now", NOW)
    return backend.search(SearchQuery.create(text, **kw), principal)


def found(backend: Any, text: str = "", principal: Principal = OFFICE, **kw: Any) -> set[str]:
    res = run(backend, text, principal, **kw)
    assert res.total == len(res.hits), "dataset fits one page"
    return {h.id for h in res.hits}


def facet(result: Any, name: str) -> dict[str, int]:
    return {f["value"]: f["count"] for f in result.facets[name]}


@pytest.mark.usefixtures("indexed")
class SearchContract:
    backend_kind = ""

    @pytest.fixture
    def backend(self, indexed: Any) -> Any:
        return indexed[1]

    # ------------------------------------------------------------------ text
    def test_empty_text_matches_every_indexed_demand(self, backend):
        assert found(backend) == ALL

    def test_unanalysed_record_is_not_indexed(self, backend):
        assert backend.get(rid("h11"), OFFICE) is None
        assert backend.count() == len(ALL) + len(AGGREGATES)

    def test_word(self, backend):
        assert found(backend, "噪音") == ids("h1", "h2", "p5")

    def test_words_are_all_required(self, backend):
        assert found(backend, "噪音 工地") == ids("h2")

    def test_or_between_words(self, backend):
        assert found(backend, "停水 OR 停电") == ids("h3", "h4")

    def test_or_group_and_another_word(self, backend):
        assert found(backend, "停水 OR 停电 电梯") == ids("h4")

    def test_exclusion(self, backend):
        assert found(backend, "噪音 -物业") == ids("h1", "h2")

    def test_exclusion_alone_keeps_the_rest(self, backend):
        assert found(backend, "-噪音") == ALL - ids("h1", "h2", "p5")

    def test_excluded_phrase(self, backend):
        assert found(backend, '黑臭水体 -"仍未治理"') == ids("h5")

    def test_quoted_phrase_matches_exact_sequence(self, backend):
        assert found(backend, '"停车费上涨"') == ids("p1")

    def test_quoted_phrase_respects_order(self, backend):
        assert found(backend, '"上涨停车费"') == set()

    def test_single_character_falls_back_to_characters(self, backend):
        assert found(backend, "水") == ids("h3", "h5", "h6")

    def test_latin_words_are_case_insensitive(self, backend):
        assert found(backend, "app") == ids("p4")

    def test_title_is_searched(self, backend):
        assert rid("p1") in found(backend, "乱收费")

    def test_operator_characters_are_plain_text(self, backend):
        for text in ['a AND (b OR " NEAR(x) *', 'OR', '-', '""', '停水 OR', 'seg : "x"', "^{}[]~\\/:!"]:
            run(backend, text)  # never a syntax error from the engine

    def test_punctuation_only_query_is_match_all(self, backend):
        assert found(backend, "！？。") == ALL

    def test_unknown_word_finds_nothing(self, backend):
        assert found(backend, "火星基地") == set()

    # ------------------------------------------------------------------ privacy of indexed text
    def test_raw_phone_number_is_not_searchable(self, backend):
        assert found(backend, "13812345678") == set()

    def test_hits_carry_masked_text(self, backend):
        hit = next(h for h in run(backend, "烧烤").hits)
        assert "[手机号]" in hit.fields["content"] and "13812345678" not in hit.fields["content"]

    def test_no_hit_holds_raw_personal_data(self, backend):
        blob = repr([h.fields for h in run(backend).hits])
        for secret in ("13812345678", "350102199001011234", "13900001111", "张三", "五四路"):
            assert secret not in blob

    # ------------------------------------------------------------------ filters
    @pytest.mark.parametrize("name,value,expected", [
        ("department", HB, ("h5", "h6", "p6")),
        ("district", "仓山区", ("h3", "h4")),
        ("source", "review", ("r1", "r2")),
        ("channel", "微信", ("h3",)),
        ("topic", 4, ("h3", "h4")),
        ("sentiment", "positive", ("r1",)),
        ("urgency", "critical", ("h3", "h4")),
        ("status", "replied", ("h2", "p3")),
    ])
    def test_filter(self, backend, name, value, expected):
        assert found(backend, **{name: value}) == ids(*expected)

    def test_filter_any_of_values(self, backend):
        assert found(backend, district=["仓山区", "马尾区"]) == ids("h3", "h4", "p4")

    def test_filters_combine_with_text(self, backend):
        assert found(backend, "噪音", district="鼓楼区", department=ZJ) == ids("h2", "p5")

    def test_date_range_includes_the_whole_last_day(self, backend):
        assert found(backend, date_from="2024-04-02", date_to="2024-04-03") == ids("h3", "h4")

    def test_date_from_only(self, backend):
        assert found(backend, date_from="2024-06-03") == ids("h9", "h10", "p5")

    def test_overdue(self, backend):
        # open demands past their time limit on NOW (2024-06-10); closed/replied ones never are. Limits
        # count working days: h9 (7 of them from Monday 06-03, and 06-10 is 端午节) is due on 06-14
        got = found(backend, overdue=True)
        assert got == ids("h1", "h3", "p1", "p2", "r2", "p4", "h5", "h6", "h7", "h12", "p6", "h13")
        assert not got & ids("h2", "h4", "r1", "p3")  # answered or closed: never overdue

    def test_not_overdue_is_the_complement(self, backend):
        assert found(backend, overdue=False) == ALL - found(backend, overdue=True)

    # ------------------------------------------------------------------ where (bounding box)
    def test_bbox_finds_demands_by_their_point(self, backend):
        # h1: its source's point (Open311 lat/long); h3: the finest place in its text (the 小区, not the district)
        assert found(backend, bbox=(119.25, 26.00, 119.32, 26.10)) == ids("h1", "h3")
        assert found(backend, bbox=(119.25, 25.95, 119.32, 26.01)) == set()     # h3's district centre is not used
        assert found(backend, bbox=(119.0, 25.0, 120.0, 27.0)) == ids("h1", "h3", "p4")

    def test_bbox_combines_with_text_filters_and_access(self, backend):
        assert found(backend, "停水", bbox=(119.0, 25.0, 120.0, 27.0)) == ids("h3")
        assert found(backend, district="马尾区", bbox="119.4,26.0,119.5,26.1") == ids("p4")
        assert found(backend, principal=Principal.for_department(CG), bbox=(119.0, 25.0, 120.0, 27.0)) == ids("h1")
        assert found(backend, kind="profile", bbox=(119.0, 25.0, 120.0, 27.0)) == set()   # aggregates have no point

    def test_points_never_leave_in_hits(self, backend):
        assert all("location" not in h.fields for h in run(backend, bbox=(119.0, 25.0, 120.0, 27.0)).hits)
        assert "location" not in backend.get(rid("h1"), OFFICE)

    @pytest.mark.parametrize("bbox", [(119.4, 26.0, 119.3, 26.1), (1, 2, 3), "a,b,c,d", (200, 0, 201, 1)])
    def test_bad_bbox_is_refused_naming_the_field(self, backend, bbox):
        with pytest.raises(QueryError) as exc:
            run(backend, bbox=bbox)
        assert exc.value.field == "bbox"

    # ------------------------------------------------------------------ facets
    def test_facet_counts(self, backend):
        res = run(backend, facets=["department", "district", "source"])
        assert facet(res, "source") == {"hotline": 12, "portal": 6, "review": 2}
        assert facet(res, "department")[ZJ] == 7
        assert facet(res, "district")["鼓楼区"] == 7

    def test_facets_follow_text_and_filters(self, backend):
        res = run(backend, "噪音", facets=["district", "department"])
        assert facet(res, "district") == {"鼓楼区": 3}
        assert facet(res, "department") == {ZJ: 2, CG: 1}

    def test_facets_sorted_by_count(self, backend):
        counts = [f["count"] for f in run(backend, facets=["district"]).facets["district"]]
        assert counts == sorted(counts, reverse=True)

    def test_month_facet(self, backend):
        res = run(backend, facets=["received_month"])
        assert facet(res, "received_month") == {"2024-02": 3, "2024-03": 4, "2024-04": 4, "2024-05": 5, "2024-06": 4}

    def test_topic_and_status_facets(self, backend):
        res = run(backend, facets=["topic", "status"])
        assert facet(res, "topic")["9"] == 3
        assert facet(res, "status")["closed"] == 2

    def test_size_zero_gives_counts_only(self, backend):
        res = run(backend, "噪音", size=0, facets=["district"])
        assert res.total == 3 and res.hits == [] and facet(res, "district") == {"鼓楼区": 3}

    # ------------------------------------------------------------------ sort and paging
    def test_sort_by_time_newest_first(self, backend):
        hits = run(backend, sort="time").hits
        times = [h.fields["received_at"] for h in hits]
        assert times == sorted(times, reverse=True)
        assert hits[0].id == rid("p5")

    def test_sort_by_heat(self, backend):
        hits = run(backend, sort="heat").hits
        assert [h.id for h in hits[:3]] == [rid("p3"), rid("p1"), rid("p2")]

    def test_near_duplicates_add_heat(self, backend):
        hit = backend.get(rid("h5"), OFFICE)
        assert hit["heat"] == 1.0

    def test_relevance_prefers_more_occurrences(self, backend):
        hits = run(backend, "垃圾").hits
        assert {h.id for h in hits} == ids("h9", "h10")
        assert hits[0].id == rid("h9")
        assert hits[0].score is not None and hits[0].score >= hits[1].score

    def test_relevance_without_text_is_newest_first(self, backend):
        assert run(backend).hits[0].id == rid("p5")

    def test_pages_are_disjoint_and_complete(self, backend):
        seen: list[str] = []
        for page in (1, 2, 3, 4):
            res = run(backend, sort="time", page=page, size=5)
            assert res.total == len(ALL)
            seen += [h.id for h in res.hits]
        assert len(seen) == len(set(seen)) == len(ALL)

    def test_page_past_the_end_is_empty(self, backend):
        res = run(backend, page=9, size=10)
        assert res.hits == [] and res.total == len(ALL)

    def test_deep_paging_is_refused_naming_the_field(self, backend):
        with pytest.raises(QueryError) as exc:
            run(backend, page=1000, size=20)
        assert exc.value.field == "page"

    # ------------------------------------------------------------------ highlighting
    def test_highlight_marks_the_word(self, backend):
        hit = next(h for h in run(backend, "停水").hits)
        assert any("<mark>停水</mark>" in f for f in hit.highlight)

    def test_highlight_escapes_html_in_text(self, backend):
        hit = next(h for h in run(backend, "占道经营").hits)
        joined = "".join(hit.highlight)
        assert "<mark>占道经营</mark>" in joined
        assert "<script>" not in joined and "&lt;script&gt;" in joined

    def test_highlight_off(self, backend):
        assert all(h.highlight == [] for h in run(backend, "停水", highlight=False).hits)

    # ------------------------------------------------------------------ documents and access
    def test_get_by_id(self, backend):
        doc = backend.get(rid("p1"), OFFICE)
        assert doc["title"] == "物业乱收费" and doc["department"] == ZJ

    def test_department_sees_only_its_demands(self, backend):
        me = Principal.for_department(HB)
        assert found(backend, principal=me) == ids("h5", "h6")

    def test_department_cannot_widen_by_filter_text_or_or(self, backend):
        me = Principal.for_department(HB)
        assert found(backend, "停水 OR 黑臭水体 OR 噪音", principal=me) == ids("h5", "h6")
        assert found(backend, principal=me, department=ZJ) == set()
        assert found(backend, principal=me, department=[ZJ, HB]) == ids("h5", "h6")
        assert found(backend, "-黑臭水体", principal=me) == set()

    def test_department_facets_show_only_its_own(self, backend):
        res = run(backend, principal=Principal.for_department(ZJ), facets=["department", "district"])
        assert facet(res, "department") == {ZJ: 5}
        assert sum(facet(res, "district").values()) == 5

    def test_department_cannot_fetch_another_departments_document(self, backend):
        assert backend.get(rid("h5"), Principal.for_department(ZJ)) is None
        assert backend.get(rid("h5"), Principal.for_department(HB)) is not None

    def test_unrouted_demand_is_invisible_to_departments(self, backend):
        assert backend.get(rid("h8"), Principal.for_department(CG)) is None
        assert rid("h8") not in found(backend, "路灯", principal=Principal.for_department(CG))

    def test_public_sees_masked_hits(self, backend):
        hits = run(backend, "拖欠工资", principal=Principal.public()).hits
        assert hits and "[身份证号]" in hits[0].fields["content"]

    # ------------------------------------------------------------------ profiles and topics (kind)
    def test_a_query_without_kind_finds_demands_only(self, backend):
        assert found(backend, "河道") == ids("h5", "h6")
        assert found(backend, "垃圾", sort="heat") == ids("h9", "h10")
        assert not found(backend, district="鼓楼区", department=HB) & AGGREGATES

    def test_kind_facet_of_a_default_search_counts_demands_only(self, backend):
        assert facet(run(backend, facets=["kind"]), "kind") == {"demand": len(ALL)}

    def test_kind_filter(self, backend):
        assert found(backend, kind="profile") == PROFILE_IDS
        assert found(backend, kind="topic") == TOPIC_IDS
        assert found(backend, kind=["demand", "topic"]) == ALL | TOPIC_IDS

    def test_kind_facet_over_every_kind(self, backend):
        res = run(backend, kind=["demand", "profile", "topic"], facets=["kind"])
        assert res.total == len(ALL) + len(AGGREGATES)
        assert facet(res, "kind") == {"demand": len(ALL), "profile": len(PROFILE_IDS), "topic": len(TOPIC_IDS)}

    def test_unknown_kind_is_refused_naming_the_field(self, backend):
        with pytest.raises(QueryError) as exc:
            run(backend, kind="record")
        assert exc.value.field == "kind"

    def test_profiles_are_found_by_keyword_topic_label_and_headline(self, backend):
        assert found(backend, "黑臭水体", kind="profile") == {
            pid("department", HB, "2024-W21"), pid("district", "鼓楼区", "2024-W21")}
        assert found(backend, "摊贩", kind="profile") == {pid("channel", "电话", "2024-W21"),
                                                        pid("department", "城管局", "2024-W21")}
        assert found(backend, "不及时", kind="profile") == {pid("district", "台江区", "2024-W23")}

    def test_topics_are_found_by_label_keyword_and_headline(self, backend):
        assert found(backend, "清运", kind="topic") == {"topic:9"}
        assert found(backend, "气味", kind="topic") == {"topic:8"}
        assert found(backend, "仍未治理", kind="topic") == {"topic:8"}  # h6's masked headline

    def test_profile_filters_dimension_and_week(self, backend):
        assert found(backend, kind="profile", dimension="department") == {
            pid("department", HB, "2024-W21"), pid("department", "城管局", "2024-W21")}
        assert found(backend, kind="profile", week="2024-W23") == {pid("district", "台江区", "2024-W23")}

    def test_profile_value_fills_its_dimensions_field(self, backend):
        assert found(backend, kind="profile", district="鼓楼区") == {pid("district", "鼓楼区", "2024-W21")}
        assert found(backend, kind="profile", channel="电话") == {pid("channel", "电话", "2024-W21")}
        assert found(backend, kind="profile", department=CG) == {pid("department", "城管局", "2024-W21")}

    def test_profile_dates_are_their_week(self, backend):
        assert found(backend, kind="profile", date_from="2024-06-01") == {pid("district", "台江区", "2024-W23")}
        hits = run(backend, kind="profile", sort="time").hits
        assert hits[0].id == pid("district", "台江区", "2024-W23")
        assert hits[0].fields["received_at"].startswith("2024-06-03T00:00:00")

    def test_profile_heat_is_its_volume(self, backend):
        hits = run(backend, kind="profile", sort="heat").hits
        assert [h.fields["heat"] for h in hits] == [4.0, 3.0, 2.0, 2.0, 1.0]

    def test_topic_fields(self, backend):
        doc = backend.get("topic:9", OFFICE)
        assert doc["kind"] == "topic" and doc["topic"] == 9 and doc["heat"] == 3.0 and doc["department"] is None
        assert doc["title"] == "主题：垃圾 清运" and doc["received_at"].startswith("2024-05-22")

    def test_profile_hit_fields(self, backend):
        hit = next(h for h in run(backend, "黑臭水体", kind="profile", department=HB).hits)
        f = hit.fields
        assert (f["kind"], f["dimension"], f["week"], f["department"], f["topic"]) == (
            "profile", "department", "2024-W21", HB, 8)
        assert f["title"] == f"{HB} · 2024-W21 需求画像" and f["open"] is False

    def test_department_sees_its_own_profile_only_and_no_topics(self, backend):
        me = Principal.for_department(HB)
        every = ["demand", "profile", "topic"]
        assert found(backend, principal=me, kind=every) == ids("h5", "h6") | {pid("department", HB, "2024-W21")}
        assert found(backend, "垃圾 OR 河道 OR 黑臭水体", principal=me, kind=["profile", "topic"]) == {
            pid("department", HB, "2024-W21")}
        assert found(backend, principal=me, kind="profile", department=CG) == set()

    def test_alias_stored_department_profile_goes_to_the_canonical_department(self, backend):
        assert found(backend, principal=Principal.for_department(CG), kind="profile") == {
            pid("department", "城管局", "2024-W21")}

    def test_department_cannot_fetch_other_profiles_or_topics(self, backend):
        me = Principal.for_department(HB)
        assert backend.get(pid("department", HB, "2024-W21"), me) is not None
        assert backend.get(pid("department", "城管局", "2024-W21"), me) is None
        assert backend.get(pid("district", "鼓楼区", "2024-W21"), me) is None
        assert backend.get("topic:8", me) is None

    def test_department_kind_facet_shows_only_what_it_sees(self, backend):
        res = run(backend, principal=Principal.for_department(HB), kind=["demand", "profile", "topic"], facets=["kind"])
        assert facet(res, "kind") == {"demand": 2, "profile": 1}

    def test_public_sees_no_profiles_or_topics(self, backend):
        """Aggregates are internal: their headlines come from every channel, hotline work orders too."""
        assert found(backend, principal=Principal.public(), kind=["profile", "topic"]) == set()
        assert backend.get("topic:8", Principal.public()) is None
        assert backend.get(pid("district", "鼓楼区", "2024-W21"), Principal.public()) is None

    # ------------------------------------------------------------------ 分级分类: each level for each principal
    def test_office_sees_every_level(self, backend):
        assert found(backend) >= OFFICE_ONLY | UNCLASSIFIED | PUBLIC
        assert backend.get(rid("h12"), OFFICE)["sensitivity"] == "report"
        assert backend.get(rid("h13"), OFFICE)["publication"] is None

    def test_department_never_sees_its_own_office_only_demands(self, backend):
        me = Principal.for_department(ZJ)
        assert found(backend, principal=me) == visible_ids(("public", "internal"), ZJ)
        assert not found(backend, principal=me) & (OFFICE_ONLY | UNCLASSIFIED)
        assert found(backend, "举报 工作人员", principal=me) == set()
        assert found(backend, principal=me, district="长乐区", sort="time") == set()
        assert backend.get(rid("h12"), me) is None and backend.get(rid("h13"), me) is None
        assert backend.get(rid("p6"), Principal.for_department(HB)) is None

    def test_department_facets_leave_office_only_out(self, backend):
        res = run(backend, principal=Principal.for_department(HB), facets=["district", "source"])
        assert facet(res, "district") == {"鼓楼区": 2} and facet(res, "source") == {"hotline": 2}

    def test_public_sees_public_demands_only(self, backend):
        pub = Principal.public()
        assert found(backend, principal=pub) == PUBLIC == ids("p1", "p2", "p3", "p4", "p5", "r1", "r2")
        assert found(backend, principal=pub, source="hotline") == set()
        assert found(backend, "噪音 OR 停水 OR 集体上访", principal=pub) == ids("p5")
        assert found(backend, principal=pub, kind=["demand", "profile", "topic"]) == PUBLIC
        assert backend.get(rid("h1"), pub) is None and backend.get(rid("p6"), pub) is None
        assert backend.get(rid("p1"), pub) is not None

    def test_public_facets_count_public_demands_only(self, backend):
        res = run(backend, principal=Principal.public(), facets=["source", "district"])
        assert facet(res, "source") == {"portal": 5, "review": 2} and "长乐区" not in facet(res, "district")
        assert res.total == len(PUBLIC)

    def test_public_cannot_count_or_filter_by_internal_fields(self, backend):
        res = run(backend, principal=Principal.public(), facets=["urgency", "department", "district"])
        assert set(res.facets) == {"district"}           # the department is not published to this backend
        for name, value in (("urgency", "low"), ("overdue", True), ("department", ZJ)):
            with pytest.raises(QueryError) as exc:
                run(backend, principal=Principal.public(), **{name: value})
            assert exc.value.field == name

    def test_public_hits_carry_public_fields_only(self, backend):
        for hit in run(backend, principal=Principal.public()).hits:
            assert set(hit.fields) <= set(PUBLIC_FIELDS) - set(PERSONAL_FIELDS)
            assert not {"due_at", "urgency", "dup_group", "open"} & set(hit.fields)
        assert "due_at" in backend.get(rid("p1"), OFFICE)

    def test_scoped_client_adds_its_departments_internal_demands(self, backend):
        client = Principal("client", scope=(ZJ,))
        assert found(backend, principal=client) == PUBLIC | visible_ids(("internal",), ZJ)
        assert not found(backend, principal=client) & (OFFICE_ONLY | UNCLASSIFIED)
        assert found(backend, principal=Principal("client")) == PUBLIC

    def test_profile_facets_without_text(self, backend):
        res = run(backend, kind="profile", facets=["dimension", "department", "district"])
        assert res.total == len(PROFILE_IDS)
        assert facet(res, "dimension") == {"department": 2, "district": 2, "channel": 1}
        assert facet(res, "department") == {HB: 1, CG: 1}
        assert facet(res, "district") == {"鼓楼区": 1, "台江区": 1}

    # ------------------------------------------------------------------ folded near-duplicates (同类诉求)
    def test_unfolded_by_default(self, backend):
        res = run(backend, "黑臭水体")
        assert len(res.hits) == 2 and res.groups is None and all(h.group_size is None for h in res.hits)

    def test_fold_shows_a_group_as_one_hit_with_its_size(self, backend):
        res = run(backend, "黑臭水体", fold_duplicates=True)
        assert res.total == 2 and res.groups == 1
        [hit] = res.hits
        assert hit.id in ids("h5", "h6") and hit.group_size == 2

    def test_fold_totals_give_groups_and_demands(self, backend):
        res = run(backend, fold_duplicates=True, sort="time")
        assert res.total == len(ALL) and res.groups == len(ALL) - 1 == len(res.hits)
        assert {h.id for h in res.hits} == ALL - ids("h5")  # the newer of the pair leads it in time order
        assert {h.id: h.group_size for h in res.hits if h.group_size != 1} == {rid("h6"): 2}

    def test_fold_counts_only_the_members_that_match(self, backend):
        [hit] = run(backend, '"仍未治理"', fold_duplicates=True).hits
        assert hit.id == rid("h6") and hit.group_size == 1

    def test_group_filter_opens_the_others(self, backend):
        assert found(backend, dup_group="g1") == ids("h5", "h6")
        assert found(backend, "夏天", dup_group="g1") == ids("h5")

    def test_a_demand_alone_is_its_own_group(self, backend):
        assert found(backend, dup_group=rid("p1")) == ids("p1")

    def test_fold_pages_count_groups(self, backend):
        pages = [run(backend, fold_duplicates=True, size=5, page=p, sort="time") for p in (1, 2, 3, 4)]
        seen = [h.id for r in pages for h in r.hits]
        assert len(seen) == len(set(seen)) == len(ALL) - 1
        assert [len(r.hits) for r in pages] == [5, 5, 5, len(ALL) - 16]

    def test_fold_sorted_by_heat(self, backend):
        res = run(backend, fold_duplicates=True, sort="heat")
        heats = [h.fields["heat"] for h in res.hits]
        assert heats == sorted(heats, reverse=True) and res.groups == len(ALL) - 1

    def test_fold_keeps_the_department_rule(self, backend):
        res = run(backend, principal=Principal.for_department(HB), fold_duplicates=True)
        assert res.total == 2 and res.groups == 1 and res.hits[0].group_size == 2
        assert run(backend, "黑臭水体", principal=Principal.for_department(ZJ), fold_duplicates=True).groups == 0

    def test_fold_leaves_profiles_and_topics_alone(self, backend):
        res = run(backend, kind=["profile", "topic"], fold_duplicates=True)
        assert res.groups is None and {h.id for h in res.hits} == AGGREGATES

    # ------------------------------------------------------------------ more like this
    def test_similar_to(self, backend):
        got = [h.id for h in run(backend, similar_to=rid("h5")).hits]
        assert got and got[0] == rid("h6") and rid("h5") not in got


__all__ = ["SearchContract", "run", "found", "facet", "Filters", "UnsupportedFeature"]
