from __future__ import annotations

import json

from typer.testing import CliRunner

from suqiu.cli import app as cli
from tests.twoway.seed import HOUSING

runner = CliRunner()


def _json(args, home):
    r = runner.invoke(cli, [*args, "--json"], env={"SUQIU_HOME": str(home)})
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_route_then_digest_to_outbox(home, app, seeded):
    stats = _json(["route"], home)
    assert stats["routed"] == 4 and stats["triage"] == 1
    assert stats["alerts"]["departments"] == {HOUSING: 1} and stats["alerts"]["office"] == 1   # h3 is critical
    out = _json(["digest", "--department", "住建局", "--period", "week"], home)
    assert out["department"] == HOUSING and out["status"] == "outbox" and out["items"] == 2
    again = _json(["digest", "--department", "住建局", "--period", "week"], home)
    assert again["items"] == 0
    listed = _json(["deliveries"], home)
    assert [(d["period"], d["status"]) for d in listed["deliveries"]] == [
        ("week", "outbox"), ("week", "outbox"), ("alert", "outbox"), ("alert", "outbox")]


def test_digest_unknown_department_fails_with_message(home, app):
    r = runner.invoke(cli, ["digest", "--department", "火星局"], env={"SUQIU_HOME": str(home)})
    assert r.exit_code == 1 and "未知部门" in r.output


def test_reassign_and_figures(home, app, seeded):
    _json(["route"], home)
    out = _json(["reassign", "hotline:t1", "--department", "住建局", "--reason", "属物业问题", "--actor", "值班员"], home)
    assert out["to"] == HOUSING
    figs = _json(["figures", "--department", "住建局"], home)
    assert figs["departments"][HOUSING]["assigned"] == 4


def test_client_token_with_a_scope(home, app):
    made = _json(["token", "add", "--role", "client", "--label", "住建 App", "--scope", "住建局", "--scope",
                  "交通局"], home)
    assert made["scope"] == [HOUSING, "交通运输局"] and made["department"] is None
    assert _json(["token", "list"], home)[0]["scope"] == [HOUSING, "交通运输局"]
    r = runner.invoke(cli, ["token", "add", "住建局", "--scope", "交通局"], env={"SUQIU_HOME": str(home)})
    assert r.exit_code != 0 and "范围" in r.output


def test_token_add_list_revoke(home, app):
    made = _json(["token", "add", "住建局", "--label", "张工"], home)
    assert made["token"].startswith("sq_") and made["department"] == HOUSING
    listed = _json(["token", "list"], home)
    assert listed[0]["prefix"] == made["token"][:10] and "token_hash" not in listed[0]
    r = runner.invoke(cli, ["token", "revoke", str(made["id"])], env={"SUQIU_HOME": str(home)})
    assert r.exit_code == 0
    assert _json(["token", "list"], home)[0]["revoked_at"] is not None
