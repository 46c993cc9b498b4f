"""Delivery under faults (issue 18, deliverable 5): SMTP down, then back; the outbox's disk full.

SMTP down: every attempt fails, is kept with a growing wait (``next_attempt_at``), and the command
says so by its exit code; once the server is back a retry sends each message once. Disk full: a
clear Chinese error, no delivery recorded (so none is pending without its message), nothing
marked sent, and the demands go into the next digest.
"""

from __future__ import annotations

import errno
import json
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from typer.testing import CliRunner

from suqiu.cli import app as suqiu_cli
from suqiu.twoway.dispatch import route_pending
from tests.faults.drills import cli, seed_home
from tests.twoway.test_delivery import free_port, start_smtp

HOUSING = "住房和城乡建设局"


@pytest.fixture
def routed(tmp_path: Path):
    inst = seed_home(tmp_path / "home", 120, analysed=True)
    route_pending(inst)
    yield inst
    inst.store.close()


def _deliveries(inst) -> list[dict]:
    return sorted(inst.store.deliveries(limit=100), key=lambda r: r["id"])


def _waits(row: dict) -> float:
    return (row["next_attempt_at"] - row["last_attempt_at"]).total_seconds() / 60


@pytest.mark.slow
def test_smtp_down_is_retried_with_backoff_and_the_exit_code_says_so(routed):
    inst, port = routed, free_port()   # nothing listens on it
    first = cli(inst.home, "digest", "--department", HOUSING, "--json", SUQIU__SMTP__PORT=str(port))
    assert first.returncode == 1, first.stderr
    assert json.loads(first.stdout)["status"] == "failed"
    (row,) = _deliveries(inst)
    assert row["status"] == "failed" and row["attempts"] == 1 and "Connection refused" in row["last_error"]
    waits = [_waits(row)]
    for _ in range(2):
        again = cli(inst.home, "deliveries", "--retry", SUQIU__SMTP__PORT=str(port))
        assert again.returncode == 1, "a retry that sent nothing is a failure a scheduler can see"
        (row,) = _deliveries(inst)
        waits.append(_waits(row))
    assert row["attempts"] == 3 and waits == sorted(waits) and waits[0] < waits[-1], waits
    assert waits == [inst.config.tracking.retry_minutes * 2 ** i for i in range(3)]

    every = cli(inst.home, "digest", "--department", "all", SUQIU__SMTP__PORT=str(port))
    assert every.returncode == 1, "every department's delivery failed"
    assert {r["status"] for r in _deliveries(inst)} == {"failed"}

    ctl, inbox = start_smtp(port)       # the server is back
    try:
        back = cli(inst.home, "deliveries", "--retry", "--json", SUQIU__SMTP__PORT=str(port))
    finally:
        ctl.stop()
    assert back.returncode == 0, back.stderr
    rows = _deliveries(inst)
    assert {r["status"] for r in rows} == {"sent"}
    sent_ids = [message_from_bytes(raw, policy=policy.SMTP)["Message-ID"] for _f, _t, raw in inbox.messages]
    assert len(sent_ids) == len(set(sent_ids)) == len(rows), "each delivery sent once"


@pytest.fixture
def full_outbox(monkeypatch: pytest.MonkeyPatch):
    """The outbox's disk fills up while the digest's spreadsheet is written: half of it lands, then
    ENOSPC, as write(2) reports it."""
    real = Path.write_bytes

    def write_bytes(self: Path, data) -> int:
        if "outbox" in self.parts and ".xlsx" in self.name:
            real(self, bytes(data)[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)


def test_a_full_outbox_is_a_clear_error_and_nothing_is_recorded(routed, full_outbox):
    inst = routed
    due = {r["id"] for r in inst.store.undigested(HOUSING)}
    assert due
    result = CliRunner().invoke(suqiu_cli, ["digest", "--department", HOUSING, "--home", str(inst.home)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "发件箱" in result.stderr and "磁盘空间不足" in result.stderr
    assert _deliveries(inst) == [], "no delivery recorded, so none waits for a file that is not there"
    outbox = inst.data_dir / "outbox"
    assert not [p for p in outbox.rglob("*") if p.is_file()], "no half-written message left behind"
    assert {r["id"] for r in inst.store.undigested(HOUSING)} == due, "nothing marked as sent"


def test_after_a_full_outbox_the_next_digest_carries_the_demands(routed, monkeypatch):
    inst = routed
    due = {r["id"] for r in inst.store.undigested(HOUSING)}
    real = Path.write_bytes

    def full(self: Path, data) -> int:
        if "outbox" in self.parts:
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    assert CliRunner().invoke(suqiu_cli, ["digest", "--department", HOUSING, "--home", str(inst.home)]).exit_code == 1
    monkeypatch.setattr(Path, "write_bytes", real)
    ok = CliRunner().invoke(suqiu_cli, ["digest", "--department", HOUSING, "--json", "--home", str(inst.home)])
    assert ok.exit_code == 0, ok.output
    (row,) = _deliveries(inst)
    assert row["status"] == "outbox" and row["item_count"] == len(due) and Path(row["eml_path"]).exists()
