"""A configured source as Scrapy sees it: spider arguments from the installation, the store
extension that hands the spider its memory."""

from __future__ import annotations

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawlers.extensions import StoredState
from crawlers.sources import CrawlError, spider_arguments
from crawlers.spiders.portal import PortalSpider
from crawlers.state import CrawlMemory


def crawler_for(spidercls, **settings):
    """A crawler whose settings are not frozen yet, as when Scrapy builds the spider."""
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings
    return Crawler(spidercls, Settings(settings))


def test_source_defaults_to_the_spider_name(home) -> None:
    args, _ = spider_arguments("reviews", "reviews", {})
    assert args["source_name"] == "reviews" and args["start_url"].endswith("/api/v1/reviews")


def test_source_argument_picks_another_profile(home) -> None:
    args, settings = spider_arguments("portal", "portal", {"source": "portal_gbk"})
    assert args["profile"]["id_prefix"] == "gbk-" and settings["SUQIU_SOURCE_NAME"] == "portal_gbk"


def test_fixture_url_filled_in_check_urls(home, monkeypatch) -> None:
    monkeypatch.setenv("SUQIU__FIXTURE_SITE__PORT", "9123")
    args, _ = spider_arguments("portal", "portal", {})
    assert args["profile"]["check_urls"]["detail"].startswith("http://127.0.0.1:9123/board/thread/")


def test_store_url_comes_from_the_installation(home) -> None:
    _, settings = spider_arguments("open311", "open311", {})
    assert settings["SUQIU_STORE_URL"].startswith("sqlite") and str(home) in settings["SUQIU_STORE_URL"]


def test_source_of_another_kind_refused(home) -> None:
    with pytest.raises(CrawlError, match="scrapy crawl reviews -a source=reviews"):
        spider_arguments("portal", "portal", {"source": "reviews"})


def test_unknown_source_refused(home) -> None:
    with pytest.raises(CrawlError, match="未配置数据源 'weibo'"):
        spider_arguments("portal", "portal", {"source": "weibo"})


def test_home_argument_wins(tmp_path, home) -> None:
    from suqiu.installation import write_default_config
    other = tmp_path / "other"
    write_default_config(other)
    _, settings = spider_arguments("portal", "portal", {"home": str(other)})
    assert str(other) in settings["SUQIU_STORE_URL"]


def test_from_crawler_sets_source_settings(home) -> None:
    crawler = crawler_for(PortalSpider)
    spider = PortalSpider.from_crawler(crawler, source="portal_gbk")
    assert spider.source == "portal" and spider.source_name == "portal_gbk"
    assert crawler.settings.get("SUQIU_SOURCE_NAME") == "portal_gbk"
    assert crawler.settings.getfloat("DOWNLOAD_DELAY") == 0


def test_check_url_derived_from_start_url(home) -> None:
    spider = PortalSpider.from_crawler(crawler_for(PortalSpider), source="portal")
    assert spider.check_url("list") == spider.start_url


def test_missing_check_url_named() -> None:
    spider = PortalSpider(source_name="p", start_url="http://127.0.0.1:1/list",
                          profile={"list_item": "li", "list_link": "a::attr(href)", "fields": {"title": "h1"}})
    with pytest.raises(ValueError, match="check_urls.detail"):
        spider.check_url("detail")


def test_stored_state_off_without_a_store() -> None:
    with pytest.raises(NotConfigured):
        StoredState.from_crawler(get_crawler())


def test_stored_state_off_under_scrapy_check(store, monkeypatch) -> None:
    monkeypatch.setenv("SCRAPY_CHECK", "true")
    with pytest.raises(NotConfigured):
        StoredState.from_crawler(get_crawler(settings_dict={"SUQIU_STORE_URL": store.url}))


def test_stored_state_hands_the_spider_its_memory(store, home) -> None:
    from datetime import datetime
    from suqiu.model import SHANGHAI, build_demand
    store.upsert([build_demand({"source": "portal", "source_id": "8800001", "received_at": datetime(2026, 11, 2, tzinfo=SHANGHAI),
                                "content": "路灯不亮", "url": "http://127.0.0.1:8765/board/thread/8800001.html"})])
    spider = PortalSpider(**spider_arguments("portal", "portal", {})[0])
    ext = StoredState.from_crawler(get_crawler(settings_dict={"SUQIU_STORE_URL": store.url}))
    ext.spider_opened(spider)
    ext.spider_closed(spider)
    assert spider.memory.seen("8800001") and spider.memory.open_urls and ext.store is None


def test_full_crawl_remembers_only_the_cursor() -> None:
    spider = PortalSpider(source_name="p", start_url="http://127.0.0.1:1/list", full=True,
                          profile={"list_item": "li", "list_link": "a::attr(href)", "fields": {"title": "h1"}})
    spider.remember(CrawlMemory(known={"1": "received"}, cursor="c"))
    assert not spider.memory.seen("1") and spider.memory.cursor == "c"
