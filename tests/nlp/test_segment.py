"""Segmentation: our own tokenizer, the user dictionary from config, stop words, parallel cuts."""

import pickle

import jieba

from nlp.segment import Segmenter, gazetteer_words


def test_user_dictionary_keeps_gazetteer_names_whole(segmenter):
    assert "望江北路" in segmenter.cut("家住望江北路附近")
    assert "银杏苑小区" in segmenter.cut("银杏苑小区停车难")


def test_demand_terms_are_single_tokens(segmenter):
    toks = segmenter.cut("楼上装修噪音扰民,老板拖欠工资")
    assert "噪音扰民" in toks and "拖欠工资" in toks


def test_department_alias_is_a_token(segmenter):
    assert "住建局" in segmenter.cut("请住建局处理")


def test_stop_words_removed_from_tokens(segmenter):
    toks = segmenter.tokens("您好,麻烦您处理一下小区的问题")
    assert "您好" not in toks and "麻烦您" not in toks and "的" not in toks
    assert "小区" in toks


def test_punctuation_and_spaces_dropped(segmenter):
    assert all(t.strip() and t not in ",。!" for t in segmenter.tokens("停水了!  三天,没人管。"))


def test_own_tokenizer_not_global(segmenter):
    assert segmenter.tokenizer is not jieba.dt
    assert "望江北路" not in jieba.dt.FREQ or jieba.dt.FREQ.get("望江北路") is None


def test_gazetteer_words_deduplicated(small_config):
    words = gazetteer_words(small_config)
    assert words.count("长宁路") == 1 and "12345" in words


def test_pickled_copy_rebuilds_its_tokenizer(segmenter):
    copy = pickle.loads(pickle.dumps(segmenter))
    assert copy._tokenizer is None
    assert copy.cut("望江北路积水") == segmenter.cut("望江北路积水")


def test_tokens_many_parallel_matches_serial(segmenter):
    texts = [f"第{i}号楼望江北路积水严重,噪音扰民" for i in range(160)]
    serial = list(segmenter.tokens_many(texts, workers=1))
    parallel = list(segmenter.tokens_many(texts, workers=2, chunk=16))
    assert parallel == serial


def test_search_mode_yields_sub_words(segmenter):
    assert "中华" in segmenter.cut_for_search("中华人民共和国")


def test_default_segmenter_without_config():
    seg = Segmenter()
    assert seg.tokens("物业费太贵") 


SEARCH_TEXTS = ["小区楼下烧烤摊油烟扰民，晚上营业到凌晨两点", "中华人民共和国劳动合同法第三十条规定", "APP无法登录，客服电话打不通",
                "鼓楼区杨桥路88号噪音扰民", "", "   ", "请问2026年秋季学期开学时间？谢谢！", "清华大学计算机科学与技术系"]


def test_search_mode_matches_jieba():
    """The fast search-mode cut yields jieba's own cut_for_search tokens, in the same order."""
    seg = Segmenter(user_words=["噪音扰民"])
    for text in SEARCH_TEXTS:
        assert seg.cut_for_search(text) == list(seg.tokenizer.cut_for_search(text, HMM=True)), text


def test_search_mode_matches_jieba_on_real_messages(shared_datasets):
    import csv
    seg = Segmenter()
    path = shared_datasets / "teddy2020c" / "messages_with_votes.csv"
    with path.open(encoding="utf-8") as fh:
        texts = [(r["留言主题"] + r["留言详情"]).strip() for r, _ in zip(csv.DictReader(fh), range(800))]
    assert all(seg.cut_for_search(t) == list(seg.tokenizer.cut_for_search(t, HMM=True)) for t in texts)
