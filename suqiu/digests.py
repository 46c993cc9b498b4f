"""Gathering, rendering and sending one department's digest (the I/O around ``reports.digest``).

A demand is "new" for a department when it is routed there and no earlier digest of that
department carried it since it was routed (a reassignment therefore puts it into the new
department's next digest). Only open demands are listed; text is the analysis stage's masked
title and text — a demand not analysed yet is listed without text.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, exists, select

from reports.digest import Digest, build_digest, render_html, render_text, render_xlsx
from suqiu import schema
from suqiu.app import App
from suqiu.delivery import Outgoing, attempt, enqueue, retry_due
from suqiu.store import from_db_time, now_local
from suqiu.tracking import OPEN_STATUSES, department_figures, due_at, overdue_items

PERIODS = {"day": timedelta(days=1), "week": timedelta(days=7)}


class DigestError(ValueError):
    """The digest cannot be made as asked; the message is for the user (Chinese)."""


def resolve_department(app: App, name: str) -> str:
    dept = app.config.department(name)
    if dept is None:
        known = "、".join(d.name for d in app.config.departments)
        raise DigestError(f"未知部门: {name}（可选: {known}）")
    return dept.name


def new_items(app: App, department: str) -> list[dict[str, Any]]:
    """Open demands routed to the department and not carried by one of its digests since routing."""
    rec, an, rt = schema.records, schema.analysis, schema.routes
    di, dl = schema.digest_items, schema.deliveries
    carried = exists().where(and_(di.c.record_id == rec.c.id, di.c.department == department,
                                  dl.c.id == di.c.delivery_id, dl.c.created_at >= rt.c.routed_at))
    q = (select(rec.c.id, rec.c.received_at, rec.c.district, rec.c.channel, rec.c.category_given,
                an.c.masked_title, an.c.masked_text, an.c.urgency_level, an.c.topic_id, an.c.keywords,
                an.c.dup_group)
         .select_from(rt.join(rec, rec.c.id == rt.c.record_id).outerjoin(an, an.c.record_id == rec.c.id))
         .where(rt.c.department == department, rec.c.status.in_(OPEN_STATUSES), ~carried)
         .order_by(rec.c.received_at, rec.c.id))
    items = []
    with app.store.engine.connect() as conn:
        for r in conn.execute(q).mappings():
            received = from_db_time(r["received_at"])
            items.append({
                "record_id": r["id"], "title": r["masked_title"] or "", "text": r["masked_text"] or "",
                "received_at": received, "district": r["district"], "channel": r["channel"],
                "category": r["category_given"], "urgency": r["urgency_level"], "topic_id": r["topic_id"],
                "keywords": r["keywords"] or [], "dup_group": r["dup_group"],
                "due_at": due_at(app.config, received, department, r["category_given"], r["urgency_level"]),
            })
    return items


def _first(row: dict[str, Any], *names: str) -> Any:
    return next((row[n] for n in names if row.get(n) not in (None, "")), None)


def _optional_table(name: str) -> Table | None:
    return schema.metadata.tables.get(name)


def topic_labels(app: App) -> dict[int, str]:
    """Labels from the topics table when the topic stage keeps one (column names looked up)."""
    t = _optional_table("topics")
    if t is None:
        return {}
    id_col = next((c for c in ("topic_id", "id") if c in t.c), None)
    if id_col is None:
        return {}
    with app.store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(select(t)).mappings()]
    out = {}
    for r in rows:
        label = _first(r, "label", "name", "title", "keywords", "words")
        if isinstance(label, list):
            label = " / ".join(str(w) for w in label[:3])
        if label is not None and r[id_col] is not None:
            out[int(r[id_col])] = str(label)
    return out


def remit_rows(app: App, table_name: str, department: str, limit: int = 10) -> list[dict[str, Any]]:
    """Hotspots or warnings in the department's remit, when those tables exist and name departments."""
    t = _optional_table(table_name)
    if t is None:
        return []
    dept_col = next((c for c in ("department", "departments") if c in t.c), None)
    if dept_col is None:
        return []
    with app.store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(select(t)).mappings()]
    out = []
    for r in rows:
        value = r[dept_col]
        if not (value == department or (isinstance(value, list) and department in value)):
            continue
        label = _first(r, "label", "title", "name", "topic_label", "keywords", "summary")
        if isinstance(label, list):
            label = " / ".join(str(w) for w in label[:3])
        out.append({"label": str(label or ""), "count": _first(r, "count", "size", "n", "current"),
                    "level": _first(r, "level", "severity", "kind"),
                    "detail": _first(r, "detail", "reason", "description", "note", "message")})
    return out[:limit]


def make_digest(app: App, department: str, period: str, now: datetime | None = None) -> tuple[Digest, list[str]]:
    """The digest and the ids of every demand it carries (duplicates included)."""
    if period not in PERIODS:
        raise DigestError(f"周期只能是 day 或 week，收到: {period}")
    department = resolve_department(app, department)
    now = now or now_local()
    items = new_items(app, department)
    figures = department_figures(app.store, app.config, department, now=now)[department].as_dict()
    digest = build_digest(
        department=department, period=period, window_start=now - PERIODS[period], window_end=now, items=items,
        generated_at=now, city=app.config.city.name, overdue=overdue_items(app.store, app.config, department, now),
        figures=figures, hotspots=remit_rows(app, "hotspots", department),
        warnings=remit_rows(app, "warnings", department), topic_labels=topic_labels(app))
    return digest, [it["record_id"] for it in items]


def deliver_digest(app: App, department: str, period: str, now: datetime | None = None) -> dict[str, Any]:
    """Retry what is due, then render, write to the outbox, record and send this digest."""
    now = now or now_local()
    retried = retry_due(app, now)
    digest, ids = make_digest(app, department, period, now)
    delivery_id = enqueue(app, Outgoing(
        department=digest.department, period=period, window_start=digest.window_start,
        window_end=digest.window_end, subject=digest.subject, html=render_html(digest),
        text=render_text(digest), xlsx=render_xlsx(digest), record_ids=ids))
    status = attempt(app, delivery_id, now) if app.config.smtp.port and app.config.department(department).email else "outbox"
    d = schema.deliveries
    with app.store.engine.connect() as conn:
        row = dict(conn.execute(select(d).where(d.c.id == delivery_id)).mappings().one())
    return {"delivery_id": delivery_id, "department": digest.department, "period": period, "status": status,
            "recipient": row["recipient"], "items": digest.entry_count, "submissions": digest.submission_count,
            "urgent": digest.urgent_count, "overdue": len(digest.overdue), "subject": digest.subject,
            "html": row["html_path"], "xlsx": row["xlsx_path"], "eml": row["eml_path"],
            "error": row["last_error"], "retried": retried}
