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
         status="routed", sentiment="negative", urgency="medium", topic=1, address="鼓楼区五四路88号 13812345678"),
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
         content="停水三天了，没人来修", status="received", sentiment="negative", urgency="critical", topic=4),
    dict(sid="h4", source="hotline", channel="电话", at=D(2024, 4, 3, 18), district="仓山区", dept=ZJ,
         content="小区停电一整天，电梯停运，老人被困", status="closed", sentiment="negative", urgency="critical", topic=4),
    dict(sid="r1", source="review", channel="点评", at=D(2024, 4, 10, 12), district="鼓楼区", dept=SC,
         content="这家餐厅饭菜很好吃，服务热情", status="closed", sentiment="positive", urgency="low", topic=5),
    dict(sid="r2", source="review", channel="点评", at=D(2024, 4, 12, 12), district="晋安区", dept=SC,
         content="预付卡办了以后店铺跑路，无法退款", status="routed", sentiment="negative", urgency="medium", topic=5),
    dict(sid="p3", source="portal", channel="网站", at=D(2024, 5, 1, 9), district="晋安区", dept=JY,
         content="孩子入学学位紧张，希望增加学位", status="replied", sentiment="neutral", urgency="low", topic=6, votes=30),
    dict(sid="p4", source="portal", channel="网站", at=D(2024, 5, 3, 9), district="马尾区", dept=JT,
         content="公交车班次太少，公交APP查询不到实时班次", status="routed", sentiment="neutral", urgency="low", topic=7),
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
    # not analysed yet: must not be indexed at all
    dict(sid="h11", source="hotline", channel="电话", at=D(2024, 6, 6, 9), district="鼓楼区", dept=ZJ,
         content="噪音投诉，我的电话13900001111", status="received", analyse=False),
]

NOW = D(2024, 6, 10, 12)  # the clock overdue tests use


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
        )))
    store.upsert(demands, origin="test")
    store.save_analysis([
        Analysis(record_id=rid(r["sid"]), masked_text=r.get("masked", r["content"]), masked_title=r.get("title", ""),
                 sentiment_label=r["sentiment"], urgency_level=r["urgency"], topic_id=r["topic"], dup_group=r.get("dup"),
                 keywords=[])
        for r in ROWS if r.get("analyse", True)
    ], stage="text")
