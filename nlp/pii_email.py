"""E-mail addresses, as written and as people disguise them to get past filters.

``zhang at 163 dot com``, ``zhang(at)qq.com``, ``zhang#qq.com``, ``zhang艾特163点com`` and full-width
``zhang＠qq．com`` (folded by the probe) are all addresses; a disguised one needs a known top-level
domain, so ``#话题#`` or ``at 8 pm`` are not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from nlp.pii_base import Detector

_LOCAL = r"[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}"
_TLD = r"(?:com|cn|net|org|edu|gov|cc|io|me|info|biz|top|vip|hk|tw|mo)"
_AT = r"(?:\s?(?:@|#|艾特|圈a|\(at\)|\[at\]|\{at\}|<at>|（at）)\s?| (?:at|AT) )"
_DOT = r"(?:\s?(?:\.|点|。|\(dot\)|\[dot\]|\{dot\}|（dot）)\s?| (?:dot|DOT) )"



class EmailDetector(Detector):
    """Addresses as written (a@b.cn) and disguised (at/dot in words or brackets, #, 艾特, 点com)."""

    kind = "email"
    _plain = re.compile(r"(?<![A-Za-z0-9._%+-])" + _LOCAL + r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,10}")
    _disguised = re.compile(rf"(?<![A-Za-z0-9._%+-]){_LOCAL}{_AT}[A-Za-z0-9-]{{2,30}}(?:{_DOT}[A-Za-z0-9-]{{2,30}})*?"
                            rf"{_DOT}{_TLD}(?:{_DOT}cn)?(?![A-Za-z0-9])")

    # after 邮箱/email a bare account (邮箱 zhangsan2020, 邮箱：zhang@163) is one too
    _cued = re.compile(r"(?:邮箱|电子邮件|e-?mail|E-?mail|EMAIL|Email)(?:地址|号)?[\s:：是为]{0,3}"
                       r"([A-Za-z0-9][A-Za-z0-9._-]{3,63}(?:\s?(?:@|#|艾特)\s?[A-Za-z0-9-]{2,30})?)(?![A-Za-z0-9._@#:-])")

    def find(self, text: str) -> Iterable[tuple[int, int]]:
        if "@" in text:
            for m in self._plain.finditer(text):
                yield m.span()
        if "@" in text or "#" in text or "艾特" in text or "圈a" in text or "at" in text or "AT" in text:
            for m in self._disguised.finditer(text):
                yield m.span()
        if "邮" in text or "mail" in text or "MAIL" in text:
            for m in self._cued.finditer(text):
                value = m.group(1)
                if value[-1].isalnum() and (re.search("[A-Za-z]", value) or sum(c.isdigit() for c in value) >= 5):
                    yield m.span(1)
