from datetime import datetime

import pytest

from suqiu.model import SHANGHAI, Demand, RecordError, Source, Status, build_demand


def _raw(**kw):
    base = {"source": "hotline", "source_id": "GD-1", "received_at": "2026-11-20 09:30:00",
            "content": "小区楼下餐馆油烟扰民，晚上十点还在营业。"}
    base.update(kw)
    return base


def test_valid_record_gets_stable_id():
    d = build_demand(_raw())
    assert d.id == "hotline:GD-1"


def test_naive_time_is_shanghai():
    d = build_demand(_raw())
    assert d.received_at.tzinfo == SHANGHAI
    assert d.received_at.hour == 9


def test_aware_time_is_converted_to_shanghai():
    d = build_demand(_raw(received_at="2026-11-20T01:30:00+00:00"))
    assert d.received_at.hour == 9


def test_missing_content_names_field():
    with pytest.raises(RecordError) as e:
        build_demand(_raw(content=""))
    assert e.value.field == "content"


def test_bad_date_names_field():
    with pytest.raises(RecordError) as e:
        build_demand(_raw(received_at="昨天下午"))
    assert e.value.field == "received_at"


def test_unknown_source_names_field():
    with pytest.raises(RecordError) as e:
        build_demand(_raw(source="fax"))
    assert e.value.field == "source"


def test_unknown_field_is_rejected():
    with pytest.raises(RecordError) as e:
        build_demand(_raw(colour="red"))
    assert e.value.field == "colour"


def test_huge_content_rejected_with_reason():
    with pytest.raises(RecordError) as e:
        build_demand(_raw(content="字" * 60_000))
    assert e.value.field == "content" and "50000" in e.value.reason


def test_negative_votes_rejected():
    with pytest.raises(RecordError) as e:
        build_demand(_raw(votes_up=-1))
    assert e.value.field == "votes_up"


def test_source_id_with_newline_rejected():
    with pytest.raises(RecordError) as e:
        build_demand(_raw(source_id="a\nb"))
    assert e.value.field == "source_id"


def test_emoji_and_script_kept_verbatim():
    d = build_demand(_raw(content="太吵了😡<script>alert(1)</script>"))
    assert "😡" in d.content and "<script>" in d.content


def test_content_hash_ignores_crawl_run():
    a = build_demand(_raw(crawl_run="r1"))
    b = build_demand(_raw(crawl_run="r2"))
    assert a.content_hash() == b.content_hash()


def test_content_hash_changes_with_reply():
    a = build_demand(_raw())
    b = build_demand(_raw(reply_text="已处理"))
    assert a.content_hash() != b.content_hash()


def test_text_joins_title_and_content():
    d = build_demand(_raw(title="油烟扰民"))
    assert d.text.startswith("油烟扰民\n")


def test_defaults():
    d = Demand(source=Source.PORTAL, source_id="9", received_at=datetime(2026, 1, 1), content="x")
    assert d.status is Status.RECEIVED and d.requester_type.value == "individual"
