"""The index's search-mode tokens: the per-word table changes speed, never the tokens."""

from __future__ import annotations

import pickle

from nlp.segment import Segmenter
from search.segmentation import SearchSegmenter, clean_tokens

TEXTS = ["小区楼下烧烤摊油烟扰民，晚上营业到凌晨两点", "中华人民共和国劳动合同法第三十条规定", "APP无法登录，客服电话打不通",
         "鼓楼区杨桥路88号噪音扰民", "", "   ", "请问2026年秋季学期开学时间？谢谢！", "清华大学计算机科学与技术系",
         "【手机号】 联系人：【姓名】\n物业公司不作为", "噪音扰民噪音扰民，中华人民共和国"]


def test_search_tokens_are_jiebas_search_mode_cleaned():
    seg = Segmenter(user_words=["噪音扰民"])
    search = SearchSegmenter(seg)
    for _ in range(2):   # the second pass reads every word from the table
        for text in TEXTS:
            expected = clean_tokens(seg.tokenizer.cut_for_search(text, HMM=True)) if text else []
            assert search.search_tokens(text) == expected, text


def test_the_table_is_bounded():
    search = SearchSegmenter(Segmenter())
    search.CACHE_LIMIT = 5
    for text in TEXTS:
        search.search_tokens(text)
    assert len(search._expanded) <= 5 + max(len(Segmenter().cut(t)) for t in TEXTS)


def test_a_pickled_segmenter_leaves_its_table_behind():
    search = SearchSegmenter(Segmenter())
    search.search_tokens(TEXTS[0])
    copy = pickle.loads(pickle.dumps(search))
    assert copy._expanded == {} and copy.search_tokens(TEXTS[0]) == search.search_tokens(TEXTS[0])


def test_documents_segmented_by_workers_match_the_backend_and_keep_their_order():
    from search.backends.base import SearchBackend
    from search.prepare import BATCH, segmenting

    search = SearchSegmenter(Segmenter())
    docs = [{"id": f"d{i}", "title": TEXTS[i % len(TEXTS)], "content": TEXTS[(i * 7) % len(TEXTS)]}
            for i in range(BATCH * 2 + 17)]
    with segmenting(search, len(docs), workers=2) as seg:
        assert seg.workers == 2
        out = list(seg.apply(iter(docs)))
    assert [d["id"] for d in out] == [d["id"] for d in docs]
    prepare = SearchBackend.prepare_document.__get__(type("B", (), {"segmenter": search})())
    assert all(d == prepare(o) for d, o in zip(out, docs))


def test_a_small_run_is_segmented_by_the_backend_itself():
    from search.prepare import segmenting

    docs = [{"id": "a", "title": "", "content": TEXTS[0]}]
    with segmenting(SearchSegmenter(Segmenter()), len(docs)) as seg:
        assert seg.workers == 1 and list(seg.apply(docs)) == docs
