"""The department API (``/api/v1``): token-authenticated replies and status changes.

Authenticate with ``Authorization: Bearer <token>`` (or ``X-API-Key``); tokens come from
``suqiu token add``. A department token sees and answers only the demands routed to it; the
petition office's token may act on any, reopen, record satisfaction and reassign. An Open311
client token may not use this API at all. Everything returned is masked, and only through the
response models of ``suqiu.web.api_models`` (allowlists). Another department's demand answers
exactly as a missing one (404), so ids cannot be probed. The OpenAPI document of this API is
served to authenticated callers only (``GET /api/v1/openapi.json``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field

from search.indexing import index_records
from suqiu.installation import Installation
from suqiu.model import ANSWERED_STATUSES, OPEN_STATUSES
from suqiu.principals import Principal
from suqiu.store import DemandFilter
from suqiu.twoway.dispatch import RoutingError, reassign
from suqiu.twoway.replies import ReplyError, change_status, post_reply
from suqiu.twoway.tokens import verify_token
from suqiu.twoway.tracking import department_figures, rank_departments
from suqiu.web.api_models import (
    ActionResult, DemandDetail, DemandItem, DemandList, FiguresOut, MeOut, OfficeFiguresOut, ReassignResult,
)
from suqiu.web.audit_trail import record_read
from suqiu.web.demand_views import demand_views
from suqiu.web.deps import get_suqiu

router = APIRouter(prefix="/api/v1", tags=["department-api"])
MAX_PAGE = 500
MAX_OFFSET = 1_000_000
NOT_FOUND = "诉求不存在: {}"


def principal(request: Request, app: Annotated[Installation, Depends(get_suqiu)]) -> Principal:
    """The caller behind the presented token; 401 without a valid one."""
    auth = request.headers.get("authorization", "")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else request.headers.get("x-api-key")
    who = verify_token(app, token)
    if who is None:
        raise HTTPException(401, "缺少或无效的 API 令牌", headers={"WWW-Authenticate": "Bearer"})
    if who.role not in ("department", "office"):  # an Open311 client files requests; it reads nothing here
        raise HTTPException(403, "Open311 客户端令牌不能使用部门接口，仅部门和信访办令牌可以使用")
    return who


Caller = Annotated[Principal, Depends(principal)]
Suqiu = Annotated[Installation, Depends(get_suqiu)]


def _office_only(who: Principal) -> None:
    if not who.is_office:
        raise HTTPException(403, "仅信访办可以执行此操作")


def _refuse(exc: ReplyError | RoutingError) -> HTTPException:
    if isinstance(exc, ReplyError):
        return HTTPException(exc.status, exc.message)
    return HTTPException(404 if "不存在" in str(exc) else 400, str(exc))


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    record_id: str = Field(min_length=1, max_length=256)
    text: str = Field(min_length=1)
    replied_by: str | None = Field(default=None, max_length=200)
    replied_at: datetime | None = None
    close: bool = False


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    record_id: str = Field(min_length=1, max_length=256)
    status: Literal["closed", "reopened"]
    note: str | None = Field(default=None, max_length=2000)
    satisfaction: str | None = Field(default=None, max_length=50)


class ReassignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    record_id: str = Field(min_length=1, max_length=256)
    department: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=2000)


@router.get("/me")
def me(who: Caller) -> MeOut:
    return MeOut(role=who.role, department=who.department, label=who.name)


@router.get("/demands")
def list_demands(who: Caller, app: Suqiu, status: Literal["open", "answered", "all"] = "open",
                 limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
                 offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> DemandList:
    """The caller's demands (the office: every routed one), oldest first."""
    statuses = {"open": OPEN_STATUSES, "answered": ANSWERED_STATUSES, "all": None}[status]
    f = DemandFilter(routed_only=True, owner=None if who.is_office else who.department, statuses=statuses,
                     limit=limit, offset=offset, visible_to=who)  # never an office-only demand to a department
    return DemandList(items=[DemandItem.model_validate(v) for v in demand_views(app, f)], limit=limit, offset=offset)


@router.get("/demands/{record_id:path}")
def get_demand(record_id: str, who: Caller, app: Suqiu) -> DemandDetail:
    """One demand with its status and routing history; 404 alike for a missing and a foreign id."""
    if len(record_id) > 256 or app.store.get(record_id) is None \
            or not who.may_act_for(app.store.owner_of(app.config, record_id)):
        raise HTTPException(404, NOT_FOUND.format(record_id[:256]))
    views = demand_views(app, DemandFilter(ids=[record_id], visible_to=who))
    if not views:  # office-only (or not classified yet): as a missing one
        raise HTTPException(404, NOT_FOUND.format(record_id[:256]))
    view = views[0]
    record_read(app, who, "view", record_id, "api")
    history = [{"at": h["at"], "field": h["field"], "value": h["new_value"], "origin": h["origin"]}
               for h in app.store.history_of([record_id], ("status", "department"))]
    return DemandDetail.model_validate({**view, "history": history})


@router.post("/replies")
def create_reply(body: ReplyIn, who: Caller, app: Suqiu) -> ActionResult:
    try:
        return ActionResult.model_validate(
            post_reply(app, who, body.record_id, body.text, body.replied_by, body.replied_at, body.close))
    except ReplyError as exc:
        raise _refuse(exc) from None


@router.post("/status")
def set_status(body: StatusIn, who: Caller, app: Suqiu) -> ActionResult:
    try:
        return ActionResult.model_validate(
            change_status(app, who, body.record_id, body.status, body.note, body.satisfaction))
    except ReplyError as exc:
        raise _refuse(exc) from None


@router.post("/reassign")
def reassign_demand(body: ReassignIn, who: Caller, app: Suqiu) -> ReassignResult:
    _office_only(who)
    try:
        out = reassign(app, body.record_id, body.department, body.reason, actor=who.actor)
    except RoutingError as exc:
        raise _refuse(exc) from None
    index_records(app, [body.record_id])  # the new owner finds it in search at once
    return ReassignResult.model_validate(out)


@router.get("/figures")
def figures(who: Caller, app: Suqiu) -> OfficeFiguresOut | FiguresOut:
    """Reply figures: the department's own, or for the office every department with rankings."""
    figs = department_figures(app.store, app.config, None if who.is_office else who.department)
    out: dict[str, Any] = {"departments": {k: v.as_dict() for k, v in figs.items()},
                           "min_count": app.config.tracking.min_count}
    if not who.is_office:
        return FiguresOut.model_validate(out)
    out["rankings"] = {m: rank_departments(figs, m, app.config.tracking.min_count)
                       for m in ("closure_rate", "on_time_rate", "satisfaction_rate", "response_hours_median")}
    return OfficeFiguresOut.model_validate(out)


@router.get("/openapi.json", include_in_schema=False)
def openapi_document(who: Caller) -> dict[str, Any]:
    """This API's OpenAPI document, for callers holding a department or office token only."""
    return get_openapi(title="suqiu 诉求 部门接口", version="1", routes=router.routes,
                       description="部门和信访办令牌使用的诉求答复接口（/api/v1）。")
