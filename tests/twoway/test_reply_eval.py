from __future__ import annotations

from datetime import datetime

import pytest

from nlp.reply_eval import ReplyEvalError, evaluate_replies, parse_time, ranks, roc_auc, spearman

DEMAND = "小区物业乱收停车费，业委会投票不公开，请相关部门调查处理。"
POINTS = ("1、关于停车费问题，经核实，物业公司收费未经业主大会表决，由于违反物业管理规定，我局已责令其退还多收费用，"
          "目前已全部退还。2、关于业委会投票不公开的问题，街道将于5月底前指导重新组织投票，并公示结果。"
          "如有疑问，请致电0591-12345678。")
REASONED = ("经调查，该小区停车位属于业主共有，物业公司收费标准未经业主大会同意，因此不符合规定。我局已约谈物业公司负责人，"
            "责令其停止收费并退还费用，目前已退还30户。下一步，街道将指导业委会公开投票结果。")
TRANSFER = "您反映的问题已转市公安局调查、核处。"
COURTESY = "关于小区物业停车费和业委会投票的问题，我们非常重视，感谢您对我们工作的关心和支持，欢迎继续监督。"
BOILER = "网友：您好！留言已收悉"


def row(reply: str, **labels) -> dict:
    return {"诉求": DEMAND, "答复": reply, **labels}


def test_ranks_share_ties():
    assert ranks([3.0, 1.0, 3.0, 2.0]) == [3.5, 1.0, 3.5, 2.0]


def test_auc_counts_pairs_and_half_ties():
    assert roc_auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == pytest.approx(0.75)
    assert roc_auc([0.5, 0.5], [0, 1]) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        roc_auc([0.1, 0.2], [1, 1])


def test_spearman_on_mid_ranks():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) == pytest.approx(8 / 95 ** 0.5)
    assert spearman([1, 1, 1], [1, 2, 3]) is None


def test_binary_labels_give_an_auc():
    # the boilerplate reply (scored 0) is labelled complete: it loses its one pair against the transfer
    rows = [row(POINTS, 完整="1"), row(REASONED, 完整="1"), row(TRANSFER, 完整="0"), row(BOILER, 完整="1")]
    out = evaluate_replies(rows, "诉求", "答复", {"completeness": "完整"})
    assert out["completeness"] == {"auc": pytest.approx(2 / 3), "n": 4}
    assert out["n"] == 4 and out["rows_per_s"] > 0


def test_ordinal_labels_give_a_spearman():
    # explanation orders them boilerplate < transfer < courtesy < point-by-point; people swapped the middle two
    rows = [row(BOILER, 分=0), row(TRANSFER, 分=2), row(COURTESY, 分=1), row(POINTS, 分=3)]
    out = evaluate_replies(rows, "诉求", "答复", {"explanation": "分", "score": "分"})
    assert out["explanation"]["spearman"] == pytest.approx(0.8)
    assert set(out["score"]) == {"spearman", "n"}


def test_rows_can_be_any_iterable_of_dicts():
    rows = iter([row(POINTS, y=1), row(TRANSFER, y=0)])
    assert evaluate_replies(rows, "诉求", "答复", {"relevance": "y"})["relevance"]["auc"] == 1.0


def test_timeliness_from_time_columns_leaves_out_rows_without_times():
    rows = [dict(row(POINTS, 及时=1), 收到="2024/3/1 09:00:00", 答复时间="2024-03-05 10:00:00"),
            dict(row(POINTS, 及时=0), 收到="2024/3/1 09:00:00", 答复时间="2024-05-20 10:00:00"),
            dict(row(POINTS, 及时=1), 收到="", 答复时间="")]
    out = evaluate_replies(rows, "诉求", "答复", {"timeliness": "及时"}, received_col="收到", replied_col="答复时间")
    assert out["timeliness"] == {"auc": 1.0, "n": 2} and out["n"] == 3


def test_missing_column_is_named():
    with pytest.raises(ReplyEvalError, match="缺少列「答复」"):
        evaluate_replies([{"诉求": DEMAND, "y": 1}], "诉求", "答复", {"completeness": "y"})
    with pytest.raises(ReplyEvalError, match="缺少列「人工」.*第 2 行"):
        evaluate_replies([row(POINTS, 人工=1), row(TRANSFER)], "诉求", "答复", {"completeness": "人工"})
    with pytest.raises(ReplyEvalError, match="缺少列「收到」"):
        evaluate_replies([row(POINTS, y=1)], "诉求", "答复", {"completeness": "y"}, received_col="收到")


@pytest.mark.parametrize("bad,message", [("好", "无法解析为数字"), ("", "为空"), (None, "为空"), ("nan", "不是有效数字")])
def test_unparsable_label_names_row_and_column(bad, message):
    rows = [row(POINTS, 人工="1"), row(TRANSFER, 人工=bad)]
    with pytest.raises(ReplyEvalError, match=f"第 2 行的标签列「人工」{message}"):
        evaluate_replies(rows, "诉求", "答复", {"completeness": "人工"})


def test_labels_that_fit_neither_kind_are_refused():
    with pytest.raises(ReplyEvalError, match="须为 0/1"):
        evaluate_replies([row(POINTS, y=2), row(TRANSFER, y=1)], "诉求", "答复", {"completeness": "y"})
    with pytest.raises(ReplyEvalError, match="只有一个取值"):
        evaluate_replies([row(POINTS, y=1), row(TRANSFER, y=1)], "诉求", "答复", {"completeness": "y"})


def test_unknown_part_empty_table_and_no_labels_are_refused():
    with pytest.raises(ReplyEvalError, match="未知的评估部分：speed"):
        evaluate_replies([row(POINTS, y=1)], "诉求", "答复", {"speed": "y"})
    with pytest.raises(ReplyEvalError, match="没有可评估的行"):
        evaluate_replies([], "诉求", "答复", {"completeness": "y"})
    with pytest.raises(ReplyEvalError, match="未指定"):
        evaluate_replies([row(POINTS)], "诉求", "答复", {})
    assert issubclass(ReplyEvalError, ValueError)


@pytest.mark.parametrize("value,expected", [
    ("2019/5/16 10:02:03", datetime(2019, 5, 16, 10, 2, 3)),
    ("2019-05-16", datetime(2019, 5, 16)),
    ("43601", datetime(2019, 5, 16)),
    (datetime(2020, 1, 2), datetime(2020, 1, 2)),
    ("", None), ("昨天", None), (None, None),
])
def test_parse_time(value, expected):
    assert parse_time(value) == expected
