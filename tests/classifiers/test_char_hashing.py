"""The numpy hashed character n-grams give exactly sklearn's HashingVectorizer counts."""

import random

import numpy as np
import pytest
from sklearn.feature_extraction.text import HashingVectorizer

from nlp.char_hashing import HashedCharNgrams, murmur3_32
from nlp.char_ngrams import ngram_codes
from nlp.sentiment import SentimentModel, clean, shipped_model

EDGES = ["", "a", "AB  c\n\nd", "噪音扰民 严重！！ 😀x", "é ü ß Ω", "\u00ff\u0800\uffff\U00010000z", "  ", "工地夜间施工噪音"]


def _random_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    pools = [(32, 127), (0x80, 0x800), (0x4E00, 0x9FFF), (0x10000, 0x1FFFF)]
    return ["".join(chr(rng.randrange(*rng.choice(pools))) for _ in range(rng.randrange(0, 40))) for _ in range(n)]


def _sklearn(texts, ngrams=(1, 3), n_features=2 ** 17):
    return HashingVectorizer(analyzer="char", ngram_range=ngrams, n_features=n_features,
                             alternate_sign=False, norm=None).transform(texts)


@pytest.mark.parametrize("ngrams", [(1, 1), (1, 2), (1, 3), (2, 3)])
def test_counts_equal_sklearn_on_every_kind_of_character(ngrams):
    texts = EDGES + _random_texts(300, seed=1)
    ours = HashedCharNgrams(ngrams, 2 ** 17).transform(texts)
    assert ours.shape == (len(texts), 2 ** 17)
    assert (ours != _sklearn(texts, ngrams)).nnz == 0


def test_murmur_matches_sklearn_murmurhash3_32():
    from sklearn.utils import murmurhash3_32
    grams = ["a", "噪", "噪音", "噪音扰", "😀x", "\u00ffé", "ω😀工"]  # lower case: codes are of lower-cased text
    codes = np.concatenate([ngram_codes(g, (len(g), len(g))) for g in grams])
    assert murmur3_32(codes).tolist() == [murmurhash3_32(g, seed=0) for g in grams]


def test_cache_across_batches_and_after_a_reset_gives_the_same_counts():
    texts = _random_texts(400, seed=2)
    hasher = HashedCharNgrams((1, 3), 2 ** 10, max_cache=3000)   # small: collisions and resets
    batches = [hasher.transform(texts[i:i + 50]) for i in range(0, len(texts), 50)]
    expected = _sklearn(texts, n_features=2 ** 10)
    for i, X in enumerate(batches):
        assert (X != expected[i * 50:(i + 1) * 50]).nnz == 0
    assert len(hasher._codes) <= 3000


def test_sentiment_polarity_is_unchanged_by_the_numpy_hashing():
    model = shipped_model()
    texts = EDGES + ["小区噪音严重，投诉多次无人处理", "感谢工作人员及时解决", "请问如何办理居住证"]
    X = _sklearn([clean(t) for t in texts], model.params.ngrams, model.params.n_features)
    X.data = 1.0 + np.log(X.data)   # the model's sublinear tf
    assert abs(model._hashed(texts) - X).max() < 1e-12
    assert isinstance(SentimentModel().params.n_features, int)
