"""The personal values and the forms they are written in, for the PII evaluation corpus (``nlp.pii_corpus``).

Each form is a builder: given random values and a cue word, it returns the parts of a phrase, the
personal value tagged with its kind. Forms are what the corpus measures, one recall figure each.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

Part = tuple[str, str | None]          # text, kind of personal data (None: not personal)

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


class Values:
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

    def capital(self, digits: str) -> str:
        """Digits in the financial numerals (壹贰叁 …) people use to slip numbers past filters."""
        return "".join("零壹贰叁肆伍陆柒捌玖"[int(ch)] for ch in digits)


def _grouped(d: str, sizes: Sequence[int], sep: str) -> str:
    out, pos = [], 0
    for size in sizes:
        out.append(d[pos:pos + size])
        pos += size
    return sep.join(out)


def _wide(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


Builder = Callable[[Values, str], list[Part]]


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

    def local(v: Values) -> str:
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

    def local(v: Values) -> str:
        return "".join(v.rng.choice("abcdefghijkmnpqrstuvwxyz") for _ in range(v.rng.randrange(4, 9))) + \
            v.rng.choice(["", str(v.rng.randrange(10, 2000)), "_" + v.digits(2)])

    def mail(at: str, dot: str) -> Builder:
        def build(v: Values, c: str) -> list[Part]:
            host, tld = v.rng.choice(domains)
            return [(c, None), (f"{local(v)}{at}{host}{dot}{tld.replace('.', dot)}", "email")]
        return build

    return {
        "plain": mail("@", "."), "fullwidth": mail("＠", "．"), "words": mail(" at ", " dot "),
        "words_upper": mail(" AT ", " DOT "), "paren_at": mail("(at)", "."), "bracket_at": mail("[at]", "[dot]"),
        "hash": mail("#", "."), "chinese_at": mail("艾特", "."), "chinese_dot": mail("@", "点"),
    }


def _account_forms() -> dict[str, Builder]:
    def wx_id(v: Values) -> str:
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
    def n(v: Values, lo: int = 1, hi: int = 200) -> str:
        return str(v.rng.randrange(lo, hi))

    def room(v: Values) -> str:
        return f"{v.rng.randrange(1, 30)}{v.rng.randrange(1, 5):02d}"

    def place(v: Values) -> str:
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


def _later_forms() -> dict[str, Builder]:
    """Forms written after the masker was tuned on all the others; their first figures were quoted as such."""
    def room(v: Values) -> str:
        return f"{v.rng.randrange(1, 30)}{v.rng.randrange(1, 5):02d}"

    home = ("住址：", "家住", "我住在", "家庭住址")
    return {
        "mobile/spaced_dashes": lambda v, c: [(c, None), (_grouped(v.mobile(), (3, 4, 4), " - "), "mobile")],
        "mobile/irregular": lambda v, c: [(c, None), (_grouped(v.mobile(), v.rng.choice([(7, 4), (2, 4, 5), (4, 4, 3)]),
                                                               " "), "mobile")],
        "mobile/two_numbers": lambda v, c: [(c, None), (v.mobile(), "mobile"), (v.rng.choice("/、或"), None),
                                            (v.mobile(), "mobile")],
        "mobile/same_as_wechat": lambda v, c: [(c, None), (v.mobile(), "mobile"), ("（微信同号）", None)],
        "mobile/capital_numerals": lambda v, c: [(c or "电话", None), (v.capital(v.mobile()), "mobile")],
        "mobile/paren86_spaced": lambda v, c: [(c, None), ("(+86) " + _grouped(v.mobile(), (3, 4, 4), " "), "mobile")],
        "landline/spaced_local": lambda v, c: [(c, None), ("0591-" + _grouped(v.rng.choice("2345678") + v.digits(7),
                                                                               (4, 4), " "), "landline")],
        "landline/em_dash": lambda v, c: [(c, None), ("0591—" + v.rng.choice("2345678") + v.digits(7), "landline")],
        "id_card/spaced_6_4_4_4": lambda v, c: [(c, None), (_grouped(v.id_card(), (6, 4, 4, 4), " "), "id_card")],
        "id_card/lower_x": lambda v, c: [(c or "身份证号码为", None), (v.id_card(final_x=True).lower(), "id_card")],
        "bank_card/dashed": lambda v, c: [(c, None), (_grouped(v.luhn("6222" + v.digits(14)), (4, 4, 4, 4, 3), "-"),
                                                      "bank_card")],
        "bank_card/branch_and_account": lambda v, c: [("开户行：工商银行，账号：", None), (v.luhn("6212" + v.digits(14)),
                                                                                         "bank_card")],
        "email/subdomain": lambda v, c: [(c, None), (f"lin{v.digits(3)}@mail.fzu.edu.cn", "email")],
        "email/spaced_at": lambda v, c: [(c, None), (f"zhang{v.digits(2)} @ qq.com", "email")],
        "email/paren_both": lambda v, c: [(c, None), (f"wang{v.digits(4)}(at)163(dot)com", "email")],
        "qq/grouped": lambda v, c: [(c, None), (_grouped(v.rng.choice("123456789") + v.digits(8), (3, 3, 3), " "), "qq")],
        "qq/jia_q": lambda v, c: [("加Q：", None), (v.rng.choice("123456789") + v.digits(8), "qq")],
        "plate/dash": lambda v, c: [(c, None), ("闽A-" + v.digits(5), "plate")],
        "plate/space": lambda v, c: [(c, None), ("闽 A" + v.digits(5), "plate")],
        "plate/lower": lambda v, c: [(c, None), ("闽a" + v.digits(5), "plate")],
        "name/titled_full": lambda v, c: [(v.rng.choice(["感谢", "请", "联系"]), None),
                                          (v.name() + v.rng.choice(["先生", "女士"]), "name")],
        "name/surname_then_name": lambda v, c: [("我姓王，叫", None), ("王" + v.rng.choice(GIVEN), "name")],
        "name/resident": lambda v, c: [(v.rng.choice(["我是居民", "我是业主"]), None), (v.name(), "name"), ("，", None)],
        "name/elder_age": lambda v, c: [(v.rng.choice(["我婆婆", "我老公", "我奶奶"]), None), (v.name(), "name"),
                                        (f"今年{v.rng.randrange(30, 90)}岁", None)],
        "name/applicant": lambda v, c: [(v.rng.choice(["申请人：", "投诉人："]), None), (v.name(), "name")],
        "address/zhuzhi": lambda v, c: [(v.rng.choice(home) + v.rng.choice(DISTRICTS) + v.rng.choice(ROADS), None),
                                        (f"{v.rng.randrange(1, 200)}号{v.rng.randrange(1, 20)}栋{room(v)}", "address")],
        "address/xincun": lambda v, c: [(v.rng.choice(home) + "建新新村", None),
                                        (f"{v.rng.randrange(1, 40)}幢{room(v)}室", "address")],
        "address/floor_room": lambda v, c: [(v.rng.choice(home) + v.rng.choice(ESTATES), None),
                                            (f"{v.rng.randrange(2, 30)}楼{room(v)}", "address")],
        "address/district_letter": lambda v, c: [(v.rng.choice(home) + v.rng.choice(ESTATES) + v.rng.choice("AB") + "区",
                                                  None), (f"{v.rng.randrange(1, 20)}栋{room(v)}", "address")],
        "address/huji": lambda v, c: [("户籍地址：" + v.rng.choice(VILLAGES) + f"{v.rng.randrange(1, 9)}组", None),
                                      (f"{v.rng.randrange(1, 300)}号", "address")],
        "address/yard": lambda v, c: [(v.rng.choice(home) + v.rng.choice(ROADS), None),
                                      (f"{v.rng.randrange(1, 200)}号院{v.rng.randrange(1, 9)}号楼{room(v)}", "address")],
    }


LATER = frozenset(_later_forms())


def catalogue() -> dict[str, Builder]:
    forms: dict[str, Builder] = dict(_later_forms())
    for kind, table in (("mobile", _mobile_forms()), ("landline", _landline_forms()), ("id_card", _id_forms()),
                        ("bank_card", _bank_forms()), ("document", _document_forms()), ("email", _email_forms()),
                        ("", _account_forms()), ("name", _name_forms()), ("address", _address_forms())):
        for name, build in table.items():
            forms[f"{kind}/{name}" if kind else name] = build
    return forms

