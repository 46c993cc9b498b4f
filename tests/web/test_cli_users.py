"""`suqiu user …` commands: passwords read without echo or from stdin, stored hashed."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from suqiu.cli import app as cli
from suqiu.twoway.accounts import authenticate, get_user


def test_user_add_list_passwd_disable(app) -> None:
    runner = CliRunner()
    home = str(app.home)
    r = runner.invoke(cli, ["user", "add", "jt1", "--role", "department", "--department", "交通运输局",
                            "--password-stdin", "--home", home, "--json"], input="jt-secret-1\n")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {"username": "jt1", "role": "department", "department": "交通运输局"}
    assert authenticate(app.store, "jt1", "jt-secret-1") is not None
    assert "jt-secret-1" not in get_user(app.store, "jt1").password_hash

    r = runner.invoke(cli, ["user", "list", "--home", home, "--json"])
    assert json.loads(r.stdout)["users"][0]["username"] == "jt1"
    assert "password" not in r.stdout

    r = runner.invoke(cli, ["user", "passwd", "jt1", "--password-stdin", "--home", home], input="jt-secret-2\n")
    assert r.exit_code == 0
    assert authenticate(app.store, "jt1", "jt-secret-1") is None
    assert authenticate(app.store, "jt1", "jt-secret-2") is not None

    r = runner.invoke(cli, ["user", "disable", "jt1", "--home", home])
    assert r.exit_code == 0 and authenticate(app.store, "jt1", "jt-secret-2") is None


def test_user_add_rejects_unknown_department(app) -> None:
    r = CliRunner().invoke(cli, ["user", "add", "x1", "--role", "department", "--department", "宇宙局",
                                 "--password-stdin", "--home", str(app.home)], input="long-enough-1\n")
    assert r.exit_code == 1
    assert "宇宙局" in r.output
    assert get_user(app.store, "x1") is None


def test_user_add_prompts_twice_without_echo(app) -> None:
    r = CliRunner().invoke(cli, ["user", "add", "office9", "--home", str(app.home)],
                           input="office-pass-9\noffice-pass-9\n")
    assert r.exit_code == 0, r.output
    assert "office-pass-9" not in r.output
    assert get_user(app.store, "office9").role == "office"
