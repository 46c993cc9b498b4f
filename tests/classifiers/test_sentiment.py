from __future__ import annotations

import numpy as np
import pytest

from nlp.sentiment import (
    ComplaintLexicon, SentimentAnalyzer, SentimentModel, as_binary, complaint_sentences, shipped_model,
)


@pytest.fixture(scope="module")
def shipped():
    return shipped_model()


@pytest.fixture(scope="module")
def analyzer(shipped):
    return SentimentAnalyzer(shipped)


@pytest.mark.parametrize("text", ["问题至今没有解决", "对处理结果不满意", "反映多次一直没人管", "没有及时处理",
                                  "不是很满意", "部门互相推诿"])
def test_complaint_language_is_negative(analyzer, text):
    r = analyzer.analyze(text)
    assert r.label == "negative" and r.score < 0


@pytest.mark.parametrize("text", ["问题已经解决了，非常满意", "处理很及时，感谢工作人员", "服务热情周到"])
def test_thanks_are_positive(analyzer, text):
    assert analyzer.analyze(text).label == "positive"


def test_negation_flips_a_positive_word():
    lex = ComplaintLexicon()
    assert lex.score("很满意")[0] > 0
    score, hits = lex.score("不太满意")
    assert score < 0 and hits[0].term == "不太满意"


def test_negation_does_not_reach_across_punctuation():
    hits = ComplaintLexicon().hits("没有别的，很满意")
    assert [h.polarity for h in hits] == [1]


def test_non_negators_before_positive_words_do_not_flip():
    assert ComplaintLexicon().score("服务非常热情")[0] > 0


def test_inquiry_without_opinion_is_neutral(analyzer):
    assert analyzer.analyze("请问公积金提取需要哪些材料").label == "neutral"


def test_score_in_range(analyzer):
    for r in analyzer.analyze_many(["很好很好很好满意感谢点赞", "差差差不满意投诉没人管", ""]):
        assert -1 <= r.score <= 1


def test_shipped_model_reads_reviews(shipped):
    p = shipped.polarity(["质量很好，物流很快，推荐购买", "质量太差，用两天就坏了，退货"])
    assert p[0] > 0 > p[1]


def test_npz_round_trip_predicts_the_same(tmp_path, shipped):
    path = tmp_path / "m.npz"
    shipped.save_npz(path)
    again = SentimentModel.load_npz(path)
    texts = ["非常满意", "太失望了"]
    assert np.allclose(again.polarity(texts), shipped.polarity(texts), atol=1e-3)


def test_small_training_set_learns_and_remembers(fixtures_dir):
    from crawlers.importers.labelled import read_labelled
    data = read_labelled(fixtures_dir / "sentiment_small.csv", "review", "label")
    texts, labels = data.texts, data.labels
    model = SentimentModel().fit(texts, labels)
    assert model.seen(texts[0]) and not model.seen("从未见过的一句话")
    p = model.polarity(["感谢工作人员，非常满意", "非常不满意，没人管"])
    assert p[0] > p[1]


def test_training_needs_both_classes():
    with pytest.raises(ValueError, match="both"):
        SentimentModel().fit(["好", "很好"], [1, 1])


@pytest.mark.parametrize("raw,expected", [("1", 1), ("0", 0), ("pos", 1), ("negative", 0), ("正面", 1)])
def test_label_forms(raw, expected):
    assert as_binary(raw) == expected


def test_generated_sentences_are_balanced_and_labelled():
    texts, labels = complaint_sentences()
    assert len(texts) == len(labels) and set(labels) == {0, 1}
    assert any("没人管" in t for t, l in zip(texts, labels) if l == 0)
