"""What the fixture site publishes, built from the synthetic generator, as seen at a moment.

The site has a clock (``now``): a post appears once it was received, its reply once it was
replied. Moving the clock forward is how tests see new posts and late replies arrive, which is
what an incremental crawler must pick up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from crawlers.synthetic import DEFAULT_START, DEFAULT_WEEKS, OPEN311_SERVICES, generate
from suqiu.model import SHANGHAI

STATUS_TEXT = {"received": "已受理", "routed": "办理中", "replied": "已回复", "closed": "已办结",
               "reopened": "办理中"}


@dataclass
class Post:
    """One published demand: the generator's item plus when it becomes visible."""

    sid: str
    item: dict[str, Any]
    visible_from: datetime

    def visible(self, now: datetime) -> bool:
        return self.visible_from <= now

    def reply_visible(self, now: datetime) -> bool:
        at = self.item.get("replied_at")
        return bool(self.item.get("reply_text")) and isinstance(at, datetime) and at <= now

    def status(self, now: datetime) -> str:
        if self.reply_visible(now):
            return self.item["status"] if self.item["status"] in ("replied", "closed") else "replied"
        return "routed" if self.item["status"] != "received" else "received"

    def updated(self, now: datetime) -> datetime:
        return self.item["replied_at"] if self.reply_visible(now) else self.visible_from


@dataclass
class SiteContent:
    board: list[Post]                 # UTF-8 message board, oldest first
    gbk_board: list[Post]             # GBK message board, oldest first
    reviews: list[Post]
    requests311: list[Post]
    services: list[dict[str, Any]]
    start: date
    weeks: int
    # detail ids that misbehave: broken markup, always 500, slow
    broken: set[str] = field(default_factory=set)
    failing: set[str] = field(default_factory=set)
    slow: set[str] = field(default_factory=set)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.start + timedelta(weeks=self.weeks), time(0)).replace(tzinfo=SHANGHAI)


def _posts(items: list[dict[str, Any]], fallback: datetime) -> list[Post]:
    """Keep generator order (chronological); items with a bad date appear with their neighbour."""
    posts: list[Post] = []
    last = fallback
    for item in items:
        at = item["received_at"]
        if isinstance(at, datetime):
            last = at
        posts.append(Post(item["source_id"], item, last))
    return posts


def build_content(seed: int = 0, start: date | None = None, weeks: int = DEFAULT_WEEKS,
                  n_board: int = 150, n_gbk: int = 60, n_reviews: int = 120, n_open311: int = 80) -> SiteContent:
    start = start or DEFAULT_START
    first = datetime.combine(start, time(0)).replace(tzinfo=SHANGHAI)
    common = {"start": start, "weeks": weeks, "bad_rate": 0.03}
    board = _posts(list(generate(n_board, seed=seed, sources=["portal"], **common)), first)
    gbk = _posts(list(generate(n_gbk, seed=seed + 1, sources=["portal"], **common)), first)
    reviews = _posts(list(generate(n_reviews, seed=seed + 2, sources=["review"], **common)), first)
    req311 = _posts(list(generate(n_open311, seed=seed + 3, sources=["open311"], **common)), first)
    services = [{"service_code": code, "service_name": name, "description": f"{name}（承办：{dept}）",
                 "metadata": False, "type": "realtime", "keywords": name, "group": dept}
                for code, name, dept in OPEN311_SERVICES]
    content = SiteContent(board, gbk, reviews, req311, services, start, weeks)
    # The newest posts are the ones every crawl meets first, so the misbehaving pages sit there.
    good = [p for p in board if p.sid]
    if len(good) > 12:
        content.broken.add(good[-4].sid)
        content.failing.add(good[-7].sid)
        content.slow.add(good[-2].sid)
    gbk_good = [p for p in gbk if p.sid]
    if len(gbk_good) > 6:
        content.broken.add("gbk" + gbk_good[-3].sid)
    return content
