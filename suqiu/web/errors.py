"""Answers for requests that cannot be served as asked: a busy store and invalid parameters.

Both answer in Chinese in the form the caller reads: the Open311 error list under ``/open311/``,
``{"detail": ...}`` for the department API, an error page for the pages.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from suqiu.store import StoreBusy
from suqiu.web.open311_format import error as open311_error
from suqiu.web.rendering import render

BUSY = "系统繁忙（数据正在写入），请稍后再试。"
BUSY_RETRY_S = 5


def _fmt(request: Request) -> str:
    return "xml" if request.url.path.endswith(".xml") else "json"


def _wants_page(request: Request) -> bool:
    path = request.url.path
    return "text/html" in request.headers.get("accept", "") and not path.startswith(("/api/", "/open311/"))


def field_names(exc: RequestValidationError) -> str:
    """The parameters at fault, as the caller wrote them (``limit``, ``body.record_id``)."""
    names = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("query", "path")]
        names.append(".".join(loc) or "请求")
    return "、".join(dict.fromkeys(names))


async def store_busy(request: Request, _exc: Exception) -> Response:
    """Another process held the write lock past the web's busy timeout: 503, retry shortly."""
    headers = {"Retry-After": str(BUSY_RETRY_S)}
    if request.url.path.startswith("/open311/"):
        resp = open311_error(_fmt(request), 503, BUSY)
        resp.headers.update(headers)
        return resp
    if _wants_page(request):
        resp = await run_in_threadpool(render, request, "error.html", {"title": "系统繁忙", "message": BUSY},
                                       status_code=503)
        resp.headers.update(headers)
        return resp
    return JSONResponse({"detail": BUSY}, status_code=503, headers=headers)


async def invalid_request(request: Request, exc: Exception) -> Response:
    """Parameters that fail validation: 400 with a Chinese message naming them (never FastAPI's English 422)."""
    assert isinstance(exc, RequestValidationError)
    message = f"请求参数不正确：{field_names(exc)}，请检查取值范围和格式。"
    if request.url.path.startswith("/open311/"):
        return open311_error(_fmt(request), 400, message)
    if _wants_page(request):
        return await run_in_threadpool(render, request, "error.html", {"title": "请求无效", "message": message},
                                       status_code=400)
    errors: list[dict[str, Any]] = [{"loc": list(e.get("loc", ())), "type": e.get("type")} for e in exc.errors()]
    return JSONResponse({"detail": message, "errors": errors}, status_code=400)


def install(api: FastAPI) -> None:
    api.add_exception_handler(StoreBusy, store_busy)
    api.add_exception_handler(RequestValidationError, invalid_request)
