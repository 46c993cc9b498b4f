"""What the workbench pages show: queues with their tabs and flags, and one demand's page.

Everything shown is disclosed by ``suqiu.disclosure``: titles and texts only as the analysis stage
masked them, replies and history masked on the way out. Who may read a demand is
``suqiu.ownership.may_read`` (the office, the main department, its co-handling departments).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from suqiu.config import Config
from suqiu.deadlines import due_at, due_soon, sign_due_at
from suqiu.disclosure import DEPARTMENT_LEVELS, Disclosure, headline
from suqiu.installation import Installation
from suqiu.labels import ACTION, REPLY_KIND, label
from suqiu.twoway.lifecycle import OFFICE, OWNER, TIMED_STATUSES, UNSIGNED_STATUSES, actions_for
from suqiu.model import ANSWERED_STATUSES, OPEN_STATUSES
from suqiu.ownership import may_read
from suqiu.principals import Principal
from suqiu.store import DemandFilter
from suqiu.twoway.suggestions import suggestions
from suqiu.web.demand_views import disclosure as demand_disclosure

# the department's queue: (key, label); the first four are work in hand, flagged by time
TABS = (("pending", "待签收"), ("doing", "办理中"), ("due_soon", "即将超时"), ("overdue", "已超时"),
        ("returned", "已退回"), ("done", "已办结"), ("cohandling", "协办"))
DOING = ("signed", "in_progress", "extension_requested", "suspended")
LIST_LIMIT = 200


def disclosure(app: Installation) -> Disclosure:
    return demand_disclosure(app)


def time_flags(config: Config, due: datetime | None, status: str | None, now: datetime) -> dict[str, bool]:
    """已超时 and 即将超时, the same on every page that shows a demand: only while its clock runs
    (not answered, not suspended)."""
    timed = due is not None and status in TIMED_STATUSES
    return {"overdue": timed and due < now, "due_soon": timed and due_soon(config, due, now)}


def item(app: Installation, row: dict[str, Any], now: datetime) -> dict[str, Any]:
    """One demand as a queue lists it: masked headline, due time and the flags that decide its tab."""
    due = due_at(app.config, row["received_at"], row["owner"], row["category_given"], row["urgency_level"],
                 row.get("due_override"))
    sign_due = sign_due_at(app.config, row["routed_at"], row["urgency_level"]) if row.get("routed_at") else None
    return {
        "id": row["id"], "title": headline(row.get("masked_title"), row.get("masked_text"), 60) or "（尚未完成脱敏）",
        "received_at": row["received_at"], "status": row["status"], "urgency": row.get("urgency_level"),
        "district": row.get("district"), "category": row.get("category_given"), "owner": row.get("owner"),
        "due_at": due, **time_flags(app.config, due, row["status"], now),
        "sign_due_at": sign_due, "sign_overdue": bool(sign_due and row["status"] in UNSIGNED_STATUSES and sign_due < now),
        "supervised": row.get("supervised_at") is not None, "supervise_note": row.get("supervise_note"),
        "return_reason": row.get("return_reason"), "returned_at": row.get("returned_at"),
        "route_note": row.get("route_note"), "route_kind": row.get("route_kind"),
    }


def urgent_first(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rank = {"critical": 0, "high": 1}
    return sorted(items, key=lambda i: (rank.get(i["urgency"] or "", 2), i["due_at"], i["id"]))


def department_queue(app: Installation, department: str, tab: str, now: datetime) -> tuple[list[dict], dict]:
    """The items of one tab and the count of every tab."""
    store, cfg = app.store, app.config
    levels = DEPARTMENT_LEVELS   # 分级: never an office-only demand, not even its own
    open_items = [item(app, r, now) for r in store.demand_rows(cfg, DemandFilter(owner=department, levels=levels,
                                                                                   statuses=OPEN_STATUSES))]
    groups = {"pending": [i for i in open_items if i["status"] in UNSIGNED_STATUSES],
              "doing": [i for i in open_items if i["status"] in DOING],
              "due_soon": [i for i in open_items if i["due_soon"]],
              "overdue": [i for i in open_items if i["overdue"]]}
    others = {"returned": DemandFilter(returned_by=department, levels=levels, newest_first=True, limit=LIST_LIMIT),
              "done": DemandFilter(owner=department, statuses=ANSWERED_STATUSES, levels=levels, newest_first=True,
                                   limit=LIST_LIMIT),
              "cohandling": DemandFilter(co_handler=department, levels=levels, newest_first=True, limit=LIST_LIMIT)}
    counts = {k: len(v) for k, v in groups.items()}
    counts.update({k: store.demand_count(cfg, f) for k, f in others.items()})
    if tab in groups:
        return urgent_first(groups[tab]), counts
    return [item(app, r, now) for r in store.demand_rows(cfg, others[tab])], counts


def listing(app: Installation, f: DemandFilter, now: datetime) -> list[dict[str, Any]]:
    return [item(app, r, now) for r in app.store.demand_rows(app.config, f)]


# ---------------------------------------------------------------------------- one demand
def actor_of(who: Principal, owner: str | None) -> str | None:
    """The principal's part in a demand: OWNER, OFFICE, or None (a co-handler or nobody: read only)."""
    if who.is_office:
        return OFFICE
    return OWNER if who.may_act_for(owner) else None


def demand_page(app: Installation, who: Principal, record_id: str, now: datetime) -> dict[str, Any] | None:
    """Everything the demand's page shows, or None when ``who`` may not read it (as for a missing id)."""
    store, who = app.store, who.canonical(app.config)
    record = store.get(record_id) if len(record_id) <= 256 else None
    if record is None:
        return None
    owner = store.owner_of(app.config, record_id)
    co = [c["department"] for c in store.co_handlers_of(record_id)]
    policy, analysis = disclosure(app), store.get_analysis(record_id)
    if not may_read(who, analysis.publication if analysis else None, owner, co):
        return None
    row = store.demand_rows(app.config, DemandFilter(ids=[record_id]))[0]
    actor = actor_of(who, owner)
    view = {"r": policy.detail(record, analysis, owner, store.history(record_id), who), "a": analysis,
            "w": item(app, row, now), "work": store.work_order(record_id) or {}, "co_handlers": co,
            "actor": actor, "actions": actions_for(record["status"], actor) if actor else [],
            "replies": _replies(policy, store.replies_of(record_id), record),
            "extensions": store.extension_rows(record_id=record_id),
            "related": related(app, who, record_id), "departments": [d.name for d in app.config.departments]}
    text = analysis.masked_text if analysis is not None else ""
    returned = record["status"] == "returned"
    view["suggestions"] = suggestions(app.config, text or "", record.get("category_given"),
                                      row.get("route_candidates"), row.get("route_reason"),
                                      exclude=(row["returned_by"],) if returned and row.get("returned_by") else (),
                                      return_reason=row.get("return_reason") if returned else None)
    return view


def _replies(policy: Disclosure, rows: Sequence[dict[str, Any]], record: dict[str, Any]) -> list[dict[str, Any]]:
    out = [{"kind": label(REPLY_KIND, r["kind"]), "text": policy.mask(r["text"]), "by": r["department"] or "信访办",
            "actor": r["actor"], "at": r["at"], "claimed_at": r["claimed_at"]} for r in rows]
    if record.get("reply_text") and not any(r["kind"] == "final" for r in rows):   # an answer that came by import
        out.append({"kind": label(REPLY_KIND, "import"), "text": policy.mask(record["reply_text"]),
                    "by": record.get("replied_by") or "—", "actor": None, "at": record.get("replied_at"),
                    "claimed_at": None})
    return out


def related(app: Installation, who: Principal, record_id: str) -> dict[str, list[dict[str, Any]]]:
    """Related demands, masked; one the viewer may not read shows its date and status only."""
    store = app.store
    found = store.related_ids(record_id)
    ids = list(dict.fromkeys(found["duplicates"] + found["requester"]))
    if not ids:
        return {"duplicates": [], "requester": []}
    rows = {r["id"]: r for r in store.demand_rows(app.config, DemandFilter(ids=ids))}
    co = {i: [c["department"] for c in store.co_handlers_of(i)] for i in ids if not who.is_office}
    def one(i: str) -> dict[str, Any]:
        r = rows[i]
        visible = may_read(who, r.get("publication"), r["owner"], co.get(i, []))
        return {"id": i, "visible": visible, "received_at": r["received_at"], "status": r["status"],
                "title": headline(r.get("masked_title"), r.get("masked_text"), 40) if visible else None,
                "owner": r["owner"] if visible else None}
    return {k: [one(i) for i in v if i in rows] for k, v in found.items()}


def action_label(action: str) -> str:
    return label(ACTION, action)
