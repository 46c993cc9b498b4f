"""Scrapy contracts of our own, for ``scrapy check`` on every site profile.

A callback's docstring names a sample page by key (``@sample list``) instead of a fixed
``@url``: the page comes from the checked source's configuration (``options.check_urls``, or one
the spider derives from its ``start_url``), so ``scrapy check portal -a source=portal_gbk`` checks
the GBK board's profile against its own pages. ``@fills`` asks more than Scrapy's ``@scrapes``
(which accepts a field that is merely present): every named field has a value in every item.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter, is_item
from scrapy.contracts import Contract
from scrapy.exceptions import ContractFail


class SampleContract(Contract):
    """``@sample KEY``: request the checked source's sample page named KEY."""

    name = "sample"

    def __init__(self, method: Any, *args: Any) -> None:
        super().__init__(method, *args)
        self.spider = getattr(method, "__self__", None)

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        if not self.args or not self.args[0]:
            raise ValueError("@sample needs a key, e.g. @sample list")
        args["url"] = self.spider.check_url(self.args[0])
        return args


class FillsContract(Contract):
    """``@fills FIELD …``: every item the callback returns has a non-empty value for each field."""

    name = "fills"

    def post_process(self, output: list[Any]) -> None:
        items = [x for x in output if is_item(x)]
        if not items:
            raise ContractFail("no item returned")
        for item in items:
            adapter = ItemAdapter(item)
            empty = [f for f in self.args if adapter.get(f) in (None, "", [], {})]
            if empty:
                raise ContractFail(f"empty fields: {', '.join(empty)}")
