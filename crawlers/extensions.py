"""Scrapy extensions: what earlier runs stored, handed to the spider when it opens.

The spider never opens the store. ``StoredState`` holds the crawl's store connection from
``spider_opened`` to ``spider_closed`` and gives the spider its memory (stored ids of the site,
demands still waiting for a reply, the last cursor) before its first request is made. It is off
without a store (unit tests) and under ``scrapy check``, whose sample pages must be parsed as if
nothing were stored.
"""

from __future__ import annotations

import os
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawlers.state import load_memory
from suqiu.store import Store


class StoredState:
    """Opens the store when the spider opens, loads its memory, closes the store with the spider."""

    def __init__(self, store_url: str) -> None:
        self.store_url = store_url
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "StoredState":
        url = crawler.settings.get("SUQIU_STORE_URL")
        if not url or os.environ.get("SCRAPY_CHECK"):
            raise NotConfigured("no store for this crawl")
        ext = cls(url)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any) -> None:
        self.store = Store.open(self.store_url)
        if hasattr(spider, "remember"):
            spider.remember(load_memory(self.store, spider.source, spider.source_name, spider.profile.id_prefix))

    def spider_closed(self, spider: Any) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None
