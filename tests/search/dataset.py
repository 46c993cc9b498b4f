"""The one small dataset every search contract test runs on (made up for these tests).

Each row is a demand as the store holds it plus the analysis the NLP stages would have saved.
Raw ``content`` may hold personal data; ``masked`` is what the PII stage made of it, and only that
may ever reach an index.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from suqiu.model import SHANGHAI, Analysis, build_demand

D = lambda *a: datetime(*a, tzinfo=SHANGHAI)  # noqa: E731

ZJ, RS, JY, SC, HB, JT, CG = ("住房和城乡建设局", "人力资源和社会保障局", "教育局", "市场监督管理局",
                              "生态环境局", "交通运输局", "城市管理局")

ROWS: list[dict[str, Any]] = [
    dict(sid="h1", source="hotline", channel="电话", at=D(2024, 3, 5, 21), district="鼓楼区", dept=CG,
         content="小区楼下烧烤店油烟噪音扰民严重，晚上十二点还在营业，联系电话13812345678",
         masked="小区楼下烧烤店油烟噪音扰民严重，晚上十二点还在营业，联系电话[手机号]",
         status="routed", sentiment="negative", urgency="medium", topic=1, address="鼓楼区五四路88号 13812345678",
         point=(119.2981, 26.0874)),
    dict(sid="h2", source="hotline", channel="电话", at=D(2024, 3, 6, 23), district="鼓楼区", dept=ZJ,
         content="工地夜间施工噪音很大，影响休息", status="replied", sentiment="negative", urgency="high", topic=1,
         reply="已责令施工单位整改"),
    dict(sid="p1", source="portal", channel="人民网留言板", at=D(2024, 3, 10, 9), district="台江区", dept=ZJ,
         title="物业乱收费", content="物业公司乱收费，停车费上涨一倍，业主多次反映无果", status="routed",
         sentiment="negative", urgency="low", topic=2, votes=12),
    dict(sid="p2", source="portal", channel="网站", at=D(2024, 3, 15, 10), district="台江区", dept=RS,
         content="公司拖欠工资三个月，老板失联，身份证号350102199001011234", masked="公司拖欠工资三个月，老板失联，身份证号[身份证号]",
         status="routed", sentiment="negative", urgency="high", topic=3, votes=3),
    dict(sid="h3", source="hotline", channel="微信", at=D(2024, 4, 2, 8), district="仓山区", dept=ZJ,
         content="停水三天了，没人来修", status="received", sentiment="negative", urgency="critical", topic=4,
         places=[{"name": "仓山区", "level": "district", "district": "仓山区", "source": "gazetteer", "lon": 119.28,
                  "lat": 25.99}, {"name": "金山碧水", "level": "estate", "district": "仓山区", "source": "gazetteer",
                                  "lon": 119.2702, "lat": 26.0203}]),
    dict(sid="h4", source="hotline", channel="电话", at=D(2024, 4, 3, 18), district="仓山区", dept=ZJ,
         content="小区停电一整天，电梯停运，老人被困", status="closed", sentiment="negative", urgency="critical", topic=4),
    dict(sid="r1", source="review", channel="点评", at=D(2024, 4, 10, 12), district="鼓楼区", dept=SC,
         content="这家餐厅饭菜很好吃，服务热情", status="closed", sentiment="positive", urgency="low", topic=5),
    dict(sid="r2", source="review", channel="点评", at=D(2024, 4, 12, 12), district="晋安区", dept=SC,
         content="预付卡办了以后店铺跑路，无法退款", status="routed", sentiment="negative", urgency="medium", topic=5),
    dict(sid="p3", source="portal", channel="网站", at=D(2024, 5, 1, 9), district="晋安区", dept=JY,
         content="孩子入学学位紧张，希望增加学位", status="replied", sentiment="neutral", urgency="low", topic=6, votes=30),
    dict(sid="p4", source="portal", channel="网站", at=D(2024, 5, 3, 9), district="马尾区", dept=JT,
         content="公交车班次太少，公交APP查询不到实时班次", status="routed", sentiment="neutral", urgency="low", topic=7,
         point=(119.4583, 26.0312)),
    dict(sid="h5", source="hotline", channel="电话", at=D(2024, 5, 20, 9), district="鼓楼区", dept=HB,
         content="河道黑臭水体，夏天气味难闻", status="routed", sentiment="negative", urgency="medium", topic=8, dup="g1"),
    dict(sid="h6", source="hotline", channel="电话", at=D(2024, 5, 21, 9), district="鼓楼区", dept=HB,
         content="河道黑臭水体问题反映多次仍未治理，气味难闻", status="routed", sentiment="negative", urgency="medium",
         topic=8, dup="g1"),
    dict(sid="h7", source="hotline", channel="电话", at=D(2024, 5, 22, 9), district="台江区", dept=CG,
         content="<script>alert('x')</script>占道经营的摊贩堵塞人行道", status="routed", sentiment="negative",
         urgency="low", topic=9),
    dict(sid="h8", source="hotline", channel="电话", at=D(2024, 6, 1, 20), district="鼓楼区", dept=None,
         content="路灯坏了晚上很黑", status="received", sentiment="negative", urgency="low", topic=None),
    dict(sid="h9", source="hotline", channel="电话", at=D(2024, 6, 3, 9), district="台江区", dept=CG,
         content="垃圾清运不及时，垃圾堆积，垃圾发臭", status="routed", sentiment="negative", urgency="medium", topic=9),
    dict(sid="h10", source="hotline", channel="电话", at=D(2024, 6, 4, 9), district="台江区", dept=CG,
         content="市场门口的摊位很多，早上人流量大，道路拥堵，有时候也能看到一些垃圾，希望加强管理和巡查",
         status="routed", sentiment="neutral", urgency="low", topic=9),
    dict(sid="p5", source="portal", channel="网站", at=D(2024, 6, 5, 9), district="鼓楼区", dept=ZJ,
         content="小区装修噪音从早到晚，物业不作为", status="received", sentiment="negative", urgency="medium", topic=1),
    # 分级分类: a 举报件 and a 涉稳 cue (office-only), and a demand analysed but not classified yet
    dict(sid="h12", source="hotline", channel="电话", at=D(2024, 2, 10, 9), district="长乐区", dept=ZJ,
         content="实名举报住建局工作人员收受开发商好处费", status="routed", sentiment="negative", urgency="low",
         topic=None, level=("office_only", "report")),
    dict(sid="p6", source="portal", channel="网站", at=D(2024, 2, 12, 9), district="长乐区", dept=HB,
         content="业主准备集体上访，到区政府门口拉横幅", status="routed", sentiment="negative", urgency="low",
         topic=None, level=("office_only", "stability")),
    dict(sid="h13", source="hotline", channel="电话", at=D(2024, 2, 14, 9), district="长乐区", dept=ZJ,
         content="小区消防通道被占用", status="received", sentiment="negative", urgency="low", topic=None,
         level=None),
    # not analysed yet: must not be indexed at all
    dict(sid="h11", source="hotline", channel="电话", at=D(2024, 6, 6, 9), district="鼓楼区", dept=ZJ,
         content="噪音投诉，我的电话13900001111", status="received", analyse=False),
]

NOW = D(2024, 6, 10, 12)  # the clock overdue tests use


def levels(row: dict[str, Any]) -> tuple[str | None, str | None]:
    """(publication, sensitivity) as the levels stage would decide with the default rules: portal
    and review messages public, hotline work orders internal; ``level`` overrides (None: unclassified)."""
    if "level" in row:
        return row["level"] or (None, None)
    return ("public" if row["source"] in ("portal", "review") else "internal"), "normal"


def visible_ids(publication: tuple[str, ...], department: str | None = None) -> set[str]:
    """Indexed demands at one of these levels (owned by ``department`` when given)."""
    return {rid(r["sid"]) for r in indexed_rows()
            if levels(r)[0] in publication and (department is None or r["dept"] == department)}


def rid(sid: str) -> str:
    row = next(r for r in ROWS if r["sid"] == sid)
    return f"{row['source']}:{sid}"


def indexed_rows() -> list[dict[str, Any]]:
    return [r for r in ROWS if r.get("analyse", True)]


def ids(*sids: str) -> set[str]:
    return {rid(s) for s in sids}


def load(store: Any) -> None:
    demands = []
    for r in ROWS:
        demands.append(build_demand(dict(
            source=r["source"], source_id=r["sid"], channel=r["channel"], received_at=r["at"],
            title=r.get("title", ""), content=r["content"], district=r["district"], department_given=r["dept"],
            status=r["status"], votes_up=r.get("votes"), address=r.get("address"), requester="张三",
            reply_text=r.get("reply"), rating=5 if r["sid"] == "r1" else None,
            lon=r["point"][0] if "point" in r else None, lat=r["point"][1] if "point" in r else None,
        )))
    store.upsert(demands, origin="test")
    store.save_analysis([
        Analysis(record_id=rid(r["sid"]), masked_text=r.get("masked", r["content"]), masked_title=r.get("title", ""),
                 sentiment_label=r["sentiment"], urgency_level=r["urgency"], topic_id=r["topic"], dup_group=r.get("dup"),
                 keywords=[], publication=levels(r)[0], sensitivity=levels(r)[1],
                 places=r.get("places", []))
        for r in ROWS if r.get("analyse", True)
    ], stage="text")


# ---------------------------------------------------------------- profiles and topics (one index, other kinds)
# as the topics stage stores them (``profiles.data`` is nlp.profiles' dict); headlines are masked text
def _profile(dimension: str, value: str, week: str, start: str, volume: int, keywords: list[str],
             mix: list[tuple[int, str]], heads: list[str]) -> dict[str, Any]:
    return {"id": f"{dimension}:{value}:{week}", "dimension": dimension, "value": value, "week": week,
            "week_start": start, "previous_volume": 0, "volume": volume, "top_keywords": keywords,
            "topic_mix": [{"topic_id": t, "label": label, "count": 1, "share": 0.5} for t, label in mix],
            "representatives": [{"id": f"x{i}", "title": h, "topic_id": None} for i, h in enumerate(heads)]}


PROFILES: list[dict[str, Any]] = [
    _profile("department", HB, "2024-W21", "2024-05-20", 2, ["黑臭水体", "河道"], [(8, "河道 黑臭")],
             ["河道黑臭水体，夏天气味难闻"]),
    # stored under an alias (a source's own department name): indexed under the canonical name
    _profile("department", "城管局", "2024-W21", "2024-05-20", 1, ["占道经营"], [(9, "垃圾 清运")],
             ["占道经营的摊贩堵塞人行道"]),
    _profile("district", "鼓楼区", "2024-W21", "2024-05-20", 2, ["黑臭水体"], [(8, "河道 黑臭")], []),
    _profile("channel", "电话", "2024-W21", "2024-05-20", 3, ["河道", "摊贩"], [(8, "河道 黑臭"), (9, "垃圾 清运")], []),
    _profile("district", "台江区", "2024-W23", "2024-06-03", 4, ["垃圾", "清运"], [(9, "垃圾 清运")],
             ["垃圾清运不及时"]),
]
TOPICS: list[dict[str, Any]] = [
    dict(id=8, label="河道 黑臭", keywords=["河道", "黑臭水体", "气味"], size=2, representatives=["h5", "h6"],
         first_seen=D(2024, 5, 20, 10)),
    dict(id=9, label="垃圾 清运", keywords=["垃圾", "清运", "摊位"], size=3, representatives=["h9"],
         first_seen=D(2024, 5, 22, 10)),
]


def pid(dimension: str, value: str, week: str) -> str:
    return f"profile:{dimension}:{value}:{week}"


PROFILE_IDS = {pid(p["dimension"], p["value"], p["week"]) for p in PROFILES}
TOPIC_IDS = {f"topic:{t['id']}" for t in TOPICS}


def load_aggregates(store: Any, profiles: list[dict[str, Any]] | None = None) -> None:
    """Write profiles and topics into the store the way the topics stage does (replacing profiles)."""
    from suqiu.store import schema
    from suqiu.store import now_local, to_db_time
    now = to_db_time(now_local())
    rows = PROFILES if profiles is None else profiles
    store.replace_profiles(rows, now_local())
    with store.begin() as conn:
        conn.execute(schema.topics.delete())
        conn.execute(schema.topics.insert(), [
            {"id": t["id"], "label": t["label"], "keywords": t["keywords"], "size": t["size"],
             "representatives": [rid(s) for s in t["representatives"]], "active": True, "emerging": False,
             "first_seen": to_db_time(t["first_seen"]), "updated_at": now} for t in TOPICS])
