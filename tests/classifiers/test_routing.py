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


# ------------------------------------------------------------------ learning from unlabelled messages
from dataclasses import replace  # noqa: E402

import numpy as np  # noqa: E402

from nlp.routing import RouterModel, RouterModelParams  # noqa: E402

WAGES = ["工资", "拖欠", "老板", "工人", "讨薪"]
SCHOOL = ["学校", "补课", "老师", "学生", "收费"]
SIDE = ["小区", "街道", "上午", "反映", "多次"]       # words both departments' messages share


def _synthetic(words: list[str], n: int, seed: int, extra: tuple[str, ...] = ()) -> list[RouteDoc]:
    """Messages of one department: three of its words, one shared word, ``extra`` words."""
    rng = np.random.default_rng(seed)
    docs = []
    for _ in range(n):
        toks = [str(w) for w in rng.choice(words, 3, replace=False)] + [str(rng.choice(SIDE))] + list(extra)
        docs.append(RouteDoc("".join(toks), tuple(toks)))
    return docs


def _labelled() -> tuple[list[RouteDoc], list[str]]:
    docs = _synthetic(WAGES, 12, 1) + _synthetic(SCHOOL, 12, 2)
    return docs, ["人社局"] * 12 + ["教育局"] * 12


FAST_REAL = RouterModelParams()   # the defaults: unlabelled vocabulary, no embeddings, no self-training
REAL_FLOOR = 0.90

# unlabelled wage messages that also say 报酬, a word (and characters) no labelled message uses
UNLABELED = _synthetic(WAGES, 40, 3, extra=("报酬",)) + _synthetic(SCHOOL, 40, 4)
NEW_WORD = RouteDoc("报酬", ("报酬",))


def _fast(**kw) -> RouterModelParams:
    return replace(RouterModelParams(embedding_weight=0.0), **kw)


def test_fit_accepts_unlabeled_and_keeps_the_api():
    docs, labels = _labelled()
    model = RouterModel(_fast()).fit(docs, labels, unlabeled=UNLABELED)
    assert model.classes_ == ["人社局", "教育局"] and model.n_unlabeled == 80
    proba = model.predict_proba(docs[:3])
    assert proba.shape == (3, 2) and np.allclose(proba.sum(axis=1), 1.0)
    assert model.predict([docs[0], docs[-1]]) == ["人社局", "教育局"]


def test_fit_without_unlabeled_is_the_labelled_model():
    docs, labels = _labelled()
    a = RouterModel(_fast()).fit(docs, labels)
    b = RouterModel(_fast()).fit(docs, labels, unlabeled=[])
    assert np.array_equal(a.predict_proba(docs), b.predict_proba(docs)) and a.n_unlabeled == 0


def test_unlabeled_words_join_the_word_vocabulary():
    docs, labels = _labelled()
    with_u = RouterModel(_fast()).fit(docs, labels, unlabeled=UNLABELED)
    without = RouterModel(_fast()).fit(docs, labels)
    assert "报酬" in with_u._vectorizers[2].vocabulary_ and "报酬" not in without._vectorizers[2].vocabulary_


def test_pseudo_labels_teach_a_word_only_unlabelled_messages_use():
    docs, labels = _labelled()
    plain = RouterModel(_fast()).fit(docs, labels, unlabeled=UNLABELED)
    selftrained = RouterModel(_fast(pseudo_label_share=3.0, pseudo_label_confidence=0.6)).fit(
        docs, labels, unlabeled=UNLABELED)
    assert selftrained.n_pseudo_labels > 0 and plain.n_pseudo_labels == 0
    wages = selftrained.classes_.index("人社局")
    assert selftrained.predict_proba([NEW_WORD])[0, wages] > plain.predict_proba([NEW_WORD])[0, wages] + 0.1
    assert selftrained.predict([NEW_WORD]) == ["人社局"]


def test_embedding_block_is_trained_only_with_unlabeled_messages():
    docs, labels = _labelled()
    params = RouterModelParams(embedding_weight=1.0, embedding_dim=16)
    assert RouterModel(params).fit(docs, labels)._embeddings is None
    model = RouterModel(params).fit(docs, labels, unlabeled=UNLABELED)
    assert model._embeddings is not None and "报酬" in model._embeddings.index
    assert model.predict([docs[0], docs[-1]]) == ["人社局", "教育局"]


def test_same_seed_same_model_with_unlabeled():
    docs, labels = _labelled()
    params = RouterModelParams(embedding_weight=1.0, embedding_dim=16, pseudo_label_share=0.5, pseudo_label_confidence=0.6)
    a = RouterModel(params).fit(docs, labels, unlabeled=UNLABELED)
    b = RouterModel(params).fit(docs, labels, unlabeled=UNLABELED)
    probe = docs + [NEW_WORD]
    assert np.array_equal(a.predict_proba(probe), b.predict_proba(probe))


def test_model_trained_with_unlabeled_pickles(tmp_path):
    from nlp.model_store import ModelStore
    docs, labels = _labelled()
    model = RouterModel(RouterModelParams(embedding_weight=1.0, embedding_dim=16)).fit(docs, labels, unlabeled=UNLABELED)
    store = ModelStore(tmp_path)
    store.save("router", model)
    loaded, _ = store.load("router")
    assert np.allclose(loaded.predict_proba(docs), model.predict_proba(docs))


def test_triage_still_catches_a_demand_between_two_departments():
    docs, labels = _labelled()
    model = RouterModel(RouterModelParams(embedding_weight=1.0, embedding_dim=16)).fit(docs, labels, unlabeled=UNLABELED)
    router = Router.from_config(_config(), model)   # the shipped threshold, 0.55
    mixed = ["工资", "拖欠", "学校", "补课"]
    d = router.route(RouteDoc("".join(mixed), tuple(mixed)))
    assert d.reason == TRIAGE and d.confidence < 0.55
    clear = router.route(docs[0])
    assert (clear.reason, clear.department) == (MODEL, "人社局")


@pytest.mark.slow
def test_teddy_cup_five_fold_with_unlabeled(shared_datasets, default_config):
    """The real figure, on the faster setting (no embeddings): see bench/eval_routing.py for the rest."""
    from sklearn.model_selection import StratifiedKFold

    from nlp.evaluation import evaluate
    from crawlers.importers.labelled import read_labelled, read_unlabeled
    from nlp.route_unlabeled import without_overlap
    from nlp.text_pipeline import TextPipeline
    from nlp.training import route_docs

    teddy = shared_datasets / "teddy2020c"
    pipeline = TextPipeline.from_config(default_config).warm()
    rules = DepartmentRules.from_config(default_config)
    data = read_labelled(teddy / "messages_labeled.csv", "text", "label")
    raw, labels = data.texts, data.labels
    docs = route_docs(default_config, raw, pipeline)
    y = np.array([rules.map_label(l) for l in labels])
    unl_raw = read_unlabeled([teddy / "messages_unlabeled.csv", teddy / "messages_with_votes.csv",
                              teddy / "messages_with_replies.csv"])
    unl = route_docs(default_config, unl_raw, pipeline)
    f1s, cleared, cleared_acc = [], [], []
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(np.zeros(len(y)), y):
        keep = without_overlap(unl_raw, [raw[i] for i in te])
        model = RouterModel(FAST_REAL).fit([docs[i] for i in tr], list(y[tr]), unlabeled=[unl[i] for i in keep])
        proba = model.predict_proba([docs[i] for i in te])
        pred = np.array([model.classes_[j] for j in proba.argmax(axis=1)])
        f1s.append(evaluate(list(y[te]), list(pred))["macro_f1"])
        ok = proba.max(axis=1) >= default_config.routing.confidence_threshold
        cleared.append(ok.mean())
        cleared_acc.append((pred[ok] == y[te][ok]).mean())
    assert np.mean(f1s) >= REAL_FLOOR
    assert 0.85 <= np.mean(cleared) < 1.0          # some demands still go to triage
    assert np.mean(cleared_acc) > np.mean(f1s)     # and those the model keeps are the surer ones


def test_a_model_pickled_before_unlabelled_support_still_predicts():
    import pickle
    docs, labels = _labelled()
    model = RouterModel(_fast()).fit(docs, labels)
    for name in ("_embeddings", "n_unlabeled", "n_pseudo_labels"):   # what older versions lacked
        del model.__dict__[name]
    loaded = pickle.loads(pickle.dumps(model))
    assert loaded.predict([docs[0]]) == ["人社局"] and loaded.n_unlabeled == 0
