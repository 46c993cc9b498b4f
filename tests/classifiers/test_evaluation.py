from __future__ import annotations

import pytest

from nlp.evaluation import evaluate, per_class_f1


def test_perfect_predictions():
    r = evaluate(["a", "b"], ["a", "b"], seconds=0.5)
    assert r["accuracy"] == r["macro_f1"] == 1.0 and r["docs_per_s"] == 4.0


def test_per_class_f1_by_hand():
    # a: tp=1 fp=1 fn=1 → 0.5 ; b: tp=1 fp=1 fn=1 → 0.5 ; c: fp=0 fn=0 tp=1 → 1
    f1 = per_class_f1(["a", "a", "b", "b", "c"], ["a", "b", "b", "a", "c"])
    assert f1 == {"a": 0.5, "b": 0.5, "c": 1.0}


def test_invented_label_costs_f1():
    r = evaluate(["a", "a"], ["a", "z"])
    assert r["per_class_f1"]["z"] == 0.0 and r["macro_f1"] == pytest.approx(0.3333, abs=1e-4)


def test_extras_and_untimed():
    r = evaluate([1], [1], n_test=1)
    assert r["docs_per_s"] is None and r["n_test"] == 1


def test_length_mismatch_and_empty_are_errors():
    with pytest.raises(ValueError):
        per_class_f1(["a"], [])
    with pytest.raises(ValueError):
        evaluate([], [])


def test_per_class_table_by_hand():
    from nlp.evaluation import per_class_table
    table = per_class_table(["a", "a", "a", "b"], ["a", "a", "b", "c"])
    assert table["a"] == {"precision": 1.0, "recall": 0.6667, "f1": 0.8, "support": 3}
    assert table["b"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert table["c"]["support"] == 0   # a class only the model invents is listed too
