import json

from typer.testing import CliRunner

from suqiu.cli import app

runner = CliRunner()


def test_init_writes_config(tmp_path):
    home = tmp_path / "h"
    r = runner.invoke(app, ["init"], env={"SUQIU_HOME": str(home)})
    assert r.exit_code == 0, r.output
    assert (home / "suqiu.toml").exists() and (home / "data" / "suqiu.db").exists()


def test_status_json_shape(home):
    r = runner.invoke(app, ["status", "--json"])
    doc = json.loads(r.stdout)
    assert r.exit_code == 0
    for key in ("records", "quarantined", "analyzed", "indexed", "routed", "replied", "overdue"):
        assert key in doc
    assert doc["records"]["total"] == 0


def test_doctor_ok_on_defaults(home):
    r = runner.invoke(app, ["doctor", "--json"])
    doc = json.loads(r.stdout)
    assert r.exit_code == 0, doc
    assert {c["name"] for c in doc["checks"]} == {"config", "data_dir", "schema", "store", "state", "search", "fonts",
                                                  "holidays"}
    holidays = next(c for c in doc["checks"] if c["name"] == "holidays")["detail"]
    assert "2026" in holidays    # chinese-calendar's last year; later years fall back to Monday–Friday


def test_doctor_fails_on_bad_config(home):
    (home / "suqiu.toml").write_text("[search]\nbackend = 'solr'\n", encoding="utf-8")
    r = runner.invoke(app, ["doctor", "--json"])
    assert r.exit_code == 1
    assert "search.backend" in json.loads(r.stdout)["checks"][0]["detail"]


def test_doctor_fails_when_elasticsearch_unreachable(home):
    r = runner.invoke(app, ["doctor", "--json"], env={"SUQIU_SEARCH_BACKEND": "elasticsearch",
                                                      "SUQIU_ES_URL": "http://127.0.0.1:1"})
    assert r.exit_code == 1
    search = [c for c in json.loads(r.stdout)["checks"] if c["name"] == "search"][0]
    assert not search["ok"]


def test_doctor_reports_elasticsearch_version(home, es_url):
    r = runner.invoke(app, ["doctor", "--json"], env={"SUQIU_SEARCH_BACKEND": "elasticsearch",
                                                      "SUQIU_ES_URL": es_url})
    search = [c for c in json.loads(r.stdout)["checks"] if c["name"] == "search"][0]
    assert search["ok"] and search["detail"].startswith("elasticsearch 8.")


def test_bad_config_gives_one_clear_error(home):
    (home / "suqiu.toml").write_text("[smtp]\nport = 'x'\n", encoding="utf-8")
    r = runner.invoke(app, ["status", "--json"])
    assert r.exit_code == 1 and "smtp.port" in r.stderr
