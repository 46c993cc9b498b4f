"""The citizen's status page (办理进度查询): no login, a receipt number and a proof, nothing else.

``GET /status`` shows the form; ``POST /status`` takes the receipt number (the demand's id or the
source's 工单编号) and either the verification code given at intake or the last four digits of the
mobile number the demand was filed with (``suqiu.twoway.receipts``). With both right it shows the
demand's status, its time limit, the masked replies and the steps' times; with either wrong it
says only that they do not match, whether or not the number exists. Lookups are rate-limited per
client address and per receipt number, checked in constant time, and every successful one is in
the audit log.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections import deque

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from suqiu.deadlines import due_at
from suqiu.disclosure import headline
from suqiu.installation import Installation
from suqiu.labels import REPLY_KIND, STATUS, label
from suqiu.store import DemandFilter
from suqiu.web.demand_views import disclosure
from suqiu.web.deps import get_suqiu
from suqiu.web.rendering import check_csrf, render

router = APIRouter()
MISMATCH = "工单编号与查询码（或手机号后四位）不匹配，请核对后重试。"
LIMITED = "查询过于频繁，请稍后再试。"


class LookupLimiter:
    """At most ``per_address`` lookups per address and ``per_number`` failed ones per receipt number
    within ``window_s`` (in memory, per process; old entries age out)."""

    def __init__(self, per_address: int = 10, per_number: int = 5, window_s: float = 900.0) -> None:
        self.per_address, self.per_number, self.window_s = per_address, per_number, window_s
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._hits.setdefault(key, deque())
        while q and now - q[0] >= self.window_s:
            q.popleft()
        return q

    def allow(self, address: str, numbers: list[str]) -> bool:
        """Count this lookup against the address; False when the address or a number is spent."""
        now = time.monotonic()
        with self._lock:
            if len(self._hits) > 50_000:   # bounded memory: drop keys whose window has passed
                for key in [k for k, q in self._hits.items() if not q or now - q[-1] >= self.window_s]:
                    del self._hits[key]
            by_address = self._recent(f"a:{address}", now)
            if len(by_address) >= self.per_address or any(
                    len(self._recent(f"n:{n}", now)) >= self.per_number for n in numbers):
                return False
            by_address.append(now)
            return True

    def failed(self, numbers: list[str]) -> None:
        """One more failed proof for each of these numbers (the demands a receipt number named)."""
        now = time.monotonic()
        with self._lock:
            for n in numbers:
                self._recent(f"n:{n}", now).append(now)


def limiter(request: Request) -> LookupLimiter:
    return request.app.state.status_limiter


def _matches(rows: list[dict], proof: str) -> str | None:
    """The id of the demand whose code, or whose phone's last four digits, ``proof`` is."""
    found = None
    for row in rows:
        code, tail = row.get("verify_code") or "", row.get("phone_tail") or ""
        ok_code = bool(code) and hmac.compare_digest(proof.encode(), code.encode())
        ok_tail = bool(tail) and len(proof) == 4 and hmac.compare_digest(proof.encode(), tail.encode())
        if (ok_code or ok_tail) and found is None:
            found = row["id"]
    return found


def status_view(app: Installation, record_id: str) -> dict:
    """What the citizen sees: status, time limit, masked replies and when each step happened."""
    store, policy = app.store, disclosure(app)
    row = store.demand_rows(app.config, DemandFilter(ids=[record_id]))[0]
    replies = [{"kind": label(REPLY_KIND, r["kind"]), "text": policy.mask(r["text"]), "at": r["at"],
                "by": r["department"] or "信访办"} for r in store.replies_of(record_id)]
    if row.get("reply_text") and not any(r["kind"] == REPLY_KIND["final"] for r in replies):
        replies.append({"kind": label(REPLY_KIND, "final"), "text": policy.mask(row["reply_text"]),
                        "at": row.get("replied_at"), "by": row.get("replied_by") or "承办单位"})
    steps = [{"at": row["received_at"], "status": "受理"}]
    for h in store.history_of([record_id], ["status", "department"]):
        if h["field"] == "status":
            steps.append({"at": h["at"], "status": label(STATUS, h["new_value"])})
        elif h["new_value"] and h["new_value"] != app.config.routing.triage_queue:
            steps.append({"at": h["at"], "status": f"交由{h['new_value']}办理"})
    return {"id": record_id, "title": headline(row.get("masked_title"), row.get("masked_text"), 40),
            "status": label(STATUS, row["status"]), "received_at": row["received_at"],
            "owner": row.get("owner") if row.get("publication") != "office_only" else "信访办",  # 举报件: not who
            "due_at": due_at(app.config, row["received_at"], row.get("owner"), row.get("category_given"),
                             row.get("urgency_level"), row.get("due_override")),
            "replies": replies, "steps": steps}


@router.get("/status", response_class=HTMLResponse)
def status_form(request: Request) -> Response:
    return render(request, "status_form.html", {"error": None, "number": ""})


@router.post("/status")
def status_lookup(request: Request, number: str = Form(""), proof: str = Form(""), csrf_token: str = Form("")) -> Response:
    number, proof = number.strip()[:256], proof.strip()[:12]
    if not check_csrf(request, csrf_token):
        return render(request, "status_form.html", {"error": "页面已过期，请重新提交。", "number": number}, status_code=400)
    app = get_suqiu(request)
    rows = app.store.find_receipts(number) if number else []
    keys = [r["id"] for r in rows] or [number]   # the demands themselves, however their number is written
    if not limiter(request).allow(request.client.host if request.client else "-", keys):
        return render(request, "status_form.html", {"error": LIMITED, "number": number}, status_code=429)
    record_id = _matches(rows, proof) if proof else None
    if record_id is None:
        limiter(request).failed(keys)
        return render(request, "status_form.html", {"error": MISMATCH, "number": number}, status_code=404)
    app.store.audit({"actor": "市民", "role": "public", "department": None, "action": "status_lookup",
                     "record_id": record_id, "origin": "web", "detail": None})
    resp = render(request, "status_result.html", {"s": status_view(app, record_id)})
    resp.headers["Cache-Control"] = "no-store"
    return resp
