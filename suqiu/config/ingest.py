"""What the configuration says about sources: crawlable sites and import profiles (config, not code)."""

from __future__ import annotations

import codecs
import re
from typing import Any, Literal

from pydantic import Field, field_validator

from suqiu.config.sections import _Section

class SourceConfig(_Section):
    """A crawlable source; ``kind`` picks the spider, ``options`` is the spider's site profile.

    ``start_url`` may begin with ``{fixture_url}``, the local fixture site's address
    (``[fixture_site]``), so tests and the demo can move it to a free port.
    """

    name: str = Field(min_length=1)
    kind: Literal["portal", "reviews", "open311"]
    start_url: str = Field(min_length=1)
    enabled: bool = True
    options: dict[str, Any] = Field(default_factory=dict)
    # politeness: seconds between requests to the site (AutoThrottle adapts from there), retries
    download_delay: float = Field(default=1.0, ge=0)
    autothrottle: bool = True
    retries: int = Field(default=2, ge=0, le=10)
    timeout_s: float = Field(default=30, gt=0)
    max_pages: int = Field(default=0, ge=0)  # 0: no limit
    full: bool = False                       # True: ignore what is already stored, crawl everything


# Record fields an import profile may fill from a column (source and crawl_run come from elsewhere).
IMPORT_FIELDS = (
    "source_id", "channel", "url", "received_at", "title", "content", "district", "address",
    "requester_type", "requester", "category_given", "department_given", "status", "reply_text",
    "replied_at", "replied_by", "satisfaction", "votes_up", "votes_down", "rating", "business_name",
    "transfer_count", "reply_count", "callback_count",
)


class StatusRule(_Section):
    """When the export has no status column (or it is empty): a non-empty ``when`` field sets ``status``."""

    when: str
    status: Literal["received", "routed", "signed", "in_progress", "replied", "called_back", "closed", "reopened"]

    @field_validator("when")
    @classmethod
    def _known_field(cls, v: str) -> str:
        if v not in IMPORT_FIELDS:
            raise ValueError(f"unknown record field '{v}'")
        return v


class ImportProfile(_Section):
    """Maps one kind of export (CSV/XLSX) onto the record; config, not code.

    ``columns`` is {record_field: [header alias, …]}; headers compare after removing whitespace and
    folding full-width punctuation. Without a ``source_id`` column the id is a hash of
    ``id_fields`` (stable across re-exports and across CSV/XLSX of the same data).
    """

    name: str = Field(min_length=1)
    description: str = ""
    source: Literal["hotline", "portal", "review", "open311"] = "hotline"
    channel: str = ""                      # when no channel column (or it is empty)
    columns: dict[str, list[str]]
    required_headers: list[str] = Field(default_factory=list)  # all must be present to auto-match
    id_prefix: str = ""                    # namespaces ids of one export family within the source
    id_fields: list[str] = Field(default_factory=lambda: ["received_at", "title", "content"])
    date_formats: list[str] = Field(default_factory=list)  # strptime formats tried before built-ins
    value_maps: dict[str, dict[str, str]] = Field(default_factory=dict)  # field → {raw: value}
    status_rules: list[StatusRule] = Field(default_factory=list)
    sheets: str = ""                       # regex on XLSX sheet names; empty: every matching sheet
    sheet_field: str = ""                  # record field filled from the sheet name when empty
    encoding: str = ""                     # force a CSV encoding; empty: detect (UTF-8, BOM, GB18030)
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("columns")
    @classmethod
    def _columns_known(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for key, aliases in v.items():
            if key not in IMPORT_FIELDS:
                raise ValueError(f"unknown record field '{key}'")
            if not aliases or not all(a.strip() for a in aliases):
                raise ValueError(f"'{key}' needs at least one non-empty header")
        if "content" not in v and "title" not in v:
            raise ValueError("maps neither 'content' nor 'title'")
        return v

    @field_validator("id_fields")
    @classmethod
    def _id_fields_known(cls, v: list[str]) -> list[str]:
        bad = [f for f in v if f not in IMPORT_FIELDS]
        if bad or not v:
            raise ValueError(f"unknown record field '{bad[0]}'" if bad else "must not be empty")
        return v

    @field_validator("value_maps")
    @classmethod
    def _maps_known(cls, v: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for key in v:
            if key not in IMPORT_FIELDS:
                raise ValueError(f"unknown record field '{key}'")
        return v

    @field_validator("sheet_field")
    @classmethod
    def _sheet_field_known(cls, v: str) -> str:
        if v and v not in IMPORT_FIELDS:
            raise ValueError(f"unknown record field '{v}'")
        return v

    @field_validator("sheets")
    @classmethod
    def _sheets_regex(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        return v

    @field_validator("encoding")
    @classmethod
    def _encoding_known(cls, v: str) -> str:
        if v:
            try:
                codecs.lookup(v)
            except LookupError:
                raise ValueError(f"unknown encoding '{v}'") from None
        return v


