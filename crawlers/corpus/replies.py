"""What became of a work order by the export date: routed, answered in time or late, rated.

Dispatch takes hours; a reply takes a lognormal share of the department's time limit (median
40%, about 6% late), and about 5% stall without a reply. Work orders received shortly before
the export are therefore still open, as in a real export. Replied hotline work orders carry the
caller's rating (满意 / 基本满意 / 不满意); about a third of the unsatisfied ones are reopened. A
resubmission is sometimes closed as a duplicate of the first work order (重复件).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from crawlers.corpus import phrases as P
from crawlers.corpus.grammar import Slots, fill
from crawlers.corpus.options import CorpusOptions
from crawlers.corpus.weights import WeightedTable, between, pick
from suqiu.config import Department

SATISFACTION = WeightedTable((("满意", 0.62), ("基本满意", 0.24), ("不满意", 0.14)))
STALLED_SHARE = 0.05
DUPLICATE_CLOSE_SHARE = 0.3
OPEN: dict[str, Any] = {"reply_text": None, "replied_at": None, "replied_by": None, "satisfaction": None}


def unit_name(rng: random.Random, dept: Department, district: str) -> str:
    """The office that replies: the district's branch (鼓楼区住建局) or the city's (市住建局)."""
    short = next((a for a in dept.aliases if a.endswith(("局", "委", "委员会")) and not a.startswith("市")), dept.name)
    return f"{district}{short}" if rng.random() < 0.6 else f"市{short}"


def given_department(rng: random.Random, dept: Department, options: CorpusOptions) -> str | None:
    """承办部门 as the export writes it: usually the name, sometimes an alias, sometimes blank."""
    roll = rng.random()
    if roll < options.department_missing_share:
        return None
    if roll < options.department_missing_share + options.department_alias_share and dept.aliases:
        return pick(rng, dept.aliases)
    return dept.name


def reply_text(rng: random.Random, kind: str, title: str, unit: str, slots: Slots, day: datetime,
               duplicate_of: str | None) -> str:
    if duplicate_of is not None and rng.random() < DUPLICATE_CLOSE_SHARE:
        return fill(pick(rng, P.DUP_REPLIES), {"orig": duplicate_of})
    values = {"title": title[:30], "unit": unit, "place": slots["district"] + slots["street"],
              "street": slots["street"], "community": slots["community"], "district": slots["district"],
              "city": slots.city, "days": str(between(rng, 3, 15)), "date": f"{day.month}月{day.day}日"}
    opener = fill(pick(rng, P.REPLY_OPENERS), values)
    if kind == "praise":
        return opener + "感谢您对我们工作的肯定和鼓励，我们将转达您的表扬，并继续做好服务。"
    if kind == "question":
        return opener + fill(pick(rng, P.ANSWERS), values) + "。" + pick(rng, P.REPLY_CLOSERS)
    body = fill(pick(rng, P.REPLY_ACTIONS), values) + "。" + fill(pick(rng, P.REPLY_RESULTS), values) + "。"
    if rng.random() < 0.4:
        body += fill(pick(rng, P.REPLY_RESULTS), values) + "。"
    return opener + body + pick(rng, P.REPLY_CLOSERS)


def outcome(rng: random.Random, received: datetime, as_of: datetime, dept: Department, kind: str, title: str,
            slots: Slots, options: CorpusOptions, duplicate_of: str | None = None) -> dict[str, Any]:
    """status, department_given and the reply fields of one work order as of the export."""
    dispatched = received + timedelta(hours=rng.expovariate(1 / 8))
    if dispatched > as_of:
        return {"status": "received", "department_given": None, **OPEN}
    department_given = given_department(rng, dept, options)
    limit = dept.time_limit_days
    stalled = rng.random() < STALLED_SHARE
    replied = dispatched + timedelta(days=limit * rng.lognormvariate(-0.92, 0.6))
    if stalled or replied > as_of:
        return {"status": "routed", "department_given": department_given, **OPEN}
    unit = unit_name(rng, dept, slots["district"])
    satisfaction = SATISFACTION.pick(rng) if rng.random() < 0.88 else None
    status = "closed" if rng.random() < 0.6 else "replied"
    if satisfaction == "不满意" and rng.random() < 0.35:
        status = "reopened"
    return {"status": status, "department_given": department_given,
            "reply_text": reply_text(rng, kind, title, unit, slots, replied, duplicate_of),
            "replied_at": replied.replace(microsecond=0), "replied_by": unit, "satisfaction": satisfaction}
