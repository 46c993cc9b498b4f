"""The text stage in batches: the same results with and without worker processes."""

import numpy as np
import pytest

from nlp.keywords import DocFreq
from nlp.text_pipeline import TextDoc, TextPipeline, pack_result, unpack_result

MESSAGES = [
    ("望江北路积水", "望江北路积水严重，下雨天无法出行，希望尽快疏通排水管道。电话13812345678"),
    ("噪音扰民", "银杏苑小区楼下烧烤店噪音扰民，凌晨两点还在营业，严重影响休息。"),
    ("拖欠工资", "公司拖欠工资三个月共计12000元，我叫李明，联系人王芳。"),
    ("物业乱收费", "桂香社区物业乱收费，维修基金去向不明，要求公开账目。"),
    ("", "松风大道翠竹新村门口乱停车，堵塞消防通道 😡"),
]


def docs(n: int) -> list[TextDoc]:
    out = []
    for i in range(n):
        title, content = MESSAGES[i % len(MESSAGES)]
        out.append(TextDoc(f"t:{i}", title, f"{content}（第{i}次反映）", address="东湖区青柳街道" if i % 3 == 0 else None))
    return out


@pytest.fixture(scope="module")
def stage(small_config):
    return TextPipeline.from_config(small_config).warm()


def comparable(results):
    return [(r.record_id, r.normalized_text, r.masked_title, r.masked_text, r.tokens, r.keywords, r.places,
             r.district, None if r.signature is None else r.signature.tolist(), r.pii) for r in results]


def test_batches_equal_process_per_batch(stage):
    batches = [docs(40)[i:i + 13] for i in range(0, 40, 13)]
    df_a, df_b = DocFreq(), DocFreq()
    streamed = [comparable(b) for b in stage.process_batches(batches, df_a, chunk=4)]
    one_by_one = [comparable(stage.process(b, df_b, chunk=4)) for b in batches]
    assert streamed == one_by_one
    assert df_a.n_docs == df_b.n_docs == 40 and df_a.df == df_b.df


def test_two_workers_give_the_same_results_as_one_process(stage):
    batches = [docs(70)[i:i + 25] for i in range(0, 70, 25)]
    serial = [comparable(b) for b in stage.process_batches(batches, DocFreq(), chunk=8)]
    with stage.pool(2) as pool:
        parallel = [comparable(b) for b in stage.process_batches(batches, DocFreq(), pool, chunk=8)]
    assert parallel == serial
    assert [len(b) for b in parallel] == [25, 25, 20]


def test_keywords_use_the_batch_statistics(stage):
    result = stage.process(docs(10), DocFreq())
    assert all(r.keywords for r in result)
    assert "噪音扰民" in result[1].keywords
    assert all(not r.textrank and not r.term_counts for r in result)  # scratch data dropped after finish


def test_empty_batches_yield_empty_lists(stage):
    with stage.pool(2) as pool:
        out = list(stage.process_batches([[], docs(3), []], DocFreq(), pool))
    assert [len(b) for b in out] == [0, 3, 0]
    assert [r.record_id for r in out[1]] == ["t:0", "t:1", "t:2"]


def test_wire_round_trip_keeps_every_field(stage):
    r = stage.process_docs(docs(1))[0]
    back = unpack_result(pack_result(r))
    assert back.tokens == r.tokens and back.term_counts == r.term_counts and back.textrank == r.textrank
    assert back.signature.dtype == np.uint32 and np.array_equal(back.signature, r.signature)
    assert (back.record_id, back.normalized_text, back.masked_text, back.places, back.pii) == \
        (r.record_id, r.normalized_text, r.masked_text, r.places, r.pii)


def test_wire_round_trip_of_an_empty_text(stage):
    r = stage.process_docs([TextDoc("t:empty", "", "")])[0]
    back = unpack_result(pack_result(r))
    assert back.tokens == [] and back.signature is None and back.term_counts == {}


def test_masked_text_is_shown_in_chinese_punctuation(stage):
    r = stage.process_docs([TextDoc("t:p", "小区噪音!", "您好,楼下烧烤店噪音扰民,电话:13812345678,请尽快处理!")])[0]
    assert r.masked_title == "小区噪音！"
    assert r.masked_text == "您好，楼下烧烤店噪音扰民，电话：[手机号]，请尽快处理！"
    assert "," in r.normalized_text  # the models read the normalized (half-width) form
    assert "噪音扰民" in r.tokens and not any(t in r.tokens for t in "，,！!")
