"""Keywords: TF-IDF on the installation's own corpus blended with TextRank."""

from nlp.keywords import DocFreq, KeywordExtractor, textrank


def test_doc_freq_counts_documents_not_occurrences():
    df = DocFreq()
    df.add([["物业", "物业", "停车"], ["物业"]])
    assert df.n_docs == 2 and df.df["物业"] == 2 and df.df["停车"] == 1


def test_rarer_word_has_higher_idf():
    df = DocFreq()
    df.add([["小区", "电梯"], ["小区"], ["小区"]])
    assert df.idf("电梯") > df.idf("小区")


def test_doc_freq_round_trip():
    df = DocFreq()
    df.add([["噪音", "工地"]])
    again = DocFreq.from_dict(df.to_dict())
    assert again.n_docs == 1 and again.df == df.df


def test_textrank_ranks_connected_word_first():
    tokens = ["电梯", "故障", "电梯", "维修", "电梯", "物业", "电梯", "投诉"]
    scores = textrank(tokens)
    assert max(scores, key=scores.get) == "电梯" and scores["电梯"] == 1.0


def test_textrank_ignores_numbers_and_single_chars():
    assert set(textrank(["2020", "楼", "噪音", "工地"])) == {"噪音", "工地"}


def test_textrank_empty():
    assert textrank([]) == {}


def test_local_corpus_demotes_common_words():
    """A word in every local document stops being a keyword once the corpus is large."""
    ex = KeywordExtractor(top_k=1, tfidf_weight=1.0, prior_docs=10)
    df = DocFreq()
    df.add([["小区", f"词{i}"] for i in range(500)])
    df.add([["小区", "电梯"]])
    assert ex.keywords(["小区", "电梯"], df) == ["电梯"]


def test_top_k_respected():
    ex = KeywordExtractor(top_k=3)
    toks = ["物业", "收费", "停车", "电梯", "绿化", "保安"]
    assert len(ex.keywords(toks, DocFreq())) == 3


def test_keywords_deterministic():
    ex = KeywordExtractor()
    toks = ["物业", "收费", "停车", "电梯", "物业", "收费"]
    assert ex.keywords(toks, DocFreq()) == ex.keywords(list(toks), DocFreq())
