from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from nlp.reply_quality import ReplyQualityScorer, salient_bigrams

DEMAND = "小区物业乱收停车费，业委会投票不公开，请相关部门调查处理。"
GOOD = ("经现场核查，该小区物业公司收取停车费未经业主大会表决。根据《福州市物业管理条例》第三十条规定，"
        "我局已责令物业公司于5月10日前整改，目前已退还多收的停车费用。业委会投票事宜已督促街道指导重新组织。"
        "如有疑问请拨打联系电话。")
T = datetime(2026, 1, 1, 9, 0)


@pytest.fixture
def scorer() -> ReplyQualityScorer:
    return ReplyQualityScorer()


def test_no_reply_scores_zero(scorer):
    s = scorer.score(DEMAND, "")
    assert s.score == 0 and s.reasons == ["无答复"]


def test_boilerplate_scores_zero(scorer):
    s = scorer.score(DEMAND, "网友：您好！留言已收悉")
    assert s.score == 0 and "客套话" in s.reasons[0]


def test_substantive_reply_scores_high_with_reasons(scorer):
    s = scorer.score(DEMAND, GOOD, T, T + timedelta(days=3))
    assert s.score > 0.9
    assert s.timeliness == 1.0 and s.explanation == 1.0
    assert any("条例" in r for r in s.reasons) and any("未超时限" in r for r in s.reasons)


def test_irrelevant_reply_loses_relevance(scorer):
    off = scorer.score(DEMAND, "关于校车接送问题，教育局已安排专人负责，目前已恢复正常。")
    on = scorer.score(DEMAND, GOOD)
    assert off.relevance < 0.3 < on.relevance


def test_reply_without_measures_results_or_time_is_incomplete(scorer):
    s = scorer.score(DEMAND, "关于小区物业停车费和业委会投票的问题，我们非常重视，感谢您对我们工作的关心和支持，欢迎继续监督。")
    assert s.completeness < 0.3
    assert "未说明处理措施" in s.reasons and "未给出办理时间" in s.reasons


def test_explanation_needs_a_rule_or_a_reason(scorer):
    assert scorer.explanation("由于该路段属于规划红线范围，因此暂不设置停车位。")[0] >= 0.8
    assert scorer.explanation("已安排处理。")[0] == 0.0
    # a quoted column or post title is not a policy
    assert scorer.explanation("您在《问政西地省》栏目的留言已收悉")[0] == 0.0


def test_timeliness_decays_after_the_limit(scorer):
    limit = timedelta(days=10)
    assert scorer.timeliness(T, T + timedelta(days=9), limit)[0] == 1.0
    assert scorer.timeliness(T, T + timedelta(days=20), limit)[0] == pytest.approx(0.5)
    assert scorer.timeliness(T, T + timedelta(days=40), limit)[0] == 0.0
    assert scorer.timeliness(T, None, limit)[0] is None


def test_unknown_timeliness_is_left_out_of_the_mean(scorer):
    with_time = scorer.score(DEMAND, GOOD, T, T + timedelta(days=100))
    without = scorer.score(DEMAND, GOOD)
    assert without.timeliness is None and without.score > with_time.score


def test_keywords_drive_relevance_when_given(scorer):
    assert scorer.relevance(DEMAND, GOOD, keywords=["停车费", "业委会"])[0] == 1.0
    assert scorer.relevance(DEMAND, GOOD, keywords=["噪音", "工地"])[0] == 0.0


def test_weights_are_configurable_and_checked():
    only_time = ReplyQualityScorer(weights={"relevance": 0, "completeness": 0, "explanation": 0, "timeliness": 1})
    assert only_time.score(DEMAND, "已处理完毕，目前已恢复。", T, T + timedelta(days=1)).score == 1.0
    with pytest.raises(ValueError):
        ReplyQualityScorer(weights={"speed": 1})


def test_salient_bigrams_skip_particles():
    assert "的问" not in salient_bigrams("小区的问题") and "小区" in salient_bigrams("小区的问题")


def test_scores_are_between_zero_and_one(scorer):
    for reply in (GOOD, "好", "《办法》" * 50, "2026年1月1日" * 20):
        s = scorer.score(DEMAND, reply, T, T + timedelta(days=1))
        assert 0.0 <= s.score <= 1.0


@pytest.mark.shared_data
def test_real_replies_spread_over_the_scale(shared_datasets, scorer):
    import csv
    path = shared_datasets / "teddy2020c" / "messages_with_replies.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [r for _, r in zip(range(300), csv.DictReader(fh))]
    scores = [scorer.score(f"{r['留言主题']}\n{r['留言详情']}", r["答复意见"]).score for r in rows]
    boiler = [s for r, s in zip(rows, scores) if " ".join(r["答复意见"].split()) == "网友：您好！留言已收悉"]
    assert all(s == 0 for s in boiler)
    assert 0.4 < sum(scores) / len(scores) < 0.85 and max(scores) > 0.9
