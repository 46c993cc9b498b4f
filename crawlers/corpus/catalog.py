"""What work orders are about, and how often: the catalogue of topics over the configured departments.

Each entry has its share of all work orders over a year (department weight × the topic's share
within its department) and a season. Grammar topics are written for the shipped departments;
for another installation a topic goes to the department with its category or the most of its
words among the department's keywords, and a department no topic reaches gets a topic made
from its own keywords. With real sentences, a department's non-seasonal share is split over its
real sentence pools (see ``teddy``); seasonal topics stay with the grammar, which has them for
every season (the real messages hardly mention heating, for one).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from crawlers.corpus import phrases as P
from crawlers.corpus import topics_city, topics_services, topics_transport
from crawlers.corpus.grammar import Topic, topic
from crawlers.corpus.options import MIN_REAL_SENTENCES
from crawlers.corpus.rhythm import season_factor
from crawlers.corpus.weights import WeightedTable
from suqiu.config import Config, Department

if TYPE_CHECKING:
    from crawlers.corpus.teddy import SentenceBank

ALL_TOPICS: tuple[Topic, ...] = topics_city.TOPICS + topics_transport.TOPICS + topics_services.TOPICS


@dataclass(frozen=True)
class Entry:
    """One thing a work order can be about, with its share of all work orders over a year."""

    key: str
    department: str                      # the configured department's name
    category: str
    kind: str
    season: str
    weight: float
    topic: Topic | None = None           # written by the grammar …
    pool: tuple[str, str] | None = None  # … or recombined from real sentences: (department, pool)


def resolve_department(config: Config, t: Topic) -> str | None:
    """The configured department that handles a grammar topic, or None when none fits."""
    dept = config.department(t.department)
    if dept is not None:
        return dept.name
    by_category = [d for d in config.departments if t.category in d.categories]
    if by_category:
        return by_category[0].name
    text = "".join(t.titles + t.problems + t.details)
    scored = [(sum(text.count(k) for k in d.keywords), -i, d.name) for i, d in enumerate(config.departments)]
    best = max(scored, default=(0, 0, None))
    return best[2] if best[0] > 0 else None


def generic_topic(dept: Department) -> Topic:
    """A topic for a department the grammar has none for, made from its configured keywords."""
    words = "|".join(dept.keywords or dept.categories or [dept.name])
    return topic(f"generic-{dept.code or dept.name}", dept.name, (dept.categories or [dept.name])[0], 1.0,
                 titles="关于{word}的问题|反映{district}{word}问题|{estate}{word}问题|{road}附近{word}问题",
                 problems="{estate}附近的{word}问题一直没有解决|{road}一带存在{word}方面的问题|{district}{street}的{word}问题很突出"
                          "|我想反映一下{word}的问题",
                 details="周边居民反映强烈|找过好几个部门都说不归自己管|问题已经存在很长时间|不少邻居都遇到过同样的情况",
                 word=words)


def _localised(t: Topic, department: str) -> Topic:
    """The topic under its configured department, citing that department's laws and offices."""
    extra = {"law": P.LAWS_BY_DEPARTMENT.get(department), "party": P.PARTIES_BY_DEPARTMENT.get(department)}
    slots = {**{k: v for k, v in extra.items() if v}, **t.slots}
    return dataclasses.replace(t, department=department, slots=slots)


def grammar_topics(config: Config, topics: Sequence[Topic] = ALL_TOPICS) -> dict[str, list[Topic]]:
    """Topics by configured department (every department gets at least one)."""
    out: dict[str, list[Topic]] = {d.name: [] for d in config.departments}
    for t in topics:
        name = resolve_department(config, t)
        if name is not None:
            out[name].append(_localised(t, name))
    for d in config.departments:
        if not out[d.name]:
            out[d.name].append(generic_topic(d))
    return out


def _grammar_entry(t: Topic, share: float) -> Entry:
    return Entry(t.key, t.department, t.category, t.kind, t.season, share, topic=t)


def build_entries(config: Config, weights: Mapping[str, float], bank: SentenceBank | None = None,
                  topics: Sequence[Topic] = ALL_TOPICS, min_real: int = MIN_REAL_SENTENCES) -> list[Entry]:
    """The whole catalogue; with a bank, departments with ``min_real`` sentences are written from them."""
    entries: list[Entry] = []
    for name, dept_topics in grammar_topics(config, topics).items():
        weight = weights.get(name, 0.0)
        total = sum(t.weight for t in dept_topics)
        pools = bank.pools_for(name) if bank is not None else {}
        if sum(pools.values()) < min_real:
            entries += [_grammar_entry(t, weight * t.weight / total) for t in dept_topics]
            continue
        seasonal = [t for t in dept_topics if t.season]
        entries += [_grammar_entry(t, weight * t.weight / total) for t in seasonal]
        real_share = weight * (1 - sum(t.weight for t in seasonal) / total)
        mass = {key: size ** 0.7 for key, size in pools.items()}
        category = bank.category_of(name) if bank is not None else name
        for key, m in mass.items():
            entries.append(Entry(f"real-{name}-{key}", name, category, "complaint", "",
                                 real_share * m / sum(mass.values()), pool=(name, key)))
    return [e for e in entries if e.weight > 0]


class Catalog:
    """The entries and, per day, the table to draw a day's topics from (seasons applied)."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        if not entries:
            raise ValueError("no topic has a positive weight: check the configured departments")
        self.entries = list(entries)
        self._tables: dict[tuple[int, float], WeightedTable[Entry]] = {}

    def table(self, day: date) -> WeightedTable[Entry]:
        festival = round(season_factor("festival", day), 1)
        key = (day.month, festival)
        if key not in self._tables:
            self._tables[key] = WeightedTable((e, e.weight * season_factor(e.season, day)) for e in self.entries)
        return self._tables[key]
