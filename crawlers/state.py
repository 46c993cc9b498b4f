"""What a crawl needs to know from earlier runs: stored ids, open demands, the last cursor."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from suqiu import schema
from suqiu.store import Store

OPEN_STATUSES = ("received", "routed", "reopened")


@dataclass
class CrawlMemory:
    """Stored ids of one site (by id prefix) with their status and URL, and the last cursor."""

    known: dict[str, str] = field(default_factory=dict)      # source_id → status
    open_urls: list[str] = field(default_factory=list)       # demands still waiting for a reply
    cursor: str | None = None                                 # e.g. Open311's last updated_datetime

    def seen(self, source_id: str) -> bool:
        return source_id in self.known


def load_memory(store: Store, source: str, source_name: str, id_prefix: str = "") -> CrawlMemory:
    rec = schema.records
    q = select(rec.c.source_id, rec.c.status, rec.c.url).where(rec.c.source == source)
    if id_prefix:
        q = q.where(rec.c.source_id.startswith(id_prefix, autoescape=True))
    memory = CrawlMemory()
    with store.engine.connect() as conn:
        for sid, status, url in conn.execute(q):
            memory.known[sid] = status
            if status in OPEN_STATUSES and url:
                memory.open_urls.append(url)
    memory.cursor = last_cursor(store, source_name)
    return memory


def last_cursor(store: Store, source_name: str) -> str | None:
    """The cursor the newest successful crawl of this source recorded in its run stats."""
    runs = schema.runs
    q = (select(runs.c.stats).where(runs.c.kind == "crawl", runs.c.source == source_name, runs.c.status == "ok")
         .order_by(runs.c.started_at.desc()).limit(20))
    with store.engine.connect() as conn:
        for (stats,) in conn.execute(q):
            cursor: Any = (stats or {}).get("cursor")
            if cursor:
                return str(cursor)
    return None
