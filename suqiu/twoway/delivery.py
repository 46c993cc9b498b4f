"""Digest delivery: the outbox on disk, SMTP, and retries that never drop a message.

Every digest is first written to the outbox (``$SUQIU_HOME/data/outbox/<department>/``) as the
exact email (``.eml``) beside its HTML and XLSX, and recorded in ``deliveries`` together with the
demands it carries — all before the first send attempt. A failed attempt leaves the delivery
``failed`` with a backed-off ``next_attempt_at``; :func:`retry_due` re-sends the same ``.eml``
until the server takes it. With ``smtp.port = 0`` or no department email the outbox is the
delivery (status ``outbox``).
"""

from __future__ import annotations

import errno
import os
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

from suqiu.config import SmtpConfig
from suqiu.installation import Installation
from suqiu.store import now_local


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


def write_private(path: Path, data: bytes) -> None:
    """An outbox file readable by the owner only: digests carry demands and department contacts."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))   # created private, then filled
    path.write_bytes(data)


class OutboxError(RuntimeError):
    """The outbox could not be written (disk full, no permission): nothing was recorded or sent."""


def write_whole(folder: Path, files: Sequence[tuple[Path, bytes]]) -> None:
    """All the files or none: each is written under a ``.part`` name and renamed once all are whole,
    so a full disk leaves no half message that a delivery could point at."""
    parts: list[Path] = []
    try:
        for path, data in files:
            parts.append(path.with_name(path.name + ".part"))
            write_private(parts[-1], data)
        for (path, _data), part in zip(files, parts):
            os.replace(part, path)
    except OSError as exc:
        for part in parts:
            part.unlink(missing_ok=True)
        why = "磁盘空间不足" if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) else (exc.strerror or str(exc))
        raise OutboxError(f"无法写入发件箱 {folder}：{why}。本次摘要没有记录、也没有发送，"
                          "其中的诉求会进入下一次摘要；请腾出空间后重新运行 `suqiu digest`") from exc


def enqueue(app: Installation, out: Outgoing) -> int:
    """Write the outbox files and record the delivery with its demands; returns the delivery id.

    The delivery is recorded only once its files are whole (``write_whole``)."""
    dept = app.config.department(out.department)
    if dept is None:
        raise ValueError(f"unknown department {out.department!r}")
    stamp = f"{now_local():%Y%m%dT%H%M%S}-{out.period}-{uuid.uuid4().hex[:6]}"
    folder = app.path("outbox", dept.slug)
    xlsx_name = f"{dept.name}-诉求{'日报' if out.period == 'day' else '周报'}-{out.window_end:%Y%m%d}.xlsx"
    recipient = dept.email.strip()
    msg = build_message(app.config.smtp.sender, recipient or "undisclosed-recipients:;", out.subject,
                        out.html, out.text,
                        [(xlsx_name, out.xlsx, "application",
                          "vnd.openxmlformats-officedocument.spreadsheetml.sheet")])
    eml, html_path, xlsx_path = folder / f"{stamp}.eml", folder / f"{stamp}.html", folder / f"{stamp}.xlsx"
    write_whole(folder, [(eml, msg.as_bytes()), (html_path, out.html.encode("utf-8")), (xlsx_path, out.xlsx)])
    status = "pending" if (recipient and app.config.smtp.port) else "outbox"
    now = now_local()
    return app.store.add_delivery({
        "department": dept.name, "period": out.period, "window_start": out.window_start,
        "window_end": out.window_end, "recipient": recipient or None, "subject": out.subject,
        "eml_path": str(eml), "html_path": str(html_path), "xlsx_path": str(xlsx_path),
        "item_count": len(out.record_ids), "status": status, "attempts": 0, "created_at": now,
        "next_attempt_at": now if status == "pending" else None}, out.record_ids)


def attempt(app: Installation, delivery_id: int, now: datetime | None = None) -> str:
    """One send attempt; the outcome (sent, failed, or skipped when not claimable) is stored."""
    now = now or now_local()
    row = app.store.claim_delivery(delivery_id, now)
    if row is None:
        return "skipped"
    try:
        smtp_send(app.config.smtp, Path(row["eml_path"]).read_bytes())
    except (OSError, smtplib.SMTPException) as exc:
        wait = backoff(app.config.tracking.retry_minutes, app.config.tracking.retry_cap_minutes, row["attempts"])
        app.store.finish_delivery(delivery_id, sent=False, error=f"{type(exc).__name__}: {exc}",
                                  next_attempt_at=now + wait)
        return "failed"
    app.store.finish_delivery(delivery_id, sent=True)
    return "sent"


def retry_due(app: Installation, now: datetime | None = None, department: str | None = None,
              force: bool = False) -> list[dict[str, Any]]:
    """Send every pending or failed delivery whose time has come (all of them with ``force``)."""
    if not app.config.smtp.port:
        return []
    now = now or now_local()
    return [{"delivery_id": i, "status": attempt(app, i, now)}
            for i in app.store.due_deliveries(now, department, force)]


def list_deliveries(app: Installation, department: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    return app.store.deliveries(department, limit)
