"""What spiders yield: a scraped demand (not yet validated) or a page that could not be read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from suqiu.model import Demand


@dataclass
class DemandItem:
    """One demand as a spider read it; values may still be wrong (validation decides)."""

    source: str
    source_id: str | None = None
    channel: str = ""
    url: str | None = None
    received_at: datetime | str | None = None
    title: str = ""
    content: str = ""
    district: str | None = None
    address: str | None = None
    requester_type: str | None = None
    requester: str | None = None
    category_given: str | None = None
    department_given: str | None = None
    status: str | None = None
    reply_text: str | None = None
    replied_at: datetime | str | None = None
    replied_by: str | None = None
    satisfaction: str | None = None
    votes_up: int | str | None = None
    votes_down: int | str | None = None
    rating: float | str | None = None
    business_name: str | None = None
    # provenance, not record fields
    source_name: str = ""                      # configured source (portal_gbk, …)
    source_ref: str | None = None              # where it was read (page or API URL)
    raw: Any = field(default=None, repr=False)  # what the source said, kept for the quarantine
    # set by the validation pipeline
    demand: Demand | None = field(default=None, repr=False)
    error_field: str | None = None
    error: str | None = None

    def record_fields(self) -> dict[str, Any]:
        """The values that map onto Demand; None means 'not given' so model defaults apply."""
        return {k: v for k, v in self.__dict__.items() if k in Demand.model_fields and v is not None}


@dataclass
class FailedPage:
    """A page or API response that could not be fetched or parsed; it goes to the quarantine."""

    source_name: str
    url: str
    reason: str
    raw: Any = field(default=None, repr=False)
    error_field: str | None = None

    @property
    def error(self) -> str:
        return self.reason
