"""A seeded generator of realistic synthetic Chinese citizen demands.

The demo, the local fixture site and many tests need demands that look like what a 12345 centre,
a leader's message board or a review site really receives: complaints, praise and questions about
the shipped departments' remits, in the shipped districts' streets, roads and 小区, with replies
that come in time or late, resubmissions of the same demand through another channel, personal
data that must be masked, urgent cases, a topic that surges in the last week, and a few items no
validator should accept. Everything here is written for this project (templates and vocabularies);
nothing is copied from the real data sets, which only shaped proportions and style.

``generate(n, seed=..)`` is deterministic: the same arguments give the same items, in the same
order. Items are plain dicts with the fields of ``suqiu.model.Demand``; with ``with_truth=True``
each also carries a ``"_truth"`` dict (what a perfect pipeline should conclude) that callers must
drop before ``build_demand`` (``strip_truth`` does it).
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from crawlers.synthetic.people import _pii_sentence
from crawlers.synthetic.vocabulary import (
    BAD_KINDS, BUSINESS_KINDS, BUSINESS_PREFIXES, CHANNELS, CLOSERS, DEFAULT_START, DEFAULT_WEEKS,
    DEPT_UNITS, DURATIONS, EMERGING, EMERGING_DISTRICT, ENTERPRISES, HONORIFICS, NIGHT_TIMES, OPEN311_BODIES,
    OPEN311_SERVICES, OPENERS, REPLY_BODIES, REPLY_CLOSERS, REPLY_OPENERS, RESUBMIT_PREFIXES,
    RESUBMIT_SUFFIXES, REVIEW_DEPARTMENT, REVIEW_NEGATIVE, REVIEW_NEUTRAL, REVIEW_POSITIVE, SOURCE_WEIGHTS,
    SURNAMES, TOPICS, Topic, URGENT,
)
from suqiu.config import Config, default_config_text, parse_config
from suqiu.model import SHANGHAI


@dataclass
class _Place:
    district: str
    street: str
    road: str
    estate: str
    community: str


def _shipped_config() -> Config:
    return parse_config(tomllib.loads(default_config_text()))


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]]) -> Any:
    r = rng.random() * sum(w for _, w in pairs)
    for value, w in pairs:
        r -= w
        if r <= 0:
            return value
    return pairs[-1][0]


class _Generator:
    """Holds the vocabularies from the configuration and the random state of one run."""

    def __init__(self, config: Config, seed: int, start: date, weeks: int) -> None:
        self.rng = random.Random(seed)
        self.config = config
        self.start = start
        self.weeks = weeks
        self.districts = [d for d in config.districts if d.streets and d.roads and d.estates]
        if not self.districts:
            raise ValueError("the configuration has no district with streets, roads and estates")
        known = {d.name for d in config.departments}
        self.topics = [t for t in TOPICS if t.department in known] or list(TOPICS)
        self.urgent = [u for u in URGENT if u[1] in known] or list(URGENT)
        self.emerging_ok = any(d.name == EMERGING_DISTRICT for d in self.districts)
        self.seq: dict[str, int] = {}

    # ---- places and times
    def place(self, district: str | None = None) -> _Place:
        rng = self.rng
        d = next((x for x in self.districts if x.name == district), None) or rng.choice(self.districts)
        return _Place(d.name, rng.choice(d.streets), rng.choice(d.roads), rng.choice(d.estates),
                      rng.choice(d.communities) if d.communities else rng.choice(d.streets))

    def when(self, last_week: bool = False) -> datetime:
        rng = self.rng
        days = self.weeks * 7
        day = rng.randrange(days - 7, days) if last_week else rng.randrange(0, days)
        hour = _weighted(rng, [(h, 3.0 if 8 <= h <= 11 else 2.5 if 14 <= h <= 17 else 1.5 if 18 <= h <= 22
                                else 0.25) for h in range(24)])
        moment = datetime.combine(self.start + timedelta(days=day), time(hour, rng.randrange(60), rng.randrange(60)))
        return moment.replace(tzinfo=SHANGHAI)

    def source_id(self, source: str, at: datetime) -> str:
        n = self.seq[source] = self.seq.get(source, 0) + 1
        if source == "hotline":
            return f"FZ{at:%Y%m%d}{n:05d}"
        if source == "portal":
            return str(8_800_000 + n * 7)
        if source == "review":
            return f"rv{500000 + n * 3}"
        return str(310000 + n)

    def fill(self, template: str, p: _Place, business: str = "") -> str:
        rng = self.rng
        return template.format(district=p.district, street=p.street, road=p.road, estate=p.estate,
                               community=p.community, no=rng.randrange(1, 30), duration=rng.choice(DURATIONS),
                               night=rng.choice(NIGHT_TIMES), business=business)

    def requester(self, source: str) -> tuple[str, str | None]:
        rng = self.rng
        kind = _weighted(rng, [("individual", 0.82), ("anonymous", 0.12), ("enterprise", 0.06)])
        if kind == "anonymous":
            return kind, None
        if kind == "enterprise":
            return kind, rng.choice(ENTERPRISES)
        if source == "portal":
            return kind, f"网友{rng.randrange(10000, 99999)}"
        if source == "review":
            return kind, f"用户{rng.randrange(100000, 999999)}"
        return kind, rng.choice(SURNAMES) + rng.choice(HONORIFICS)

    # ---- the reply side
    def reply(self, item: dict[str, Any], department: str, urgent: bool, subject: str,
              kind: str = "complaint") -> dict[str, Any]:
        """Reply, reply time and status; some replies are late and some demands are still open."""
        rng = self.rng
        dept = self.config.department(department)
        limit_days = (dept.urgent_time_limit_hours / 24 if urgent else dept.time_limit_days) if dept else 15
        received: datetime = item["received_at"]
        end = datetime.combine(self.start + timedelta(days=self.weeks * 7), time(0)).replace(tzinfo=SHANGHAI)
        roll = rng.random()
        if roll < 0.22:                       # still open
            return {"status": rng.choice(["received", "routed", "routed"]), "truth_overdue_open":
                    (end - received).total_seconds() > limit_days * 86400}
        late = roll > 0.86                    # replied after the time limit
        factor = rng.uniform(1.1, 2.5) if late else rng.uniform(0.1, 0.95)
        replied_at = received + timedelta(seconds=int(limit_days * factor * 86400) + rng.randrange(0, 36000))
        if replied_at >= end:
            return {"status": "routed", "truth_overdue_open": (end - received).total_seconds() > limit_days * 86400}
        body = rng.choice(REPLY_BODIES.get(department, ("经核实，已安排相关单位处理。",)))
        if kind == "praise":
            text = "您好，感谢您对我们工作的肯定和鼓励，我们将转达表扬并继续改进服务。"
        else:
            text = rng.choice(REPLY_OPENERS) + f"关于您反映的“{subject}”，" + body + rng.choice(REPLY_CLOSERS)
        out: dict[str, Any] = {
            "status": "closed" if rng.random() < 0.5 else "replied",
            "reply_text": text,
            "replied_at": replied_at,
            "replied_by": rng.choice(DEPT_UNITS.get(department, (department,))),
            "truth_late": late,
        }
        if item["source"] == "hotline":
            out["satisfaction"] = _weighted(rng, [("满意", 0.55), ("基本满意", 0.25), ("不满意", 0.2)])
            if out["satisfaction"] == "不满意" and rng.random() < 0.4:
                out["status"] = "reopened"
        return out

    # ---- one demand of each kind
    def demand(self, source: str, topic: Topic, at: datetime, place: _Place,
               urgent: tuple[str, str] | None = None, body: str | None = None) -> dict[str, Any]:
        rng = self.rng
        channel = _weighted(rng, CHANNELS[source])
        rtype, requester = self.requester(source)
        k = rng.randrange(len(topic.bodies))
        # equal counts mean title i belongs to body i; otherwise titles fit every body
        title_t = topic.titles[k] if len(topic.titles) == len(topic.bodies) else rng.choice(topic.titles)
        title = self.fill(title_t, place)
        text = body if body is not None else self.fill(topic.bodies[k], place)
        if topic.kind == "complaint":
            text = rng.choice(OPENERS) + text + rng.choice(CLOSERS)
        pii: dict[str, str] = {}
        if rng.random() < 0.12:
            sentence, pii = _pii_sentence(rng, place.district)
            text = text + sentence if rng.random() < 0.7 else sentence + text
        sid = self.source_id(source, at)
        item: dict[str, Any] = {
            "source": source, "source_id": sid, "channel": channel, "url": None, "received_at": at,
            "title": title, "content": text, "district": place.district,
            "address": f"{place.district}{place.street}{place.road}{rng.randrange(1, 300)}号"
            if rng.random() < 0.6 else f"{place.district}{place.estate}",
            "requester_type": rtype, "requester": requester,
            "category_given": topic.category if source == "hotline" or rng.random() < 0.3 else None,
            "department_given": topic.department if source == "hotline" and rng.random() < 0.7 else None,
            "status": "received", "reply_text": None, "replied_at": None, "replied_by": None,
            "satisfaction": None, "votes_up": None, "votes_down": None, "rating": None, "business_name": None,
        }
        if source == "portal":
            item["votes_up"] = int(rng.paretovariate(1.4)) - 1
            item["votes_down"] = rng.choice([0, 0, 0, 1, 2])
        sentiment = {"complaint": "negative", "praise": "positive", "question": "neutral"}[topic.kind]
        reply = self.reply(item, topic.department, urgent is not None, title, topic.kind)
        truth = {"topic": topic.key, "department": topic.department, "sentiment": sentiment,
                 "urgency": urgent[0] if urgent else "low", "urgency_reason": urgent[1] if urgent else None,
                 "pii": pii, "dup_of": None, "bad": None, "emerging": topic is EMERGING,
                 "late": reply.pop("truth_late", False), "overdue_open": reply.pop("truth_overdue_open", False)}
        item.update(reply)
        item["_truth"] = truth
        return item

    def review(self, at: datetime) -> dict[str, Any]:
        rng = self.rng
        place = self.place()
        kind, _ = rng.choice(BUSINESS_KINDS)
        name = f"{rng.choice(BUSINESS_PREFIXES)}{BUSINESS_KINDS[[k for k, _ in BUSINESS_KINDS].index(kind)][0]}" \
               f"（{place.road}店）"
        rating = _weighted(rng, [(5, 0.32), (4, 0.22), (3, 0.12), (2, 0.12), (1, 0.22)])
        pool = REVIEW_POSITIVE if rating >= 4 else REVIEW_NEUTRAL if rating == 3 else REVIEW_NEGATIVE
        rtype, requester = "individual", f"用户{rng.randrange(100000, 999999)}"
        sentiment = "positive" if rating >= 4 else "neutral" if rating == 3 else "negative"
        return {
            "source": "review", "source_id": self.source_id("review", at), "channel": "点评", "url": None,
            "received_at": at, "title": "", "content": rng.choice(pool), "district": place.district,
            "address": f"{place.district}{place.road}{rng.randrange(1, 300)}号", "requester_type": rtype,
            "requester": requester, "category_given": "消费评价", "department_given": None, "status": "received",
            "reply_text": None, "replied_at": None, "replied_by": None, "satisfaction": None,
            "votes_up": rng.randrange(0, 30), "votes_down": None, "rating": float(rating), "business_name": name,
            "_truth": {"topic": "review", "department": REVIEW_DEPARTMENT, "sentiment": sentiment,
                       "urgency": "low", "urgency_reason": None, "pii": {}, "dup_of": None, "bad": None,
                       "emerging": False, "late": False, "overdue_open": False},
        }

    def open311(self, at: datetime) -> dict[str, Any]:
        rng = self.rng
        code, name, department = rng.choice(OPEN311_SERVICES)
        place = self.place()
        topic = Topic(code, department, name, (name,), OPEN311_BODIES[code])
        item = self.demand("open311", topic, at, place)
        item["category_given"] = code
        item["title"] = name
        item["department_given"] = department
        return item

    def resubmission(self, original: dict[str, Any], at: datetime, sources: Sequence[str]) -> dict[str, Any]:
        """The same demand again, days later, through another channel, lightly edited."""
        rng = self.rng
        others = [s for s in sources if s != original["source"]]
        source = others[0] if others and rng.random() < 0.7 else rng.choice(list(sources))
        text = original["content"]
        if rng.random() < 0.5 and "，" in text:
            text = text.replace("，", "。", 1)
        if rng.random() < 0.3:
            text = text.replace("非常", "特别").replace("希望", "请求")
        text = rng.choice(RESUBMIT_PREFIXES) + text + rng.choice(["", rng.choice(RESUBMIT_SUFFIXES)])
        channel = _weighted(rng, [c for c in CHANNELS[source] if c[0] != original["channel"]] or CHANNELS[source])
        item = dict(original)
        item.update(source=source, source_id=self.source_id(source, at), channel=channel, received_at=at,
                    content=text, status="received", reply_text=None, replied_at=None, replied_by=None,
                    satisfaction=None, votes_up=None, votes_down=None)
        if source == "portal":
            item["votes_up"], item["votes_down"] = rng.randrange(0, 5), 0
        item["_truth"] = dict(original["_truth"], dup_of=f"{original['source']}:{original['source_id']}",
                              late=False, overdue_open=False)
        return item

    def spoil(self, item: dict[str, Any]) -> dict[str, Any]:
        """Make an item no validator should accept, recording why."""
        kind = self.rng.choice(BAD_KINDS)
        bad = dict(item)
        if kind == "empty_content":
            bad["title"], bad["content"] = "", "   "
        elif kind == "bad_date":
            bad["received_at"] = self.rng.choice(["2026-13-45 25:61", "昨天下午", "", "0000-00-00"])
        elif kind == "missing_source_id":
            bad["source_id"] = ""
        elif kind == "rating_out_of_range":
            bad["rating"] = float(self.rng.choice([7, -1, 10]))
        else:
            bad["votes_up"] = -self.rng.randrange(1, 50)
        bad["_truth"] = dict(item["_truth"], bad=kind)
        return bad

    def one(self, source: str) -> dict[str, Any]:
        rng = self.rng
        if source == "review":
            return self.review(self.when())
        if source == "open311":
            return self.open311(self.when())
        roll = rng.random()
        if roll < 0.05:
            key, dept, cat, level, reason, bodies = rng.choice(self.urgent)
            place = self.place()
            titles = ("紧急求助：{estate}" + reason, "紧急！" + reason, "{road}紧急情况", "请马上处理", "求救")
            topic = Topic(key, dept, cat, titles, bodies)
            return self.demand(source, topic, self.when(), place, urgent=(level, reason))
        if roll < 0.065 and self.emerging_ok:  # a trickle of the emerging topic before its surge
            return self.demand(source, EMERGING, self.when(), self.place(EMERGING_DISTRICT))
        topic = rng.choice(self.topics)
        return self.demand(source, topic, self.when(), self.place())


def strip_truth(item: dict[str, Any]) -> dict[str, Any]:
    """The item without keys that are not Demand fields (``_truth``)."""
    return {k: v for k, v in item.items() if not k.startswith("_")}


def generate(n: int, seed: int = 0, start: date | None = None, weeks: int = DEFAULT_WEEKS,
             sources: Sequence[str] | None = None, config: Config | None = None,
             bad_rate: float = 0.02, dup_rate: float = 0.06, surge: int | None = None,
             with_truth: bool = False) -> Iterator[dict[str, Any]]:
    """Yield ``n`` synthetic demands (dicts shaped like ``Demand``), deterministic for a seed.

    ``sources`` restricts the mix (hotline, portal, review, open311); ``surge`` is how many items
    of the emerging topic land in the final week (default: 6% of ``n``, at least 8, when the
    hotline or portal is in the mix). Items come sorted by ``received_at``.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    if weeks < 1:
        raise ValueError("weeks must be >= 1")
    chosen = list(sources) if sources else list(SOURCE_WEIGHTS)
    unknown = [s for s in chosen if s not in SOURCE_WEIGHTS]
    if unknown:
        raise ValueError(f"unknown sources: {unknown}")
    gen = _Generator(config or _shipped_config(), seed, start or DEFAULT_START, weeks)
    rng = gen.rng
    textual = [s for s in chosen if s in ("hotline", "portal")]
    n_surge = 0
    if textual and gen.emerging_ok:
        n_surge = min(n, surge if surge is not None else max(8, round(n * 0.06)) if n >= 40 else 0)
    items: list[dict[str, Any]] = []
    for _ in range(n_surge):
        items.append(gen.demand(rng.choice(textual), EMERGING, gen.when(last_week=True),
                                gen.place(EMERGING_DISTRICT)))
    weights = [(s, SOURCE_WEIGHTS[s]) for s in chosen]
    while len(items) < n:
        items.append(gen.one(_weighted(rng, weights)))
    items.sort(key=lambda x: (x["received_at"], x["source_id"]))
    # resubmissions replace some later items so that n stays exact
    originals = [i for i in items if i["source"] in textual and i["_truth"]["sentiment"] == "negative"]
    if originals and len(items) > 10:
        end = datetime.combine(gen.start + timedelta(days=weeks * 7), time(0)).replace(tzinfo=SHANGHAI)
        used: set[int] = set()      # originals must survive, or dup_of would name a missing record
        replaced: set[int] = set()
        for idx in rng.sample(range(len(items)), k=min(len(items) // 2, round(len(items) * dup_rate))):
            orig = rng.choice(originals)
            at = orig["received_at"] + timedelta(seconds=rng.randrange(43200, 864000))
            victim = items[idx]
            if (at >= end or victim is orig or id(victim) in used or id(orig) in replaced
                    or victim["_truth"]["emerging"]):
                continue
            used.add(id(orig))
            replaced.add(id(victim))
            items[idx] = gen.resubmission(orig, at, textual)
        items.sort(key=lambda x: (x["received_at"], x["source_id"]))
    n_bad = round(len(items) * bad_rate)
    for idx in rng.sample(range(len(items)), k=min(n_bad, len(items))):
        items[idx] = gen.spoil(items[idx])
    for item in items:
        yield item if with_truth else strip_truth(item)
