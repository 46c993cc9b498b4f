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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

Part = tuple[str, str | None]          # text, kind of personal data (None: not personal)


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


CN_DIGITS = "〇一二三四五六七八九"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘蒋蔡余杜叶程苏魏吕丁沈姚卢江"
COMPOUND = ("欧阳", "司马", "诸葛", "上官")
GIVEN = ("建国 伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 霞 平 刚 桂英 志强 晓峰 美玲 小明 文斌 "
         "辉 鹏 宇航 浩然 婷婷 雪梅 琳 欣怡 子涵 梓轩 一诺 国华 海燕 春生 金凤 德胜 玉兰 宏伟 丽华").split()
DISTRICTS = ("鼓楼区", "台江区", "仓山区", "晋安区")
ROADS = ("杨桥路", "五四路", "工业路", "六一北路", "华林路", "福飞路")
ESTATES = ("金山小区", "屏西小区", "榕城花园", "阳光城", "万科城市花园", "温泉公寓")
VILLAGES = ("城门村", "盖山村", "建新村")
ID_REGIONS = ("350102", "350103", "350104", "350111", "110105", "440305", "330106", "130102")

BEFORE = ("小区楼下烧烤店油烟扰民，", "物业乱收停车费，", "工地夜间施工噪音很大，", "路灯坏了一个月没人修，",
          "您好，", "反映一个问题：", "学校门口早晚交通拥堵，", "楼上装修每天从早到晚，", "", "")
AFTER = ("，请尽快处理。", "。谢谢！", "，希望相关部门核实。", "，盼复。", "。", "", "，麻烦回电。", "，急！")
# hard negatives: (form, text); dev takes the even entries of each family, test the odd ones
NEGATIVES: dict[str, tuple[str, ...]] = {
    "date": ("2026年11月20日", "20261120", "2026-11-20", "2026.11.20", "二〇二六年十一月二十日", "11月20日上午"),
    "time": ("14:30", "下午3点20分", "晚上10点半", "凌晨2:15", "23:00以后", "早上6点"),
    "money": ("3000元", "共计12500元", "押金13800元", "罚款200元", "每月物业费2.5元/平方米", "1,380,000元"),
    "work_order": ("工单号 20261120001234", "工单号：20261120001234", "订单号202011230001234567",
                   "编号FZ18092300048", "受理号 2026112012345", "流水号1380012345612345",
                   "快递单号 6228480402564890018", "诉求编号：FZ17090300156"),
    "area": ("建筑面积89.5平方米", "120㎡", "占地3000平方米", "套内面积76.3平米"),
    "road_business": ("杨桥路88号的餐厅", "位于五四路100号的酒店", "工业路35号那家KTV", "华林路12号的工地"),
    "count": ("小区有3栋楼", "共300户居民", "3室2厅", "两室一厅", "12层高", "有2座桥", "5户人家", "一栋楼"),
    "legal": ("《物业管理条例》第十二条", "第88号令", "榕政〔2020〕88号文件", "第3条第2款", "国发〔2019〕12号"),
    "public_number": ("拨打12345热线", "报警110", "打12315投诉", "火警119", "95598供电热线", "400-800-1234"),
    "route": ("88路公交", "地铁1号线", "3号门", "2号出口", "G1234次列车", "D6215次动车"),
    "measure": ("噪音超过70分贝", "距离100米", "体温37.5度", "水深1.2米", "时速60公里"),
    "name_like": ("本人每天路过", "我是一名教师", "我是高三学生", "我爸爸高血压住院", "我女儿高考", "我儿子周末补课",
                  "联系人电话打不通", "户主同意", "原先生活很方便", "我先生下班", "我是金山小区的业主",
                  "我妈妈和我说", "本人于2019年购房", "我父亲常年卧床"),
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


class _Values:
    """Random personal values of each kind."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def mobile(self) -> str:
        return "1" + self.rng.choice("3456789") + self.digits(9)

    def id_card(self, final_x: bool = False) -> str:
        rng = self.rng
        while True:
            body = (rng.choice(ID_REGIONS) + f"{rng.randrange(1940, 2006)}{rng.randrange(1, 13):02d}"
                    f"{rng.randrange(1, 29):02d}" + self.digits(3))
            weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
            check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
            if not final_x or check == "X":
                return body + check

    def luhn(self, body: str) -> str:
        total = 0
        for i, ch in enumerate(reversed(body)):
            d = int(ch) * (2 if i % 2 == 0 else 1)
            total += d - 9 if d > 9 else d
        return body + str((10 - total % 10) % 10)

    def name(self, compound: bool = False) -> str:
        sur = self.rng.choice(COMPOUND) if compound else self.rng.choice(SURNAMES)
        return sur + self.rng.choice(GIVEN)

    def spell(self, digits: str, mix: bool = False) -> str:
        """Digits in Chinese numerals (一 or 幺 for 1, 〇 or 零 for 0, sometimes 两); ``mix`` keeps some digits."""
        one, zero = self.rng.choice("一幺"), self.rng.choice("〇零")
        table = {"0": zero, "1": one, **{str(i): CN_DIGITS[i] for i in range(2, 10)}}
        if self.rng.random() < 0.3:
            table["2"] = "两"
        keep = set(self.rng.sample(range(len(digits)), len(digits) // 2)) if mix else set()
        return "".join(ch if i in keep else table[ch] for i, ch in enumerate(digits))


def _grouped(d: str, sizes: Sequence[int], sep: str) -> str:
    out, pos = [], 0
    for size in sizes:
        out.append(d[pos:pos + size])
        pos += size
    return sep.join(out)


def _wide(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


Builder = Callable[[_Values, str], list[Part]]


def _mobile_forms() -> dict[str, Builder]:
    prefixes = ("+86 ", "+86-", "0086 ", "(+86)", "+86", "0086-")
    tails = ("12345热线也打不通", "110也报过警", "20261120来电过", "3次都没人接")
    return {
        "plain": lambda v, c: [(c, None), (v.mobile(), "mobile")],
        "dashed": lambda v, c: [(c, None), (_grouped(v.mobile(), (3, 4, 4), "-"), "mobile")],
        "spaced": lambda v, c: [(c, None), (_grouped(v.mobile(), (3, 4, 4), " "), "mobile")],
        "dotted": lambda v, c: [(c, None), (_grouped(v.mobile(), (3, 4, 4), "."), "mobile")],
        "plus86": lambda v, c: [(c, None), (v.rng.choice(prefixes) + v.mobile(), "mobile")],
        "cn_numerals": lambda v, c: [(c, None), (v.spell(v.mobile()), "mobile")],
        "cn_grouped": lambda v, c: [(c, None), (_grouped(v.spell(v.mobile()), (3, 4, 4), v.rng.choice(" -")),
                                                "mobile")],
        "mixed_numerals": lambda v, c: [(c, None), (v.spell(v.mobile(), mix=True), "mobile")],
        "glued": lambda v, c: [(c or "手机：", None), (v.mobile(), "mobile"), (v.rng.choice(tails), None)],
        "fullwidth": lambda v, c: [(c, None), (_wide(v.mobile()), "mobile")],
    }


def _landline_forms() -> dict[str, Builder]:
    areas = ("0591", "010", "021", "0592", "0755", "020")

    def local(v: _Values) -> str:
        return v.rng.choice("2345678") + v.digits(7)

    return {
        "area_dash": lambda v, c: [(c, None), (f"{v.rng.choice(areas)}-{local(v)}", "landline")],
        "paren": lambda v, c: [(c, None), (f"{v.rng.choice(['(', '（'])}0591{v.rng.choice([')', '）'])}{local(v)}",
                                           "landline")],
        "spaced": lambda v, c: [(c, None), ("0591 " + _grouped(local(v), (4, 4), " "), "landline")],
        "extension": lambda v, c: [(c, None), (f"0591-{local(v)}{v.rng.choice(['-', '转', '分机'])}{v.digits(3)}",
                                               "landline")],
        "local_cued": lambda v, c: [(c or "座机", None), (local(v), "landline")],
        "cn_numerals": lambda v, c: [(c or "座机", None), (v.spell("0591" + local(v)), "landline")],
    }


def _id_forms() -> dict[str, Builder]:
    return {
        "plain": lambda v, c: [(c, None), (v.id_card(), "id_card")],
        "final_x": lambda v, c: [(c, None), (v.id_card(final_x=True), "id_card")],
        "spaced_6_8_4": lambda v, c: [(c, None), (_grouped(v.id_card(), (6, 8, 4), " "), "id_card")],
        "spaced_4": lambda v, c: [(c, None), (_grouped(v.id_card(v.rng.random() < 0.3), (4, 4, 4, 4, 2), " "),
                                              "id_card")],
        "fullwidth": lambda v, c: [(c, None), (_wide(v.id_card()), "id_card")],
        "old_15_cued": lambda v, c: [(c or "身份证号", None), (v.id_card()[:6] + v.id_card()[8:17], "id_card")],
    }


def _bank_forms() -> dict[str, Builder]:
    return {
        "unionpay": lambda v, c: [(c, None), (v.luhn("62" + v.digits(16)), "bank_card")],
        "grouped": lambda v, c: [(c, None), (_grouped(v.luhn("6222" + v.digits(14)), (4, 4, 4, 4, 3), " "),
                                             "bank_card")],
        "visa_grouped": lambda v, c: [(c, None), (_grouped(v.luhn("4" + v.digits(14)), (4, 4, 4, 4), "-"),
                                                  "bank_card")],
        "cued_any": lambda v, c: [(c or "卡号", None), (v.rng.choice("123456789") + v.digits(15), "bank_card")],
    }


def _document_forms() -> dict[str, Builder]:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return {
        "passport_e": lambda v, c: [(v.rng.choice(["护照号", "护照号码：", "", "我的护照"]), None),
                                    ("E" + v.digits(8), "document")],
        "passport_ea": lambda v, c: [(v.rng.choice(["护照", "护照号 ", ""]), None),
                                     ("E" + v.rng.choice(letters) + v.digits(7), "document")],
        "passport_g": lambda v, c: [(v.rng.choice(["旧护照", "护照号码"]), None), ("G" + v.digits(8), "document")],
        "hk_macau_permit": lambda v, c: [(v.rng.choice(["港澳通行证", "港澳通行证号码", "往来港澳通行证："]), None),
                                         (v.rng.choice(["C" + v.digits(8), "C" + v.rng.choice(letters) + v.digits(7)]),
                                          "document")],
        "taiwan_compatriot": lambda v, c: [(v.rng.choice(["台胞证", "台胞证号", "台湾居民来往大陆通行证"]), None),
                                           (v.digits(8), "document")],
        "home_return": lambda v, c: [(v.rng.choice(["回乡证", "港澳居民来往内地通行证"]), None),
                                     (v.rng.choice("HM") + v.digits(8), "document")],
        "taiwan_permit": lambda v, c: [("大陆居民往来台湾通行证", None), ("L" + v.digits(8), "document")],
        "hk_id": lambda v, c: [("香港身份证", None), (v.rng.choice(letters) + v.digits(6) + f"({v.digits(1)})",
                                                     "document")],
    }


def _email_forms() -> dict[str, Builder]:
    domains = (("163", "com"), ("qq", "com"), ("126", "com"), ("sina", "com"), ("fzu", "edu.cn"), ("gmail", "com"))

    def local(v: _Values) -> str:
        return "".join(v.rng.choice("abcdefghijkmnpqrstuvwxyz") for _ in range(v.rng.randrange(4, 9))) + \
            v.rng.choice(["", str(v.rng.randrange(10, 2000)), "_" + v.digits(2)])

    def mail(at: str, dot: str) -> Builder:
        def build(v: _Values, c: str) -> list[Part]:
            host, tld = v.rng.choice(domains)
            return [(c, None), (f"{local(v)}{at}{host}{dot}{tld.replace('.', dot)}", "email")]
        return build

    return {
        "plain": mail("@", "."), "fullwidth": mail("＠", "．"), "words": mail(" at ", " dot "),
        "words_upper": mail(" AT ", " DOT "), "paren_at": mail("(at)", "."), "bracket_at": mail("[at]", "[dot]"),
        "hash": mail("#", "."), "chinese_at": mail("艾特", "."), "chinese_dot": mail("@", "点"),
    }


def _account_forms() -> dict[str, Builder]:
    def wx_id(v: _Values) -> str:
        head = "".join(v.rng.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(v.rng.randrange(4, 8)))
        return head + v.rng.choice(["_", "-", ""]) + v.digits(v.rng.randrange(2, 5))

    return {
        "qq/plain": lambda v, c: [(c, None), (v.rng.choice("123456789") + v.digits(v.rng.randrange(5, 10)), "qq")],
        "qq/cn_numerals": lambda v, c: [(c, None), (v.spell(v.rng.choice("123456789") + v.digits(8)), "qq")],
        "wechat/id": lambda v, c: [(c, None), (wx_id(v), "wechat")],
        "wechat/wxid": lambda v, c: [(v.rng.choice(["", "加我", "我的号"]), None),
                                     ("wxid_" + wx_id(v).replace("-", ""), "wechat")],
        "plate/plain": lambda v, c: [(c, None), ("闽A" + v.digits(5), "plate")],
        "plate/dot": lambda v, c: [(c, None), ("闽A·" + v.digits(5), "plate")],
        "plate/new_energy": lambda v, c: [(c, None), ("粤BD" + v.digits(5), "plate")],
        "plate/letters": lambda v, c: [(c, None), (f"闽A{v.digits(1)}K{v.digits(3)}", "plate")],
    }


def _name_forms() -> dict[str, Builder]:
    relatives = ("我父亲", "我母亲", "我儿子", "我女儿", "我爱人", "我丈夫", "我妻子", "我爷爷", "我外婆", "我哥哥")
    follow = ("在", "今年", "，", "去年", "因", "被")
    return {
        "wo_jiao": lambda v, c: [("我叫", None), (v.name(), "name"), ("，", None)],
        "wo_shi": lambda v, c: [(v.rng.choice(["您好，我是", "我是"]), None), (v.name(), "name")],
        "ben_ren": lambda v, c: [("本人", None), (v.name(), "name"), (v.rng.choice(["，", "，身份证丢了"]), None)],
        "title": lambda v, c: [(v.rng.choice(["请", "麻烦联系", "我是", ""]), None),
                               (v.rng.choice(SURNAMES) + v.rng.choice(["先生", "女士", "小姐"]), "name")],
        "contact": lambda v, c: [(v.rng.choice(["联系人：", "联系人", "联系人是"]), None), (v.name(), "name")],
        "householder": lambda v, c: [(v.rng.choice(["户主", "户主是", "户主："]), None), (v.name(), "name")],
        "xingming": lambda v, c: [(v.rng.choice(["姓名：", "姓名 "]), None), (v.name(), "name")],
        "relative": lambda v, c: [(v.rng.choice(relatives), None), (v.name(), "name"),
                                  (v.rng.choice(follow), None)],
        "compound": lambda v, c: [(v.rng.choice(["我叫", "联系人"]), None), (v.name(compound=True), "name")],
    }


def _address_forms() -> dict[str, Builder]:
    def n(v: _Values, lo: int = 1, hi: int = 200) -> str:
        return str(v.rng.randrange(lo, hi))

    def room(v: _Values) -> str:
        return f"{v.rng.randrange(1, 30)}{v.rng.randrange(1, 5):02d}"

    def place(v: _Values) -> str:
        return v.rng.choice(DISTRICTS) + v.rng.choice(ROADS)

    home = ("我家住在", "家住", "本人住在", "我住")
    return {
        "full": lambda v, c: [(v.rng.choice(home) + place(v), None),
                              (f"{n(v)}号{n(v, 1, 30)}栋{room(v)}室", "address")],
        "estate_unit": lambda v, c: [(v.rng.choice(home) + v.rng.choice(ESTATES), None),
                                     (f"{n(v, 1, 30)}号楼{n(v, 1, 6)}单元{room(v)}", "address")],
        "dash": lambda v, c: [(v.rng.choice(home) + v.rng.choice(ESTATES), None),
                              (f"{n(v, 1, 30)}-{n(v, 1, 6)}-{room(v)}", "address")],
        "village": lambda v, c: [(f"{v.rng.choice(home)}{v.rng.choice(VILLAGES)}{n(v, 1, 9)}组", None),
                                 (f"{n(v)}号", "address")],
        "tower_no_cue": lambda v, c: [(v.rng.choice(ESTATES), None), (f"{v.rng.choice('ABCD')}座{room(v)}室", "address")],
        "cn_numerals": lambda v, c: [(v.rng.choice(home) + v.rng.choice(ESTATES), None),
                                     (v.spell(n(v, 1, 10)) + "栋" + v.spell(room(v)) + "室", "address")],
        "floor": lambda v, c: [(v.rng.choice(home) + v.rng.choice(ESTATES), None),
                               (f"{n(v, 1, 30)}幢{n(v, 2, 30)}层{room(v)}", "address")],
        "house_cue": lambda v, c: [("我家在" + place(v), None), (f"{n(v)}号", "address"),
                                   (v.rng.choice(["", "，门口"]), None)],
    }


def _catalogue() -> dict[str, Builder]:
    forms: dict[str, Builder] = {}
    for kind, table in (("mobile", _mobile_forms()), ("landline", _landline_forms()), ("id_card", _id_forms()),
                        ("bank_card", _bank_forms()), ("document", _document_forms()), ("email", _email_forms()),
                        ("", _account_forms()), ("name", _name_forms()), ("address", _address_forms())):
        for name, build in table.items():
            forms[f"{kind}/{name}" if kind else name] = build
    return forms


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
    values, forms = _Values(rng), _catalogue()
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
