from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from nlp.char_ngrams import CharNgramTfidf, ngram_codes

TEXTS = ["小区电梯坏了一个月没人修，物业推诿", "工地老板拖欠工资  春节前要回家过年", "学校违规补课收费 ABC abc",
         "河道排污\n\n有恶臭", "电梯又坏了", "物业不修电梯"]


def _as_sklearn_columns(ours: CharNgramTfidf, sk: TfidfVectorizer) -> np.ndarray:
    names = sk.get_feature_names_out()
    codes = np.array([ngram_codes(n, (len(n), len(n)))[0] for n in names], dtype=np.uint64)
    return np.searchsorted(ours.vocabulary_codes, codes)


@pytest.mark.parametrize("ngram_range,min_df", [((1, 2), 1), ((1, 2), 2), ((1, 3), 1), ((2, 3), 2)])
def test_same_matrix_as_sklearn(ngram_range, min_df):
    sk = TfidfVectorizer(analyzer="char", ngram_range=ngram_range, sublinear_tf=True, min_df=min_df).fit(TEXTS)
    ours = CharNgramTfidf(ngram_range, min_df=min_df).fit(TEXTS)
    assert len(ours.vocabulary_codes) == len(sk.vocabulary_)
    probe = TEXTS + ["电梯物业都不管，工资也拖欠"]
    expected = sk.transform(probe).toarray()
    got = ours.transform(probe).toarray()[:, _as_sklearn_columns(ours, sk)]
    assert np.allclose(got, expected, atol=1e-12)


def test_ngrams_of_different_lengths_never_share_a_code():
    uni, bi = ngram_codes("a", (1, 1)), ngram_codes("\x00a", (2, 2))
    assert uni[0] != bi[0]


def test_unknown_and_empty_texts_are_zero_rows():
    m = CharNgramTfidf((1, 2)).fit(["电梯坏了"])
    X = m.transform(["", "完全不同"])
    assert X.shape == (2, len(m.vocabulary_codes)) and X.nnz == 0


def test_ngram_range_beyond_three_is_refused():
    with pytest.raises(ValueError):
        ngram_codes("电梯", (1, 4))
