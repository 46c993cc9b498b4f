"""The synthetic demand generator: deterministic, valid where meant to be, bad where meant to be."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import pytest

from crawlers.synthetic import (
    DEFAULT_START, EMERGING_DISTRICT, fake_id_card, generate, id_card_checksum, strip_truth,
)
from suqiu.model import Demand, RecordError, build_demand


@pytest.fixture(scope="module")
def items() -> list[dict]:
    return list(generate(1200, seed=7, with_truth=True))


def test_same_seed_same_items() -> None:
    assert list(generate(80, seed=3)) == list(generate(80, seed=3))


def test_different_seed_different_items() -> None:
    assert list(generate(80, seed=3)) != list(generate(80, seed=4))


def test_exact_count(items: list[dict]) -> None:
    assert len(items) == 1200


def test_without_truth_items_have_only_demand_fields() -> None:
    keys = set().union(*(i.keys() for i in generate(50, seed=1)))
    assert keys <= set(Demand.model_fields)


def test_good_items_validate(items: list[dict]) -> None:
    good = [i for i in items if i["_truth"]["bad"] is None]
    for item in good:
        build_demand(strip_truth(item))
    assert len(good) > 1100


def test_bad_items_are_rejected(items: list[dict]) -> None:
    bad = [i for i in items if i["_truth"]["bad"]]
    assert bad
    for item in bad:
        with pytest.raises(RecordError):
            build_demand(strip_truth(item))


def test_every_source_present(items: list[dict]) -> None:
    assert set(Counter(i["source"] for i in items)) == {"hotline", "portal", "review", "open311"}


def test_hotline_channels_vary(items: list[dict]) -> None:
    channels = {i["channel"] for i in items if i["source"] == "hotline"}
    assert {"电话", "微信", "APP"} <= channels


def test_portal_channels(items: list[dict]) -> None:
    assert {i["channel"] for i in items if i["source"] == "portal"} == {"网站", "人民网留言板"}


def test_sources_restricts_mix() -> None:
    assert {i["source"] for i in generate(60, seed=2, sources=["review"])} == {"review"}


def test_unknown_source_rejected() -> None:
    with pytest.raises(ValueError, match="unknown sources"):
        list(generate(5, sources=["fax"]))


def test_districts_come_from_config(items: list[dict], app) -> None:
    names = {d.name for d in app.config.districts}
    assert {i["district"] for i in items} <= names


def test_departments_come_from_config(items: list[dict], app) -> None:
    names = {d.name for d in app.config.departments}
    assert {i["_truth"]["department"] for i in items} <= names


def test_all_departments_covered(items: list[dict], app) -> None:
    assert {i["_truth"]["department"] for i in items} == {d.name for d in app.config.departments}


def test_times_within_span(items: list[dict]) -> None:
    good = [i for i in items if i["_truth"]["bad"] != "bad_date"]
    assert min(i["received_at"].date() for i in good) >= DEFAULT_START
    assert max(i["received_at"].date() for i in good) < DEFAULT_START + timedelta(weeks=8)


def test_start_and_weeks_move_the_span() -> None:
    got = list(generate(40, seed=1, start=date(2025, 1, 6), weeks=2, bad_rate=0))
    assert all(date(2025, 1, 6) <= i["received_at"].date() < date(2025, 1, 20) for i in got)


def test_replies_come_after_receipt(items: list[dict]) -> None:
    replied = [i for i in items if i["replied_at"] is not None and i["_truth"]["bad"] != "bad_date"]
    assert replied and all(i["replied_at"] > i["received_at"] for i in replied)


def test_some_replies_are_late(items: list[dict]) -> None:
    assert sum(i["_truth"]["late"] for i in items) > 20


def test_some_open_demands_are_overdue(items: list[dict]) -> None:
    assert sum(i["_truth"]["overdue_open"] for i in items) > 20


def test_reopened_hotline_items_were_unsatisfied(items: list[dict]) -> None:
    reopened = [i for i in items if i["status"] == "reopened"]
    assert reopened and all(i["satisfaction"] == "不满意" for i in reopened)


def test_reviews_have_rating_and_business(items: list[dict]) -> None:
    reviews = [i for i in items if i["source"] == "review" and i["_truth"]["bad"] is None]
    assert reviews and all(1 <= i["rating"] <= 5 and i["business_name"] for i in reviews)


def test_review_sentiment_follows_rating(items: list[dict]) -> None:
    for i in items:
        if i["source"] == "review" and i["_truth"]["bad"] is None:
            assert (i["_truth"]["sentiment"] == "negative") == (i["rating"] <= 2)


def test_three_sentiments_present(items: list[dict]) -> None:
    assert set(Counter(i["_truth"]["sentiment"] for i in items)) == {"negative", "neutral", "positive"}


def test_requester_types(items: list[dict]) -> None:
    assert {i["requester_type"] for i in items} == {"individual", "enterprise", "anonymous"}


def test_urgent_cases_present(items: list[dict]) -> None:
    reasons = {i["_truth"]["urgency_reason"] for i in items if i["_truth"]["urgency"] != "low"}
    assert {"燃气泄漏", "停水多日", "春节前欠薪", "自伤风险", "群体聚集"} <= reasons


def test_duplicates_point_at_existing_records(items: list[dict]) -> None:
    ids = {f"{i['source']}:{i['source_id']}" for i in items}
    dups = [i for i in items if i["_truth"]["dup_of"]]
    assert len(dups) > 30 and all(i["_truth"]["dup_of"] in ids for i in dups)


def test_duplicates_are_edited_not_identical(items: list[dict]) -> None:
    by_id = {f"{i['source']}:{i['source_id']}": i for i in items}
    for dup in (i for i in items if i["_truth"]["dup_of"]):
        assert dup["content"] != by_id[dup["_truth"]["dup_of"]]["content"]


def test_duplicates_come_later(items: list[dict]) -> None:
    by_id = {f"{i['source']}:{i['source_id']}": i for i in items}
    for dup in (i for i in items if i["_truth"]["dup_of"] and i["_truth"]["bad"] != "bad_date"):
        orig = by_id[dup["_truth"]["dup_of"]]
        if orig["_truth"]["bad"] != "bad_date":
            assert dup["received_at"] > orig["received_at"]


def test_source_ids_unique(items: list[dict]) -> None:
    keys = [(i["source"], i["source_id"]) for i in items if i["source_id"]]
    assert len(keys) == len(set(keys))


def test_pii_appears_in_text(items: list[dict]) -> None:
    with_pii = [i for i in items if i["_truth"]["pii"] and i["_truth"]["bad"] != "empty_content"]
    assert len(with_pii) > 60
    for i in with_pii:
        assert all(v in i["content"] for v in i["_truth"]["pii"].values())


def test_pii_kinds(items: list[dict]) -> None:
    kinds = {k for i in items for k in i["_truth"]["pii"]}
    assert kinds == {"mobile", "id_card", "plate", "email"}


def test_mobiles_look_like_mainland_numbers(items: list[dict]) -> None:
    for i in items:
        if "mobile" in i["_truth"]["pii"]:
            assert re.fullmatch(r"1[3-9]\d{9}", i["_truth"]["pii"]["mobile"])


def test_id_card_checksum_known_value() -> None:
    # GB 11643 worked example
    assert id_card_checksum("11010519491231002") == "X"


def test_generated_id_cards_are_valid() -> None:
    import random
    rng = random.Random(1)
    for _ in range(50):
        v = fake_id_card(rng, "鼓楼区")
        assert v.startswith("350102") and id_card_checksum(v[:17]) == v[17]


def test_emerging_topic_surges_in_last_week(items: list[dict]) -> None:
    last_week_start = DEFAULT_START + timedelta(weeks=7)
    em = [i for i in items if i["_truth"]["emerging"] and i["_truth"]["bad"] != "bad_date"]
    late = sum(i["received_at"].date() >= last_week_start for i in em)
    early_per_week = (len(em) - late) / 7
    assert late >= 8 and late > 4 * early_per_week


def test_emerging_topic_is_local(items: list[dict]) -> None:
    assert {i["district"] for i in items if i["_truth"]["emerging"]} == {EMERGING_DISTRICT}


def test_bad_kinds_varied(items: list[dict]) -> None:
    assert len({i["_truth"]["bad"] for i in items if i["_truth"]["bad"]}) >= 4


def test_no_bad_items_when_rate_zero() -> None:
    assert not any(i["_truth"]["bad"] for i in generate(200, seed=5, bad_rate=0, with_truth=True))


def test_negative_n_rejected() -> None:
    with pytest.raises(ValueError):
        list(generate(-1))
