"""Detectors for personal numbers: ID cards, travel documents, bank cards, phones, plates, QQ/WeChat ids.

They read the probe (full-width folded, numerals spelled as digits: see ``nlp.pii_base``) and
accept the separators people type between digit groups (space, dash, dot). What a pattern alone cannot tell is validated: the ID
checksum and birth date, Luhn or the UnionPay prefix for cards; a cue word (手机, 身份证, 护照, QQ …)
widens what is accepted (a mobile glued to the digits that follow it, an ID that fails its
checksum, a bare 8-digit 台胞证), and an order cue (订单号, 工单号 …) vetoes a number.

Public service numbers (12345, 110, 12315, 95598, 400 hotlines) never match: a landline needs a
0 area code or a phone cue and 7–8 local digits starting 2–9, a mobile 11 digits starting 1[3-9].
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from nlp.pii_base import CUE_GAP, Detector, after_order_cue

_NOT_AFTER = r"(?![0-9A-Za-z])(?![\-.][0-9])"           # not the head of a longer number or code
_STRIP = re.compile(r"[^0-9Xx]")


def glued_before(text: str, start: int, seps: str = "-.") -> bool:
    """The number at ``start`` is the tail of a longer number or code (checked here, not by a
    look-behind: a pattern that starts with one loses the regex engine's fast scan for its first character)."""
    if not start:
        return False
    before = text[start - 1]
    return (before.isascii() and before.isalnum()) or (before in seps and start >= 2 and text[start - 2].isdigit())


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


class IdCardDetector(Detector):
    """Checksum-valid 18-character IDs in any grouping; after 身份证 any 15/18-character ID-shaped number."""

    kind = "id_card"
    _re = re.compile(rf"[1-9](?:[ \-]?\d){{16}}[ \-]?[\dXx]{_NOT_AFTER}(?![ \-]\d)")
    _cued = re.compile(rf"(?:身份证|身份号码|证件号码|证件号|身份证件)(?:号码|号)?[\s:：是为]{{0,3}}"
                       rf"(\d(?:[ \-]?\d){{14}}(?:(?:[ \-]?\d){{2}}[ \-]?[\dXx])?){_NOT_AFTER}")

    def find(self, text: str) -> Iterable[tuple[int, int]]:
        for m in self._re.finditer(text):
            if not glued_before(text, m.start(), "-. ") and id_card_valid(_STRIP.sub("", m.group())):
                yield m.span()
        if "身份" in text or "证件" in text:
            for m in self._cued.finditer(text):
                yield m.span(1)


class BankCardDetector(Detector):
    """16–19 digits in any grouping that pass Luhn with a card-network prefix or carry UnionPay's 62;
    after 卡号/账号/银行卡 any 12–19 digits."""

    kind = "bank_card"
    _re = re.compile(rf"\d(?:[ \-]?\d){{15,18}}{_NOT_AFTER}(?![ \-]\d)")
    _cued = re.compile(r"(?:银行卡|卡号|账号|帐号|账户|帐户|储蓄卡|信用卡|借记卡|工资卡|社保卡|存折)" + CUE_GAP +
                       rf"(\d(?:[ \-]?\d){{11,18}}){_NOT_AFTER}")

    def find(self, text: str) -> Iterable[tuple[int, int]]:
        for m in self._re.finditer(text):
            digits = _STRIP.sub("", m.group())
            if ((digits.startswith("62") or (digits[0] in "345689" and luhn_valid(digits)))
                    and not glued_before(text, m.start(), "-. ") and not after_order_cue(text, m.start())):
                yield m.span()
        if "卡" in text or "账" in text or "帐" in text or "折" in text:
            for m in self._cued.finditer(text):
                yield m.span(1)


class DocumentDetector(Detector):
    """Passports (E12345678, EA1234567, G12345678 even without a cue) and, after their names, travel
    permits (港澳通行证 C…, 台胞证, 回乡证 H/M…, 往来台湾通行证 L…), Hong Kong IDs and the like."""

    kind = "document"
    _bare = re.compile(r"(?:E[A-HJ-NP-Z0-9]\d{7}|G\d{8})(?![0-9A-Za-z])")
    _cued = re.compile(
        r"(?:护照|通行证|台胞证|回乡证|旅行证|居留证|居住证|签证|军官证|士兵证|警官证|香港身份证|澳门身份证|台湾身份证|证件)"
        r"(?:号码|号|编号)?[\s:：是为]{0,3}"
        r"([A-Za-z]{1,2}\d{6,10}(?:[(（][0-9A-Za-z][)）])?|\d{8,10}(?:[(（][A-Za-z][)）])?)(?![0-9A-Za-z])")

    def find(self, text: str) -> Iterable[tuple[int, int]]:
        for m in self._bare.finditer(text):
            if not glued_before(text, m.start()):
                yield m.span()
        if "证" in text:
            for m in self._cued.finditer(text):
                yield m.span(1)


_PLUS86 = r"(?:(?:\+|00)\s?86[ \-]?|[(（]\+?86[)）][ \-]?|\+?86-)"
# for counting: mobiles in any grouping, with +86, standing alone (not inside a longer number or code)
MOBILE_LOOSE_RE = re.compile(rf"(?<![0-9A-Za-z+])(?<![0-9][\-.]){_PLUS86}?1[3-9](?:[ \-.·]{{0,3}}\d){{9}}"
                             r"(?!\d)(?![\-.]\d)")
_MOBILE_CORE = re.compile(r"1[3-9](?:[ \-.·]{0,3}\d){9}")
_PLUS86_BEFORE = re.compile(_PLUS86 + "$")
# after a phone cue a mobile may be glued to the digits that follow (手机：1794714934612345) or to
# letters before it (tel13812345678)
_PHONE_CUE_BEFORE = re.compile(r"(?:手机|电话|联系方式|联系|致电|拨打|打|回电|号码|热线|tel|Tel|TEL|mobile|Mobile|"
                               r"phone|Phone)(?:号码|号)?[\s:：是为]{0,3}$")
_MONEY_AFTER = frozenset("元块万亿%")


class MobileDetector(Detector):
    """11 digits with a 1[3-9] prefix in any grouping (138-1234-5678, 138.1234.5678, +86/0086 …),
    standing alone, or glued to other digits or letters right after a phone cue."""

    kind = "mobile"

    def find(self, text: str) -> Iterable[tuple[int, int]]:
        for m in _MOBILE_CORE.finditer(text):
            start, end = m.span()
            prefix = _PLUS86_BEFORE.search(text, max(0, start - 6), start)
            if prefix:
                start = prefix.start()
            after = text[end:end + 2]
            glued = glued_before(text, start) or after[:1].isdigit() or (after[:1] in ("-", ".") and after[1:].isdigit())
            if not glued:
                if after[:1] not in _MONEY_AFTER and not after_order_cue(text, start):
                    yield start, end
            elif m.group().isdigit() and _PHONE_CUE_BEFORE.search(text, max(0, start - 12), start):
                yield start, end


_AREA = r"0(?:10|2\d|[3-9]\d{2})"
_LOCAL = r"[2-9]\d{2,3}[ \-]?\d{4}"
_EXT = r"(?:\s?(?:-|转|分机|ext\.?|EXT\.?|x)\s?\d{1,5})?"


# a landline right after these is an office's public number (咨询电话：0591-87654321), not a person's
_PUBLIC_CUE = re.compile(r"(?:咨询|举报|投诉|服务|监督|值班|热线|预订|订房|客服|服务中心|办事处)(?:电话|专线|热线)?"
                         r"(?:号码)?[\s:：是为(（]{0,3}$")


class LandlineDetector(Detector):
    """Area code plus local number (0591-87654321, (0591)8765 4321, with 转/分机 extensions); a bare
    7–8 digit local number after a phone cue (座机, 电话, 拨打 …). An office's public number (after
    咨询电话, 举报电话, 服务热线 …) stays: it is not personal and readers of a reply need it."""

    kind = "landline"
    _re = re.compile(rf"(?:\({_AREA}[)）][ \-]?|（{_AREA}[)）][ \-]?|{_AREA}[ \-—.]?){_LOCAL}{_EXT}(?!\d)")
    _cued = re.compile(r"(?:电话|座机|固话|联系方式|拨打|致电|传真|tel|TEL|Tel)" + CUE_GAP +
                       rf"({_LOCAL}{_EXT})(?!\d)")

    def find(self, text: str) -> Iterable[tuple[int, int]]:
        for m in self._re.finditer(text):
            if not (glued_before(text, m.start(), "") or after_order_cue(text, m.start()) or _public(text, m.start())):
                yield m.span()
        for m in self._cued.finditer(text):
            if not _public(text, m.start(1)):
                yield m.span(1)


def _public(text: str, start: int) -> bool:
    return bool(_PUBLIC_CUE.search(text, max(0, start - 12), start))


class PlateDetector(Detector):
    """Licence plates: province character, issuing-office letter, 5 (or 6 for new energy) capitals or
    digits, at least one a digit (新Mate60 and 新MacBook are not plates)."""

    kind = "plate"
    _re = re.compile(
        r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼] ?[A-HJ-NP-Za-hj-np-z][·•. \-]?"
        r"[A-HJ-NP-Z0-9]{5,6}(?:挂|学|警)?(?![A-Za-z0-9])")

    def find(self, text: str) -> Iterable[tuple[int, int]]:
        for m in self._re.finditer(text):
            if any(c.isdigit() for c in m.group()):
                yield m.span()


class CuedIdDetector(Detector):
    """An account id that is only recognisable by the word before it (QQ, 微信)."""

    def __init__(self, kind: str, pattern: str, bare: str | None = None) -> None:
        self.kind = kind
        self._re = re.compile(pattern)
        self._bare = re.compile(bare) if bare else None

    def find(self, text: str) -> Iterable[tuple[int, int]]:
        if self._bare is not None:       # before the cued pattern: wx in wxid_… is not a cue
            for m in self._bare.finditer(text):
                yield m.span()
        for m in self._re.finditer(text):
            yield m.span(1)


QQ_PATTERN = (r"(?:QQ|qq|Qq|扣扣|企鹅号|Q号|q号|加Q|加q)" + CUE_GAP +
              r"([1-9](?:[ \-]?\d){4,10})(?!\d)")
WECHAT_PATTERN = (r"(?:微信|威信|薇信|V信|v信|weixin|WeChat|wechat|Wechat|"
                  + "|".join(f"{a}(?<![A-Za-z]{a}){b}" for a in "VvWw" for b in "Xx") + ")"
                  r"(?:号码|号|账号|id|ID)?[\s:：是为]{0,3}"
                  r"([A-Za-z][-_A-Za-z0-9]{5,19}|1[3-9]\d{9}|[1-9]\d{4,10})(?![-_A-Za-z0-9])")
WECHAT_BARE = r"wxid_(?<![A-Za-z0-9_].....)[A-Za-z0-9_]{4,30}"
