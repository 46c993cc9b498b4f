from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from nlp.reply_features import FEATURE_NAMES
from nlp.reply_model import ReplyModel
from nlp.reply_quality import DEFAULT_WEIGHTS, ReplyQualityScorer, salient_bigrams

DEMAND = "小区物业乱收停车费，业委会投票不公开，请相关部门调查处理。"
GOOD = ("经现场核查，该小区物业公司收取停车费未经业主大会表决。根据《福州市物业管理条例》第三十条规定，"
        "我局已责令物业公司于5月10日前整改，目前已退还多收的停车费用。业委会投票事宜已督促街道指导重新组织。"
        "如有疑问请拨打联系电话。")
POINTS = ("1、关于停车费问题，经核实，物业公司收费未经业主大会表决，由于违反物业管理规定，我局已责令其退还多收费用，"
          "目前已全部退还。2、关于业委会投票不公开的问题，街道将于5月底前指导重新组织投票，并公示结果。"
          "如有疑问，请致电0591-12345678。")
REASONED = ("经调查，该小区停车位属于业主共有，物业公司收费标准未经业主大会同意，因此不符合规定。我局已约谈物业公司负责人，"
            "责令其停止收费并退还费用，目前已退还30户。下一步，街道将指导业委会公开投票结果。")
TRANSFER = "您反映的问题已转市公安局调查、核处。"
COURTESY = "关于小区物业停车费和业委会投票的问题，我们非常重视，感谢您对我们工作的关心和支持，欢迎继续监督。"
DEFERRAL = "您的留言已收悉，我们已将您反映的问题转相关部门进行处理，敬请关注后续回复。"
T = datetime(2026, 1, 1, 9, 0)
_HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def scorer() -> ReplyQualityScorer:
    return ReplyQualityScorer()


def test_no_reply_scores_zero(scorer):
    s = scorer.score(DEMAND, "")
    assert s.score == 0 and s.reasons == ["无答复"]


def test_boilerplate_scores_zero(scorer):
    s = scorer.score(DEMAND, "网友：您好！留言已收悉")
    assert s.score == 0 and "客套话" in s.reasons[0]


def test_long_reply_is_never_taken_for_a_greeting(scorer):
    s = scorer.score(DEMAND, "网友您好！" * 3 + GOOD)
    assert s.score > 0 and "客套话" not in s.reasons[0]


@pytest.mark.parametrize("reply", [GOOD, POINTS, REASONED, TRANSFER, COURTESY, DEFERRAL])
def test_every_part_has_reasons_in_chinese(scorer, reply):
    s = scorer.score(DEMAND, reply, T, T + timedelta(days=2))
    assert set(s.reasons_by_part) == {"relevance", "completeness", "explanation", "timeliness"}
    for part, notes in s.reasons_by_part.items():
        assert notes, part
        assert all(_HAN.search(n) for n in notes), notes
    assert s.reasons == [n for notes in s.reasons_by_part.values() for n in notes]
    # beyond the level line, the calibrated parts name at least one cue
    assert len(s.reasons_by_part["completeness"]) >= 2 and len(s.reasons_by_part["explanation"]) >= 2


@pytest.mark.parametrize("good", [GOOD, POINTS, REASONED])
@pytest.mark.parametrize("hollow", [TRANSFER, COURTESY, DEFERRAL, "网友：您好！留言已收悉"])
def test_clearly_good_replies_outrank_hollow_ones(scorer, good, hollow):
    g, h = scorer.score(DEMAND, good), scorer.score(DEMAND, hollow)
    assert g.score > h.score
    assert g.completeness > h.completeness and g.explanation > h.explanation


def test_hollow_reply_is_told_why(scorer):
    s = scorer.score(DEMAND, TRANSFER)
    assert any("没有调查、措施、结果" in r for r in s.reasons_by_part["completeness"])
    assert "答复主要是说明已转交其他部门" in s.reasons_by_part["explanation"]
    assert any(r.startswith("答复过短") for r in s.reasons_by_part["completeness"])


def test_reasons_name_what_the_reply_contains(scorer):
    comp = scorer.score(DEMAND, REASONED).reasons_by_part["completeness"]
    assert "答复说明开展了调查核实" in comp and "答复说明了采取的措施" in comp
    assert "答复说明了原因" in scorer.score(DEMAND, REASONED).reasons_by_part["explanation"]


def test_reasons_name_what_the_reply_lacks(scorer):
    expl = scorer.score(DEMAND, COURTESY).reasons_by_part["explanation"]
    assert "答复未说明原因" in expl


def test_level_lines_state_the_calibrated_figures(scorer):
    s = scorer.score(DEMAND, POINTS)
    assert s.reasons_by_part["completeness"][0].endswith(f"{s.completeness:.0%}")
    assert f"{s.explanation * 4:.1f}/4" in s.reasons_by_part["explanation"][0]


def test_part_methods_match_the_score(scorer):
    s = scorer.score(DEMAND, GOOD)
    assert scorer.completeness(GOOD)[0] == pytest.approx(s.completeness)
    assert scorer.explanation(GOOD)[0] == pytest.approx(s.explanation)


def test_irrelevant_reply_loses_relevance(scorer):
    off = scorer.score(DEMAND, "关于校车接送问题，教育局已安排专人负责，目前已恢复正常。")
    on = scorer.score(DEMAND, GOOD)
    assert off.relevance < 0.3 < on.relevance


def test_relevance_counts_the_demand_points_answered(scorer):
    demand = "小区门口路灯坏了三个月没人修。小区垃圾站臭气熏天无人清理。"
    one, notes = scorer.relevance(demand, "经现场核查，小区门口路灯线路老化，已于3月2日修复。")
    both, both_notes = scorer.relevance(demand, "小区门口路灯已修复；小区垃圾站已安排每日清理。")
    assert "答复回应了诉求中 1/2 处要点" in notes and "答复回应了诉求中 2/2 处要点" in both_notes
    assert both > one


def test_relevance_is_unknown_without_a_demand_and_left_out(scorer):
    s = scorer.score("", GOOD)
    assert s.relevance is None and "未评相关性" in s.reasons_by_part["relevance"][0]
    w_c, w_e = DEFAULT_WEIGHTS["completeness"], DEFAULT_WEIGHTS["explanation"]
    assert s.score == pytest.approx((w_c * s.completeness + w_e * s.explanation) / (w_c + w_e))


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
    assert without.reasons_by_part["timeliness"] == ["缺少诉求或答复时间，未评时效"]


def test_default_time_limit_applies_when_none_given():
    s = ReplyQualityScorer(default_time_limit=timedelta(days=2)).score(DEMAND, GOOD, T, T + timedelta(days=3))
    assert s.timeliness == pytest.approx(0.75) and s.response_days == pytest.approx(3.0)


def test_keywords_drive_relevance_when_given(scorer):
    assert scorer.relevance(DEMAND, GOOD, keywords=["停车费", "业委会"])[0] == 1.0
    value, notes = scorer.relevance(DEMAND, GOOD, keywords=["噪音", "工地"])
    assert value == 0.0 and "答复未提及：噪音、工地" in notes


def test_weights_are_configurable_and_checked():
    only_time = ReplyQualityScorer(weights={"relevance": 0, "completeness": 0, "explanation": 0, "timeliness": 1})
    assert only_time.score(DEMAND, "已处理完毕，目前已恢复。", T, T + timedelta(days=1)).score == 1.0
    with pytest.raises(ValueError):
        ReplyQualityScorer(weights={"speed": 1})


def test_a_given_model_is_used():
    """All-zero weights give equal odds per level: explanation 2/4, completeness P(level >= 2) = 3/5."""
    flat = ReplyModel(features=FEATURE_NAMES, levels=(0, 1, 2, 3, 4),
                      coef=tuple(tuple(0.0 for _ in FEATURE_NAMES) for _ in range(5)),
                      intercept=(0.0,) * 5, means=(0.0,) * len(FEATURE_NAMES), complete_from=2)
    s = ReplyQualityScorer(model=flat).score(DEMAND, GOOD)
    assert s.explanation == pytest.approx(0.5) and s.completeness == pytest.approx(0.6)


def _reference_bigrams(text: str) -> set[str]:
    weak = set("的了是在我你他她它们有这那和与及对也都就还很吗呢吧啊请您好谢感一个不人为以将把被")
    out = set()
    for run in re.findall(r"[\u4e00-\u9fff]+", text):
        out |= {run[i:i + 2] for i in range(len(run) - 1) if run[i] not in weak and run[i + 1] not in weak}
    return out


@pytest.mark.parametrize("text", ["小区的问题", DEMAND, GOOD, "的了是在", "好", "abc 物业 123 停车费"])
def test_salient_bigrams_skip_particles(text):
    assert salient_bigrams(text) == _reference_bigrams(text)
    assert "的问" not in salient_bigrams("小区的问题") and "小区" in salient_bigrams("小区的问题")


def test_scores_are_between_zero_and_one(scorer):
    for reply in (GOOD, "好", "《办法》" * 50, "2026年1月1日" * 20, "因此" * 300):
        s = scorer.score(DEMAND, reply, T, T + timedelta(days=1))
        for v in (s.score, s.relevance, s.completeness, s.explanation, s.timeliness):
            assert 0.0 <= v <= 1.0


def test_as_dict_rounds_and_keeps_reasons(scorer):
    d = scorer.score("", GOOD).as_dict()
    assert d["relevance"] is None and d["timeliness"] is None
    assert d["reasons_by_part"]["explanation"] and d["score"] == round(d["score"], 3)


@pytest.mark.shared_data
def test_real_replies_spread_over_the_scale(shared_datasets, scorer):
    import csv
    path = shared_datasets / "teddy2020c" / "messages_with_replies.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [r for _, r in zip(range(800), csv.DictReader(fh))]
    scores = [scorer.score(f"{r['留言主题']}\n{r['留言详情']}", r["答复意见"]).score for r in rows]
    boiler = [s for r, s in zip(rows, scores) if " ".join(r["答复意见"].split()) in ("网友：您好！留言已收悉", "已收悉")]
    assert len(boiler) >= 10 and all(s == 0 for s in boiler)
    assert 0.4 < sum(scores) / len(scores) < 0.8 and max(scores) > 0.85
