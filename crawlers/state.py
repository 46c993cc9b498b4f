"""What a crawl needs to know from earlier runs: stored ids, open demands, the last cursor."""

from __future__ import annotations

from dataclasses import dataclass, field

from suqiu.store import Store


@dataclass
class CrawlMemory:
    """Stored ids of one site (by id prefix) with their status and URL, and the last cursor."""

    known: dict[str, str] = field(default_factory=dict)      # source_id → status
    open_urls: list[str] = field(default_factory=list)       # demands still waiting for a reply
    cursor: str | None = None                                 # e.g. Open311's last updated_datetime

    def seen(self, source_id: str) -> bool:
        return source_id in self.known


def load_memory(store: Store, source: str, source_name: str, id_prefix: str = "") -> CrawlMemory:
    known, open_urls = store.crawl_memory(source, id_prefix)
    return CrawlMemory(known=known, open_urls=open_urls, cursor=store.last_cursor(source_name))
