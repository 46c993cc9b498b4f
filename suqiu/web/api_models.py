"""What the department API may answer: one pydantic model per response, used as an allowlist.

A field that is not declared here never leaves the API, whatever the store or the disclosure
policy adds to a view later: the models ignore undeclared keys, and FastAPI serialises through
them. Times are ISO 8601 with the +08:00 offset.
"""

from __future__ import annotations

from datetime import datetime
from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class MeOut(_Out):
    role: str
    department: str | None
    label: str | None


class DemandItem(_Out):
    """One demand in a listing: masked text, routing, reply and time limit."""

    id: str
    source: str
    channel: str | None
    received_at: datetime
    updated_at: datetime | None
    district: str | None
    address: str | None          # masked
    category: str | None
    department: str | None
    status: str
    title: str
    text: str                    # masked by the analysis stage
    pending_analysis: bool
    urgency: str | None
    reply_text: str | None       # masked
    replied_at: datetime | None
    replied_by: str | None
    satisfaction: str | None
    due_at: datetime | None


class DemandList(_Out):
    items: list[DemandItem]
    limit: int
    offset: int


class HistoryEntry(_Out):
    at: datetime
    field: str
    value: str | None
    origin: str | None


class DemandDetail(DemandItem):
    history: list[HistoryEntry]


class ActionResult(_Out):
    """The demand after a reply or a status change."""

    record_id: str
    status: str | None
    replied_at: datetime | None
    replied_by: str | None
    department: str | None


class ReassignResult(_Out):
    record_id: str
    from_: str | None = Field(alias="from", serialization_alias="from")
    to: str
    reason: str
    actor: str


class DepartmentFiguresOut(_Out):
    department: str
    assigned: int
    open: int
    answered: int
    closed: int
    overdue: int
    replied_on_time: int
    response_hours_median: float | None
    response_hours_mean: float | None
    response_hours_p90: float | None
    closure_rate: float | None
    on_time_rate: float | None
    rated: int
    satisfaction_rate: float | None
    reopened: int
    reopen_rate: float | None
    reply_quality_mean: float | None
    reply_quality_n: int
    rankable: bool


class RankedDepartment(_Out):
    department: str
    value: float | None
    count: int
    rank: int | None = None


class Ranking(_Out):
    ranked: list[RankedDepartment]
    insufficient: list[RankedDepartment]


class FiguresOut(_Out):
    """A department's own figures."""

    departments: dict[str, DepartmentFiguresOut]
    min_count: int


class OfficeFiguresOut(FiguresOut):
    """The office's: every department, with rankings."""

    rankings: dict[str, Ranking]

