"""The canonical demand record and its analysis (see DESIGN.md).

Validation errors name the field and the reason, so an importer can quarantine a row with a
message a data engineer can act on.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_CONTENT_CHARS = 50_000

# The plausible window of a demand's dates, one rule for every importer, crawler and API: nothing
# came before 1990 or comes from beyond a day of clock skew (0001-01-01, 1899-12-30, 2099, 9999 …).
EARLIEST_DATE = datetime(1990, 1, 1, tzinfo=SHANGHAI)
CLOCK_SKEW = timedelta(days=1)


class Source(StrEnum):
    HOTLINE = "hotline"
    PORTAL = "portal"
    REVIEW = "review"
    OPEN311 = "open311"


class RequesterType(StrEnum):
    INDIVIDUAL = "individual"
    ENTERPRISE = "enterprise"
    ANONYMOUS = "anonymous"


class Status(StrEnum):
    RECEIVED = "received"
    ROUTED = "routed"
    REPLIED = "replied"
    CLOSED = "closed"
    REOPENED = "reopened"


# A demand waiting for an answer, and one that has had it (the status values, as stored).
OPEN_STATUSES = ("received", "routed", "reopened")
ANSWERED_STATUSES = ("replied", "closed")

# Fields whose change is an event in the demand's life (kept in history), not a correction.
TRACKED_FIELDS = ("status", "reply_text", "replied_at", "replied_by", "satisfaction", "department_given",
                  "transfer_count")
COUNT_FIELDS = ("transfer_count", "reply_count", "callback_count")

# Fields that define the demand's identity-relevant content; a change here re-runs analysis.
CONTENT_FIELDS = (
    "title", "content", "district", "address", "category_given", "department_given", "channel",
    "requester_type", "received_at", "business_name", "rating",
)


class RecordError(ValueError):
    """A raw input could not become a record; ``field`` and ``reason`` say why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def as_shanghai(value: datetime) -> datetime:
    """Naive datetimes from Chinese sources are local time; make that explicit."""
    if value.tzinfo is None:
        return value.replace(tzinfo=SHANGHAI)
    return value.astimezone(SHANGHAI)


def make_id(source: str, source_id: str) -> str:
    return f"{source}:{source_id}"


def plausible_time(value: datetime | None, now: datetime | None = None) -> bool:
    """In the window. Readers use it too: rows an older release stored are left out of weekly counts."""
    try:
        return value is not None and EARLIEST_DATE <= as_shanghai(value) <= (now or now_shanghai()) + CLOCK_SKEW
    except OverflowError:  # 9999-12-31 in another zone
        return False


def date_problem(received_at: datetime | None, replied_at: datetime | None,
                 now: datetime | None = None) -> RecordError | None:
    """Why these dates cannot be a demand's (a RecordError naming the field), or None."""
    window = f"应在 {EARLIEST_DATE:%Y-%m-%d} 至 {_show((now or now_shanghai()) + CLOCK_SKEW)} 之间"
    for name, value in (("received_at", received_at), ("replied_at", replied_at)):
        if value is not None and not plausible_time(value, now):
            return RecordError(name, f"{_show(value)} 不在合理范围内（{window}）")
    if received_at and replied_at and as_shanghai(replied_at).date() < as_shanghai(received_at).date():
        return RecordError("replied_at", f"答复时间 {_show(replied_at)} 早于受理时间 {_show(received_at)}")
    return None


def _show(v: datetime) -> str:  # 0001-01-01 00:00, where strftime would write 1-01-01
    return v.replace(tzinfo=None).isoformat(" ", "minutes")


def now_shanghai() -> datetime:
    return datetime.now(SHANGHAI)


class Demand(BaseModel):
    """One citizen demand from any channel."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_assignment=True)

    source: Source
    source_id: str = Field(min_length=1, max_length=200)
    channel: str = Field(default="", max_length=50)
    url: str | None = Field(default=None, max_length=2000)
    received_at: datetime
    title: str = Field(default="", max_length=1000)
    content: str = Field(max_length=MAX_CONTENT_CHARS)
    district: str | None = Field(default=None, max_length=100)
    address: str | None = Field(default=None, max_length=500)
    requester_type: RequesterType = RequesterType.INDIVIDUAL
    requester: str | None = Field(default=None, max_length=200)
    category_given: str | None = Field(default=None, max_length=200)
    department_given: str | None = Field(default=None, max_length=200)
    status: Status = Status.RECEIVED
    reply_text: str | None = Field(default=None, max_length=MAX_CONTENT_CHARS)
    replied_at: datetime | None = None
    replied_by: str | None = Field(default=None, max_length=200)
    satisfaction: str | None = Field(default=None, max_length=50)
    votes_up: int | None = Field(default=None, ge=0)
    votes_down: int | None = Field(default=None, ge=0)
    rating: float | None = Field(default=None, ge=0, le=5)
    business_name: str | None = Field(default=None, max_length=300)
    # what exports count: times passed on to another unit (转处理次数; more than once is 推诿), replies, call-backs
    transfer_count: int | None = Field(default=None, ge=0)
    reply_count: int | None = Field(default=None, ge=0)
    callback_count: int | None = Field(default=None, ge=0)
    crawl_run: str | None = Field(default=None, max_length=100)
    lat: float | None = Field(default=None, ge=-90, le=90)      # where the source located it (Open311), WGS-84
    lon: float | None = Field(default=None, ge=-180, le=180)

    @field_validator("source_id")
    @classmethod
    def _no_colon_confusion(cls, v: str) -> str:
        if any(c in v for c in "\r\n\t"):
            raise ValueError("must not contain line breaks or tabs")
        return v

    @field_validator("received_at", "replied_at")
    @classmethod
    def _to_shanghai(cls, v: datetime | None) -> datetime | None:
        return None if v is None else as_shanghai(v)

    @model_validator(mode="after")
    def _has_text(self) -> "Demand":
        if not self.content and not self.title:
            raise ValueError("content: empty (neither title nor content has text)")
        return self

    @model_validator(mode="after")
    def _plausible_dates(self, info: ValidationInfo) -> "Demand":
        """New input only: a row read back from the store (``context={"stored": True}``) is as kept."""
        problem = None if (info.context or {}).get("stored") else date_problem(self.received_at, self.replied_at)
        if problem is not None:
            raise ValueError(str(problem))
        return self

    @property
    def id(self) -> str:
        return make_id(self.source.value, self.source_id)

    def content_hash(self) -> str:
        """Hash of everything the source said; unchanged input hashes the same (empty counts are left
        out, so records stored before the counts existed keep their hash)."""
        payload = self.model_dump(mode="json", exclude={"crawl_run", *(f for f in COUNT_FIELDS if getattr(self, f) is None)})
        blob = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    @property
    def text(self) -> str:
        """Title and content as one text, the unit the NLP stages work on."""
        if self.title and self.title not in self.content[: len(self.title) + 5]:
            return f"{self.title}\n{self.content}"
        return self.content or self.title


def build_demand(data: dict[str, Any]) -> Demand:
    """Validate a raw mapping into a Demand, raising RecordError naming the first bad field."""
    try:
        return Demand.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err.get("loc", ())) or "record"
        msg = err.get("msg", "invalid")
        if loc == "record" and msg.startswith("Value error, "):
            head, _, rest = msg.removeprefix("Value error, ").partition(": ")
            raise RecordError(head, rest or msg) from None
        raise RecordError(loc, msg.removeprefix("Value error, ")) from None


# ``Analysis.topic_id`` of a demand that fits no topic (shown as 其他)
OUTLIER = -1


class SentimentLabel(StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


class UrgencyLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


# 分级分类 (nlp/classification.py): who may see a record (publication) and why it is sensitive
Publication = Literal["public", "internal", "office_only"]
Sensitivity = Literal["normal", "report", "stability", "secret"]   # 一般, 举报件, 涉稳, 涉密


class Analysis(BaseModel):
    """What the NLP stages concluded about one record; every field optional until its stage runs."""

    model_config = ConfigDict(extra="forbid")

    record_id: str
    normalized_text: str | None = None
    masked_text: str | None = None
    masked_title: str | None = None
    tokens: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    places: list[dict[str, Any]] = Field(default_factory=list)   # name, level, district, source; lon, lat if known
    sentiment_score: float | None = Field(default=None, ge=-1, le=1)
    sentiment_label: SentimentLabel | None = None
    urgency_level: UrgencyLevel | None = None
    urgency_reasons: list[str] = Field(default_factory=list)
    topic_id: int | None = None
    topic_weight: float | None = None
    department: str | None = None
    route_confidence: float | None = Field(default=None, ge=0, le=1)
    route_reason: str | None = None
    route_candidates: list[dict[str, Any]] = Field(default_factory=list)
    dup_group: str | None = None
    publication: Publication | None = None     # None until the levels stage ran: the office only
    sensitivity: Sensitivity | None = None
    level_reasons: list[str] = Field(default_factory=list)
