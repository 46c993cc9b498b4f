"""Item pipelines, one job each: run stats, validation, quarantine, storage.

Each takes plain constructor arguments (a store URL, a stats collector) and reads settings in
``from_crawler``; store connections open in ``open_spider`` and close in ``close_spider``. Method
signatures follow Scrapy 2.14+ (no ``spider`` argument).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import MemoryStatsCollector, StatsCollector

from crawlers.items import DemandItem, FailedPage
from suqiu.logs import set_process_run
from suqiu.model import Demand, RecordError, build_demand
from suqiu.store import Store

log = logging.getLogger(__name__)

RUN_ID = "suqiu/run_id"
HEARTBEAT_S = 30.0   # a crawl's run heartbeat, at most this often


def _stats(stats: StatsCollector | None) -> StatsCollector:
    return stats if stats is not None else MemoryStatsCollector(None)  # type: ignore[arg-type]


def _store_url(crawler: Any) -> str:
    url = crawler.settings.get("SUQIU_STORE_URL")
    if not url:
        raise NotConfigured("SUQIU_STORE_URL is not set")
    return url


class ValidatePipeline:
    """Turn a scraped item into a Demand, or note which field is wrong and why."""

    def __init__(self, stats: StatsCollector | None = None) -> None:
        self.stats = _stats(stats)

    @classmethod
    def from_crawler(cls, crawler: Any) -> "ValidatePipeline":
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, DemandItem):
            return item
        fields = item.record_fields()
        run_id = self.stats.get_value(RUN_ID)
        if run_id:
            fields["crawl_run"] = run_id
        try:
            item.demand = build_demand(fields)
            self.stats.inc_value("suqiu/valid")
        except RecordError as exc:
            item.error_field, item.error = exc.field, str(exc)
            self.stats.inc_value("suqiu/invalid")
        return item


class _StorePipeline:
    """A pipeline that holds one store connection for the crawl (opened and closed with the spider)."""

    def __init__(self, store_url: str, stats: StatsCollector | None = None) -> None:
        self.store_url = store_url
        self.stats = _stats(stats)
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Any):
        return cls(_store_url(crawler), crawler.stats)

    def open_spider(self) -> None:
        self.store = Store.open(self.store_url)

    def close_spider(self) -> None:
        if self.store is not None:
            self.store.close()


class QuarantinePipeline(_StorePipeline):
    """Keep what failed validation (or could not be read) with its reason and raw payload."""

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FailedPage):
            source, ref, raw = item.source_name, item.url, item.raw if item.raw is not None else {"url": item.url}
        elif isinstance(item, DemandItem) and item.error:
            source, ref = item.source_name or item.source, item.source_ref or item.url
            raw = item.raw if item.raw is not None else item.record_fields()
        else:
            return item
        assert self.store is not None, "open_spider was not called"
        added = self.store.quarantine(source, item.error or "invalid", raw, source_ref=ref,
                                      field=item.error_field, run_id=self.stats.get_value(RUN_ID))
        self.stats.inc_value("suqiu/quarantined")
        if added:
            self.stats.inc_value("suqiu/quarantined_new")
        raise DropItem(f"{source} {ref}: {item.error}", log_level="INFO")


class StorePipeline(_StorePipeline):
    """Upsert validated demands in batches; unchanged input is a no-op, changes keep their history.

    Demands wait in memory until ``batch_size`` of them are ready (one transaction per batch) and
    whatever is left is written when the spider closes, before the run's figures are taken.
    """

    def __init__(self, store_url: str, stats: StatsCollector | None = None, batch_size: int = 100) -> None:
        super().__init__(store_url, stats)
        self.batch_size = max(1, batch_size)
        self.pending: list[Demand] = []

    @classmethod
    def from_crawler(cls, crawler: Any) -> "StorePipeline":
        return cls(_store_url(crawler), crawler.stats, crawler.settings.getint("SUQIU_STORE_BATCH", 100))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, DemandItem) or item.demand is None:
            return item
        self.pending.append(item.demand)
        if len(self.pending) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        """Write the waiting demands in one transaction and count what they did."""
        if not self.pending:
            return
        assert self.store is not None, "open_spider was not called"
        result = self.store.upsert(self.pending, origin="crawl")
        self.pending = []
        self.stats.inc_value("suqiu/store_batches")
        for outcome, n in result.as_dict().items():
            if n:
                self.stats.inc_value(f"suqiu/{outcome}", n)

    def close_spider(self) -> None:
        self.flush()
        super().close_spider()


class RunStatsPipeline:
    """Open a run record before anything else and write its figures after everything else."""

    def __init__(self, store_url: str, source_name: str, stats: StatsCollector | None = None) -> None:
        self.store_url = store_url
        self.source_name = source_name
        self.stats = _stats(stats)
        self.store: Store | None = None
        self.run_id: str | None = None
        self._t0 = self._beat = 0.0

    @classmethod
    def from_crawler(cls, crawler: Any) -> "RunStatsPipeline":
        return cls(_store_url(crawler), crawler.settings.get("SUQIU_SOURCE_NAME") or "", crawler.stats)

    def open_spider(self) -> None:
        self.store = Store.open(self.store_url)
        self.run_id = self.store.start_run("crawl", self.source_name or None)
        self.stats.set_value(RUN_ID, self.run_id)
        set_process_run(self.run_id)   # one crawl per process: every line logged from here carries its id
        self._t0 = self._beat = time.monotonic()

    def process_item(self, item: Any) -> Any:
        if self.store is not None and time.monotonic() - self._beat > HEARTBEAT_S:
            self.store.heartbeat(self.run_id)  # how another host tells this crawl is alive
            self._beat = time.monotonic()
        return item

    def summary(self) -> dict[str, Any]:
        """The run's figures, from the counters the other pipelines and Scrapy keep."""
        g = self.stats.get_value
        elapsed = max(time.monotonic() - self._t0, 1e-6) if self._t0 else 0.0
        pages = int(g("response_received_count", 0))
        failed = int(g("suqiu/failed_pages", 0))
        errors = failed + int(g("spider_exceptions/count", 0))
        blocked = bool(g("suqiu/cursor_blocked", False))
        cursor = g("suqiu/cursor_prev") if blocked else (g("suqiu/cursor") or g("suqiu/cursor_prev"))
        return {
            "run_id": self.run_id,
            "source": self.source_name,
            "pages": pages,
            "items": int(g("suqiu/valid", 0)) + int(g("suqiu/invalid", 0)),
            "new": int(g("suqiu/new", 0)),
            "updated": int(g("suqiu/updated", 0)),
            "unchanged": int(g("suqiu/unchanged", 0)),
            "quarantined": int(g("suqiu/quarantined", 0)),
            "quarantined_new": int(g("suqiu/quarantined_new", 0)),
            "errors": errors,
            "failed_pages": failed,
            "retries": int(g("retry/count", 0)),
            "revisited": int(g("suqiu/revisited", 0)),
            "stopped_at_seen": bool(g("suqiu/stopped_at_seen", False)),
            "robots_forbidden": int(g("robotstxt/forbidden", 0)),
            "elapsed_s": round(elapsed, 3),
            "pages_per_s": round(pages / elapsed, 2) if elapsed else 0.0,
            "cursor": cursor,
        }

    def close_spider(self) -> None:
        if self.store is None or self.run_id is None:
            return
        summary = self.summary()
        self.stats.set_value("suqiu/run_stats", summary)
        self.store.finish_run(self.run_id, summary)
        log.info("crawl %s: %s pages, %s new, %s updated, %s quarantined", self.source_name, summary["pages"],
                 summary["new"], summary["updated"], summary["quarantined"])
        set_process_run(None)
        self.store.close()
        self.store = None   # closed: a second call does nothing
