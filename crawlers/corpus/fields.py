"""The work order's other fields: who called, from where, how it was categorised, a number to call back."""

from __future__ import annotations

import random
import re

from crawlers.corpus import phrases as P
from crawlers.corpus.grammar import Slots, fill
from crawlers.corpus.options import KIND_LABELS, CorpusOptions
from crawlers.corpus.weights import pick

_MOBILE = re.compile(r"1[3-9]\d{9}")


def fake_mobile(rng: random.Random) -> str:
    """A mainland mobile number of the right shape (no real subscriber is meant)."""
    return f"1{pick(rng, '3456789')}{int(rng.random() * 10 ** 9):09d}"


def phone_sentence(rng: random.Random, operator: bool) -> str:
    forms = P.PHONE_SENTENCES_OPERATOR if operator else P.PHONE_SENTENCES
    return pick(rng, forms).format(phone=fake_mobile(rng))


def new_phones(rng: random.Random, text: str) -> str:
    """Another person's resubmission gives their own number."""
    return _MOBILE.sub(lambda _: fake_mobile(rng), text) if "1" in text else text


def requester(rng: random.Random, kind: str) -> str | None:
    if kind == "anonymous":
        return None
    if kind == "enterprise":
        return f"{pick(rng, P.FIRM_HEADS)}{pick(rng, P.FIRM_TRADES)}有限公司"
    return pick(rng, P.SURNAMES) + pick(rng, P.HONORIFICS)


def address(rng: random.Random, slots: Slots, options: CorpusOptions) -> str | None:
    return fill(pick(rng, P.ADDRESSES), slots) if rng.random() < options.address_share else None


def category_given(rng: random.Random, category: str, kind: str, options: CorpusOptions) -> str | None:
    """诉求类型: the department-level category, the kind of demand (投诉, 咨询 …), or nothing."""
    roll = rng.random()
    if roll < options.category_share:
        return category
    if roll < options.category_share + options.kind_label_share:
        return KIND_LABELS.get(kind, "投诉")
    return None
