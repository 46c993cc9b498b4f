"""`suqiu report monthly|quarterly|yearly`, `topics` and `pick-topic`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from suqiu.cli import app as cli
from tests.reports.test_leaders import seed_history

runner = CliRunner()


def test_monthly_report_command_writes_the_files_and_lists_candidates(app, home):
    seed_history(app)
    r = runner.invoke(cli, ["report", "monthly", "--period", "2026-11", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["period"] == "2026-11" and out["kind"] == "month" and out["mail"]["status"] == "skipped"
    assert all(Path(p).is_file() for p in out["files"].values())
    assert out["candidates"] and out["candidates"][0]["reasons"]


def test_quarterly_and_yearly_commands(app, home):
    seed_history(app)
    for kind, period, name in (("quarterly", "2026-Q3", "诉求季报-2026-Q3.html"), ("yearly", "2025", "诉求年报-2025.html")):
        r = runner.invoke(cli, ["report", kind, "--period", period, "--json"])
        assert r.exit_code == 0, r.output
        assert json.loads(r.stdout)["files"]["html"].endswith(name)


def test_a_bad_period_is_one_clear_error(app, home):
    r = runner.invoke(cli, ["report", "quarterly", "--period", "2026-11"])
    assert r.exit_code == 1 and "2026-Q4" in r.output


def test_topics_and_pick_topic(app, home):
    seed_history(app)
    r = runner.invoke(cli, ["report", "topics", "--month", "2026-11", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["candidates"][0]["topic_id"] == 1
    r = runner.invoke(cli, ["report", "pick-topic", "--topic", "1", "--month", "2026-11", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["label"] == "物业 收费"
    assert app.store.documents("topic_pick")["2026-11"]["topic_id"] == 1
    r = runner.invoke(cli, ["report", "pick-topic", "--topic", "42", "--month", "2026-11"])
    assert r.exit_code == 1 and "话题 42 不存在" in r.output
