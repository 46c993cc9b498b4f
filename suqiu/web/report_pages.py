"""The reports page (office only): every weekly and leaders' report listed, viewable and
downloadable, and the 每月一题 pick.

Files are found under the installation's ``data/reports/<period>/`` by name (only report names
this project writes, so a request can never name another file). A report's HTML is a standalone
document with its own styles, embedded font and charts and no script: it is served under a CSP of
its own that allows exactly that.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from reports.leaders_collect import PICK_KIND, period_candidates, pick_topic
from reports.periods import Period
from suqiu.installation import Installation
from suqiu.labels import PERIOD
from suqiu.store import now_local
from suqiu.twoway.accounts import User
from suqiu.web.deps import get_suqiu, require_user
from suqiu.web.rendering import check_csrf, render

router = APIRouter()
PERIOD_DIR = re.compile(r"^\d{4}(-W\d{2}|-\d{2}|-Q[1-4])?$")
REPORT_FILE = re.compile(r"^诉求(周报|月报|季报|年报)-[0-9WQ-]+(-附表)?\.(html|docx|xlsx)$")
KIND_OF = {"周报": "week", "月报": "month", "季报": "quarter", "年报": "year"}
MEDIA = {"html": "text/html; charset=utf-8",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# a report is a static document: its inline styles, embedded font and charts, nothing else
DOCUMENT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; "
                "form-action 'none'; frame-ancestors 'none'")


def _office(user: User) -> None:
    if user.role != "office":
        raise StarletteHTTPException(403)


def list_reports(app: Installation) -> list[dict[str, Any]]:
    """Every report on disk, newest period first: kind, period, and its files by format."""
    root = app.reports_dir
    out = []
    for folder in sorted((p for p in root.iterdir() if p.is_dir() and PERIOD_DIR.match(p.name)), reverse=True):
        files: dict[str, str] = {}
        kind = None
        for f in sorted(folder.iterdir()):
            m = REPORT_FILE.match(f.name)
            if m and f.is_file():
                kind = KIND_OF[m.group(1)]
                files[m.group(3)] = f.name
        if kind:
            name = folder.name if kind == "week" else Period.parse(folder.name, kind).name
            out.append({"period": folder.name, "kind": kind, "kind_label": PERIOD[kind], "name": name,
                        "files": files, "modified": max((folder / n).stat().st_mtime for n in files.values())})
    return sorted(out, key=lambda r: -r["modified"])


@router.get("/reports")
def reports_page(request: Request, user: User = Depends(require_user)) -> Response:
    _office(user)
    app = get_suqiu(request)
    month = Period.last_complete(now_local(), "month")
    picks = sorted(app.store.documents(PICK_KIND).values(), key=lambda p: p["month"], reverse=True)
    return render(request, "reports.html", {"reports": list_reports(app), "month": month, "picks": picks,
                                            "candidates": period_candidates(app, month),
                                            "picked": request.query_params.get("picked")})


@router.get("/reports/{period}/{filename}")
def report_file(request: Request, period: str, filename: str, user: User = Depends(require_user)) -> Response:
    _office(user)
    if not PERIOD_DIR.match(period) or not REPORT_FILE.match(filename):
        raise StarletteHTTPException(404)
    path: Path = get_suqiu(request).reports_dir / period / filename
    if not path.is_file():
        raise StarletteHTTPException(404)
    fmt = filename.rsplit(".", 1)[1]
    headers = {"Cache-Control": "private, no-store"}  # the other security headers: suqiu.web.security
    if fmt == "html":
        return FileResponse(path, media_type=MEDIA[fmt], headers={**headers, "Content-Security-Policy": DOCUMENT_CSP})
    headers["Content-Disposition"] = f"attachment; filename=\"report.{fmt}\"; filename*=UTF-8''{quote(filename)}"
    return FileResponse(path, media_type=MEDIA[fmt], headers=headers)


@router.post("/reports/topic-pick")
def topic_pick(request: Request, month: str = Form(""), topic_id: str = Form(""), note: str = Form(""),
               csrf_token: str = Form(""), user: User = Depends(require_user)) -> Response:
    """The office picks a month's 每月一题 (one of the candidates, or any topic by id)."""
    _office(user)
    if not check_csrf(request, csrf_token):
        return render(request, "error.html", {"title": "请求无效", "message": "页面已过期，请返回后重试。"},
                      status_code=400)
    try:
        pick = pick_topic(get_suqiu(request), month, int(topic_id), by=user.username, note=note[:500])
    except ValueError as exc:
        return render(request, "error.html", {"title": "无法登记每月一题", "message": str(exc)}, status_code=400)
    return RedirectResponse(f"/reports?picked={quote(pick['month'])}", status_code=303)
