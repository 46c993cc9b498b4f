from __future__ import annotations

import tomllib

import pytest

from nlp.routing import MODEL, RULE, TRIAGE, DepartmentRules, RouteDoc, Router
from suqiu.config import ConfigError, default_config_text, parse_config


def _doc(seg, text: str, category: str | None = None) -> RouteDoc:
    return RouteDoc(text, tuple(seg.tokens(text)), category)


def _config(**routing):
    data = tomllib.loads(default_config_text())
    data["routing"].update(routing)
    return parse_config(data)


def test_teddy_labels_map_to_configured_departments(default_config):
    rules = DepartmentRules.from_config(default_config)
    assert rules.map_label("城乡建设") == "住房和城乡建设局"
    assert rules.map_label("劳动和社会保障") == "人力资源和社会保障局"
    assert rules.map_label("环境保护") == "生态环境局"


def test_unknown_label_is_kept(default_config):
    assert DepartmentRules.from_config(default_config).map_label("  民政 ") == "民政"


def test_model_classes_are_departments(tiny_router):
    assert tiny_router.classes_ == ["人力资源和社会保障局", "住房和城乡建设局", "教育局"]


def test_model_routes_held_out_messages(tiny_router, segmenter, fixtures_dir):
    from crawlers.importers.labelled import read_labelled
    data = read_labelled(fixtures_dir / "routing_test.csv", "text", "label")
    texts, labels = data.texts, data.labels
    pred = tiny_router.predict([_doc(segmenter, t) for t in texts])
    expected = [{"城乡建设": "住房和城乡建设局", "劳动和社会保障": "人力资源和社会保障局",
                 "教育文体": "教育局"}[l] for l in labels]
    assert sum(p == e for p, e in zip(pred, expected)) >= 5


def test_probabilities_sum_to_one(tiny_router, segmenter):
    proba = tiny_router.predict_proba([_doc(segmenter, "公司拖欠工资")])
    assert proba.shape == (1, 3)
    assert abs(proba.sum() - 1) < 1e-6


def test_confident_model_decision_is_model(tiny_router, segmenter):
    router = Router.from_config(_config(confidence_threshold=0.0), tiny_router)
    d = router.route(_doc(segmenter, "学校违规补课收费，老师体罚学生"))
    assert (d.reason, d.department) == (MODEL, "教育局")


def test_rule_wins_over_model_where_configured(tiny_router, segmenter):
    data = tomllib.loads(default_config_text())
    data["routing"]["rules"] = [{"department": "城管局", "keywords": ["电梯"]}]
    router = Router.from_config(parse_config(data), tiny_router)
    text = "小区电梯频繁故障困人，物业不修"
    assert tiny_router.predict([_doc(segmenter, text)]) == ["住房和城乡建设局"]
    d = router.route(_doc(segmenter, text))
    assert (d.department, d.reason, d.confidence) == ("城市管理局", RULE, 1.0)
    assert d.matched == ("电梯",)


def test_rule_with_require_needs_every_word(tiny_router, segmenter):
    data = tomllib.loads(default_config_text())
    data["routing"]["rules"] = [{"department": "城市管理局", "keywords": ["电梯"], "require": ["广告"]}]
    router = Router.from_config(parse_config(data), tiny_router)
    assert router.route(_doc(segmenter, "小区电梯频繁故障困人")).reason != RULE
    assert router.route(_doc(segmenter, "电梯里贴满小广告")).department == "城市管理局"


def test_department_keywords_do_not_override_model_by_default(tiny_router, segmenter):
    router = Router.from_config(_config(confidence_threshold=0.0), tiny_router)
    # 学校 is an 教育局 keyword, but the text is about wages
    d = router.route(_doc(segmenter, "学校食堂拖欠员工工资三个月"))
    assert d.reason == MODEL


def test_keywords_override_when_configured(tiny_router, segmenter):
    router = Router.from_config(_config(keywords_override=True), tiny_router)
    d = router.route(_doc(segmenter, "交通局管的公交站点太远"))
    assert (d.department, d.reason) == ("交通运输局", RULE)
    assert "公交" in d.matched


def test_given_category_wins(tiny_router, segmenter):
    router = Router.from_config(_config(), tiny_router)
    d = router.route(_doc(segmenter, "公司拖欠工资三个月不发", category="环境保护"))
    assert (d.department, d.reason) == ("生态环境局", RULE)


def test_given_category_ignored_when_switched_off(tiny_router, segmenter):
    router = Router.from_config(_config(use_given_category=False, confidence_threshold=0.0), tiny_router)
    d = router.route(_doc(segmenter, "公司拖欠工资三个月不发", category="环境保护"))
    assert d.department == "人力资源和社会保障局"


def test_below_threshold_goes_to_triage_with_candidates(tiny_router, segmenter):
    router = Router.from_config(_config(confidence_threshold=0.99, candidates=2), tiny_router)
    d = router.route(_doc(segmenter, "请问这件事归哪里管"))
    assert d.department == "待人工分派"
    assert d.reason == TRIAGE
    assert len(d.candidates) == 2
    assert d.candidates[0]["score"] >= d.candidates[1]["score"]
    assert d.confidence == d.candidates[0]["score"] < 0.99


def test_triage_queue_name_comes_from_config(tiny_router, segmenter):
    router = Router.from_config(_config(confidence_threshold=1.0, triage_queue="人工"), tiny_router)
    assert router.route(_doc(segmenter, "学校违规补课")).department == "人工"


def test_without_model_keywords_route(segmenter, default_config):
    router = Router.from_config(default_config)
    d = router.route(_doc(segmenter, "河道污水排污严重，有恶臭"))
    assert (d.department, d.reason) == ("生态环境局", RULE)
    assert set(d.matched) >= {"污水", "排污", "恶臭"}


def test_without_model_and_without_keywords_goes_to_triage(segmenter, default_config):
    d = Router.from_config(default_config).route(_doc(segmenter, "想咨询一件事情"))
    assert (d.department, d.reason, d.candidates) == ("待人工分派", TRIAGE, [])


def test_without_model_a_keyword_tie_goes_to_triage(segmenter, default_config):
    d = Router.from_config(default_config).route(_doc(segmenter, "学校门口的公交"))
    assert d.reason == TRIAGE
    assert {c["department"] for c in d.candidates} == {"教育局", "交通运输局"}


def test_rule_for_unknown_department_is_a_config_error():
    data = tomllib.loads(default_config_text())
    data["routing"]["rules"] = [{"department": "外星局", "keywords": ["飞碟"]}]
    with pytest.raises(ConfigError) as exc:
        parse_config(data)
    assert exc.value.key == "routing.rules[0].department"
