from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from suqiu.store import schema
from suqiu.twoway.delivery import backoff, list_deliveries, retry_due
from reports.digests import deliver_digest, new_items
from suqiu.twoway.dispatch import route_pending
from tests.twoway.seed import HOUSING, T0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


def start_smtp(port: int) -> tuple[Controller, Inbox]:
    inbox = Inbox()
    ctl = Controller(inbox, hostname="127.0.0.1", port=port)
    ctl.start()
    return ctl, inbox


@pytest.fixture
def smtp(app) -> Iterator[Inbox]:
    port = free_port()
    ctl, inbox = start_smtp(port)
    app.config.smtp.port = port
    yield inbox
    ctl.stop()


def test_digest_is_delivered_by_email_with_html_and_xlsx(app, seeded, smtp):
    route_pending(app)
    out = deliver_digest(app, HOUSING, "day", now=T0 + timedelta(days=1))
    assert out["status"] == "sent" and out["items"] == 2 and out["submissions"] == 3
    assert len(smtp.messages) == 1
    mail_from, rcpts, raw = smtp.messages[0]
    assert rcpts == ["zjj@example.gov.cn"] and mail_from == app.config.smtp.sender
    msg = message_from_bytes(raw, policy=policy.default)
    assert "住房和城乡建设局" in msg["Subject"]
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "电梯故障" in html and "13812345678" not in html
    names = [p.get_filename() for p in msg.iter_attachments()]
    assert len(names) == 1 and names[0].endswith(".xlsx")


def test_delivery_is_recorded_and_written_to_the_outbox(app, seeded, smtp):
    route_pending(app)
    out = deliver_digest(app, HOUSING, "week", now=T0 + timedelta(days=1))
    rows = list_deliveries(app, HOUSING)
    assert len(rows) == 1 and rows[0]["status"] == "sent" and rows[0]["attempts"] == 1
    for key in ("html", "xlsx", "eml"):
        assert Path(out[key]).is_file() and Path(out[key]).is_relative_to(app.outbox_dir)
    with app.store.engine.connect() as conn:
        carried = {r[0] for r in conn.execute(select(schema.digest_items.c.record_id))}
    assert carried == {"hotline:h1", "hotline:h2", "hotline:h3"}


def test_second_digest_does_not_repeat_demands(app, seeded, smtp):
    route_pending(app)
    deliver_digest(app, HOUSING, "day", now=T0 + timedelta(days=1))
    second = deliver_digest(app, HOUSING, "day", now=T0 + timedelta(days=2))
    assert second["items"] == 0 and second["status"] == "sent"


def test_failed_delivery_is_kept_and_retried_later(app, seeded):
    route_pending(app)
    port = free_port()                      # nothing listens here yet
    app.config.smtp.port = port
    now = T0 + timedelta(days=1)
    out = deliver_digest(app, HOUSING, "day", now=now)
    assert out["status"] == "failed" and out["error"]
    row = list_deliveries(app, HOUSING)[0]
    assert row["status"] == "failed" and row["next_attempt_at"] > now
    assert new_items(app, HOUSING) == []    # the demands belong to the pending delivery: not lost, not doubled
    assert retry_due(app, now=now) == []    # not due yet
    ctl, inbox = start_smtp(port)
    try:
        done = retry_due(app, now=now + timedelta(hours=1))
    finally:
        ctl.stop()
    assert done == [{"delivery_id": out["delivery_id"], "status": "sent"}]
    assert len(inbox.messages) == 1 and b"Subject" in inbox.messages[0][2]
    row = list_deliveries(app, HOUSING)[0]
    assert row["status"] == "sent" and row["attempts"] == 2 and row["last_error"] is None


def test_repeated_failures_back_off(app, seeded):
    route_pending(app)
    app.config.smtp.port = free_port()
    now = T0 + timedelta(days=1)
    deliver_digest(app, HOUSING, "day", now=now)
    first = list_deliveries(app, HOUSING)[0]["next_attempt_at"]
    later = now + timedelta(days=1)
    assert retry_due(app, now=later)[0]["status"] == "failed"
    row = list_deliveries(app, HOUSING)[0]
    assert row["attempts"] == 2 and row["next_attempt_at"] - later > first - now


def test_backoff_doubles_up_to_the_cap():
    assert [backoff(5, 30, n).total_seconds() / 60 for n in (1, 2, 3, 4, 5)] == [5, 10, 20, 30, 30]


def test_without_smtp_the_outbox_is_the_delivery(app, seeded):
    route_pending(app)
    assert app.config.smtp.port == 0
    out = deliver_digest(app, HOUSING, "day", now=T0 + timedelta(days=1))
    assert out["status"] == "outbox" and Path(out["html"]).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert list_deliveries(app)[0]["status"] == "outbox"


def test_department_without_email_goes_to_outbox(app, seeded, smtp):
    route_pending(app)
    app.config.department(HOUSING).email = ""
    out = deliver_digest(app, HOUSING, "day", now=T0 + timedelta(days=1))
    assert out["status"] == "outbox" and smtp.messages == []
