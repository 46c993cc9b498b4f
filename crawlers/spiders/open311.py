"""Open311 GeoReport v2: ``services.json`` then ``requests.json`` of any endpoint.

Incremental by ``updated_datetime``: the newest one a successful run saw is its cursor (kept in the
run's stats); the next run asks for requests updated after it (the common ``updated_after``
extension) and also filters on its side, for endpoints that ignore the parameter. A run with a
failed page keeps the previous cursor, so nothing is skipped.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.items import DemandItem, FailedPage
from crawlers.processors import clean_text, map_status, parse_time, process_field
from crawlers.site_profiles import Open311Profile
from crawlers.spiders.base import SourceSpider
from crawlers.spiders.reviews import with_query


class Open311Spider(SourceSpider):
    name = "open311"
    kind = "open311"
    source = "open311"
    profile: Open311Profile

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services: dict[str, dict[str, Any]] = {}
        self._cursor_at: datetime | None = None
        self._newest: datetime | None = None

    @property
    def base(self) -> str:
        return self.start_url if self.start_url.endswith("/") else self.start_url + "/"

    def _params(self, **extra: Any) -> dict[str, Any]:
        params = dict(extra)
        if self.profile.jurisdiction_id:
            params["jurisdiction_id"] = self.profile.jurisdiction_id
        return params

    async def start(self) -> AsyncIterator[Any]:
        cursor = parse_time(self.memory.cursor) if self.memory.cursor else None
        self._cursor_at = cursor if isinstance(cursor, datetime) else None
        yield Request(with_query(urljoin(self.base, "services.json"), self._params()),
                      callback=self.parse_services, errback=self.page_failed, dont_filter=True)

    def requests_page(self, page: int) -> Request:
        params = self._params(page=page, page_size=self.profile.page_size)
        if self._cursor_at is not None and self.profile.updated_param and not self.full:
            params[self.profile.updated_param] = self._cursor_at.isoformat()
        return Request(with_query(urljoin(self.base, "requests.json"), params), callback=self.parse_requests,
                       errback=self.page_failed, cb_kwargs={"page": page})

    def default_check_urls(self) -> dict[str, str]:
        return {"services": with_query(urljoin(self.base, "services.json"), self._params()),
                "requests": self.requests_page(1).url}

    def parse_services(self, response: Response) -> Iterator[Any]:
        """The service list; then the first page of requests.

        @sample services
        @returns requests 1 1
        @returns items 0 0
        """
        try:
            rows = json.loads(response.text)
        except ValueError as exc:
            rows = None
            yield FailedPage(self.source_name, response.url, f"invalid JSON: {exc}", {"body": response.text[:4000]})
        for row in rows if isinstance(rows, list) else []:
            if isinstance(row, dict) and row.get("service_code"):
                self.services[str(row["service_code"])] = row
        yield self.requests_page(1)

    def after_failure(self, failure: Failure) -> Iterator[Any]:
        # without the service list the requests still carry their own names
        request = getattr(failure, "request", None)
        if request is not None and request.callback == self.parse_services:
            yield self.requests_page(1)

    def parse_requests(self, response: Response, page: int = 1) -> Iterator[Any]:
        """One page of service requests (updated after the cursor, where there is one).

        @sample requests
        @returns items 1
        @scrapes source_id content received_at status address
        @fills source_id content received_at status
        """
        try:
            rows = json.loads(response.text)
        except ValueError as exc:
            self.inc_stat("suqiu/failed_pages")
            self.set_stat("suqiu/cursor_blocked", True)
            yield FailedPage(self.source_name, response.url, f"invalid JSON: {exc}", {"body": response.text[:4000]})
            return
        if not isinstance(rows, list):
            self.set_stat("suqiu/cursor_blocked", True)
            yield FailedPage(self.source_name, response.url, "requests.json is not a list", rows)
            return
        for row in rows:
            item = self.parse_request(row, response.url)
            updated = parse_time(row.get("updated_datetime")) if isinstance(row, dict) else None
            if isinstance(updated, datetime):
                if self._newest is None or updated > self._newest:
                    self._newest = updated
                    self.set_stat("suqiu/cursor", updated.isoformat())
                if self._cursor_at is not None and updated <= self._cursor_at and not self.full:
                    continue  # the endpoint ignored updated_after
            yield item
        if len(rows) >= self.profile.page_size:
            yield self.requests_page(page + 1)

    def parse_request(self, row: Any, page_url: str) -> DemandItem:
        if not isinstance(row, dict):
            row = {"value": row}
        sid = self.record_id(row.get("service_request_id"))
        code = str(row.get("service_code") or "")
        service = self.services.get(code, {})
        status = map_status(row.get("status"), self.profile.status_map)
        closed = status == "closed"
        notes = clean_text(row.get("status_notes")) or None
        address = process_field("address", row.get("address"))
        item = DemandItem(
            source=self.source, source_id=sid, channel=self.profile.channel,
            url=urljoin(self.base, f"requests/{row.get('service_request_id')}.json") if sid else None,
            received_at=parse_time(row.get("requested_datetime")),
            title=clean_text(row.get("service_name") or service.get("service_name") or ""),
            content=clean_text(row.get("description")),
            address=address,
            category_given=clean_text(row.get("service_name") or service.get("service_name")) or code or None,
            department_given=clean_text(row.get("agency_responsible") or service.get("group")) or None,
            status=status,
            reply_text=notes,
            replied_at=parse_time(row.get("updated_datetime")) if closed and notes else None,
            replied_by=clean_text(row.get("agency_responsible")) or None if closed and notes else None,
            requester_type=self.profile.requester_type,
            source_name=self.source_name, source_ref=page_url, raw=row,
        )
        return item
