"""Mail a leaders' report to ``[reports] recipients`` through the digests' outbox and SMTP path
(``suqiu.twoway.delivery``): the exact message is written to ``outbox/reports/`` and recorded as a
delivery before the first attempt, and a failed send is retried with the digests' back-off until
the server takes it. Without recipients nothing is sent; with ``smtp.port = 0`` the outbox is the
delivery."""

from __future__ import annotations

import html
import uuid
from pathlib import Path

from reports.periods import Period
from suqiu.installation import Installation
from suqiu.labels import PERIOD
from suqiu.store import now_local
from suqiu.twoway.delivery import attempt, build_message

MAILBOX = "领导报告"     # the delivery's department column: these go to the leaders, not a department
DOCX = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def mail_report(app: Installation, period: Period, paths: dict[str, str], summary: list[str]) -> dict[str, object]:
    """Queue (and try once to send) the report to the configured recipients; what happened."""
    recipients = [r.strip() for r in app.config.reports.recipients if r.strip()]
    if not recipients:
        return {"status": "skipped", "reason": "未配置 [reports] recipients"}
    title = f"{app.config.city.name}群众诉求{PERIOD[period.kind]}（{period.name}）"
    text = title + "\n\n" + "\n".join(f"· {line}" for line in summary) + "\n\n附件：报告正文（HTML、Word）及附表（Excel）。"
    body = f"<h2>{html.escape(title)}</h2><ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in summary) + \
        "</ul><p>附件：报告正文（HTML、Word）及附表（Excel）。</p>"
    files = [(Path(paths["html"]), ("text", "html")), (Path(paths["docx"]), DOCX), (Path(paths["xlsx"]), XLSX)]
    msg = build_message(app.config.smtp.sender, ", ".join(recipients), title, body, text,
                        [(f.name, f.read_bytes(), *kind) for f, kind in files])
    now = now_local()
    folder = app.path("outbox", "reports")
    stem = f"{now:%Y%m%dT%H%M%S}-{period}-{uuid.uuid4().hex[:6]}"
    eml = folder / f"{stem}.eml"
    eml.write_bytes(msg.as_bytes())
    status = "pending" if app.config.smtp.port else "outbox"
    delivery = app.store.add_delivery({
        "department": MAILBOX, "period": period.kind, "window_start": period.start, "window_end": period.end,
        "recipient": ", ".join(recipients)[:300], "subject": title, "eml_path": str(eml), "html_path": paths["html"],
        "xlsx_path": paths["xlsx"], "item_count": 0, "status": status, "attempts": 0, "created_at": now,
        "next_attempt_at": now if status == "pending" else None}, [])
    result = attempt(app, delivery, now) if status == "pending" else "outbox"
    return {"status": result, "delivery_id": delivery, "eml": str(eml), "recipients": recipients}
