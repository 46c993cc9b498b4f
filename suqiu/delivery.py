"""Digest delivery: the outbox on disk, SMTP, and retries that never drop a message.

Every digest is first written to the outbox (``$SUQIU_HOME/data/outbox/<department>/``) as the
exact email (``.eml``) beside its HTML and XLSX, and recorded in ``deliveries`` together with the
demands it carries — all before the first send attempt. A failed attempt leaves the delivery
``failed`` with a backed-off ``next_attempt_at``; :func:`retry_due` re-sends the same ``.eml``
until the server takes it. With ``smtp.port = 0`` or no department email the outbox is the
delivery (status ``outbox``).
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from suqiu import schema
from suqiu.app import App
from suqiu.config import Department, SmtpConfig
from suqiu.store import from_db_time, now_local, to_db_time

RETRYABLE = ("pending", "failed")
STALE_SENDING = timedelta(minutes=30)   # a sender that died mid-attempt releases its claim after this


def department_code(dept: Department) -> str:
    """A filesystem- and URL-safe code: the configured one, else derived from the name."""
    return dept.code or "d" + hashlib.sha1(dept.name.encode("utf-8")).hexdigest()[:8]


def build_message(sender: str, recipient: str, subject: str, html: str, text: str,
                  attachments: Sequence[tuple[str, bytes, str, str]] = ()) -> EmailMessage:
    """A multipart email: plain text and HTML alternatives plus attachments (name, data, type, subtype)."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = sender
    msg["To"] = recipient
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "suqiu.local")
    msg.set_content(text, charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    for filename, data, maintype, subtype in attachments:
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def smtp_send(smtp: SmtpConfig, raw: bytes, timeout: float = 15.0) -> None:
    """Hand one message to the configured SMTP server; raises on any refusal or network failure."""
    msg = message_from_bytes(raw, policy=policy.SMTP)
    with smtplib.SMTP(smtp.host, smtp.port, timeout=timeout) as client:
        client.ehlo()
        if smtp.starttls:
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if smtp.username:
            client.login(smtp.username, smtp.password)
        refused = client.send_message(msg)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)


def backoff(config_minutes: float, cap_minutes: float, attempts: int) -> timedelta:
    return timedelta(minutes=min(cap_minutes, config_minutes * 2 ** max(0, attempts - 1)))


@dataclass
class Outgoing:
    """A rendered digest ready to be delivered."""

    department: str
    period: str
    window_start: datetime
    window_end: datetime
    subject: str
    html: str
    text: str
    xlsx: bytes
    record_ids: list[str]


def enqueue(app: App, out: Outgoing) -> int:
    """Write the outbox files and record the delivery with its demands; returns the delivery id."""
    dept = app.config.department(out.department)
    if dept is None:
        raise ValueError(f"unknown department {out.department!r}")
    stamp = f"{now_local():%Y%m%dT%H%M%S}-{out.period}-{uuid.uuid4().hex[:6]}"
    folder = app.path("outbox", department_code(dept))
    xlsx_name = f"{dept.name}-诉求{'日报' if out.period == 'day' else '周报'}-{out.window_end:%Y%m%d}.xlsx"
    recipient = dept.email.strip()
    msg = build_message(app.config.smtp.sender, recipient or "undisclosed-recipients:;", out.subject,
                        out.html, out.text,
                        [(xlsx_name, out.xlsx, "application",
                          "vnd.openxmlformats-officedocument.spreadsheetml.sheet")])
    eml, html_path, xlsx_path = folder / f"{stamp}.eml", folder / f"{stamp}.html", folder / f"{stamp}.xlsx"
    eml.write_bytes(msg.as_bytes())
    html_path.write_text(out.html, encoding="utf-8")
    xlsx_path.write_bytes(out.xlsx)
    status = "pending" if (recipient and app.config.smtp.port) else "outbox"
    now = to_db_time(now_local())
    with app.store.begin() as conn:
        delivery_id = conn.execute(schema.deliveries.insert().values(
            department=dept.name, period=out.period, window_start=to_db_time(out.window_start),
            window_end=to_db_time(out.window_end), recipient=recipient or None, subject=out.subject,
            eml_path=str(eml), html_path=str(html_path), xlsx_path=str(xlsx_path),
            item_count=len(out.record_ids), status=status, attempts=0, created_at=now,
            next_attempt_at=now if status == "pending" else None)).inserted_primary_key[0]
        if out.record_ids:
            conn.execute(schema.digest_items.insert(), [
                {"delivery_id": delivery_id, "record_id": rid, "department": dept.name}
                for rid in dict.fromkeys(out.record_ids)])
    return int(delivery_id)


def _claim(app: App, delivery_id: int, now: datetime) -> dict[str, Any] | None:
    """Mark a delivery as being sent unless someone else holds it; returns its row when claimed."""
    d = schema.deliveries
    stale = to_db_time(now - STALE_SENDING)
    with app.store.begin() as conn:
        res = conn.execute(update(d).where(
            d.c.id == delivery_id,
            d.c.status.in_(RETRYABLE) | ((d.c.status == "sending") & (d.c.last_attempt_at < stale)),
        ).values(status="sending", last_attempt_at=to_db_time(now), attempts=d.c.attempts + 1))
        if res.rowcount != 1:
            return None
        return dict(conn.execute(select(d).where(d.c.id == delivery_id)).mappings().one())


def attempt(app: App, delivery_id: int, now: datetime | None = None) -> str:
    """One send attempt; the outcome (sent, failed, or skipped when not claimable) is stored."""
    now = now or now_local()
    row = _claim(app, delivery_id, now)
    if row is None:
        return "skipped"
    d = schema.deliveries
    try:
        smtp_send(app.config.smtp, Path(row["eml_path"]).read_bytes())
    except (OSError, smtplib.SMTPException) as exc:
        wait = backoff(app.config.tracking.retry_minutes, app.config.tracking.retry_cap_minutes, row["attempts"])
        with app.store.begin() as conn:
            conn.execute(update(d).where(d.c.id == delivery_id).values(
                status="failed", last_error=f"{type(exc).__name__}: {exc}"[:2000],
                next_attempt_at=to_db_time(now + wait)))
        return "failed"
    with app.store.begin() as conn:
        conn.execute(update(d).where(d.c.id == delivery_id).values(
            status="sent", sent_at=to_db_time(now_local()), last_error=None, next_attempt_at=None))
    return "sent"


def retry_due(app: App, now: datetime | None = None, department: str | None = None,
              force: bool = False) -> list[dict[str, Any]]:
    """Send every pending or failed delivery whose time has come (all of them with ``force``)."""
    now = now or now_local()
    d = schema.deliveries
    q = select(d.c.id).where(d.c.status.in_(RETRYABLE)).order_by(d.c.id)
    if not force:
        q = q.where(d.c.next_attempt_at.is_(None) | (d.c.next_attempt_at <= to_db_time(now)))
    if department:
        q = q.where(d.c.department == department)
    if not app.config.smtp.port:
        return []
    with app.store.engine.connect() as conn:
        ids = [r[0] for r in conn.execute(q)]
    return [{"delivery_id": i, "status": attempt(app, i, now)} for i in ids]


def list_deliveries(app: App, department: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    d = schema.deliveries
    q = select(d).order_by(d.c.id.desc()).limit(limit)
    if department:
        q = q.where(d.c.department == department)
    with app.store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    for r in rows:
        for k, v in r.items():
            if isinstance(v, datetime):
                r[k] = from_db_time(v)
    return rows
