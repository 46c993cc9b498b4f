"""What every PII detector shares: the kinds and their tags, spans, the detector contract, the probe.

A detector never reads the text as given but a *probe* of the same length: full-width ASCII folded
to ASCII and Chinese numerals inside number-like runs (``幺三八 一二三四 五六七八``) spelled as
digits, one character for one, so a span found on the probe masks exactly those characters of the
original and every number detector sees spoken and written numbers alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

TAGS: dict[str, str] = {
    "email": "[邮箱]",
    "id_card": "[身份证号]",
    "document": "[证件号]",
    "bank_card": "[银行卡号]",
    "mobile": "[手机号]",
    "landline": "[固话]",
    "plate": "[车牌号]",
    "qq": "[QQ号]",
    "wechat": "[微信号]",
    "name": "[姓名]",
    "address": "[住址]",
}
TAG_RE = re.compile("|".join(re.escape(t) for t in TAGS.values()))


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str

    @property
    def tag(self) -> str:
        return TAGS[self.kind]


class Detector:
    """One kind of PII; ``find`` yields (start, end) of what to mask in the probe."""

    kind: str = ""

    def find(self, text: str) -> Iterable[tuple[int, int]]:
        raise NotImplementedError


# Full-width ASCII → ASCII and the ideographic space → space, one character for one.
_WIDTH_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_WIDE_RE = re.compile("[\uff01-\uff5e\u3000]")

# spoken and written numerals, and the financial ones (壹贰叁) people use to slip numbers past filters
NUMERALS = "〇零○一幺二两三四五六七八九壹贰叁肆伍陆柒捌玖"
_SPELL = str.maketrans({"〇": "0", "零": "0", "○": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3",
                        "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9", "壹": "1", "贰": "2",
                        "叁": "3", "肆": "4", "伍": "5", "陆": "6", "柒": "7", "捌": "8", "玖": "9"})
# seven or more digits or numerals, single separators allowed between them
_NUMBER_RUN = re.compile(rf"[0-9{NUMERALS}](?:[ \-.]?[0-9{NUMERALS}]){{6,}}")
_NUMERAL_SET = frozenset(NUMERALS)
# a whole number already written in digits (a mobile, an ID): numerals beside it are not part of it
_DIGIT_NUMBER = re.compile(r"\d(?:[ \-.]?\d){10,}")


def spell_numerals(text: str) -> str:
    """Chinese numerals inside runs of 7+ digits/numerals with at least 3 numerals → ASCII digits.

    Ordinary words are untouched (一直, 两三个, 二〇二六年 are too short a run), and a number already
    written in digits is never lengthened by the numerals beside it (``13812345678一二三四`` keeps
    its numerals, or the mobile would vanish into a 15-digit number).
    """
    pieces: list[str] = []
    pos = 0
    for m in _NUMBER_RUN.finditer(text):
        for start, end in _spoken_parts(text, m.start(), m.end()):
            pieces += [text[pos:start], text[start:end].translate(_SPELL)]
            pos = end
    if not pieces:
        return text
    pieces.append(text[pos:])
    return "".join(pieces)


def _spoken_parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The parts of a run between its whole digit numbers that are long enough and hold 3+ numerals."""
    cuts = [(d.start(), d.end()) for d in _DIGIT_NUMBER.finditer(text, start, end)]
    bounds = [start, *[p for cut in cuts for p in cut], end]
    parts = []
    for a, b in zip(bounds[::2], bounds[1::2]):
        part = text[a:b]
        if b - a >= 7 and sum(ch in _NUMERAL_SET for ch in part) >= 3:
            parts.append((a, b))
    return parts


def make_probe(text: str) -> str:
    """The text detectors read: same length as ``text``, widths folded, numerals spelled."""
    probe = text.translate(_WIDTH_FOLD) if _WIDE_RE.search(text) else text
    return spell_numerals(probe)


# A number right after one of these is an order, case or document number, not personal data.
_ORDER_CUE = re.compile(r"(?:订单|单号|工单|编号|流水|快递|运单|发票|批次|合同号|案号|序号|受理号|票号|条码|型号|批号)"
                        r"[号码]?[\s:：是为]*$")


def after_order_cue(text: str, start: int) -> bool:
    return bool(_ORDER_CUE.search(text[max(0, start - 8):start]))


# What may stand between a cue word and its value: 号码, 是, a colon, spaces.
CUE_GAP = r"(?:号码|号|账号)?[\s:：是为]{0,3}"
