"""What every source spider shares: its profile, what earlier runs stored, failed pages.

A spider is built either from Python objects (``source_name``, ``start_url``, ``profile``, as unit
tests on saved pages do) or, by Scrapy (``scrapy crawl portal -a source=portal_gbk``), from the
installation's configuration (``crawlers.sources``). It never opens the store: what earlier runs
stored is handed to it by ``crawlers.extensions.StoredState`` through :meth:`remember`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from scrapy import Spider
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawlers.items import FailedPage
from crawlers.site_profiles import load_profile
from crawlers.sources import spider_arguments
from crawlers.state import CrawlMemory


def _truthy(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "on")


class SourceSpider(Spider):
    """Base for configured sources; ``kind`` picks the profile model, ``source`` the record source."""

    kind: ClassVar[str]
    source: ClassVar[str]

    def __init__(self, source_name: str | None = None, start_url: str | None = None,
                 profile: Mapping[str, Any] | None = None, full: Any = False, **kwargs: Any) -> None:
        kwargs.pop("source", None)   # `-a source=…` names the configured source; `source` is the record's
        kwargs.pop("home", None)
        super().__init__(**kwargs)
        self.source_name = source_name or self.name
        self.start_url = start_url or ""
        self.profile = load_profile(self.kind, dict(profile or {}), self.source_name)
        self.full = _truthy(full)
        self.memory = CrawlMemory()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "SourceSpider":
        """Without a profile given, read the source from the installation (``-a source=NAME``)."""
        if kwargs.get("profile") is None:
            kwargs, settings = spider_arguments(cls.kind, cls.name, kwargs)  # CrawlError names what is wrong
            # settings are not frozen yet; the command line and the runner (priority cmdline) still win
            crawler.settings.setdict(settings, priority="spider")
        return super().from_crawler(crawler, *args, **kwargs)

    # ---- state from earlier runs
    def remember(self, memory: CrawlMemory) -> None:
        """What earlier runs stored (ids, open demands, the last cursor); a full crawl keeps only the cursor."""
        self.memory = CrawlMemory(cursor=memory.cursor) if self.full else memory
        self.set_stat("suqiu/cursor_prev", memory.cursor)

    def record_id(self, raw: Any) -> str:
        raw_id = "" if raw is None else str(raw).strip()
        return f"{self.profile.id_prefix}{raw_id}" if raw_id else ""

    def already_stored(self, source_id: str) -> bool:
        return bool(source_id) and not self.full and self.memory.seen(source_id)

    # ---- `scrapy check`: sample pages from the source's configuration
    def default_check_urls(self) -> dict[str, str]:
        """Sample pages derivable from the start URL (each spider names its own)."""
        return {}

    def check_url(self, key: str) -> str:
        urls = {**self.default_check_urls(), **self.profile.check_urls}
        if key not in urls:
            raise ValueError(f"数据源 '{self.source_name}' 未配置检查页面 '{key}'（options.check_urls.{key}）")
        return urls[key]

    # ---- stats (usable without a crawler, as in unit tests on saved pages)
    def inc_stat(self, key: str, n: int = 1) -> None:
        crawler = getattr(self, "crawler", None)
        if crawler is not None and crawler.stats is not None:
            crawler.stats.inc_value(key, n)

    def set_stat(self, key: str, value: Any) -> None:
        crawler = getattr(self, "crawler", None)
        if crawler is not None and crawler.stats is not None:
            crawler.stats.set_value(key, value)

    # ---- failures: the crawl goes on, the page goes to the quarantine
    def page_failed(self, failure: Failure) -> Iterator[Any]:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else ""
        if failure.check(HttpError):
            response = failure.value.response
            reason = f"HTTP {response.status} after retries"
            raw: Any = {"url": url, "status": response.status, "body": response.text[:2000]
                        if hasattr(response, "text") else ""}
        else:
            reason = f"download failed: {failure.type.__name__}: {failure.getErrorMessage()}"[:500]
            raw = {"url": url, "error": reason}
        self.logger.warning("%s: %s", url, reason)
        self.inc_stat("suqiu/failed_pages")
        self.set_stat("suqiu/cursor_blocked", True)
        yield FailedPage(self.source_name, url, reason, raw)
        yield from self.after_failure(failure)

    def after_failure(self, failure: Failure) -> Iterator[Any]:
        """Hook: what to request next when a page failed (default: nothing)."""
        return iter(())
