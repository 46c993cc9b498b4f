"""The department API's work-order steps beside replies (``/api/v1``): 签收, 阶段性答复, 退回, 申请延期.

The same steps as the workbench's forms (``suqiu.twoway.workorders``), checked against
``suqiu.twoway.lifecycle``, with the caller's token as the actor; answers are ``POST /api/v1/replies``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from suqiu.twoway import workorders as work
from suqiu.twoway.workorders import WorkflowError
from suqiu.web.api import Caller, Suqiu

router = APIRouter(prefix="/api/v1", tags=["department-api"])


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")
    record_id: str = Field(min_length=1, max_length=256)


class SignIn(_In):
    note: str | None = Field(default=None, max_length=2000)


class InterimIn(_In):
    text: str = Field(min_length=1)
    replied_at: datetime | None = None


class ReturnIn(_In):
    reason: str = Field(min_length=1, max_length=2000)


class ExtensionIn(_In):
    days: float = Field(ge=1, le=work.MAX_EXTENSION_DAYS)
    reason: str = Field(min_length=1, max_length=2000)


def _refused(exc: WorkflowError) -> HTTPException:
    return HTTPException(exc.status, exc.message)


@router.post("/sign")
def sign(body: SignIn, who: Caller, app: Suqiu) -> dict[str, Any]:
    try:
        return work.sign(app, who, body.record_id, body.note, origin="api")
    except WorkflowError as exc:
        raise _refused(exc) from None


@router.post("/interim")
def interim(body: InterimIn, who: Caller, app: Suqiu) -> dict[str, Any]:
    try:
        return work.reply(app, who, body.record_id, body.text, final=False, claimed_at=body.replied_at, origin="api")
    except WorkflowError as exc:
        raise _refused(exc) from None


@router.post("/return")
def return_demand(body: ReturnIn, who: Caller, app: Suqiu) -> dict[str, Any]:
    try:
        return work.return_demand(app, who, body.record_id, body.reason, origin="api")
    except WorkflowError as exc:
        raise _refused(exc) from None


@router.post("/extensions")
def request_extension(body: ExtensionIn, who: Caller, app: Suqiu) -> dict[str, Any]:
    try:
        return work.request_extension(app, who, body.record_id, body.days, body.reason, origin="api")
    except WorkflowError as exc:
        raise _refused(exc) from None
