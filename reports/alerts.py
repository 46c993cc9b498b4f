"""Immediate alerts (紧急提醒): a critical demand reaches its department and the office in the run
that routed it, not in the next morning's digest.

A demand is critical when its urgency is ``critical`` or one of its urgency reasons is among
``tracking.alert_reasons`` (轻生风险, 群体性事件风险, 安全隐患 by default). Each run sends one email per
department listing its critical demands not alerted to it yet, and one to the office listing every
critical demand it has not been alerted to (including those still waiting in triage, and the
office-only ones — 涉稳 cues such as 集体上访 make a demand office-only — which no department is
sent). The work
order remembers who was alerted, so nothing is sent twice; a reassignment alerts the new
department. Alerts go through the digests' outbox and retries (``suqiu.twoway.delivery``) but carry
no digest items: the demand still appears in its department's next digest.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from reports.digest import _env, demand_link
from reports.xlsx import workbook_bytes
from suqiu.deadlines import due_at
from suqiu.disclosure import DEPARTMENT_LEVELS
from suqiu.installation import Installation
from suqiu.labels import URGENCY
from suqiu.model import OPEN_STATUSES
from suqiu.store import DemandFilter, now_local
from suqiu.twoway.delivery import OFFICE_NAME, Outgoing, attempt, enqueue


def is_critical(reasons: list[str] | None, urgency: str | None, alert_reasons: list[str]) -> bool:
    labels = {str(r).split(":")[0].strip() for r in reasons or []}
    return urgency == "critical" or bool(labels & set(alert_reasons))


def critical_items(app: Installation, now: datetime) -> list[dict[str, Any]]:
    """Open critical demands, each as an alert lists it (masked text only) with who was alerted."""
    rows = app.store.demand_rows(app.config, DemandFilter(statuses=OPEN_STATUSES, urgency=("high", "critical")))
    base, out = app.config.server.public_url, []
    for r in rows:
        if not is_critical(r.get("urgency_reasons"), r.get("urgency_level"), app.config.tracking.alert_reasons):
            continue
        out.append({"record_id": r["id"], "title": r.get("masked_title") or "", "text": r.get("masked_text") or "",
                    "received_at": r["received_at"], "district": r.get("district"), "owner": r.get("owner"),
                    "urgency": URGENCY.get(r.get("urgency_level") or "", ""), "reasons": r.get("urgency_reasons") or [],
                    "due_at": due_at(app.config, r["received_at"], r.get("owner"), r.get("category_given"),
                                     r.get("urgency_level"), r.get("due_override")),
                    "url": demand_link(base, r["id"]), "alerted_to": r.get("alerted_to"),
                    "department_may_see": r.get("publication") in DEPARTMENT_LEVELS,
                    "alerted_office": r.get("alerted_office_at") is not None})
    return out


def _outgoing(app: Installation, to: str, items: list[dict[str, Any]], now: datetime, office: bool) -> Outgoing:
    subject = f"【特急】{app.config.city.name}12345 {to}紧急诉求提醒：{len(items)} 件"
    html = _env().get_template("alert.html.j2").render(to=to, items=items, now=now, city=app.config.city.name,
                                                       office=office)
    lines = [subject, ""] + [f"[{i['urgency']}] {i['title'] or i['text'][:40]}（{'；'.join(i['reasons'])}）"
                             f" 受理 {i['received_at']:%Y-%m-%d %H:%M} 时限 {i['due_at']:%Y-%m-%d %H:%M}"
                             f" 承办 {i['owner'] or '待人工分派'}\n    {i['url']}" for i in items]
    xlsx = workbook_bytes([("紧急诉求", ["编号", "紧急程度", "原因", "受理时间", "办理时限", "承办部门", "标题", "内容（已脱敏）"],
                            [[i["record_id"], i["urgency"], "；".join(i["reasons"]), i["received_at"], i["due_at"],
                              i["owner"] or "待人工分派", i["title"], i["text"]] for i in items])])
    return Outgoing(department=to, period="alert", window_start=now, window_end=now, subject=subject, html=html,
                    text="\n".join(lines) + "\n", xlsx=xlsx, record_ids=[], to_office=office)


def send_alerts(app: Installation, now: datetime | None = None) -> dict[str, Any]:
    """Alert departments and the office to critical demands they have not been told of yet."""
    now = now or now_local()
    items = critical_items(app, now)
    by_dept: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for i in items:
        if i["owner"] and i["alerted_to"] != i["owner"] and i["department_may_see"]:  # 分级: office-only stays
            by_dept[i["owner"]].append(i)
    office = [i for i in items if not i["alerted_office"]]
    sent: dict[str, Any] = {"departments": {}, "office": len(office), "deliveries": []}
    smtp = bool(app.config.smtp.port)
    for dept, group in sorted(by_dept.items()):
        delivery = enqueue(app, _outgoing(app, dept, group, now, office=False))
        dept_cfg = app.config.department(dept)
        status = attempt(app, delivery, now) if smtp and dept_cfg is not None and dept_cfg.email else "outbox"
        sent["departments"][dept] = len(group)
        sent["deliveries"].append({"to": dept, "delivery_id": delivery, "status": status, "items": len(group)})
    if office:
        delivery = enqueue(app, _outgoing(app, OFFICE_NAME, office, now, office=True))
        status = attempt(app, delivery, now) if smtp and app.config.tracking.office_email else "outbox"
        sent["deliveries"].append({"to": OFFICE_NAME, "delivery_id": delivery, "status": status, "items": len(office)})
    with app.store.begin() as conn:
        for dept, group in by_dept.items():
            for i in group:
                app.store.save_work_order(conn, i["record_id"], {"alerted_to": dept})
        for i in office:
            app.store.save_work_order(conn, i["record_id"], {"alerted_office_at": now})
    return sent
