"""A tiny, self-made corpus of token lists: three clear themes plus one that appears later.

Generated from a seeded RNG, so every test sees the same documents.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from suqiu.model import SHANGHAI

THEMES: dict[str, list[str]] = {
    "property": ["物业", "物业费", "业主", "电梯", "维修", "停车费", "保安", "绿化", "业委会", "漏水"],
    "school": ["学校", "学生", "老师", "补课", "学位", "入学", "幼儿园", "家长", "校车", "学区"],
    "pollution": ["噪音", "污染", "排污", "臭味", "工厂", "废气", "河道", "黑臭", "粉尘", "施工"],
    "transit": ["公交", "线路", "站点", "地铁", "红绿灯", "堵车", "班次", "出租车", "网约车", "停靠"],
}
NOISE = ["反映", "情况", "市民", "附近", "影响", "生活", "时间", "处理"]


def theme_docs(theme: str, n: int, seed: int, length: int = 12) -> list[list[str]]:
    rng = random.Random(f"{theme}-{seed}")
    vocab = THEMES[theme]
    return [rng.choices(vocab, k=length) + rng.sample(NOISE, 2) for _ in range(n)]


def corpus(themes: tuple[str, ...] = ("property", "school", "pollution"), per_theme: int = 20,
           seed: int = 1) -> tuple[list[str], list[list[str]], list[str]]:
    """(ids, token lists, theme of each doc), themes interleaved."""
    docs = {t: theme_docs(t, per_theme, seed) for t in themes}
    ids, texts, labels = [], [], []
    for i in range(per_theme):
        for t in themes:
            ids.append(f"{t}-{seed}-{i}")
            texts.append(docs[t][i])
            labels.append(t)
    return ids, texts, labels


def at(week_offset: int, day: int = 0, hour: int = 10) -> datetime:
    """A Monday-based moment ``week_offset`` weeks after 2026-01-05 (ISO week 2026-W02)."""
    return datetime(2026, 1, 5, hour, tzinfo=SHANGHAI) + timedelta(weeks=week_offset, days=day)
