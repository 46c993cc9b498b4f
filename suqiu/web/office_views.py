"""What the office's pages list: the triage queue with the router's suggestions, extension requests,
overdue work to press (督办), answered work to call back (回访), and the overview's counts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from suqiu.deadlines import add_workdays
from suqiu.installation import Installation
from suqiu.twoway.lifecycle import TIMED_STATUSES
from suqiu.model import OPEN_STATUSES
from suqiu.store import DemandFilter
from suqiu.twoway.suggestions import suggestions
from suqiu.web.workbench_views import LIST_LIMIT, urgent_first, item

RANK = {"critical": 0, "high": 1}


def triage(app: Installation, now: datetime) -> list[dict[str, Any]]:
    """Demands waiting for the office to pick a department (new ones and returned ones), urgent first,
    each with the router's best three suggestions and their reasons."""
    rows = app.store.demand_rows(app.config, DemandFilter(triage=True, statuses=OPEN_STATUSES, limit=LIST_LIMIT))
    out = []
    for r in rows:
        view = item(app, r, now)
        view["suggestions"] = suggestions(
            app.config, r.get("masked_text") or "", r.get("category_given"), r.get("route_candidates"),
            r.get("route_reason"), exclude=(r["returned_by"],) if r.get("returned_by") else (),
            return_reason=r.get("return_reason") if r["status"] == "returned" else None)
        view["returned"] = r["status"] == "returned"
        out.append(view)
    return sorted(out, key=lambda i: (RANK.get(i["urgency"] or "", 2), i["received_at"], i["id"]))


def extensions(app: Installation, now: datetime) -> list[dict[str, Any]]:
    """Pending extension requests with the demand, its current due time and the one a grant would give."""
    pending = app.store.extension_rows(state="pending")
    rows = {r["id"]: r for r in app.store.demand_rows(app.config, DemandFilter(ids=[e["record_id"] for e in pending]))}
    out = []
    for e in pending:
        if e["record_id"] not in rows:
            continue
        view = item(app, rows[e["record_id"]], now)
        out.append({**e, "demand": view, "proposed_due": add_workdays(view["due_at"] - timedelta(microseconds=1),
                                                                       e["days"])})
    return out


def overdue(app: Installation, now: datetime) -> tuple[list[dict[str, Any]], int]:
    """Every department's open demands past their time limit, most overdue first (the first
    LIST_LIMIT), and how many there are."""
    rows = app.store.demand_rows(app.config, DemandFilter(routed_only=True, statuses=TIMED_STATUSES))
    late = [i for i in (item(app, r, now) for r in rows) if i["overdue"]]
    return sorted(late, key=lambda i: (i["due_at"], i["id"]))[:LIST_LIMIT], len(late)


def callbacks(app: Installation, now: datetime) -> tuple[list[dict[str, Any]], int]:
    """Answered demands waiting for the office's callback (回访), oldest answer first (the first
    LIST_LIMIT), and how many there are."""
    f = DemandFilter(routed_only=True, statuses=["replied"], limit=LIST_LIMIT)
    rows = app.store.demand_rows(app.config, f)
    out = []
    for r in rows:
        view = item(app, r, now)
        view["replied_at"], view["replied_by"] = r.get("replied_at"), r.get("replied_by")
        out.append(view)
    return sorted(out, key=lambda i: (i["replied_at"] or i["received_at"], i["id"])), app.store.demand_count(app.config, f)


def overview(app: Installation, now: datetime) -> dict[str, Any]:
    """The counts on the office's first page, and the urgent work in hand."""
    store, cfg = app.store, app.config
    open_rows = store.demand_rows(cfg, DemandFilter(statuses=OPEN_STATUSES))
    items = [item(app, r, now) for r in open_rows]
    urgent = [i for i in items if i["urgency"] in ("critical", "high") and i["status"] in TIMED_STATUSES]
    return {
        "triage": store.demand_count(cfg, DemandFilter(triage=True, statuses=OPEN_STATUSES)),
        "returned": sum(1 for i in items if i["status"] == "returned"),
        "extensions": len(store.extension_rows(state="pending")),
        "overdue": sum(1 for i in items if i["overdue"] and i["owner"]),
        "due_soon": sum(1 for i in items if i["due_soon"] and i["owner"]),
        "callbacks": store.demand_count(cfg, DemandFilter(routed_only=True, statuses=["replied"])),
        "urgent": urgent_first(urgent)[:20],
    }
