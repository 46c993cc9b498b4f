"""Government portal message boards (领导留言板 / 市长信箱): list pages → detail pages.

The site profile (``[[sources]] kind = "portal"``) says where entries, links, the next page and
each field are; a new city's board is configuration. Incremental: paging stops at a page holding
an id already stored, and stored demands still waiting for a reply are revisited to pick it up.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

from scrapy import Request
from scrapy.http import Response

from crawlers.extract import extract_first, extract_text, select
from crawlers.items import DemandItem
from crawlers.processors import map_status, process_field
from crawlers.site_profiles import PortalProfile
from crawlers.spiders.base import SourceSpider


class PortalSpider(SourceSpider):
    name = "portal"
    kind = "portal"
    source = "portal"
    profile: PortalProfile

    def default_check_urls(self) -> dict[str, str]:
        return {"list": self.start_url}

    async def start(self) -> AsyncIterator[Any]:
        yield Request(self.start_url, callback=self.parse, errback=self.page_failed, dont_filter=True)
        for url in self.memory.open_urls:
            self.inc_stat("suqiu/revisited")
            yield Request(url, callback=self.parse_detail, errback=self.page_failed)

    # ---- list pages
    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A list page: follow entries not yet stored, then the next page unless we reached stored ones.

        @sample list
        @returns requests 2
        @returns items 0 0
        """
        reached_stored = False
        for entry in select(response, self.profile.list_item):
            href = extract_first(entry, self.profile.list_link)
            if not href:
                continue
            url = response.urljoin(href)
            if self.already_stored(self._parse_source_id(url)):
                reached_stored = True
                continue
            yield Request(url, callback=self.parse_detail, errback=self.page_failed)
        if reached_stored and self.profile.stop_at_seen and not self.full:
            self.set_stat("suqiu/stopped_at_seen", True)
            return
        next_href = extract_first(response, self.profile.next_page) if self.profile.next_page else None
        if next_href:
            yield Request(response.urljoin(next_href), callback=self.parse, errback=self.page_failed)

    # ---- detail pages
    def parse_detail(self, response: Response) -> DemandItem:
        """A detail page: one demand with its reply, if shown.

        @sample detail
        @returns items 1 1
        @returns requests 0 0
        @scrapes source_id title content received_at district status
        @fills source_id title content received_at status
        """
        raw = {name: extract_text(response, spec) for name, spec in self.profile.fields.items()}
        item = self.item_from_fields(raw, response.url)
        if not item.content or not isinstance(item.received_at, datetime):
            item.raw["page_head"] = response.text[:2000]  # what the broken page showed
        return item

    def item_from_fields(self, raw: dict[str, str | None], url: str) -> DemandItem:
        """The demand a detail page's field texts make (also for re-admitting a quarantined page)."""
        values = {name: process_field(name, text) for name, text in raw.items() if name != "status"}
        source_id = self.record_id(values.pop("source_id", None)) or self._parse_source_id(url)
        item = DemandItem(
            source=self.source, source_id=source_id, channel=self.profile.channel, url=url,
            source_name=self.source_name, source_ref=url,
            requester_type=self.profile.requester_type, raw={"url": url, "fields": raw},
            **values,
        )
        item.status = self._parse_status(raw.get("status"), item.reply_text)
        return item

    def _parse_source_id(self, url: str) -> str:
        m = re.search(self.profile.id_pattern, url)
        return self.record_id(m.group(1)) if m else ""

    def _parse_status(self, text: str | None, reply_text: str | None) -> str | None:
        status = map_status(text, self.profile.status_map)
        if reply_text and status in (None, "received", "routed"):
            return self.profile.replied_status
        return status
