"""A review site's paged JSON API: business, rating, text, time.

Reviews become demands for market supervision (the profile names the department); the rating is
kept on the record (scaled to 0–5). Paging stops at a page holding a review already stored; a page
that is not valid JSON is quarantined and the next page is tried.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy import Request
from scrapy.http import Response

from crawlers.extract import json_path
from crawlers.items import DemandItem, FailedPage
from crawlers.processors import process_field
from crawlers.site_profiles import ReviewsProfile
from crawlers.spiders.base import SourceSpider

MAX_BROKEN_IN_ROW = 3


def with_query(url: str, params: dict[str, Any]) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update({k: str(v) for k, v in params.items() if k})
    return urlunsplit(parts._replace(query=urlencode(query)))


class ReviewsSpider(SourceSpider):
    name = "reviews"
    kind = "reviews"
    source = "review"
    profile: ReviewsProfile

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._broken_in_row = 0

    def default_check_urls(self) -> dict[str, str]:
        return {"page": self.page_request(self.profile.first_page).url}

    async def start(self) -> AsyncIterator[Any]:
        yield self.page_request(self.profile.first_page)

    def page_request(self, page: int) -> Request:
        params = {self.profile.page_param: page}
        if self.profile.size_param:
            params[self.profile.size_param] = self.profile.page_size
        return Request(with_query(self.start_url, params), callback=self.parse, errback=self.page_failed,
                       cb_kwargs={"page": page}, meta={"page": page})

    def parse(self, response: Response, page: int = 1, **kwargs: Any) -> Iterator[Any]:
        """One page of the API: its reviews, then the next page while there are more.

        @sample page
        @returns items 1
        @scrapes source_id content received_at rating business_name
        @fills source_id content received_at rating department_given
        """
        try:
            doc = json.loads(response.text)
        except ValueError as exc:
            yield from self._broken_page(response, page, f"invalid JSON: {exc}")
            return
        rows = json_path(doc, self.profile.items_path)
        if not isinstance(rows, list):
            yield from self._broken_page(response, page, f"no list at '{self.profile.items_path}'")
            return
        self._broken_in_row = 0
        reached_stored = False
        for row in rows:
            item = self.parse_review(row, response.url)
            if self.already_stored(item.source_id or ""):
                reached_stored = True
                continue
            yield item
        if not rows:
            return
        if reached_stored and self.profile.stop_at_seen and not self.full:
            self.set_stat("suqiu/stopped_at_seen", True)
            return
        more = json_path(doc, self.profile.has_more_path) if self.profile.has_more_path \
            else len(rows) >= self.profile.page_size
        if more:
            yield self.page_request(page + 1)

    def _broken_page(self, response: Response, page: int, reason: str) -> Iterator[Any]:
        """Quarantine the page and try the next one (a few times in a row at most)."""
        self.inc_stat("suqiu/failed_pages")
        self._broken_in_row += 1
        yield FailedPage(self.source_name, response.url, reason, {"url": response.url, "body": response.text[:4000]})
        if self._broken_in_row < MAX_BROKEN_IN_ROW:
            yield self.page_request(page + 1)

    def parse_review(self, row: Any, page_url: str) -> DemandItem:
        if not isinstance(row, dict):
            row = {"value": row}
        values = {name: process_field(name, json_path(row, path)) for name, path in self.profile.fields.items()}
        source_id = self.record_id(values.pop("source_id", None))
        rating = values.pop("rating", None)
        if isinstance(rating, float):
            rating = round(rating / self.profile.rating_scale, 2)
        values.setdefault("category_given", self.profile.category)
        values.setdefault("department_given", self.profile.department)
        item = DemandItem(
            source=self.source, source_id=source_id, channel=self.profile.channel,
            url=self._review_url(source_id), rating=rating, source_name=self.source_name,
            source_ref=page_url, requester_type=self.profile.requester_type, raw=row, **values,
        )
        return item

    def _review_url(self, source_id: str) -> str | None:
        if not self.profile.url_template or not source_id:
            return None
        raw_id = source_id.removeprefix(self.profile.id_prefix)
        return urlsplit(self.start_url)._replace(path="", query="", fragment="").geturl() \
            + self.profile.url_template.format(id=raw_id)
