"""Tiny seed data for the web tests: users, demands with analysis, indexed in the embedded backend."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from suqiu.model import SHANGHAI, Analysis, build_demand

PASSWORDS = {"office": "office-pass-1", "jt": "jt-pass-001", "hb": "hb-pass-001", "pub": "pub-pass-001"}
JT, HB = "交通运输局", "生态环境局"
XSS_TEXT = "<script>alert('xss')</script><img src=x onerror=alert(1)>工地夜间噪音扰民"
FORMULA_TITLE = "=HYPERLINK(\"http://evil.example\",\"点我\")"
PUBLIC_ID = "1005"   # the one public demand (as a public_categories rule would make it); the rest are internal


def _t(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=SHANGHAI)


# (source_id, title, content, district, department, sentiment, urgency, topic, keywords)
DEMANDS: list[tuple[Any, ...]] = [
    ("1001", "公交站台损坏", "鼓楼区五四路公交站台顶棚破损，雨天无法候车", "鼓楼区", JT, "negative", "medium", 1,
     ["公交", "站台"]),
    ("1002", "道路积水", "台江区江滨路雨后积水严重，车辆无法通行", "台江区", JT, "negative", "high", 1, ["积水", "道路"]),
    ("1003", "工地噪音", "仓山区某工地夜间施工噪音扰民，影响休息", "仓山区", HB, "negative", "high", 2,
     ["噪音", "施工"]),
    ("1004", "河道黑臭", "晋安区河道黑臭水体，气味难闻", "晋安区", HB, "negative", "medium", 2, ["黑臭水体"]),
    ("1005", "夜间噪音投诉", XSS_TEXT, "鼓楼区", HB, "negative", "low", 2, ["噪音"]),
    ("1006", FORMULA_TITLE, "公交线路调整建议，噪音不大", "鼓楼区", JT, "neutral", "low", 1, ["公交"]),
]


def seed(app: Any) -> dict[str, str]:
    """Users, six demands routed to two departments, one reply with history; returns ids by name."""
    from search.service import get_backend
    from suqiu.twoway.accounts import add_user
    from suqiu.twoway.dispatch import route_pending

    add_user(app.store, "office", PASSWORDS["office"], "office", display_name="信访办张三", config=app.config)
    add_user(app.store, "jt", PASSWORDS["jt"], "department", JT, display_name="交通局李四", config=app.config)
    add_user(app.store, "hb", PASSWORDS["hb"], "department", HB, display_name="环保局王五", config=app.config)
    add_user(app.store, "pub", PASSWORDS["pub"], "public", display_name="公众", config=app.config)

    demands = [build_demand({"source": "hotline", "source_id": sid, "channel": "电话", "received_at": _t(1 + i),
                             "title": title, "content": content, "district": district,
                             "address": "五四路88号3单元", "requester": "张先生"})
               for i, (sid, title, content, district, *_rest) in enumerate(DEMANDS)]
    app.store.upsert(demands, origin="import")
    analyses = [Analysis(record_id=d.id, normalized_text=d.text, masked_title=row[1], masked_text=row[2],
                         department=row[4], route_confidence=0.9, route_reason="rule", sentiment_label=row[5],
                         sentiment_score=-0.6 if row[5] == "negative" else 0.0, urgency_level=row[6],
                         topic_id=row[7], keywords=row[8], sensitivity="normal",
                         publication="public" if row[0] == PUBLIC_ID else "internal")
                for d, row in zip(demands, DEMANDS)]
    app.store.save_analysis(analyses, stage="nlp")
    route_pending(app)  # the classifier proposed; routing decides who owns each demand
    ids = {row[0]: d.id for d, row in zip(demands, DEMANDS)}
    # a department replies to the XSS demand; the reply carries a phone number that must be masked
    app.store.set_fields(ids["1005"], {"status": "replied", "reply_text": "已责令停工，联系电话13812345678",
                                       "replied_by": HB, "replied_at": _t(20)},
                         origin="api", actor="hb", note="现场核查<b>属实</b>")
    store_aggregates(app, ids)
    from search.indexing import IndexStats, aggregate_documents, build_documents
    backend = get_backend(app)
    docs = list(build_documents(app, list(ids.values()), IndexStats(backend=backend.name), {}))
    backend.index_documents([d for d in docs if d is not None] + aggregate_documents(app))
    backend.refresh()
    return ids


def profile_row(dimension: str, value: str, volume: int, keywords: list[str],
                reps: list[tuple[str, str]]) -> dict[str, Any]:
    """A profile in ``nlp.profiles.build_profiles``'s shape (the figures the profile page shows)."""
    return {"id": f"{dimension}:{value}:2026-W45", "dimension": dimension, "value": value, "week": "2026-W45",
            "week_start": "2026-11-02", "volume": volume, "previous_volume": 1, "change": volume - 1,
            "change_pct": round((volume - 1) / 1, 4), "distinct": volume, "unresolved": 2,
            "top_keywords": keywords,
            "topic_mix": [{"topic_id": 1, "label": "公交 站台", "count": 2, "share": 0.6667}],
            "unassigned": 1,
            "sentiment": {"counts": {"negative": 2, "neutral": 1}, "mean_score": -0.4, "negative_share": 0.6667},
            "urgency": {"counts": {"high": 1, "low": 2}, "urgent": 1},
            "representatives": [{"id": rid, "title": title, "topic_id": 1} for rid, title in reps],
            "replies": {"replied": 1, "reply_rate": 0.3333, "median_reply_hours": 30.0, "satisfaction": {"满意": 1}}}


def store_aggregates(app: Any, ids: dict[str, str]) -> None:
    """Profiles (需求画像) and topics written to the store as the topics stage writes them; the index
    gets them from there, as the indexing run does."""
    from suqiu.store import schema
    from suqiu.store import now_local, to_db_time
    now = to_db_time(now_local())
    profiles = [
        profile_row("department", JT, 3, ["公交", "站台", "积水"], [(ids["1001"], "公交站台损坏")]),
        profile_row("department", HB, 3, ["噪音", "黑臭水体"], [(ids["1005"], XSS_TEXT[:60])]),
        profile_row("district", "鼓楼区", 3, ["公交", "噪音"], [(ids["1001"], "公交站台损坏")]),
    ]
    topics = [(1, "公交 站台", ["公交", "站台"], [ids["1001"]], datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)),
              (2, "噪音 施工", ["噪音", "施工"], [ids["1003"]], datetime(2026, 11, 3, 9, 0, tzinfo=SHANGHAI))]
    app.store.replace_profiles(profiles, now_local())
    with app.store.begin() as conn:
        conn.execute(schema.topics.insert(), [
            {"id": tid, "label": label, "keywords": kw, "size": 3, "representatives": reps, "active": True,
             "emerging": False, "first_seen": to_db_time(seen), "updated_at": now}
            for tid, label, kw, reps, seen in topics])
