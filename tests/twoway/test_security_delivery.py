"""Delivery failures reach the exit code, and the outbox is private (issue 18, item 12).

Found open: ``digest`` and ``deliveries --retry`` exited 0 when every delivery failed, so a
scheduler could not tell SMTP was down; the outbox files were world-readable.
"""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from suqiu.cli import app as cli
from tests.twoway.test_delivery import free_port, start_smtp

runner = CliRunner()


def _run(home: Path, *args: str):
    return runner.invoke(cli, list(args), env={"SUQIU_HOME": str(home)})


@pytest.fixture
def smtp_down(home: Path, app, seeded) -> int:
    """SMTP configured on a port where nothing listens; the demands routed."""
    port = free_port()
    cfg = home / "suqiu.toml"
    text, n = re.subn(r"(?m)^port = 0\b", f"port = {port}", cfg.read_text(encoding="utf-8"), count=1)
    assert n == 1
    cfg.write_text(text, encoding="utf-8")
    assert _run(home, "route").exit_code == 0
    return port


def test_digest_exits_1_with_a_chinese_message_when_every_delivery_fails(home, smtp_down) -> None:
    r = _run(home, "digest", "--department", "all")
    assert r.exit_code == 1, r.output
    assert "投递失败" in r.output and "邮件服务器" in r.output


def test_digest_json_still_prints_the_result_and_exits_1(home, smtp_down) -> None:
    r = _run(home, "digest", "--department", "住建局", "--json")
    assert r.exit_code == 1
    assert json.loads(r.stdout.strip().splitlines()[-1])["status"] == "failed"


def test_deliveries_retry_exits_1_while_smtp_is_down_and_0_once_it_is_back(home, smtp_down) -> None:
    _run(home, "digest", "--department", "住建局")
    r = _run(home, "deliveries", "--retry", "--json")
    assert r.exit_code == 1 and "投递失败" in r.output
    # the digest, and the critical alert `route` sent for h3 (the workbench's immediate alerts)
    assert [d["status"] for d in json.loads(r.stdout.strip().splitlines()[-1])["retried"]] == ["failed", "failed"]
    ctl, inbox = start_smtp(smtp_down)
    try:
        r = _run(home, "deliveries", "--retry")
    finally:
        ctl.stop()
    assert r.exit_code == 0, r.output
    assert len(inbox.messages) == 2


def test_outbox_files_are_private(home, app, seeded) -> None:
    assert _run(home, "route").exit_code == 0
    r = _run(home, "digest", "--department", "住建局", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout.strip().splitlines()[-1])
    for key in ("eml", "html", "xlsx"):
        path = Path(out[key])
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, (key, oct(path.stat().st_mode))
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
