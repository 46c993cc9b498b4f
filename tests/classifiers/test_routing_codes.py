"""The router reads what a demand is about, not its numbers or anonymised place codes."""

from __future__ import annotations

import pickle
from dataclasses import replace

import numpy as np

from nlp.routing import RouteDoc, RouterModel, RouterModelParams

WAGES = ["工资", "拖欠", "老板", "工人", "讨薪"]
SCHOOL = ["学校", "补课", "老师", "学生", "收费"]


def _docs(words: list[str], n: int, seed: int, extra: list[str]) -> list[RouteDoc]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        toks = [str(w) for w in rng.choice(words, 3, replace=False)] + [str(rng.choice(extra))]
        out.append(RouteDoc("".join(toks), tuple(toks)))
    return out


def _labelled(wage_codes: list[str], school_codes: list[str]) -> tuple[list[RouteDoc], list[str]]:
    docs = _docs(WAGES, 12, 1, wage_codes) + _docs(SCHOOL, 12, 2, school_codes)
    return docs, ["人社局"] * 12 + ["教育局"] * 12


def test_numbers_and_place_codes_are_dropped_from_text_and_tokens():
    model = RouterModel()
    doc = RouteDoc("A3区K4县某小区2019年欠薪3.5万元，岳麓区", ("A3区", "K4县", "2019", "年", "欠薪", "3.5", "万元", "岳麓区"))
    clean = model._clean([doc])[0]
    assert not any(ch.isdigit() for ch in clean.text) and "A" not in clean.text and "K" not in clean.text
    assert clean.tokens == ("年", "欠薪", "万元", "岳麓区")   # a real place name stays
    assert "欠薪" in clean.text and "岳麓区" in clean.text


def test_off_keeps_the_docs_as_they_are():
    doc = RouteDoc("A3区2019年欠薪", ("A3区", "2019", "年", "欠薪"))
    assert RouterModel(RouterModelParams(ignore_codes=False))._clean([doc]) == [doc]


def test_a_code_seen_only_with_one_department_does_not_decide():
    # every wage message comes from A1区, every school message from B2区: a place, not a department
    docs, labels = _labelled(["A1区"], ["B2区"])
    probe = [RouteDoc("B2区", ("B2区",)), RouteDoc("A1区", ("A1区",))]
    on = RouterModel().fit(docs, labels).predict_proba(probe)
    assert np.allclose(on[0], on[1])                       # both read as the same empty text
    off = RouterModel(RouterModelParams(ignore_codes=False)).fit(docs, labels)
    assert off.predict(probe) == ["教育局", "人社局"]        # without the option the code decides


def test_numbers_do_not_change_a_prediction():
    docs, labels = _labelled(["小区"], ["街道"])
    model = RouterModel().fit(docs, labels)
    a = RouteDoc("老板拖欠工资30000元", ("老板", "拖欠", "工资", "30000", "元"))
    b = RouteDoc("老板拖欠工资12元", ("老板", "拖欠", "工资", "12", "元"))
    assert np.allclose(model.predict_proba([a]), model.predict_proba([b]))
    assert model.predict([a]) == ["人社局"]


def test_a_model_pickled_before_the_option_reads_text_as_it_was_trained():
    docs, labels = _labelled(["A1区"], ["B2区"])
    model = RouterModel(RouterModelParams(ignore_codes=False)).fit(docs, labels)
    old = replace(model.params)
    del old.__dict__["ignore_codes"]                        # what older versions pickled
    model.params = old
    loaded = pickle.loads(pickle.dumps(model))
    assert loaded.params.ignore_codes is False
    assert loaded.predict([RouteDoc("B2区", ("B2区",))]) == ["教育局"]


def test_prediction_needs_no_token_filter():
    docs, labels = _labelled(["A1区", "2019"], ["B2区", "30"])
    model = RouterModel().fit(docs, labels)
    probe = [RouteDoc("A1区老板拖欠工资2019年", ("A1区", "老板", "拖欠", "工资", "2019", "年")),
             RouteDoc("B2区学校补课30元", ("B2区", "学校", "补课", "30", "元"))]
    full = model._features(model._clean(probe))
    fast = model._features(model._clean(probe, tokens=False))
    assert abs(full - fast).max() < 1e-12
