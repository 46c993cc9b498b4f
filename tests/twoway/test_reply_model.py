from __future__ import annotations

import json

import pytest

from nlp.reply_calibration import cross_validate, fit_model, near_duplicate_groups, read_scored_replies
from nlp.reply_features import FEATURE_NAMES, clean_reply, reply_features
from nlp.reply_model import FORMAT, ReplyModel, ReplyModelError, load_model, shipped_model

REPLY = ("经调查核实，该路段属于规划红线范围，因此暂不设置停车位。根据《城市道路管理条例》第二十条，"
         "我局已安排巡查，下一步将于6月底前完成标线施划。如有疑问请致电0000-00000000。")


@pytest.fixture(scope="module")
def shipped() -> ReplyModel:
    return shipped_model()


def test_shipped_model_records_how_it_was_made(shipped):
    assert shipped.features == FEATURE_NAMES and shipped.levels == (0, 1, 2, 3, 4)
    meta = shipped.meta
    assert meta["rows"] == 283 and meta["C"] > 0 and meta["source"].endswith("reply_explainability_scores.csv")
    assert f">= {shipped.complete_from}" in meta["label_protocol"]
    assert meta["cross_validation"]["explanation_spearman"]["mean"] >= 0.5


def test_probabilities_sum_to_one_and_parts_follow(shipped):
    p = shipped.predict(reply_features(clean_reply(REPLY)))
    assert sum(p.probabilities) == pytest.approx(1.0)
    assert p.explanation == pytest.approx(p.expected_level / 4)
    assert p.completeness == pytest.approx(sum(p.probabilities[shipped.complete_from:]))


def test_round_trip_through_json(tmp_path, shipped):
    path = tmp_path / "w.json"
    shipped.save(path)
    again = load_model(path)
    x = reply_features(clean_reply(REPLY))
    assert again.predict(x).explanation == pytest.approx(shipped.predict(x).explanation, abs=1e-7)
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == FORMAT


@pytest.mark.parametrize("change,message", [
    (lambda d: d.update(format="other"), "format"),
    (lambda d: d.update(features=d["features"][:-1]), "other features"),
    (lambda d: d["coef"].pop(), "one coefficient row"),
    (lambda d: d["coef"][0].pop(), "one value per feature"),
    (lambda d: d.update(complete_from=9), "complete_from"),
    (lambda d: d.pop("means"), "missing"),
])
def test_bad_weights_files_are_refused(shipped, change, message):
    data = json.loads(json.dumps(shipped.to_json()))
    change(data)
    with pytest.raises(ReplyModelError, match=message):
        ReplyModel.from_json(data)


@pytest.mark.parametrize("j", range(len(FEATURE_NAMES)))
def test_effects_are_the_first_order_change_of_each_part(shipped, j):
    x = reply_features(clean_reply(REPLY))
    expl, comp = shipped.effects(x, shipped.predict(x).probabilities)
    h = 1e-5
    up, down = list(x), list(x)
    up[j] += h
    down[j] -= h
    d_expl = (shipped.predict(up).explanation - shipped.predict(down).explanation) / (2 * h)
    d_comp = (shipped.predict(up).completeness - shipped.predict(down).completeness) / (2 * h)
    assert expl[j] == pytest.approx((x[j] - shipped.means[j]) * d_expl, abs=1e-6)
    assert comp[j] == pytest.approx((x[j] - shipped.means[j]) * d_comp, abs=1e-6)


def test_near_duplicates_share_a_fold_group():
    a = "您的留言已收悉。关于您反映的问题，已转F1区调查处理。"
    b = "您的留言已收悉。关于您反映的问题，已转F2区调查处理。"
    g = near_duplicate_groups([a, b, REPLY])
    assert g[0] == g[1] != g[2]


def test_fit_learns_the_order_of_small_made_up_levels():
    hollow = ["您反映的问题已转相关部门处理。", "留言收悉，已转交区城管局。", "已转交属地街道核实办理。"]
    facts = ["经现场核查，该处路灯线路老化，已安排维修。", "经调查核实，物业公司已整改到位。", "经核实，垃圾已清运完毕。"]
    reasons = ["由于该路段属于规划红线范围，因此暂不设置停车位，下一步将增设指示牌。",
               "因该小区未移交市政管理，故暂不能纳入改造，待移交后将统一实施。",
               "由于学位已满，按照就近原则调剂到相邻学校，如有疑问请致电教育局。"]
    texts = hollow * 3 + facts * 3 + reasons * 3
    levels = [0] * 9 + [2] * 9 + [4] * 9
    model = fit_model(texts, levels, c=1.0, complete_from=2)
    e = [model.predict(reply_features(clean_reply(t))).explanation for t in (hollow[0], facts[0], reasons[0])]
    assert e[0] < e[1] < e[2]


@pytest.mark.shared_data
def test_shipped_recipe_agrees_with_people_on_held_out_folds(shared_datasets, shipped):
    """Refit per fold with the shipped C: held-out Spearman with people's 0–4 scores, and completeness AUC."""
    texts, levels = read_scored_replies(shared_datasets / "teddy2020c" / "reply_explainability_scores.csv")
    cv = cross_validate(texts, levels, c=shipped.meta["C"], repeats=2, complete_from=shipped.complete_from)
    assert cv["explanation_spearman"]["min"] >= 0.45
    assert cv[f"completeness_auc_ge{shipped.complete_from}"]["min"] >= 0.8
    assert cv["explanation_auc_ge3"]["min"] >= 0.75


@pytest.mark.shared_data
def test_shipped_weights_are_what_the_fit_script_makes(shared_datasets, shipped):
    from nlp.reply_calibration import file_digest
    path = shared_datasets / "teddy2020c" / "reply_explainability_scores.csv"
    assert shipped.meta["source_sha256"] == file_digest(path)
    texts, levels = read_scored_replies(path)
    refit = fit_model(texts, levels, c=shipped.meta["C"], complete_from=shipped.complete_from)
    for t in texts[:60]:
        x = reply_features(clean_reply(t))
        assert refit.predict(x).explanation == pytest.approx(shipped.predict(x).explanation, abs=1e-4)
