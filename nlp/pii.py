"""PII masking: replace personal data with a type tag such as ``[手机号]`` before text leaves the store.

Each kind of PII is a small detector (``Detector``: ``find(text) -> spans``); a ``PiiMasker`` runs
its detectors in priority order and keeps the first claim on every character, so an 18-digit ID
card is never half-masked as a phone number. Detectors validate what a pattern alone cannot (ID
checksum and birth date, Luhn for bank cards) and honour cue words: a number after 订单号/工单号 is
an order number, a name is only masked after 我叫/联系人/本人/姓名 ….

Run it on normalized text where there is one; raw text (a department's reply, an address) works
too: full-width characters are folded one-for-one before detection, so ``１３８…`` is found and the
spans still point into the text as given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

TAGS: dict[str, str] = {
    "email": "[邮箱]",
    "id_card": "[身份证号]",
    "bank_card": "[银行卡号]",
    "mobile": "[手机号]",
    "landline": "[固话]",
    "plate": "[车牌号]",
    "qq": "[QQ号]",
    "wechat": "[微信号]",
    "name": "[姓名]",
}
TAG_RE = re.compile("|".join(re.escape(t) for t in TAGS.values()))

# Mobile numbers anywhere (for counting leaks): 11 digits, 1[3-9] prefix, not inside a longer number.
MOBILE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

# Full-width ASCII → ASCII and the ideographic space → space, one character for one (spans stay valid).
_WIDTH_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_WIDE_RE = re.compile("[\uff01-\uff5e\u3000]")

_ORDER_CUE = re.compile(r"(?:订单|单号|工单|编号|流水|快递|运单|发票|批次|合同号|案号|序号|受理号|票号)[号码]?[\s:：是为]*$")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str

    @property
    def tag(self) -> str:
        return TAGS[self.kind]


class Detector:
    """One kind of PII; ``find`` yields (start, end) of what to mask."""

    kind: str = ""

    def find(self, text: str) -> Iterable[tuple[int, int]]:
        raise NotImplementedError


def _after_order_cue(text: str, start: int) -> bool:
    return bool(_ORDER_CUE.search(text[max(0, start - 8):start]))


class EmailDetector(Detector):
    kind = "email"
    _re = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,10}")

    def find(self, text: str) -> Iterable[tuple[int, int]]:
        if "@" not in text:
            return
        for m in self._re.finditer(text):
            yield m.span()


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_card_valid(number: str) -> bool:
    """18-digit resident ID: region, a real birth date and the ISO 7064 check character."""
    if len(number) != 18 or not number[:17].isdigit() or number[0] == "0":
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if not 1900 <= born.year <= date.today().year:
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == number[17].upper()


class IdCardDetector(Detector):
    """Checksum-valid 18-digit IDs; after the cue 身份证 any 15/18-character ID-shaped number."""

    kind = "id_card"
    _re = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
    _cued = re.compile(r"身份证(?:号码|号)?[\s:：是为]*(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")

    def find(self, text: str) -> Iterable[tuple[int, int]]:
        for m in self._re.finditer(text):
            if id_card_valid(m.group()):
                yield m.span()
        if "身份证" in text:
            for m in self._cued.finditer(text):
                yield m.span(1)


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


class BankCardDetector(Detector):
    """16–19 digits (optionally grouped by 4) passing Luhn with a card-network prefix, or after 卡号/账号."""

    kind = "bank_card"
    _re = re.compile(r"(?<![0-9A-Za-z])\d{4}(?:[ -]?\d{4}){3}(?:[ -]?\d{1,3})?(?![0-9A-Za-z])")
    _cued = re.compile(r"(?:银行卡|卡号|账号|帐号|账户|帐户|银行帐号)(?:号码|号)?[\s:：是为]*(\d[\d -]{10,22}\d)(?![0-9A-Za-z])")

    def find(self, text: str) -> Iterable[tuple[int, int]]:
        for m in self._re.finditer(text):
            digits = re.sub(r"[ -]", "", m.group())
            if (16 <= len(digits) <= 19 and digits[0] in "345689" and luhn_valid(digits)
                    and not _after_order_cue(text, m.start())):
                yield m.span()
        if "卡" in text or "账" in text or "帐" in text:
            for m in self._cued.finditer(text):
                if 12 <= len(re.sub(r"[ -]", "", m.group(1))) <= 19:
                    yield m.span(1)


class MobileDetector(Detector):
    kind = "mobile"
    _re = re.compile(r"(?<!\d)(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")

    def find(self, text: str) -> Iterable[tuple[int, int]]:
        for m in self._re.finditer(text):
            yield m.span()


class LandlineDetector(Detector):
    """Area code plus local number (0591-87654321, (0591)87654321); bare 7–8 digits after 电话/座机."""

    kind = "landline"
    _re = re.compile(
        r"(?<!\d)(?:[(（]0\d{2,3}[)）][ -]?\d{7,8}|0\d{2,3}[ -]\d{7,8}|0\d{2,3}[2-9]\d{6,7})(?:-\d{1,4})?(?!\d)")
    _cued = re.compile(r"(?:电话|座机|固话|联系方式|tel|TEL|Tel)[号码]*[\s:：是为]*([2-9]\d{6,7})(?!\d)")

    def find(self, text: str) -> Iterable[tuple[int, int]]:
        for m in self._re.finditer(text):
            if not _after_order_cue(text, m.start()):
                yield m.span()
        for m in self._cued.finditer(text):
            yield m.span(1)


class PlateDetector(Detector):
    """Licence plates: province character, issuing-office letter, 5 (or 6 for new energy) characters."""

    kind = "plate"
    _re = re.compile(
        r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Za-hj-np-z][·•. -]?"
        r"[A-HJ-NP-Za-hj-np-z0-9]{5,6}(?:挂|学|警)?(?![A-Za-z0-9])")

    def find(self, text: str) -> Iterable[tuple[int, int]]:
        for m in self._re.finditer(text):
            if sum(c.isdigit() for c in m.group()) >= 2:
                yield m.span()


class CuedIdDetector(Detector):
    """An account id that is only recognisable by the word before it (QQ, 微信)."""

    def __init__(self, kind: str, pattern: str) -> None:
        self.kind = kind
        self._re = re.compile(pattern)

    def find(self, text: str) -> Iterable[tuple[int, int]]:
        for m in self._re.finditer(text):
            yield m.span(1)


QQ_PATTERN = r"(?:QQ|qq|Qq|扣扣)(?:号码|号)?[\s:：是为]*([1-9]\d{4,10})(?!\d)"
WECHAT_PATTERN = (r"(?:微信|weixin|wechat|WeChat|vx|VX|Vx|wx|WX)(?:号码|号|id|ID)?[\s:：是为]*"
                  r"([A-Za-z][-_A-Za-z0-9]{5,19}|1[3-9]\d{9})(?![-_A-Za-z0-9])")

SURNAMES = (
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 令狐 夏侯 司徒 端木 长孙 "
    "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 彭 曾 肖 田 董 袁 潘 "
    "于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 石 廖 贾 夏 韦 付 方 白 邹 孟 熊 秦 邱 江 尹 "
    "薛 闫 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵 万 钱 严 覃 武 戴 莫 孔 向 汤 常 温 康 施 文 牛 樊 葛 邢 安 齐 易 "
    "乔 伍 庞 颜 倪 庄 聂 章 鲁 岳 翟 殷 詹 申 欧 耿 关 兰 焦 俞 左 柳 甘 祝 包 宁 尚 符 舒 阮 柯 纪 梅 童 凌 毕 单 季 "
    "裴 霍 涂 成 苗 谷 盛 曲 翁 冉 骆 蓝 路 游 辛 靳 管 柴 蒙 鲍 华 喻 祁 蒲 房 滕 屈 饶 解 牟 艾 尤 阳 时 穆 农 司 卓 "
    "古 吉 缪 简 车 项 连 芦 麦 褚 娄 窦 戚 岑 景 党 宫 费 卜 冷 晏 席 卫 米 柏 宗 瞿 桂 全 佟 应 臧 闵 苟 邬 边 卞 姬 "
    "师 和 仇 栾 隋 商 刁 沙 荣 巫 寇 桑 郎 甄 丛 仲 虞 敖 巩 明 佘 池 查 麻 苑 迟 邝 "
).split()
# Characters that end a name: particles, verbs and time words that follow a name in real messages.
_NOT_GIVEN = set("的是在了和与及或电手住家现系先女师说要想就也都很因为被把对向从到给让请反投举这那我你他她们"
                 "不有人日月年今昨去前后时天于在某等号码身份证联络等等个之上下")
_TITLES = ("先生", "女士", "小姐", "师傅", "阿姨", "同志", "老师")


class NameDetector(Detector):
    """Personal names right after a cue (我叫, 联系人, 本人, 姓名 …): a surname and one or two given chars."""

    kind = "name"

    def __init__(self, cues: Sequence[str] = ("我叫", "我的名字是", "我的名字叫", "本人叫", "本人姓名", "本人",
                                              "联系人", "姓名", "名叫", "举报人", "投诉人", "反映人", "来电人",
                                              "求助人", "申请人", "负责人", "经办人")) -> None:
        cue = "|".join(sorted(map(re.escape, cues), key=len, reverse=True))
        sur = "|".join(sorted(SURNAMES, key=len, reverse=True))
        self._re = re.compile(rf"(?:{cue})[\s:：是为]*({sur})([\u4e00-\u9fa5]{{0,2}})")
        # these also start ordinary sentences (本人每天…, 负责人马上…): the name must end at a delimiter
        self._strict_cues = ("本人", "负责人", "经办人")

    def find(self, text: str) -> Iterable[tuple[int, int]]:
        for m in self._re.finditer(text):
            start, given = m.start(1), m.group(2)
            title = next((t for t in _TITLES if text.startswith(t, m.end(1))), None)
            if title:
                yield start, m.end(1) + len(title)
                continue
            n = 0
            while n < len(given) and given[n] not in _NOT_GIVEN:
                n += 1
            if n == 0:
                continue
            end = m.end(1) + n
            cue = m.group(0)[: m.start(1) - m.start()]
            if cue.rstrip(" :：是为") in self._strict_cues:
                nxt = text[end:end + 3]
                if not (nxt == "" or nxt[0] in "，,。.、;；:：!！?？ \n(（" or nxt.startswith(
                        ("身份", "电话", "手机", "联系", "住", "现", "系", "男", "女", "家住", "今年"))):
                    continue
            yield start, end


def default_detectors() -> list[Detector]:
    """Priority order: a character claimed by an earlier detector is not looked at again."""
    return [
        EmailDetector(), IdCardDetector(), BankCardDetector(), MobileDetector(), LandlineDetector(),
        PlateDetector(), CuedIdDetector("qq", QQ_PATTERN), CuedIdDetector("wechat", WECHAT_PATTERN),
        NameDetector(),
    ]


class PiiMasker:
    """Finds PII spans and replaces them with type tags; swap detectors through the constructor."""

    def __init__(self, detectors: Sequence[Detector] | None = None) -> None:
        self.detectors = list(detectors) if detectors is not None else default_detectors()

    def find(self, text: str) -> list[Span]:
        # same length as ``text``: spans found on the folded copy mark the original
        probe = text.translate(_WIDTH_FOLD) if _WIDE_RE.search(text) else text
        taken: list[Span] = []
        for det in self.detectors:
            for start, end in det.find(probe):
                if start < end and all(end <= s.start or start >= s.end for s in taken):
                    taken.append(Span(start, end, det.kind))
        return sorted(taken, key=lambda s: s.start)

    def mask_spans(self, text: str) -> tuple[str, list[Span]]:
        spans = self.find(text)
        if not spans:
            return text, spans
        out, pos = [], 0
        for s in spans:
            out.append(text[pos:s.start])
            out.append(s.tag)
            pos = s.end
        out.append(text[pos:])
        return "".join(out), spans

    def __call__(self, text: str) -> str:
        return self.mask_spans(text)[0]


def strip_tags(masked: str, replacement: str = " ") -> str:
    """Masked text without the type tags (what tokenizers and duplicate detection should read)."""
    return TAG_RE.sub(replacement, masked)
