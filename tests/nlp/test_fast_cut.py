"""nlp.fast_cut must cut exactly as jieba's accurate mode does, on the same dictionary."""

import csv
import pickle

import pytest

from nlp.fast_cut import DagCutter, HmmCutter

# made-up messages covering what the cutter branches on: unknown names (HMM), digits and decimals,
# letters, symbols jieba keeps inside blocks (+#&._%-), spaces and line breaks, emoji, traditional
# characters, user-dictionary words, repeated clauses (cache), single characters
TEXTS = [
    "望江北路积水严重，银杏苑小区物业不作为，噪音扰民已经三个月了！",
    "您好，我叫欧阳晓岚，住在东湖区青柳街道桂香社区，电话[手机号]。",
    "公司拖欠工资共计12345.67元，涨幅达3.5%，老板张伟明拒不支付。",
    "C++ 培训机构 A&B Co. 退费难，订单号 No.2024-0001 至今未处理 😡😡",
    "臺北來的朋友說這裡的公車太擠了\n\n\t请尽快处理",
    "长宁路长宁路长宁路，松风大道翠竹新村门口乱停车。",
    "嗯", "", "   ", "ABC abc 123", "龘靐齉爩鱻麤", "維修基金被挪用？？？",
    "小区门口的烧烤摊油烟扰民，希望城管部门尽快处理。小区门口的烧烤摊油烟扰民，希望城管部门尽快处理。",
]


def _walks():
    """Both dictionary walks: the C one (when the extension was built at install) and the Python one."""
    from nlp.fast_cut import compiled_index
    built = compiled_index() is not None
    return [pytest.param(True, id="c", marks=pytest.mark.skipif(not built, reason="nlp._dag_route not built")),
            pytest.param(False, id="python")]


@pytest.fixture(params=_walks())
def cutter(request, segmenter) -> DagCutter:
    return DagCutter(segmenter.tokenizer, compiled=request.param)


@pytest.mark.parametrize("text", TEXTS)
def test_same_tokens_as_jieba(segmenter, cutter, text):
    assert cutter.lcut(text) == segmenter.tokenizer.lcut(text, HMM=True)


def test_segmenter_cut_uses_it_and_matches_jieba(segmenter):
    for text in TEXTS:
        assert segmenter.cut(text) == segmenter.tokenizer.lcut(text, HMM=True)


def test_user_dictionary_words_survive(cutter):
    assert "望江北路" in cutter.lcut("望江北路积水")
    assert "噪音扰民" in cutter.lcut("楼下噪音扰民")


def test_cache_returns_same_cut_and_clears(cutter):
    first = cutter.lcut(TEXTS[0])
    assert cutter._blocks
    assert cutter.lcut(TEXTS[0]) == first
    cutter.clear_cache()
    assert not cutter._blocks and not cutter._hmm
    assert cutter.lcut(TEXTS[0]) == first


def test_the_c_walk_is_built_here():
    """The test command installs with a C compiler present; a silent fallback would hide a broken build."""
    from nlp.fast_cut import compiled_index
    assert compiled_index() is not None


def test_asking_for_a_missing_c_walk_is_an_error(segmenter, monkeypatch):
    import nlp.fast_cut as fc
    monkeypatch.setattr(fc, "compiled_index", lambda: None)
    with pytest.raises(RuntimeError, match="not built"):
        fc.DagCutter(segmenter.tokenizer, compiled=True)
    assert fc.DagCutter(segmenter.tokenizer)._index is None  # default: the Python walk


def test_cache_is_bounded(segmenter):
    small = DagCutter(segmenter.tokenizer, cache_size=3)
    for i in range(10):
        small.lcut(f"第{i}号楼漏水")
    assert len(small._blocks) <= 3


def test_hmm_matches_jieba_finalseg():
    from jieba import finalseg
    hmm = HmmCutter()
    samples = ["欧阳晓岚", "张伟明", "龘靐齉爩", "abc123", "3.5%", "王小二ab12", "的", "李", "鱻鱻鱻鱻鱻鱻鱻鱻"]
    for s in samples:
        assert hmm.cut(s) == list(finalseg.cut(s))


def test_hmm_honours_force_split_words():
    from jieba import finalseg
    hmm = HmmCutter()
    word = hmm.cut("欧阳晓岚")[0]
    finalseg.add_force_split(word)
    try:
        assert hmm.cut("欧阳晓岚") == list(finalseg.cut("欧阳晓岚"))
    finally:
        finalseg.Force_Split_Words.discard(word)


def test_segmenter_pickle_rebuilds_the_cutter(segmenter):
    segmenter.cut("望江北路")
    copy = pickle.loads(pickle.dumps(segmenter))
    assert copy._cutter is None
    assert copy.cut(TEXTS[1]) == segmenter.cut(TEXTS[1])


def test_same_tokens_as_jieba_on_real_messages(segmenter, cutter, shared_datasets):
    """Every Teddy Cup message with votes (a few thousand real texts) cuts identically."""
    path = shared_datasets / "teddy2020c" / "messages_with_votes.csv"
    if not path.exists():
        pytest.skip(f"{path} absent")
    with open(path, encoding="utf-8", newline="") as fh:
        texts = [f"{r.get('留言主题') or ''}\n{r.get('留言详情') or ''}" for r in csv.DictReader(fh)]
    assert len(texts) > 1000
    mismatched = [t[:40] for t in texts if cutter.lcut(t) != segmenter.tokenizer.lcut(t, HMM=True)]
    assert mismatched == []


def test_equal_scores_break_towards_the_longer_first_word(tmp_path):
    """甲乙|丙 and 甲|乙丙 score exactly the same here; jieba's max() keeps the later end (甲乙)."""
    import jieba
    path = tmp_path / "dict.txt"
    path.write_text("甲乙 5\n乙丙 5\n甲 3\n丙 3\n", encoding="utf-8")
    tok = jieba.Tokenizer(str(path))
    tok.initialize()
    assert tok.lcut("甲乙丙", HMM=False) == ["甲乙", "丙"]
    from nlp.fast_cut import compiled_index
    for walk in [False] + ([True] if compiled_index() else []):
        assert DagCutter(tok, compiled=walk).lcut("甲乙丙") == tok.lcut("甲乙丙", HMM=True) == ["甲乙", "丙"]
