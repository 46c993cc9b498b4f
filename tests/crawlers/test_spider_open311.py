"""The Open311 GeoReport v2 spider on saved services.json and requests.json."""

from __future__ import annotations

from datetime import datetime

from scrapy import Request

from crawlers.items import DemandItem
from suqiu.model import SHANGHAI, build_demand
from tests.crawlers.conftest import saved


def _items(spider) -> list:
    list(spider.parse_services(saved("open311_services.json")))
    return list(spider.parse_requests(saved("open311_requests_p1.json"), page=1))


def _by_id(spider, sid: str) -> DemandItem:
    return next(x for x in _items(spider) if isinstance(x, DemandItem) and x.source_id == sid)


def test_services_loaded_then_requests_asked(open311) -> None:
    out = list(open311.parse_services(saved("open311_services.json")))
    assert len(open311.services) == 6 and out[0].url.startswith("http://127.0.0.1:8765/open311/v2/requests.json?")


def test_requests_page_size_param(open311) -> None:
    assert "page_size=25" in open311.requests_page(1).url


def test_one_item_per_request(open311) -> None:
    assert sum(isinstance(x, DemandItem) for x in _items(open311)) == 25


def test_full_page_asks_for_next(open311) -> None:
    reqs = [x for x in _items(open311) if isinstance(x, Request)]
    assert [r.cb_kwargs["page"] for r in reqs] == [2]


def test_closed_request_has_reply(open311) -> None:
    item = _by_id(open311, "310008")
    assert item.status == "closed" and item.reply_text.startswith("您好！") and item.replied_by == "区生态环境执法大队"


def test_closed_reply_time_is_updated_datetime(open311) -> None:
    assert _by_id(open311, "310008").replied_at == datetime(2026, 10, 7, 12, 29, 55, tzinfo=SHANGHAI)


def test_open_request_is_received(open311) -> None:
    item = _by_id(open311, "310021")
    assert item.status == "received" and item.reply_text is None


def test_title_is_service_name(open311) -> None:
    assert _by_id(open311, "310008").title == "河道污染"


def test_district_is_left_to_the_analysis(open311) -> None:
    """The spider keeps the address; the text stage's place finder infers the district from it."""
    item = _by_id(open311, "310008")
    assert item.district is None and "仓山区" in item.address


def test_request_url(open311) -> None:
    assert _by_id(open311, "310008").url == "http://127.0.0.1:8765/open311/v2/requests/310008.json"


def test_request_validates(open311) -> None:
    assert build_demand(_by_id(open311, "310008").record_fields()).id == "open311:310008"


def test_cursor_filters_old_updates_client_side(open311) -> None:
    open311._cursor_at = datetime(2026, 10, 10, tzinfo=SHANGHAI)
    items = [x for x in _items(open311) if isinstance(x, DemandItem)]
    assert items and len(items) < 25


def test_cursor_sent_as_updated_after(open311) -> None:
    open311._cursor_at = datetime(2026, 10, 10, tzinfo=SHANGHAI)
    assert "updated_after=2026-10-10T00%3A00%3A00%2B08%3A00" in open311.requests_page(1).url


def test_full_crawl_sends_no_cursor(open311) -> None:
    open311.full = True
    open311._cursor_at = datetime(2026, 10, 10, tzinfo=SHANGHAI)
    assert "updated_after" not in open311.requests_page(1).url


def test_jurisdiction_id_sent_when_configured() -> None:
    from tests.crawlers.conftest import make_spider, shipped_source
    _, src = shipped_source("open311")
    spider = make_spider("open311")
    spider.profile = spider.profile.model_copy(update={"jurisdiction_id": "fuzhou.gov.cn"})
    assert "jurisdiction_id=fuzhou.gov.cn" in spider.requests_page(1).url and src is not None
