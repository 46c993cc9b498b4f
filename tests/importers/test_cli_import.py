import json

from typer.testing import CliRunner

from suqiu.cli import app

runner = CliRunner()


def test_import_json_prints_stats(home, fixtures):
    r = runner.invoke(app, ["import", str(fixtures / "workorders_gbk.csv"), "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert (doc["rows_read"], doc["new"], doc["balanced"], doc["profile"]) == (3, 3, True, "12345-workorder")


def test_import_says_which_profile_on_stderr(home, fixtures):
    r = runner.invoke(app, ["import", str(fixtures / "workorders_gbk.csv")])
    assert r.exit_code == 0 and "12345-workorder" in r.stderr and "新增 3" in r.stderr


def test_import_explicit_profile(home, fixtures):
    r = runner.invoke(app, ["import", str(fixtures / "workorders_bom.csv"), "--profile", "12345-workorder", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["profile_auto"] is False


def test_import_no_match_exits_1_with_headers(home, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("label,text\n城乡建设,路灯\n", encoding="utf-8")
    r = runner.invoke(app, ["import", str(path), "--json"])
    assert r.exit_code == 1 and "label、text" in r.stderr and r.stdout == ""


def test_status_shows_import_run(home, fixtures):
    runner.invoke(app, ["import", str(fixtures / "workorders_gbk.csv")])
    doc = json.loads(runner.invoke(app, ["status", "--json"]).stdout)
    assert doc["records"]["by_source"] == {"hotline": 3}
    assert any(r["kind"] == "import" and r["stats"]["new"] == 3 for r in doc["runs"])
