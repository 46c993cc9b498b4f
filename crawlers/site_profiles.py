"""Site profiles: how one source's pages or API map onto the record, declared in configuration.

A new city's message board is a new ``[[sources]]`` entry with a profile, not new code. Selectors
are CSS by default; prefix ``xpath:`` for XPath. A selector ending in ``::text``/``::attr(…)`` (or
an XPath ending in ``text()``/``@attr``) yields those strings; otherwise the text of the matched
elements, line by line. JSON paths are dotted keys with optional ``[index]``.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from suqiu.config import ConfigError

SCRAPED_FIELDS = (
    "title", "content", "received_at", "district", "address", "requester", "category_given",
    "department_given", "status", "reply_text", "replied_at", "replied_by", "satisfaction", "votes_up",
    "votes_down", "rating", "business_name", "source_id",
)


class _Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: str = ""
    id_prefix: str = ""                 # namespaces this site's ids within its source
    requester_type: str | None = None
    stop_at_seen: bool = True           # incremental: stop paging at the first already-stored id
    # sample pages for `scrapy check` ({contract key: URL}); keys a spider can derive from its
    # start URL (list, page, services, requests) may be left out, detail pages must be named
    check_urls: dict[str, str] = Field(default_factory=dict)


def _check_fields(v: dict[str, str]) -> dict[str, str]:
    bad = [k for k in v if k not in SCRAPED_FIELDS]
    if bad:
        raise ValueError(f"unknown record field '{bad[0]}'")
    return v


class PortalProfile(_Profile):
    """A message board: list pages (entries, next link) and detail pages (fields)."""

    channel: str = "网站"
    list_item: str = Field(min_length=1)
    list_link: str = Field(min_length=1)
    id_pattern: str = r"(\d+)"          # applied to the detail URL; group 1 is the id
    next_page: str = ""
    fields: dict[str, str]
    status_map: dict[str, str] = Field(default_factory=dict)  # wordings on top of crawlers.statuses
    replied_status: str = "replied"     # when a reply is shown but the status text is unknown

    @field_validator("id_pattern")
    @classmethod
    def _one_group(cls, v: str) -> str:
        try:
            if re.compile(v).groups < 1:
                raise ValueError("needs one capturing group for the id")
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        return v

    @field_validator("fields")
    @classmethod
    def _has_text(cls, v: dict[str, str]) -> dict[str, str]:
        _check_fields(v)
        if "content" not in v and "title" not in v:
            raise ValueError("maps neither 'content' nor 'title'")
        return v


class ReviewsProfile(_Profile):
    """A review site's paged JSON API."""

    channel: str = "点评"
    items_path: str = Field(min_length=1)
    page_param: str = "page"
    size_param: str = ""
    page_size: int = Field(default=20, ge=1, le=500)
    first_page: int = 1
    has_more_path: str = ""
    fields: dict[str, str]
    rating_scale: float = Field(default=1.0, gt=0)   # the API's value divided by this is 0–5
    department: str = "市场监督管理局"                  # reviews are demands for market supervision
    category: str = "消费评价"
    url_template: str = ""                           # e.g. "/shop/review/{id}"; empty: no URL

    @field_validator("fields")
    @classmethod
    def _has_id_and_text(cls, v: dict[str, str]) -> dict[str, str]:
        _check_fields(v)
        if "source_id" not in v:
            raise ValueError("needs 'source_id'")
        if "content" not in v:
            raise ValueError("needs 'content'")
        return v


class Open311Profile(_Profile):
    """Any Open311 GeoReport v2 endpoint; ``start_url`` is the base ending in ``/``."""

    channel: str = "Open311"
    jurisdiction_id: str = ""
    page_size: int = Field(default=50, ge=1, le=1000)
    updated_param: str = "updated_after"   # the common extension; empty: filter client-side only
    status_map: dict[str, str] = Field(default_factory=lambda: {"open": "received", "closed": "closed"})


PROFILES: dict[str, type[_Profile]] = {"portal": PortalProfile, "reviews": ReviewsProfile, "open311": Open311Profile}


def load_profile(kind: str, options: dict[str, Any], source_name: str = "") -> Any:
    """Validate a source's ``options``; a bad key raises ConfigError naming it."""
    model = PROFILES[kind]
    try:
        return model.model_validate(options)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ()))
        msg = err.get("msg", "invalid").removeprefix("Value error, ")
        if err.get("type") == "extra_forbidden":
            msg = "unknown key"
        raise ConfigError(f"sources[{source_name}].options{'.' + where if where else ''}", msg) from None
