"""A generated evaluation corpus for the PII masker: sentences with ground-truth spans and hard negatives.

Every sample is a short citizen-style sentence built from parts, each part either plain text or a
personal value of a known kind, so the ground truth is exact. Personal data comes in the forms
people write (spoken numerals, separators, +86, glued digits, X-final IDs, travel documents,
obfuscated e-mails, relatives' names, home addresses down to the room); hard negatives are the
numbers and words a masker must leave alone (dates, times, money, work-order numbers, areas,
counts, legal articles, public service numbers, name-like phrases).

Carrier phrases, cue words and negatives come in two disjoint halves: ``split="dev"`` uses one,
``split="test"`` the other, so figures quoted on ``test`` are not on the phrasings the masker was
tuned on. Value formats (the thing being measured) are shared. Deterministic for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from nlp.pii_corpus_forms import Part, Values, catalogue


@dataclass(frozen=True)
class Truth:
    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class Sample:
    text: str
    truths: tuple[Truth, ...]
    form: str                           # "mobile/dotted", "negative/date"


BEFORE = ("小区楼下烧烤店油烟扰民，", "物业乱收停车费，", "工地夜间施工噪音很大，", "路灯坏了一个月没人修，",
          "您好，", "反映一个问题：", "学校门口早晚交通拥堵，", "楼上装修每天从早到晚，", "", "")
AFTER = ("，请尽快处理。", "。谢谢！", "，希望相关部门核实。", "，盼复。", "。", "", "，麻烦回电。", "，急！")
# hard negatives: (form, text); dev takes the even entries of each family, test the odd ones
NEGATIVES: dict[str, tuple[str, ...]] = {
    "date": ("2026年11月20日", "20261120", "2026-11-20", "2026.11.20", "二〇二六年十一月二十日", "11月20日上午",
             "2019年3月12号", "3月12号下午"),
    "time": ("14:30", "下午3点20分", "晚上10点半", "凌晨2:15", "23:00以后", "早上6点"),
    "money": ("3000元", "共计12500元", "押金13800元", "罚款200元", "每月物业费2.5元/平方米", "1,380,000元",
              "单价12000元/平方米", "月租2800元"),
    "work_order": ("工单号 20261120001234", "工单号：20261120001234", "订单号202011230001234567",
                   "编号FZ18092300048", "受理号 2026112012345", "流水号1380012345612345",
                   "快递单号 6228480402564890018", "诉求编号：FZ17090300156"),
    "area": ("建筑面积89.5平方米", "120㎡", "占地3000平方米", "套内面积76.3平米"),
    "road_business": ("杨桥路88号的餐厅", "位于五四路100号的酒店", "工业路35号那家KTV", "华林路12号的工地"),
    "count": ("小区有3栋楼", "共300户居民", "3室2厅", "两室一厅", "12层高", "有2座桥", "5户人家", "一栋楼",
              "3号楼电梯坏了", "1号楼到5号楼", "88号院门口", "2栋和3栋之间"),
    "legal": ("《物业管理条例》第十二条", "第88号令", "榕政〔2020〕88号文件", "第3条第2款", "国发〔2019〕12号"),
    "public_number": ("拨打12345热线", "报警110", "打12315投诉", "火警119", "95598供电热线", "400-800-1234",
                      "工商银行95588", "咨询电话0591-87110000"),
    "route": ("88路公交", "地铁1号线", "3号门", "2号出口", "G1234次列车", "D6215次动车"),
    "measure": ("噪音超过70分贝", "距离100米", "体温37.5度", "水深1.2米", "时速60公里", "身高175cm", "体重65kg"),
    "code": ("邮编350001", "版本号V2.3.1", "尾号5678", "国家标准GB50016-2014", "G316国道", "ISBN 978-7-111-12345-6",
             "IP 192.168.1.1", "型号SM-G9880"),
    "name_like": ("本人每天路过", "我是一名教师", "我是高三学生", "我爸爸高血压住院", "我女儿高考", "我儿子周末补课",
                  "联系人电话打不通", "户主同意", "原先生活很方便", "我先生下班", "我是金山小区的业主",
                  "我妈妈和我说", "本人于2019年购房", "我父亲常年卧床", "我叫不出名字", "我是党员",
                  "联系人为物业", "我是江西人", "我是高一新生", "孩子和老人都睡不着"),
    "email_like": ("#文明城市#", "www.fuzhou.gov.cn", "版本v1.2.3", "微信公众号", "QQ群里说", "at 8 pm"),
    "anonymized": ("A3区", "A市", "用户A00012345", "张某某", "李某"),
}
CUES: dict[str, tuple[str, ...]] = {
    "mobile": ("联系电话", "手机", "我的手机号是", "电话：", "有事请打", "手机号码:", "联系方式 ", "回电", "我的号码", "本人电话"),
    "landline": ("座机", "固话", "家里电话", "办公电话", "电话", "联系电话："),
    "id_card": ("身份证号", "身份证：", "身份证号码是", "证件号码", "公民身份号码", "本人身份证"),
    "bank_card": ("银行卡号", "卡号：", "请退到我的银行卡", "账号", "工资卡", "退款账户"),
    "email": ("邮箱", "处理结果请发邮箱", "我的邮箱是", "电子邮件：", "email:", "回复到邮箱"),
    "qq": ("QQ号", "QQ：", "扣扣", "qq号码是", "企鹅号", "加我QQ"),
    "wechat": ("微信号：", "微信", "vx:", "V信", "加微信", "wx："),
    "plate": ("车牌", "车牌号是", "一辆", "涉事车辆", "车牌号码", "那辆"),
}



def _half(options: Sequence[str], split: str) -> Sequence[str]:
    """Disjoint halves: dev reads the even entries, test the odd ones."""
    return options[(0 if split == "dev" else 1)::2] or options


def _assemble(parts: list[Part], form: str) -> Sample:
    text, truths = "", []
    for chunk, kind in parts:
        if kind:
            truths.append(Truth(len(text), len(text) + len(chunk), kind))
        text += chunk
    return Sample(text, tuple(truths), form)


def generate(n: int = 3000, seed: int = 20261120, split: str = "test",
             negative_share: float = 0.3) -> Iterator[Sample]:
    """``n`` samples: positives spread evenly over the forms, ``negative_share`` pure hard negatives."""
    if split not in ("dev", "test"):
        raise ValueError(f"split must be 'dev' or 'test', not {split!r}")
    rng = random.Random(f"{seed}:{split}")
    values, forms = Values(rng), catalogue()
    names = sorted(forms)
    for i in range(n):
        before, after = rng.choice(_half(BEFORE, split)), rng.choice(_half(AFTER, split))
        neg_form = rng.choice(sorted(NEGATIVES))
        negative = rng.choice(_half(NEGATIVES[neg_form], split))
        if rng.random() < negative_share:
            yield _assemble([(before, None), (negative, None), (after, None)], f"negative/{neg_form}")
            continue
        form = names[i % len(names)]
        kind = form.split("/")[0]
        cues = CUES.get(kind)
        cue = rng.choice(_half(cues, split)) if cues and (kind in ("qq", "wechat", "plate") or rng.random() < 0.8) \
            else ""
        parts = forms[form](values, cue)
        # a hard negative beside the personal data half of the time, in the same sentence
        extra = [(negative + "，", None)] if rng.random() < 0.5 else []
        yield _assemble([(before, None), *extra, *parts, (after, None)], form)

