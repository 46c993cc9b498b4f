"""A configured source as Scrapy sees it: which spider runs it, its start URL, its site profile and
the politeness settings it changes.

One path for every way a crawl starts: ``suqiu crawl`` (through ``crawlers.run``) and a plain
``scrapy crawl portal -a source=portal_gbk`` from the repository root both end in
:func:`spider_arguments` and :func:`source_settings`, with the installation found from
``SUQIU_HOME`` (or ``-a home=…``).
"""

from __future__ import annotations

import os
from typing import Any

from suqiu.config import Config, SourceConfig
from suqiu.installation import Installation

SPIDERS = {
    "portal": "crawlers.spiders.portal.PortalSpider",
    "reviews": "crawlers.spiders.reviews.ReviewsSpider",
    "open311": "crawlers.spiders.open311.Open311Spider",
}


class CrawlError(RuntimeError):
    """The crawl could not run (unknown source, child failed); the message says why, in Chinese."""


def find_source(config: Config, name: str) -> SourceConfig:
    source = config.source(name)
    if source is None:
        known = ", ".join(s.name for s in config.sources) or "（无）"
        raise CrawlError(f"未配置数据源 '{name}'；已配置: {known}")
    return source


def source_settings(store_url: str, source: SourceConfig) -> dict[str, Any]:
    """What one source changes in the project's settings (its politeness, its store)."""
    overrides: dict[str, Any] = {
        "SUQIU_STORE_URL": store_url,
        "SUQIU_SOURCE_NAME": source.name,
        "DOWNLOAD_DELAY": source.download_delay,
        "DOWNLOAD_DELAY_JITTER": 0.5 if source.download_delay > 0 else 0.0,
        "AUTOTHROTTLE_ENABLED": source.autothrottle,
        "AUTOTHROTTLE_START_DELAY": source.download_delay,
        "RETRY_TIMES": source.retries,
        "DOWNLOAD_TIMEOUT": source.timeout_s,
    }
    if source.max_pages:
        overrides["CLOSESPIDER_PAGECOUNT"] = source.max_pages
    return overrides


def spider_arguments(kind: str, spider_name: str, kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The spider's constructor arguments and settings for ``-a source=NAME [-a home=DIR]``.

    The source defaults to the spider's own name (``scrapy crawl reviews`` crawls the source
    named ``reviews``); a source of another kind is refused with the spider to use instead.
    """
    args = dict(kwargs)
    home = args.pop("home", None) or os.environ.get("SUQIU_HOME") or None
    name = args.pop("source", None) or args.get("source_name") or spider_name
    app = Installation.load(home)
    source = find_source(app.config, name)
    if source.kind != kind:
        raise CrawlError(f"数据源 '{name}' 是 {source.kind} 类型，请用 scrapy crawl {source.kind} -a source={name}")
    if not source.enabled:
        raise CrawlError(f"数据源 '{name}' 已停用 (enabled = false)")
    profile = dict(source.options)
    if isinstance(profile.get("check_urls"), dict):  # sample pages for `scrapy check`, on the same site
        fixture = app.config.fixture_site.url
        profile["check_urls"] = {k: str(v).replace("{fixture_url}", fixture) for k, v in profile["check_urls"].items()}
    args.update(source_name=source.name, start_url=app.config.source_url(source), profile=profile)
    args.setdefault("full", source.full)
    return args, source_settings(app.store_url, source)
