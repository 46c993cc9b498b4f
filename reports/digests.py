"""Gathering, rendering and sending one department's digest (the I/O around ``reports.digest``).

A demand is "new" for a department when it is routed there and no earlier digest of that
department carried it since it was routed (a reassignment therefore puts it into the new
department's next digest). Only open demands are listed; text is the analysis stage's masked
title and text — a demand not analysed yet is listed without text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from reports.digest import Digest, build_digest, render_html, render_text, render_xlsx
from suqiu.deadlines import due_at, due_soon
from suqiu.installation import Installation
from suqiu.labels import WARNING_LEVEL
from suqiu.model import OPEN_STATUSES
from suqiu.store import now_local
from suqiu.twoway.delivery import Outgoing, attempt, enqueue, outbox_copy, retry_due
from suqiu.twoway.rates import department_rates
from suqiu.twoway.tracking import department_figures, overdue_items
from suqiu.weeks import Week

PERIODS = {"day": timedelta(days=1), "week": timedelta(days=7)}
MAX_HOTSPOTS = 100
# the reply figures and three rates cover demands received in the last FIGURES_DAYS: a department's
# recent work, read from those days alone (its whole history, raw texts and every reply scored, took
# 216 s and 1.3 GB for the day's digests of a million-demand store); open and overdue count every
# open demand, however old
FIGURES_DAYS = 90


class DigestError(ValueError):
    """The digest cannot be made as asked; the message is for the user (Chinese)."""


def resolve_department(app: Installation, name: str) -> str:
    dept = app.config.department(name)
    if dept is None:
        known = "、".join(d.name for d in app.config.departments)
        raise DigestError(f"未知部门: {name}（可选: {known}）")
    return dept.name


def new_items(app: Installation, department: str, now: datetime | None = None) -> list[dict[str, Any]]:
    """Open demands routed to the department and not carried by one of its digests since routing."""
    items, now = [], now or now_local()
    for r in app.store.undigested(department):
        due = due_at(app.config, r["received_at"], department, r["category_given"], r["urgency_level"],
                     r.get("due_override"))
        items.append({
            "record_id": r["id"], "title": r["masked_title"] or "", "text": r["masked_text"] or "",
            "received_at": r["received_at"], "district": r["district"], "channel": r["channel"],
            "category": r["category_given"], "urgency": r["urgency_level"], "topic_id": r["topic_id"],
            "keywords": r["keywords"] or [], "dup_group": r["dup_group"],
            "due_at": due, "due_soon": due_soon(app.config, due, now),
        })
    return items


def _majority_owner(app: Installation, ids: Sequence[str]) -> str | None:
    """The department owning most of these demands (None when nobody owns any)."""
    counts = Counter(d for d in app.store.owners_of(app.config, list(ids)[:1000]).values() if d)
    return counts.most_common(1)[0][0] if counts else None


def remit_hotspots(app: Installation, department: str, now: datetime, limit: int = 5,
                   recent: timedelta = timedelta(days=30)) -> list[dict[str, Any]]:
    """Recent hotspots whose demands the department mostly owns."""
    out = []
    for data in app.store.hotspot_rows(MAX_HOTSPOTS):
        end = data.get("end")
        if end and datetime.fromisoformat(end) < now - recent:
            continue
        if _majority_owner(app, data.get("record_ids") or []) != department:
            continue
        out.append({"label": str(data.get("description") or data.get("topic_label") or ""),
                    "count": data.get("count"), "requesters": data.get("requesters"),
                    "detail": " · ".join(str(p) for p in (data.get("place"), data.get("span")) if p)})
        if len(out) >= limit:
            break
    return out


def remit_warnings(app: Installation, department: str, now: datetime, limit: int = 5) -> list[dict[str, Any]]:
    """Early warnings of the last two weeks whose evidence is mostly the department's demands."""
    weeks = sorted({str(Week.of(now)), str(Week.of(now).shift(-1))})
    out = []
    for row in app.store.warning_rows(weeks):
        ids = [r.get("id") for r in (row["evidence"] or {}).get("records", []) if isinstance(r, dict)]
        if _majority_owner(app, [i for i in ids if i]) != department:
            continue
        out.append({"label": row["message"], "level": WARNING_LEVEL.get(row["level"], row["level"]),
                    "detail": row["week"]})
        if len(out) >= limit:
            break
    return out


def make_digest(app: Installation, department: str, period: str,
                now: datetime | None = None) -> tuple[Digest, list[str]]:
    """The digest and the ids of every demand it carries (duplicates included)."""
    if period not in PERIODS:
        raise DigestError(f"周期只能是 day 或 week，收到: {period}")
    department = resolve_department(app, department)
    now = now or now_local()
    items = new_items(app, department, now)
    figures = department_figures(app.store, app.config, department, now=now, since=now - timedelta(days=FIGURES_DAYS))
    backlog = department_figures(app.store, app.config, department, now=now, statuses=OPEN_STATUSES)[department]
    rates = department_rates(app.store, app.config, department, now=now, since=now - timedelta(days=FIGURES_DAYS))
    figures = {**figures[department].as_dict(), "open": backlog.open, "overdue": backlog.overdue,
               "figures_days": FIGURES_DAYS}
    figures.update(response_rate=rates[department].response_rate, resolution_rate=rates[department].resolution_rate,
                   composite=rates[department].composite, rates_min_count=rates[department].min_count)
    digest = build_digest(
        department=department, period=period, window_start=now - PERIODS[period], window_end=now, items=items,
        generated_at=now, city=app.config.city.name, overdue=overdue_items(app.store, app.config, department, now),
        figures=figures, hotspots=remit_hotspots(app, department, now),
        warnings=remit_warnings(app, department, now), topic_labels=app.store.topic_labels(),
        base_url=app.config.server.public_url)
    return digest, [it["record_id"] for it in items]


def deliver_digest(app: Installation, department: str, period: str, now: datetime | None = None) -> dict[str, Any]:
    """Retry what is due, then render, write to the outbox, record and send this digest."""
    now = now or now_local()
    retried = retry_due(app, now)
    digest, ids = make_digest(app, department, period, now)
    delivery_id = enqueue(app, Outgoing(
        department=digest.department, period=period, window_start=digest.window_start,
        window_end=digest.window_end, subject=digest.subject, html=render_html(digest),
        text=render_text(digest), xlsx=render_xlsx(digest), record_ids=ids))
    dept = app.config.department(department)
    status = attempt(app, delivery_id, now) if app.config.smtp.port and dept and dept.email else "outbox"
    row = app.store.delivery(delivery_id) or {}
    return {"delivery_id": delivery_id, "department": digest.department, "period": period, "status": status,
            "recipient": row.get("recipient"), "items": digest.entry_count, "submissions": digest.submission_count,
            "urgent": digest.urgent_count, "overdue": len(digest.overdue), "subject": digest.subject,
            **{k: str(outbox_copy(app, row[f"{k}_path"])) if row.get(f"{k}_path") else None
               for k in ("html", "xlsx", "eml")},
            "error": row.get("last_error"), "retried": retried}
