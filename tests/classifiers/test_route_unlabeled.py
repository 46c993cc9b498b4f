from __future__ import annotations

import numpy as np
import pytest

from nlp.route_unlabeled import (EmbeddingParams, WordEmbeddings, overlapping, pseudo_labels,
                                 without_overlap)

TEST = ["A3区星沙路小区楼下烧烤店油烟扰民严重，晚上十二点还在营业，希望有关部门处理",
        "K8县某中学教师违规有偿补课，每名学生每月收费八百元，家长苦不堪言"]


def test_an_exact_copy_overlaps():
    assert overlapping([TEST[0]], TEST) == [True]


def test_a_resubmission_with_a_greeting_overlaps():
    again = "尊敬的领导您好！" + TEST[1].replace("八百元", "800元") + "。谢谢！"
    assert overlapping([again], TEST) == [True]


def test_a_message_contained_in_a_longer_one_overlaps():
    longer = TEST[0] + "。此前已经多次拨打12345热线，也向街道反映过，至今没有任何回复，油烟直接飘进卧室，孩子无法学习。"
    assert overlapping([longer], TEST) == [True]


def test_another_demand_with_the_same_boilerplate_does_not():
    other = "尊敬的领导您好！A3区星沙路路灯坏了两个月没人修，晚上出行很不安全，希望有关部门处理"
    assert overlapping([other], TEST) == [False]


def test_without_overlap_keeps_indexes_of_the_rest():
    unl = ["公交车到站不停，司机态度恶劣，多次投诉无果", TEST[1], "医院挂号难，排队三个小时"]
    assert without_overlap(unl, TEST) == [0, 2]


def test_pseudo_labels_cap_each_class_by_its_labelled_count():
    proba = np.array([[0.95, 0.05], [0.92, 0.08], [0.97, 0.03], [0.10, 0.90], [0.60, 0.40]])
    rows, names = pseudo_labels(proba, ["a", "b"], ["a", "a", "b", "b"], share=1.0, min_confidence=0.9)
    assert rows == [2, 0, 3] and names == ["a", "a", "b"]   # best first; row 1 over a's cap of 2


def test_pseudo_labels_respect_the_confidence_floor():
    proba = np.array([[0.7, 0.3], [0.2, 0.8]])
    assert pseudo_labels(proba, ["a", "b"], ["a", "b"], share=5.0, min_confidence=0.9) == ([], [])


def _corpus() -> list[list[str]]:
    """欠薪 and 拖欠工资 share their contexts; 补课 lives among school words."""
    rng = np.random.default_rng(0)
    out = []
    for i in range(300):
        wage = ["老板", "工地", "工人", "春节", "讨要"]
        school = ["学校", "老师", "学生", "周末", "收费"]
        ctx = [str(w) for w in rng.choice(wage, 3, replace=False)]
        out.append(ctx[:2] + ["欠薪" if i % 2 else "拖欠工资"] + ctx[2:])
        ctx = [str(w) for w in rng.choice(school, 3, replace=False)]
        out.append(ctx[:2] + ["补课"] + ctx[2:])
    return out


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


def test_words_sharing_contexts_get_close_document_vectors():
    emb = WordEmbeddings(EmbeddingParams(dim=16, epochs=30, skip_gram=True)).fit(_corpus())
    v = emb.transform([["欠薪"], ["拖欠工资"], ["补课"]])
    assert _cos(v[0], v[1]) > _cos(v[0], v[2]) + 0.1


def test_document_vectors_are_unit_length_or_zero():
    emb = WordEmbeddings(EmbeddingParams(dim=8)).fit(_corpus())
    v = emb.transform([["学校", "老师"], ["从未见过的词"], []])
    assert v.shape == (3, 8)
    assert np.isclose(np.linalg.norm(v[0]), 1.0) and not v[1].any() and not v[2].any()


def test_same_seed_same_vectors():
    a = WordEmbeddings(EmbeddingParams(dim=8)).fit(_corpus())
    b = WordEmbeddings(EmbeddingParams(dim=8)).fit(_corpus())
    assert a.index == b.index and np.array_equal(a.vectors, b.vectors)


def test_empty_corpus_is_an_error():
    with pytest.raises(ValueError):
        WordEmbeddings().fit([[], []])
