from __future__ import annotations

import json

import pytest

from typer.testing import CliRunner

from nlp.routing import Router
from nlp.sentiment import SentimentAnalyzer, shipped_model
from nlp.urgency import UrgencyRater
from nlp.stages.classify import Classifiers, ClassifyStage
from suqiu.model import Analysis, build_demand

MESSAGES = [
    ("A1", "小区电梯坏了", "小区电梯坏了一个月没人修，物业推诿，非常不满意", None),
    ("A2", "拖欠工资", "工地老板拖欠工资，春节前要回家过年", None),
    ("A3", "河道污染", "有人往河道排污", "环境保护"),
    ("A4", "咨询", "想咨询一件事情", None),
]


def _seed(app, segmenter):
    demands = [build_demand({"source": "hotline", "source_id": sid, "received_at": "2026-11-20 09:30:00",
                             "title": title, "content": content, "channel": "电话", "category_given": cat})
               for sid, title, content, cat in MESSAGES]
    app.store.upsert(demands)
    app.store.save_analysis([Analysis(record_id=d.id, normalized_text=f"{d.title}\n{d.content}",
                                      tokens=segmenter.tokens(d.content)) for d in demands], stage="analyze")
    return [d.id for d in demands]


def _classifiers(app, model=None):
    return Classifiers(Router.from_config(app.config, model), SentimentAnalyzer(shipped_model()), UrgencyRater())


def test_every_analyzed_record_gets_route_sentiment_and_urgency(app, segmenter, tiny_router):
    ids = _seed(app, segmenter)
    stats = ClassifyStage(_classifiers(app, tiny_router)).run(app).as_dict()
    assert stats["classified"] == 4
    for rid in ids:
        an = app.store.get_analysis(rid)
        assert an.department and an.route_reason in ("rule", "model", "triage")
        assert an.sentiment_label is not None and an.urgency_level is not None
    first = app.store.get_analysis("hotline:A1")
    assert first.sentiment_label == "negative"
    wages = app.store.get_analysis("hotline:A2")
    assert wages.urgency_level == "high" and wages.urgency_reasons == ["节前欠薪: 拖欠工资、春节"]
    river = app.store.get_analysis("hotline:A3")
    assert (river.department, river.route_reason) == ("生态环境局", "rule")


def test_text_stage_fields_are_kept(app, segmenter, tiny_router):
    _seed(app, segmenter)
    ClassifyStage(_classifiers(app, tiny_router)).run(app).as_dict()
    assert app.store.get_analysis("hotline:A1").normalized_text.startswith("小区电梯坏了")


def test_rerun_is_a_no_op(app, segmenter, tiny_router):
    _seed(app, segmenter)
    ClassifyStage(_classifiers(app, tiny_router)).run(app).as_dict()
    assert ClassifyStage(_classifiers(app, tiny_router)).run(app).as_dict()["classified"] == 0


def test_records_not_yet_analyzed_wait(app):
    app.store.upsert([build_demand({"source": "hotline", "source_id": "B1", "received_at": "2026-11-20 09:30:00",
                                    "title": "t", "content": "停水三天", "channel": "电话"})])
    assert ClassifyStage().run(app).as_dict()["classified"] == 0


def test_without_a_trained_model_keywords_or_triage(app, segmenter):
    _seed(app, segmenter)
    stats = ClassifyStage().run(app).as_dict()  # the installation's defaults: no router model, shipped sentiment
    assert stats["router_model"] is None
    assert app.store.get_analysis("hotline:A4").department == "待人工分派"
    assert app.store.get_analysis("hotline:A1").route_reason == "rule"  # 电梯 is a 住建 keyword


def test_trained_router_is_used_by_the_stage(app, segmenter, fixtures_dir):
    runner = CliRunner()
    from suqiu.cli import app as cli
    out = runner.invoke(cli, ["train", "router", "--from", str(fixtures_dir / "routing_train.csv"), "--json"])
    assert out.exit_code == 0, out.output
    info = json.loads(out.stdout.strip().splitlines()[-1])
    assert info["version"] == "v0001" and info["metrics"]["n_test"] >= 3
    _seed(app, segmenter)
    stats = ClassifyStage().run(app).as_dict()
    assert stats["router_model"] == "v0001"
    assert stats["by_reason"].get("model", 0) + stats["by_reason"].get("triage", 0) >= 1


def test_eval_routing_prints_one_json_line(home, fixtures_dir):
    out = CliRunner().invoke(__import__("suqiu.cli", fromlist=["app"]).app, [
        "eval", "routing", "--train", str(fixtures_dir / "routing_train.csv"),
        "--test", str(fixtures_dir / "routing_test.csv"), "--json"])
    assert out.exit_code == 0, out.output
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1
    r = json.loads(lines[0])
    assert {"accuracy", "macro_f1", "per_class_f1", "docs_per_s", "n_train", "n_test"} <= set(r)
    assert r["n_train"] == 36 and r["n_test"] == 6
    assert set(r["per_class_f1"]) <= {"住房和城乡建设局", "人力资源和社会保障局", "教育局"}


def test_eval_sentiment_with_train(home, fixtures_dir):
    from suqiu.cli import app as cli
    f = str(fixtures_dir / "sentiment_small.csv")
    out = CliRunner().invoke(cli, ["eval", "sentiment", "--train", f, "--test", f, "--json"])
    assert out.exit_code == 0, out.output
    r = json.loads(out.stdout.strip())
    assert r["n_seen_in_train"] == r["n_test"] == 12 and r["accuracy"] >= 0.9


def test_eval_sentiment_shipped_model(home, fixtures_dir):
    from suqiu.cli import app as cli
    out = CliRunner().invoke(cli, ["eval", "sentiment", "--test", str(fixtures_dir / "sentiment_small.csv"), "--json"])
    assert out.exit_code == 0, out.output
    r = json.loads(out.stdout.strip())
    assert r["accuracy"] >= 0.8 and r["n_seen_in_train"] == 0


def test_missing_column_is_a_clear_error(home, fixtures_dir):
    from suqiu.cli import app as cli
    out = CliRunner().invoke(cli, ["eval", "routing", "--train", str(fixtures_dir / "routing_train.csv"),
                                   "--test", str(fixtures_dir / "routing_test.csv"), "--text-col", "正文", "--json"])
    assert out.exit_code == 1
    assert "缺少列" in out.output and "正文" in out.output


# ------------------------------------------------------------------ unlabelled messages
def _teddy_like(path, rows):
    """An unlabelled export shaped like the Teddy Cup files: subject and detail columns."""
    import csv
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["留言编号", "留言主题", "留言详情"])
        for i, (subject, detail) in enumerate(rows):
            w.writerow([i, subject, detail])
    return path


UNLABELED_ROWS = [("工地老板拖欠工资", "\n\t\t春节前讨要工钱无果，工人没钱回家过年\n"),
                  ("学校周末违规补课", "老师私下组织有偿补课，每月收费"),
                  ("工地老板拖欠工资", "\n\t\t春节前讨要工钱无果，工人没钱回家过年\n")]   # a repost


def test_read_unlabeled_joins_subject_and_detail_once(tmp_path):
    from crawlers.importers.labelled import read_unlabeled
    texts = read_unlabeled([_teddy_like(tmp_path / "u.csv", UNLABELED_ROWS)])
    assert texts == ["工地老板拖欠工资春节前讨要工钱无果，工人没钱回家过年", "学校周末违规补课老师私下组织有偿补课，每月收费"]


def test_read_unlabeled_uses_a_text_column(fixtures_dir):
    from crawlers.importers.labelled import read_unlabeled
    assert len(read_unlabeled([fixtures_dir / "routing_test.csv"])) == 6


def test_read_unlabeled_without_a_text_column_is_a_clear_error(tmp_path):
    from crawlers.importers.labelled import LabelledFileError, read_unlabeled
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(LabelledFileError) as exc:
        read_unlabeled([path])
    assert "缺少文本列" in str(exc.value) and "留言主题+留言详情" in str(exc.value)


def test_eval_routing_drops_unlabelled_copies_of_test_messages(tmp_path, default_config, fixtures_dir):
    from crawlers.importers.labelled import read_labelled, read_unlabeled
    from nlp.training import eval_router
    test_copy = ("工厂拖欠员工工资不给", "")            # a test message, reposted
    unl = _teddy_like(tmp_path / "u.csv", UNLABELED_ROWS + [test_copy])
    tr = read_labelled(fixtures_dir / "routing_train.csv", "text", "label")
    te = read_labelled(fixtures_dir / "routing_test.csv", "text", "label")
    r = eval_router(default_config, (tr.texts, tr.labels), (te.texts, te.labels), unlabeled=read_unlabeled([unl]))
    assert (r["n_unlabeled"], r["n_unlabeled_dropped"]) == (2, 1)
    assert sum(row["support"] for row in r["per_class"].values()) == r["n_test"] == 6
    assert set(r["per_class"]["教育局"]) == {"precision", "recall", "f1", "support"}


def test_cli_eval_routing_with_unlabeled_prints_the_per_class_table(home, tmp_path, fixtures_dir):
    from suqiu.cli import app as cli
    unl = _teddy_like(tmp_path / "u.csv", UNLABELED_ROWS)
    args = ["eval", "routing", "--train", str(fixtures_dir / "routing_train.csv"),
            "--test", str(fixtures_dir / "routing_test.csv"), "--unlabeled", str(unl)]
    out = CliRunner().invoke(cli, args)
    assert out.exit_code == 0, out.output
    assert "精确率" in out.output and "召回率" in out.output and "教育局" in out.output
    r = json.loads(CliRunner().invoke(cli, args + ["--json"]).stdout.strip())
    assert r["n_unlabeled"] == 2 and "per_class" in r


def test_cli_train_router_records_the_unlabelled_files(home, tmp_path, fixtures_dir):
    from suqiu.cli import app as cli
    unl = _teddy_like(tmp_path / "u.csv", UNLABELED_ROWS)
    out = CliRunner().invoke(cli, ["train", "router", "--from", str(fixtures_dir / "routing_train.csv"),
                                   "--unlabeled", str(unl), "--json"])
    assert out.exit_code == 0, out.output
    info = json.loads(out.stdout.strip().splitlines()[-1])
    assert info["n_unlabeled"] == 2 and info["unlabeled_from"] == [str(unl.resolve())]
    assert "per_class" in info["metrics"]
