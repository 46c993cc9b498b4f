"""Gathering, rendering and sending one department's digest (the I/O around ``reports.digest``).

A demand is "new" for a department when it is routed there and no earlier digest of that
department carried it since it was routed (a reassignment therefore puts it into the new
department's next digest). Only open demands are listed; text is the analysis stage's masked
title and text — a demand not analysed yet is listed without text.
"""

from __future__ import annotations

from collections import Counter
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


def _owner(conn, ids: list[str]) -> str | None:
    """The department most of these demands are routed to (None when none is routed)."""
    if not ids:
        return None
    rt = schema.routes
    counts = Counter(r[0] for r in conn.execute(select(rt.c.department).where(
        rt.c.record_id.in_(ids[:1000]), rt.c.department.is_not(None))))
    return counts.most_common(1)[0][0] if counts else None


def remit_hotspots(app: App, department: str, now: datetime, limit: int = 5,
                   recent: timedelta = timedelta(days=30)) -> list[dict[str, Any]]:
    """Recent hotspots whose demands are mostly routed to the department (when the hotspot stage ran)."""
    t = _optional_table("hotspots")
    if t is None or "data" not in t.c:
        return []
    out = []
    with app.store.engine.connect() as conn:
        q = select(t.c.data).order_by(t.c.heat.desc() if "heat" in t.c else t.c.id)
        for (data,) in conn.execute(q):
            data = data or {}
            end = data.get("end")
            if end and datetime.fromisoformat(end) < now - recent:
                continue
            if _owner(conn, list(data.get("record_ids") or [])) != department:
                continue
            out.append({"label": str(data.get("description") or data.get("topic_label") or ""),
                        "count": data.get("submissions") or data.get("count"),
                        "detail": " · ".join(str(p) for p in (data.get("place"), data.get("span")) if p)})
            if len(out) >= limit:
                break
    return out


def remit_warnings(app: App, department: str, now: datetime, limit: int = 5) -> list[dict[str, Any]]:
    """Early warnings of the last two ISO weeks whose evidence is mostly the department's demands."""
    t = _optional_table("warnings")
    if t is None or not {"week", "message", "evidence", "level"} <= set(t.c.keys()):
        return []
    weeks = {f"{d.isocalendar().year}-W{d.isocalendar().week:02d}" for d in (now, now - timedelta(days=7))}
    level_label = {"critical": "特急", "high": "高", "medium": "中", "low": "低"}
    out = []
    with app.store.engine.connect() as conn:
        for row in conn.execute(select(t.c.message, t.c.level, t.c.evidence, t.c.week)
                                .where(t.c.week.in_(sorted(weeks))).order_by(t.c.week.desc())).mappings():
            ids = [r.get("id") for r in (row["evidence"] or {}).get("records", []) if isinstance(r, dict)]
            if _owner(conn, [i for i in ids if i]) != department:
                continue
            out.append({"label": row["message"], "level": level_label.get(row["level"], row["level"]),
                        "detail": row["week"]})
            if len(out) >= limit:
                break
    return out


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
        figures=figures, hotspots=remit_hotspots(app, department, now),
        warnings=remit_warnings(app, department, now), topic_labels=topic_labels(app))
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
