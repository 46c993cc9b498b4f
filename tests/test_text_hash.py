"""The text hash a record is stored with must never change for the same text (or every record of
a history would look edited and be analysed again): the faster dump gives the same hash."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from suqiu.model import CONTENT_FIELDS, build_demand
from suqiu.store.records import text_hash


def reference(demand) -> str:   # the formula the stored hashes were made with
    payload = {f: demand.model_dump(mode="json").get(f) for f in CONTENT_FIELDS}
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def test_the_text_hash_is_the_one_stored_before():
    demands = [
        build_demand({"source": "hotline", "source_id": "1", "channel": "电话", "title": "噪音扰民",
                      "content": "楼下烧烤店油烟", "district": "鼓楼区", "received_at": datetime(2026, 11, 2, 9, 30)}),
        build_demand({"source": "review", "source_id": "r9", "title": "", "content": "服务很好", "rating": 4.5,
                      "business_name": "某某餐厅", "received_at": datetime(2025, 1, 1)}),
        build_demand({"source": "portal", "source_id": "p2", "content": "咨询学位", "address": "杨桥路88号",
                      "category_given": "教育", "department_given": "教育局", "requester_type": "enterprise",
                      "received_at": datetime(2024, 2, 29, 23, 59, 59)}),
    ]
    for d in demands:
        assert text_hash(d) == reference(d)
