"""``suqiu eval replies``: the reply scorer against people's labels, from any export the importers read."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crawlers.importers.labelled import read_columns
from nlp.reply_eval import evaluate_replies
from suqiu.cli import app as cli

FIXTURE = Path(__file__).parent / "fixtures" / "replies_labelled.csv"
BASE = ["eval", "replies", "--test", str(FIXTURE), "--demand-col", "诉求", "--reply-col", "答复"]


def run(*args: str):
    return CliRunner().invoke(cli, [*BASE, *args])


def test_prints_one_json_line_with_auc_for_binary_and_spearman_for_ordinal():
    out = run("--label", "completeness=完整", "--label", "explanation=解释程度", "--json")
    assert out.exit_code == 0, out.output
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1
    r = json.loads(lines[0])
    assert set(r["completeness"]) == {"auc", "n"} and set(r["explanation"]) == {"spearman", "n"}
    assert r["n"] == 12 and r["rows_per_s"] > 0
    assert 0.0 <= r["completeness"]["auc"] <= 1.0 and -1.0 <= r["explanation"]["spearman"] <= 1.0


def test_figures_equal_the_library_on_the_same_rows():
    out = run("--label", "completeness=完整", "--label", "score=解释程度", "--json")
    rows = read_columns(FIXTURE, ["诉求", "答复", "完整", "解释程度"])
    lib = evaluate_replies(rows, "诉求", "答复", {"completeness": "完整", "score": "解释程度"})
    r = json.loads(out.stdout)
    assert r["completeness"]["auc"] == pytest.approx(lib["completeness"]["auc"])
    assert r["score"]["spearman"] == pytest.approx(lib["score"]["spearman"])


def test_timeliness_needs_both_time_columns():
    out = run("--label", "timeliness=完整", "--received-col", "受理时间", "--json")
    assert out.exit_code == 1 and "--replied-col" in out.output
    out = run("--label", "timeliness=完整", "--received-col", "受理时间", "--replied-col", "答复时间", "--json")
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["timeliness"]["n"] == 12


def test_missing_column_names_the_column():
    out = run("--label", "explanation=人工评分", "--json")
    assert out.exit_code == 1
    assert "缺少列" in out.output and "人工评分" in out.output and out.stdout == ""


def test_unparsable_label_names_the_row(tmp_path):
    bad = tmp_path / "bad.csv"
    with bad.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["诉求", "答复", "完整"])
        w.writerow(["电梯坏了", "已修好", "1"])
        w.writerow(["电梯坏了", "已转办", "好"])
    out = CliRunner().invoke(cli, ["eval", "replies", "--test", str(bad), "--demand-col", "诉求",
                                   "--reply-col", "答复", "--label", "completeness=完整", "--json"])
    assert out.exit_code == 1
    assert "第 2 行" in out.output and "无法解析" in out.output


@pytest.mark.parametrize("spec, says", [("completeness", "部分=列名"), ("=完整", "部分=列名"),
                                        ("quality=完整", "未知的评估部分")])
def test_malformed_label_option(spec, says):
    out = run("--label", spec, "--json")
    assert out.exit_code == 1 and says in out.output


def test_relevance_without_demand_column_is_an_error():
    out = CliRunner().invoke(cli, ["eval", "replies", "--test", str(FIXTURE), "--reply-col", "答复",
                                   "--label", "relevance=完整", "--json"])
    assert out.exit_code == 1 and "--demand-col" in out.output


def test_gb18030_export_reads_the_same(tmp_path):
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(FIXTURE.read_text(encoding="utf-8").encode("gb18030"))
    a = json.loads(run("--label", "explanation=解释程度", "--json").stdout)
    out = CliRunner().invoke(cli, ["eval", "replies", "--test", str(gbk), "--demand-col", "诉求", "--reply-col", "答复",
                                   "--label", "explanation=解释程度", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["explanation"] == a["explanation"]


def test_people_scores_on_shared_data(shared_datasets):
    """The 283 real replies with people's 0–4 scores: no demand column, so relevance stays out."""
    path = shared_datasets / "teddy2020c" / "reply_explainability_scores.csv"
    if not path.exists():
        pytest.skip(f"{path} absent")
    out = CliRunner().invoke(cli, ["eval", "replies", "--test", str(path), "--reply-col", "reply_text",
                                   "--label", "explanation=explainability_score",
                                   "--label", "score=explainability_score", "--json"])
    assert out.exit_code == 0, out.output
    r = json.loads(out.stdout)
    assert r["n"] == 283 and r["explanation"]["n"] == 283
    assert -1.0 <= r["explanation"]["spearman"] <= 1.0 and "spearman" in r["score"]
