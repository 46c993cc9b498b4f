"""The review API spider on saved JSON pages."""

from __future__ import annotations

from datetime import datetime

from scrapy import Request

from crawlers.items import DemandItem, FailedPage
from crawlers.spiders.reviews import with_query
from crawlers.state import CrawlMemory
from suqiu.model import SHANGHAI, build_demand
from tests.crawlers.conftest import saved


def _items(spider, name: str = "reviews_p1.json", page: int = 1) -> list:
    return list(spider.parse(saved(name), page=page))


def test_one_item_per_review(reviews) -> None:
    assert sum(isinstance(x, DemandItem) for x in _items(reviews)) == 20


def test_next_page_requested(reviews) -> None:
    reqs = [x for x in _items(reviews) if isinstance(x, Request)]
    assert [r.url for r in reqs] == ["http://127.0.0.1:8765/api/v1/reviews?page=2&limit=20"]


def test_rating_scaled_to_five(reviews) -> None:
    first = _items(reviews)[0]
    assert first.rating == 4.0


def test_business_name(reviews) -> None:
    assert _items(reviews)[0].business_name == "阿婆KTV（江滨西大道店）"


def test_review_time(reviews) -> None:
    assert _items(reviews)[0].received_at == datetime(2026, 11, 21, 22, 59, 14, tzinfo=SHANGHAI)


def test_review_department_is_market_supervision(reviews) -> None:
    assert _items(reviews)[0].department_given == "市场监督管理局"


def test_review_has_stable_url(reviews) -> None:
    assert _items(reviews)[0].url == "http://127.0.0.1:8765/shop/review/rv500162"


def test_review_validates_with_rating(reviews) -> None:
    demand = build_demand(_items(reviews)[0].record_fields())
    assert (demand.id, demand.rating, demand.source.value) == ("review:rv500162", 4.0, "review")


def test_review_raw_row_kept(reviews) -> None:
    assert _items(reviews)[0].raw["review_id"] == "rv500162"


def test_stored_review_stops_paging(reviews) -> None:
    reviews.memory = CrawlMemory(known={"rv500024": "received"})
    out = _items(reviews)
    assert not any(isinstance(x, Request) for x in out) and len(out) == 19


def test_broken_json_quarantined(reviews) -> None:
    out = _items(reviews, "reviews_broken.json", page=4)
    assert isinstance(out[0], FailedPage) and out[0].reason.startswith("invalid JSON")


def test_broken_json_moves_to_next_page(reviews) -> None:
    out = _items(reviews, "reviews_broken.json", page=4)
    assert [x.cb_kwargs["page"] for x in out if isinstance(x, Request)] == [5]


def test_broken_pages_in_a_row_give_up(reviews) -> None:
    for page in (4, 5):
        list(reviews.parse(saved("reviews_broken.json"), page=page))
    out = _items(reviews, "reviews_broken.json", page=6)
    assert not any(isinstance(x, Request) for x in out)


def test_empty_list_ends_paging(reviews) -> None:
    body = b'{"code":0,"data":{"page":9,"has_more":false,"list":[]}}'
    assert list(reviews.parse(saved("reviews_p1.json", body), page=9)) == []


def test_missing_list_is_a_failed_page(reviews) -> None:
    out = list(reviews.parse(saved("reviews_p1.json", b'{"code":500}'), page=1))
    assert isinstance(out[0], FailedPage) and "data.list" in out[0].reason


def test_with_query_keeps_existing_params() -> None:
    assert with_query("http://h/api?city=fz", {"page": 2}) == "http://h/api?city=fz&page=2"
