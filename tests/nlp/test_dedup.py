"""Near-duplicates: signatures ignore formatting and PII; groups merge under the oldest name."""

import numpy as np
import pytest

from nlp.dedup import DupIndex, MinHasher, core_text, similarity

BASE = ("小区门口的垃圾站每天早上五点开始清运,垃圾车噪音很大,严重影响居民休息,"
        "而且垃圾站周边污水横流,气味难闻,希望相关部门尽快协调把垃圾站搬迁或者调整清运时间。")
OTHER = ("本人在某公司工作三年,公司已经连续四个月拖欠工资,老板失联,多次找劳动监察大队反映,"
         "至今没有结果,请求相关部门帮助我们追讨被拖欠的工资。")


@pytest.fixture(scope="module")
def hasher():
    return MinHasher()


def test_core_text_drops_tags_punctuation_case():
    assert core_text("电话[手机号], ABC 小区!") == "电话abc小区"


def test_signature_is_deterministic_across_instances():
    assert np.array_equal(MinHasher().signature(BASE), MinHasher().signature(BASE))


def test_short_text_has_no_signature(hasher):
    assert hasher.signature("很好") is None


def test_greeting_added_is_near_duplicate(hasher):
    a, b = hasher.signature(BASE), hasher.signature("尊敬的领导您好:" + BASE + "谢谢!")
    assert similarity(a, b) >= 0.6


def test_masked_phone_difference_does_not_matter(hasher):
    a = hasher.signature(BASE + "联系电话[手机号]")
    b = hasher.signature(BASE + "联系电话 [手机号]。")
    assert similarity(a, b) == 1.0


def test_unrelated_texts_are_far_apart(hasher):
    assert similarity(hasher.signature(BASE), hasher.signature(OTHER)) < 0.2


def test_index_groups_duplicates_under_first_id(hasher):
    idx = DupIndex(hasher)
    assert idx.add("a", hasher.signature(BASE)).group is None
    res = idx.add("b", hasher.signature("您好," + BASE))
    assert res.group == "a" and idx.group("a") == "a" and idx.group("b") == "a"
    assert idx.add("c", hasher.signature(OTHER)).group is None


def test_index_merges_groups_to_oldest(hasher):
    idx = DupIndex(hasher, threshold=0.25)
    x, y = BASE, OTHER
    idx.add("g1", hasher.signature(x))
    idx.add("g1b", hasher.signature(x + "谢谢"))
    idx.add("g2", hasher.signature(y))
    idx.add("g2b", hasher.signature(y + "谢谢"))
    bridge = x[: len(x) * 2 // 3] + y[: len(y) * 2 // 3]  # about 0.4 similar to each group
    res = idx.add("bridge", hasher.signature(bridge))
    assert res.group == "g1" and res.merged == {"g2": "g1"}
    assert {idx.group(k) for k in ("g1", "g1b", "g2", "g2b", "bridge")} == {"g1"}


def test_load_restores_groups(hasher):
    idx = DupIndex(hasher)
    idx.load([("a", hasher.signature(BASE), "a"), ("b", hasher.signature(BASE + "。"), "a")])
    assert idx.add("c", hasher.signature("您好" + BASE)).group == "a"
    assert idx.size("a") == 3


def test_re_adding_changed_record_leaves_group(hasher):
    idx = DupIndex(hasher)
    idx.add("a", hasher.signature(BASE))
    idx.add("b", hasher.signature(BASE + "。"))
    assert idx.add("b", hasher.signature(OTHER)).group is None
    assert idx.group("b") is None


def test_batch_signatures_equal_one_by_one():
    from nlp.dedup import MinHasher
    h = MinHasher()
    texts = ["小区门口烧烤摊油烟扰民，晚上营业到凌晨两点", "", "短", "[手机号][姓名]",
             "望江北路积水严重，下雨天无法出行，希望尽快疏通排水管道", "ABC abc 123 望江北路积水严重"]
    batch = h.signatures(texts)
    for text, sig in zip(texts, batch):
        single = h.signature(text)
        assert (sig is None) == (single is None)
        if single is not None:
            assert sig.dtype == np.uint32 and np.array_equal(sig, single)
    assert h.signatures([]) == [] and h.signatures(["", "短"]) == [None, None]
