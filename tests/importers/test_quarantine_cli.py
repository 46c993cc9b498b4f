"""`suqiu quarantine list|show|readmit` and an import's data-quality summary, through the CLI."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from suqiu.cli import app

runner = CliRunner()
LINES = [
    "工单编号,来电时间,诉求标题,诉求内容,区域,办理状态,办理结果",
    "GD1,2024-03-01 09:15,路灯不亮,五一路路灯坏了,台江区,办理中,",
    "GD2,2024-13-40 25:00,井盖破损,福新路井盖破损请回电13812345678,晋安区,办理中,",
    "GD3,,占道经营,早市摊贩占用盲道,鼓楼区,办理中,",
]


def cli(*args: str):
    r = runner.invoke(app, list(args))
    return r, (json.loads(r.stdout) if "--json" in args and r.exit_code == 0 else None)


@pytest.fixture
def imported(home, write_csv):
    r, doc = cli("import", str(write_csv(LINES)), "--json")
    assert r.exit_code == 0, r.output
    return doc


def quarantine_id(code: str) -> int:
    _, doc = cli("quarantine", "list", "--json")
    return next(r["id"] for r in doc["rows"] if r["code"] == code)


def test_summary_by_reason_in_the_json(imported) -> None:
    reasons = {r["code"]: r for r in imported["quality"]["reasons"]}
    assert (reasons["bad_date"]["count"], reasons["missing_date"]["count"]) == (1, 1)
    assert reasons["bad_date"]["label"] == "日期无法识别" and imported["quality"]["masked"]


def test_summary_examples_are_masked(imported) -> None:
    [example] = next(r for r in imported["quality"]["reasons"] if r["code"] == "bad_date")["examples"]
    assert example["ref"].endswith(":3") and example["field"] == "received_at"
    assert "13812345678" not in json.dumps(imported, ensure_ascii=False) and "[手机号]" in example["row"]


def test_summary_kept_in_the_run_record(imported, app) -> None:
    run = app.store.run_record(imported["run_id"])
    assert run["stats"]["quality"]["rejected"] == 2


def test_summary_printed_for_people(home, write_csv) -> None:
    r, _ = cli("import", str(write_csv(LINES)))
    assert "隔离原因 bad_date（日期无法识别）：1 行" in r.stderr and "suqiu quarantine list --run" in r.stderr


def test_list_shows_reasons(imported) -> None:
    r, doc = cli("quarantine", "list", "--json")
    assert {row["code"] for row in doc["rows"]} == {"bad_date", "missing_date"}
    assert doc["by_reason"] == {"bad_date": 1, "missing_date": 1}


def test_list_filters_by_reason(imported) -> None:
    _, doc = cli("quarantine", "list", "--reason", "bad_date", "--json")
    assert [row["code"] for row in doc["rows"]] == ["bad_date"]


def test_show_gives_the_payload(imported) -> None:
    _, doc = cli("quarantine", "show", str(quarantine_id("bad_date")), "--json")
    assert doc["payload"]["cells"]["来电时间"] == "2024-13-40 25:00" and doc["field"] == "received_at"


def test_readmit_without_a_correction_still_fails(imported) -> None:
    r, _ = cli("quarantine", "readmit", str(quarantine_id("bad_date")))
    assert r.exit_code == 1 and "仍未通过校验（bad_date）" in r.stderr


def test_readmit_corrected_row_goes_through(imported, app) -> None:
    qid = quarantine_id("bad_date")
    r, doc = cli("quarantine", "readmit", str(qid), "--set", "来电时间=2024-03-02 10:00", "--json")
    assert r.exit_code == 0, r.output
    assert doc == {"quarantine_id": qid, "record_id": "hotline:GD2", "outcome": "new"}
    record = app.store.get("hotline:GD2")
    assert record["received_at"].day == 2 and record["district"] == "晋安区"


def test_readmit_by_record_field_name(imported, app) -> None:
    r, _ = cli("quarantine", "readmit", str(quarantine_id("missing_date")), "--set", "received_at=2024-03-05 08:00")
    assert r.exit_code == 0, r.output
    assert app.store.get("hotline:GD3")["received_at"].day == 5


def test_readmitted_row_is_kept_and_marked(imported, app) -> None:
    qid = quarantine_id("bad_date")
    cli("quarantine", "readmit", str(qid), "--set", "来电时间=2024-03-02 10:00")
    row = app.store.quarantine_row(qid)
    assert row["readmitted_record"] == "hotline:GD2" and row["readmitted_at"] is not None
    _, open_rows = cli("quarantine", "list", "--json")
    _, every = cli("quarantine", "list", "--all", "--json")
    assert qid not in [r["id"] for r in open_rows["rows"]] and qid in [r["id"] for r in every["rows"]]


def test_readmit_twice_refused(imported) -> None:
    qid = quarantine_id("bad_date")
    cli("quarantine", "readmit", str(qid), "--set", "来电时间=2024-03-02 10:00")
    r, _ = cli("quarantine", "readmit", str(qid), "--set", "来电时间=2024-03-02 10:00")
    assert r.exit_code == 1 and "已于" in r.stderr


def test_readmit_from_an_edited_payload_file(imported, app, tmp_path) -> None:
    qid = quarantine_id("bad_date")
    _, doc = cli("quarantine", "show", str(qid), "--json")
    doc["payload"]["cells"]["来电时间"] = "2024-03-03 11:00"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(doc["payload"], ensure_ascii=False), encoding="utf-8")
    r, _ = cli("quarantine", "readmit", str(qid), "--payload", str(edited))
    assert r.exit_code == 0, r.output
    assert app.store.get("hotline:GD2")["received_at"].day == 3


def test_unknown_correction_key_named(imported) -> None:
    r, _ = cli("quarantine", "readmit", str(quarantine_id("bad_date")), "--set", "颜色=红")
    assert r.exit_code == 1 and "'颜色'" in r.stderr


def test_crawled_item_readmitted_with_a_field_set(app) -> None:
    url = "http://127.0.0.1:8765/board/thread/8800999.html"
    payload = {"url": url, "fields": {"title": "路灯不亮", "content": "", "received_at": "2026-11-02 09:00:00"}}
    app.store.quarantine("portal", "content: empty (neither title nor content has text)", payload,
                         source_ref=url, field="content")
    qid = app.store.quarantine_rows()[0]["id"]
    r, doc = cli("quarantine", "readmit", str(qid), "--set", "content=五四路路灯坏了一个月", "--json")
    assert r.exit_code == 0, r.output
    assert doc["record_id"] == "portal:8800999" and app.store.get("portal:8800999")["content"] == "五四路路灯坏了一个月"


def test_failed_page_cannot_be_readmitted(app) -> None:
    app.store.quarantine("portal", "HTTP 500 after retries", {"url": "http://127.0.0.1:8765/x", "status": 500},
                         source_ref="http://127.0.0.1:8765/x")
    qid = app.store.quarantine_rows()[0]["id"]
    r, _ = cli("quarantine", "readmit", str(qid))
    assert r.exit_code == 1 and "整页失败" in r.stderr


def test_run_ids_on_json_log_lines(home, write_csv) -> None:
    r = runner.invoke(app, ["--log-json", "import", str(write_csv(LINES)), "--json"])
    run_id = json.loads(r.stdout)["run_id"]
    lines = [json.loads(line) for line in r.stderr.splitlines() if line.startswith("{")]
    assert lines and all(line["run_id"] == run_id for line in lines if line["logger"].startswith("crawlers"))
