"""Open311 GeoReport v2 (``/open311/v2``) with mySociety's ``servicerequestupdates`` extension.

Follows the published specification (open311/open311.github.io, ``GeoReport_v2/index.md``):

- ``GET services.{json|xml}``, ``GET services/{code}.{fmt}`` (no extra attributes: metadata=false);
- ``GET requests.{fmt}`` with ``service_request_id`` (comma list, overrides everything else),
  ``service_code`` and ``status`` (comma lists; status ``open``/``closed``), ``start_date`` and
  ``end_date`` in W3C datetime format; the window defaults to the most recent 90 days, may not
  span more than 90 days, and at most 1000 requests are returned;
- ``GET requests/{id}.{fmt}``; ``POST requests.{fmt}`` (form-encoded, ``api_key`` required);
- ``GET servicerequestupdates.{fmt}`` (start_date/end_date): each status or reply change as an
  update with ``update_id``, ``service_request_id``, ``status``, ``updated_datetime``,
  ``description`` and ``media_url``.

Errors are a list of ``{code, description}`` with HTTP 400 (bad request), 403 (api_key), 404
(no such resource) or 429 (a client filing faster than ``server.open311_posts_per_hour``). Empty
parameters count as absent; dates outside 1900–2100 are a 400. Datetimes carry the +08:00 offset.
Demand statuses map received/routed/reopened → open, replied/closed → closed (a reply is how a
12345 demand is resolved).

Reads stay keyless, but serve only what the reader may see (``suqiu.web.open311_views``: public
records with their public fields; a client key within its scope more, never an office-only record
or a personal field); a record the reader may not see answers exactly as a missing one. Only
client tokens file requests, within their scope, at most ``open311_posts_per_hour`` per token.
``lat`` and ``long`` are the point a client filed the request with, kept as numbers (rounded to
about 100 m for keyless readers; None for other channels).
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from suqiu.disclosure import may_see
from suqiu.installation import Installation
from suqiu.model import ANSWERED_STATUSES, OPEN_STATUSES, RecordError, build_demand
from suqiu.principals import Principal
from suqiu.store import DemandFilter, now_local
from suqiu.twoway.tokens import verify_token
from suqiu.web.demand_views import demand_views, disclosure
from suqiu.web.deps import get_suqiu
from suqiu.web.open311_format import Open311Error, _check_format, _csv, _param, error, parse_w3c, respond, w3c
from suqiu.web.open311_views import (
    MAX_DESCRIPTION, TRIAGE_CODE, as_request, note, open311_status, reader, service_code, shows,
)

router = APIRouter(prefix="/open311/v2", tags=["open311"])

MAX_RESULTS = 1000
MAX_SPAN = timedelta(days=90)
FILING_WINDOW = timedelta(hours=1)


# ---------------------------------------------------------------------------- services
def services(app: Installation) -> list[dict[str, Any]]:
    out = [{"service_code": service_code(d), "service_name": d.name,
            "description": "承办：" + ("、".join(d.categories) if d.categories else d.name),
            "metadata": False, "type": "realtime", "keywords": ", ".join(d.keywords[:12]),
            "group": d.categories[0] if d.categories else "其他"} for d in app.config.departments]
    out.append({"service_code": TRIAGE_CODE, "service_name": app.config.routing.triage_queue,
                "description": "尚未确定承办部门、等待人工分派的诉求", "metadata": False, "type": "realtime",
                "keywords": "", "group": "其他"})
    return out


def _dept_by_code(app: Installation) -> dict[str, str | None]:
    codes: dict[str, str | None] = {service_code(d): d.name for d in app.config.departments}
    codes[TRIAGE_CODE] = None
    return codes


# ---------------------------------------------------------------------------- requests
def visible_views(app: Installation, f: DemandFilter, who: Principal) -> list[dict[str, Any]]:
    """``demand_views`` of what ``who`` may see: the grants in the query, checked again per row."""
    views = demand_views(app, replace(f, visible_to=who))
    return [v for v in views if may_see(who, v["publication"], v["department"])]


def _closed_times(app: Installation, ids: list[str]) -> dict[str, datetime]:
    """When each demand last became closed or replied (its updated_datetime while closed)."""
    return {h["record_id"]: h["at"] for h in app.store.history_of(ids, ["status"])
            if h["new_value"] in ANSWERED_STATUSES}


def window(request: Request, now: datetime) -> tuple[datetime, datetime]:
    start_raw, end_raw = _param(request, "start_date"), _param(request, "end_date")
    start = parse_w3c(start_raw, "start_date") if start_raw else None
    end = parse_w3c(end_raw, "end_date") if end_raw else None
    if start and end:
        if end < start:
            raise Open311Error(400, "end_date 早于 start_date")
        if end - start > MAX_SPAN:
            raise Open311Error(400, "start_date 与 end_date 的间隔不能超过 90 天")
        return start, end
    if start:
        return start, start + MAX_SPAN
    if end:
        return end - MAX_SPAN, end
    return now - MAX_SPAN, now


def _request_filter(app: Installation, request: Request, now: datetime, who: Principal) -> DemandFilter | None:
    """The demands a ``GET requests`` asks for (None: certainly none)."""
    ids = _csv(_param(request, "service_request_id"))
    if ids:  # overrides all other arguments
        return DemandFilter(ids=ids[:MAX_RESULTS], newest_first=True, limit=MAX_RESULTS)
    statuses = _csv(_param(request, "status"))
    bad = [s for s in statuses if s not in ("open", "closed")]
    if bad:
        raise Open311Error(400, f"status 只能是 open 或 closed，收到: {', '.join(bad)}")
    start, end = window(request, now)
    wanted = None
    if statuses and set(statuses) != {"open", "closed"}:
        wanted = sorted(OPEN_STATUSES if statuses[0] == "open" else ANSWERED_STATUSES)
    owners, triage = None, False
    codes = _csv(_param(request, "service_code"))
    scoped = {service_code(d) for d in app.config.departments if d.name in who.scope}
    if codes and not shows(app, who, None)[0] and not set(codes) <= scoped:  # a filter would tell the department
        raise Open311Error(400, "本系统不公开承办部门，只能按本 api_key 范围内的 service_code 筛选")
    if codes:
        by_code = _dept_by_code(app)
        owners = [by_code[c] for c in codes if c in by_code and by_code[c]]
        triage = TRIAGE_CODE in codes
        if not owners and not triage:
            return None
    return DemandFilter(received_from=start, received_to=end, statuses=wanted, owners=owners, triage=triage,
                        newest_first=True, limit=MAX_RESULTS)


def find_requests(app: Installation, request: Request, now: datetime | None = None) -> list[dict[str, Any]]:
    who = reader(app, request)
    f = _request_filter(app, request, now or now_local(), who)
    if f is None:
        return []
    found = visible_views(app, f, who)
    closed = _closed_times(app, [v["id"] for v in found])
    return [as_request(app, v, closed.get(v["id"]), who) for v in found]


# ---------------------------------------------------------------------------- updates (mySociety)
def find_updates(app: Installation, request: Request, now: datetime | None = None) -> list[dict[str, Any]]:
    """Status and reply changes in the window of the demands the reader may see, one update per
    record and moment, oldest first (a reply shown only where ``as_request`` would show it)."""
    who, (start, end) = reader(app, request), window(request, now or now_local())
    groups: dict[tuple[str, datetime], dict[str, Any]] = {}
    for h in app.store.history_between(("status", "reply_text"), start, end):
        g = groups.setdefault((h["record_id"], h["at"]), {"id": h["id"], "record_id": h["record_id"], "at": h["at"]})
        g[h["field"]] = h["new_value"]
    ids, views, policy = sorted({g["record_id"] for g in groups.values()}), {}, disclosure(app)
    for i in range(0, len(ids), 500):
        views.update((v["id"], v) for v in visible_views(app, DemandFilter(ids=ids[i:i + 500]), who))
    ordered = sorted((g for g in groups.values() if g["record_id"] in views), key=lambda g: (g["at"], g["id"]))
    out = []
    for g in ordered[:MAX_RESULTS]:
        view = views[g["record_id"]]
        status = g.get("status") or view["status"]
        show_dept, show_reply = shows(app, who, view["department"])
        reply = policy.mask(g.get("reply_text")) if show_reply else None
        description = note("closed" if reply else status, reply, view["department"] if show_dept else None) or ""
        out.append({"update_id": str(g["id"]), "service_request_id": g["record_id"],
                    "status": open311_status(status), "updated_datetime": w3c(g["at"]),
                    "description": description[:MAX_DESCRIPTION], "media_url": ""})
    return out


# ---------------------------------------------------------------------------- POST requests
def create_request(app: Installation, field: dict[str, str]) -> list[dict[str, Any]]:
    """File one request from its form fields (blocking store work: called in the threadpool)."""
    who = verify_token(app, field.get("api_key"))
    if who is None:
        raise Open311Error(403, "api_key 缺失或无效")
    if who.role != "client":  # departments and the office answer demands; they do not file them
        raise Open311Error(403, "只有 Open311 客户端的 api_key 可以提交诉求")
    code = field.get("service_code", "")
    if not code:
        raise Open311Error(400, "缺少 service_code")
    by_code = _dept_by_code(app)
    if code not in by_code:
        raise Open311Error(404, f"service_code 不存在: {code}")
    if who.scope and by_code[code] not in who.scope:
        raise Open311Error(403, f"该 api_key 不能提交 service_code {code} 的诉求")
    if not app.store.take_quota(f"open311-post:{who.token_id}", app.config.server.open311_posts_per_hour,
                                FILING_WINDOW):
        raise Open311Error(429, f"提交过于频繁：每个 api_key 每小时最多 {app.config.server.open311_posts_per_hour} 件")
    lat, lon = field.get("lat", ""), field.get("long", "")
    address = field.get("address_string", "") or field.get("address_id", "")
    if not ((lat and lon) or address):
        raise Open311Error(400, "需要位置信息：lat 和 long，或 address_string，或 address_id")
    description = field.get("description", "")
    if not description:
        raise Open311Error(400, "缺少 description（诉求内容）")
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description 超过 {MAX_DESCRIPTION} 字")
    flat = flon = None
    if lat and lon:
        try:
            flat, flon = float(lat), float(lon)
        except ValueError:
            raise Open311Error(400, "lat/long 必须是数字") from None
        if not (-90 <= flat <= 90 and -180 <= flon <= 180):
            raise Open311Error(400, "lat/long 超出范围")
    # the same submission posted twice is one demand (a client retrying after a timeout)
    key = "\x00".join(field.get(k, "") for k in ("api_key", "service_code", "description", "address_string",
                                                  "address_id", "lat", "long", "device_id", "account_id"))
    source_id = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    name = " ".join(p for p in (field.get("last_name", ""), field.get("first_name", "")) if p) or None
    try:
        demand = build_demand({
            "source": "open311", "source_id": source_id, "channel": "Open311", "received_at": now_local(),
            "content": description, "address": address[:500] or None, "lat": flat, "lon": flon,
            "department_given": by_code[code],
            "requester": name, "requester_type": "individual" if name else "anonymous",
            "url": field.get("media_url") or None,
        })
    except RecordError as exc:
        raise Open311Error(400, f"{exc.field}: {exc.reason}") from None
    app.store.upsert([demand], origin="open311", actor="open311-client")
    dept = by_code[code]
    notice = f"已受理，转 {dept} 办理" if dept else "已受理，等待分派承办部门"
    return [{"service_request_id": demand.id, "service_notice": notice, "account_id": None}]


# ---------------------------------------------------------------------------- routes
def _guard(fmt: str, fn: Callable[[], Response]) -> Response:
    try:
        _check_format(fmt)
        return fn()
    except Open311Error as exc:
        return error(fmt, exc.status, exc.description)


@router.get("/services.{fmt}")
def get_services(fmt: str, request: Request) -> Response:
    app = get_suqiu(request)
    return _guard(fmt, lambda: respond(fmt, "services", "service", services(app)))


@router.get("/services/{code}.{fmt}")
def get_service_definition(code: str, fmt: str, request: Request) -> Response:
    app = get_suqiu(request)

    def run() -> Response:
        if code not in _dept_by_code(app):
            raise Open311Error(404, f"service_code 不存在: {code}")
        if fmt == "xml":
            top = ET.Element("service_definition")
            ET.SubElement(top, "service_code").text = code
            ET.SubElement(top, "attributes")
            return Response(ET.tostring(top, encoding="utf-8", xml_declaration=True),
                            media_type="text/xml; charset=utf-8")
        return JSONResponse({"service_code": code, "attributes": []}, media_type="application/json; charset=utf-8")
    return _guard(fmt, run)


@router.get("/requests.{fmt}")
def get_requests(fmt: str, request: Request) -> Response:
    app = get_suqiu(request)
    return _guard(fmt, lambda: respond(fmt, "service_requests", "request", find_requests(app, request)))


@router.post("/requests.{fmt}")
async def post_requests(fmt: str, request: Request) -> Response:
    """Reads the form on the loop, files it in the threadpool: a writer's lock never freezes the server."""
    app = get_suqiu(request)
    try:
        _check_format(fmt)
        form = await request.form()
        field = {k: (str(v).strip() if v is not None else "") for k, v in form.items()}
        return respond(fmt, "service_requests", "request", await run_in_threadpool(create_request, app, field))
    except Open311Error as exc:
        return error(fmt, exc.status, exc.description)


@router.get("/requests/{request_id}.{fmt}")
def get_request(request_id: str, fmt: str, request: Request) -> Response:
    app = get_suqiu(request)

    def run() -> Response:
        who = reader(app, request)
        views = visible_views(app, DemandFilter(ids=[request_id]), who)
        if not views:  # missing, or not for this reader: the same answer
            raise Open311Error(404, f"service_request_id 不存在: {request_id}")
        closed = _closed_times(app, [request_id])
        return respond(fmt, "service_requests", "request", [as_request(app, views[0], closed.get(request_id), who)])
    return _guard(fmt, run)


@router.get("/servicerequestupdates.{fmt}")
def get_updates(fmt: str, request: Request) -> Response:
    app = get_suqiu(request)
    return _guard(fmt, lambda: respond(fmt, "service_request_updates", "request_update", find_updates(app, request)))


@router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"], include_in_schema=False)
def not_found(rest: str) -> Response:
    fmt = "xml" if rest.endswith(".xml") else "json"
    return error(fmt, 404, f"没有这个资源: /{rest}")

