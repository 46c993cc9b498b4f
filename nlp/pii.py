"""PII masking: replace personal data with a type tag such as ``[手机号]`` before text leaves the store.

Each kind of PII is a small detector (``Detector``: ``find(text) -> spans``); a ``PiiMasker`` runs
its detectors in priority order and keeps the first claim on every character, so an 18-digit ID
card is never half-masked as a phone number. Detectors validate what a pattern alone cannot (ID
checksum and birth date, Luhn for bank cards) and honour cue words: a number after 订单号/工单号 is
an order number, a name is only masked after 我叫/联系人/本人/我父亲 … or before 先生/女士.

What is caught, by kind (tags in ``TAGS``): mobiles in any grouping, with +86/0086, in Chinese
numerals (幺三八…, mixed with digits) or glued to the digits after a phone cue; landlines with
area code or after a cue, with extensions; ID cards (18 with X, grouped, 15 after a cue); travel
documents (passports, 港澳/台湾 permits, 回乡证); bank cards; e-mails as written and disguised
(at/dot, ＠, #, 艾特); QQ and WeChat ids after their cue; licence plates; names; the part of a home
address that locates the home (house number, building, unit, room — district, road and estate
stay). Left alone: dates, times, money, work-order numbers, areas, counts, legal articles, road
numbers without a home (杨桥路88号 as a shop's location), public service numbers (12345, 110).

Run it on normalized text where there is one; raw text (a department's reply, an address) works
too: detectors read a same-length probe (full-width folded, Chinese numerals in number runs
spelled as digits), so the spans point into the text as given.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlp.pii_address import AddressDetector
from nlp.pii_base import TAG_RE, TAGS, Detector, Span, make_probe
from nlp.pii_numbers import (
    QQ_PATTERN, WECHAT_BARE, WECHAT_PATTERN, BankCardDetector, CuedIdDetector, DocumentDetector,
    IdCardDetector, LandlineDetector, MobileDetector, PlateDetector, id_card_valid, luhn_valid,
)
from nlp.pii_email import EmailDetector
from nlp.pii_names import NameDetector

__all__ = [
    "MOBILE_RE", "TAGS", "TAG_RE", "AddressDetector", "BankCardDetector", "CuedIdDetector", "Detector",
    "DocumentDetector", "EmailDetector", "IdCardDetector", "LandlineDetector", "MobileDetector", "NameDetector",
    "PiiMasker", "PlateDetector", "Span", "default_detectors", "id_card_valid", "luhn_valid", "strip_tags",
]

# Mobile numbers as plain digit runs (for counting leaks): 11 digits, 1[3-9], not inside a longer
# number or a code (FZ16082600608 is a work-order number, and stays unmasked). The masker itself
# finds more forms (any grouping: ``nlp.pii_numbers.MOBILE_LOOSE_RE``; numerals; glued after a cue).
MOBILE_RE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?!\d)")


def default_detectors() -> list[Detector]:
    """Priority order: a character claimed by an earlier detector is not looked at again."""
    return [
        EmailDetector(), IdCardDetector(), BankCardDetector(), DocumentDetector(), MobileDetector(),
        LandlineDetector(), CuedIdDetector("qq", QQ_PATTERN), CuedIdDetector("wechat", WECHAT_PATTERN, WECHAT_BARE),
        PlateDetector(), AddressDetector(), NameDetector(),
    ]


class PiiMasker:
    """Finds PII spans and replaces them with type tags; swap detectors through the constructor."""

    def __init__(self, detectors: Sequence[Detector] | None = None) -> None:
        self.detectors = list(detectors) if detectors is not None else default_detectors()

    def find(self, text: str) -> list[Span]:
        probe = make_probe(text)       # same length as ``text``: its spans mark the original
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
