"""Plausible personal data for the synthetic demands (the masker must catch every one of them)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from crawlers.synthetic.vocabulary import DISTRICT_CODES


def id_card_checksum(first17: str) -> str:
    """GB 11643 check character of a mainland resident ID number."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    return "10X98765432"[total % 11]


def fake_id_card(rng: random.Random, district: str | None = None) -> str:
    area = DISTRICT_CODES.get(district or "", "350102")
    birth = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 55))
    body = f"{area}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return body + id_card_checksum(body)


def fake_mobile(rng: random.Random) -> str:
    return rng.choice(["13", "15", "18", "17", "19"]) + str(rng.randrange(0, 10)) + f"{rng.randrange(0, 10**8):08d}"


def fake_plate(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    tail = "".join(rng.choice("0123456789" + letters[:6]) for _ in range(4))
    return f"闽A{rng.randrange(0, 10)}{tail}"


def fake_email(rng: random.Random) -> str:
    name = "".join(rng.choice("abcdefghijkmnpqrstuvwxyz") for _ in range(rng.randrange(5, 9)))
    return f"{name}{rng.randrange(10, 99)}@{rng.choice(['qq.com', '163.com', '126.com', 'sina.com'])}"


def _pii_sentence(rng: random.Random, district: str | None) -> tuple[str, dict[str, str]]:
    kind = rng.choice(["mobile", "mobile", "id_card", "plate", "email"])
    if kind == "mobile":
        v = fake_mobile(rng)
        return rng.choice([f"我的联系电话{v}，", f"有问题请打{v}联系我。", f"手机：{v}"]), {kind: v}
    if kind == "id_card":
        v = fake_id_card(rng, district)
        return f"本人身份证号{v}，", {kind: v}
    if kind == "plate":
        v = fake_plate(rng)
        return rng.choice([f"涉事车辆车牌{v}。", f"车牌号是{v}，"]), {kind: v}
    v = fake_email(rng)
    return f"处理结果请发邮箱{v}。", {kind: v}

