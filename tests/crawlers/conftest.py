"""Saved pages as bytes with the URL they were served from; spiders built from the shipped profiles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse

PAGES = Path(__file__).parent / "pages"


def saved(name: str, body: bytes | None = None, **meta: Any) -> TextResponse:
    """A response for a saved page: its bytes untouched (GBK stays GBK) and its real URL."""
    info = json.loads((PAGES / "index.json").read_text(encoding="utf-8"))[name]
    data = (PAGES / name).read_bytes() if body is None else body
    cls = TextResponse if name.endswith(".json") else HtmlResponse
    return cls(url=info["url"], body=data, request=Request(info["url"], meta=meta))


def shipped_source(name: str):
    from suqiu.config import load_config
    cfg = load_config(Path("/nonexistent-suqiu-home"), environ={})
    return cfg, cfg.source(name)


def make_spider(name: str, **kwargs: Any):
    """The spider a configured source runs, without a crawler (no store: nothing is 'seen')."""
    from crawlers.run import SPIDERS
    from scrapy.utils.misc import load_object
    cfg, src = shipped_source(name)
    cls = load_object(SPIDERS[src.kind])
    return cls(source_name=src.name, start_url=cfg.source_url(src), profile=src.options, **kwargs)


@pytest.fixture
def portal():
    return make_spider("portal")


@pytest.fixture
def portal_gbk():
    return make_spider("portal_gbk")


@pytest.fixture
def reviews():
    return make_spider("reviews")


@pytest.fixture
def open311():
    return make_spider("open311")
