"""The views' compact record reads exactly like the dict it replaces, in far less memory."""

from __future__ import annotations

import tracemalloc
from datetime import datetime

import pytest

from nlp.view_record import FIELDS, ViewRecord


def row(i: int) -> dict:
    return {"id": f"hotline:GD{i:012d}", "source": "hotline", "channel": "微信", "district": "晋安区",
            "received_at": datetime(2025, 1, 1, 9, i % 60), "requester_type": "anonymous", "requester": None,
            "department_given": "住房和城乡建设局", "business_name": None, "status": "replied", "replied_at": None,
            "satisfaction": "满意", "votes_up": None, "votes_down": None, "title": f"反映小区水表阀门维修问题{i}",
            "keywords": ["房屋", "维修", "水表", "小区"], "places": ["鹤林新村", "晋安区"], "topic_id": i % 9,
            "topic_weight": 0.5, "sentiment_label": "negative", "sentiment_score": -0.2, "urgency_level": "medium",
            "department": "住房和城乡建设局", "dup_group": f"hotline:GD{i:012d}", "publication": None,
            "owner": "住房和城乡建设局"}


def test_it_reads_like_the_dict():
    d = row(7)
    r = ViewRecord(d)
    assert set(d) <= set(FIELDS)
    assert r["district"] == "晋安区" and r.get("owner") == "住房和城乡建设局" and r["topic_id"] == 7
    assert list(r["keywords"]) == d["keywords"] and list(r["places"]) == d["places"]
    assert {k: (list(v) if isinstance(v, tuple) else v) for k, v in r.items()} == d
    assert "title" in r and len(r) == len(d)


def test_an_absent_key_is_absent_and_methods_are_no_keys():
    d = row(1)
    del d["owner"]
    r = ViewRecord(d)
    assert "owner" not in r and r.get("owner") is None
    with pytest.raises(KeyError):
        r["owner"]
    with pytest.raises(KeyError):
        r["keys"]
    assert dict(r).keys() == d.keys()


def test_it_holds_under_half_the_memory_of_the_dicts():
    def held(make) -> int:
        tracemalloc.start()
        kept = [make(row(i)) for i in range(2000)]
        size = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        assert len(kept) == 2000
        return size

    import json
    as_dicts = held(lambda d: json.loads(json.dumps(d, default=str)))   # fresh strings per row, as from SQL
    compact = held(lambda d: ViewRecord(json.loads(json.dumps(d, default=str))))
    assert compact < 0.5 * as_dicts, (compact, as_dicts)
