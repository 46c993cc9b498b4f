"""The grammar: topics × sentence banks × slot vocabularies → a title and a content.

A work order is a lead (an operator's 市民来电反映 or a citizen's greeting), who and where the
caller is, the topic's core problem, then as many further sentences as its drawn length needs —
the topic's own details first, then how long it has lasted, what it does to people, whom they
already asked and what came of it, dated episodes and arguments for the long ones — and a
demand and a closing. Each choice is drawn independently, so two work orders on one topic
share a sentence now and then but almost never most of their text.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from crawlers.corpus import phrases as P
from crawlers.corpus.weights import between, pick, split
from suqiu.config import District

END_MARKS = "。！？!?…"


@dataclass(frozen=True)
class Topic:
    """One recurring kind of demand: its department, its season, and how people put it."""

    key: str
    department: str
    category: str
    weight: float                       # share within its department over a year
    kind: str = "complaint"             # complaint | question | suggestion | help | report | praise
    season: str = ""                    # a key of rhythm.SEASONS or "festival"
    titles: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    details: tuple[str, ...] = ()
    demands: tuple[str, ...] = ()
    slots: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def topic(key: str, department: str, category: str, weight: float, *, titles: str, problems: str,
          details: str, demands: str = "", kind: str = "complaint", season: str = "", **slots: str) -> Topic:
    """A topic written compactly: every text field is one ``|``-separated string."""
    return Topic(key, department, category, weight, kind, season, split(titles), split(problems),
                 split(details), split(demands), {k: split(v) for k, v in slots.items()})


def _past_date(s: Slots) -> str:
    d = s.day - timedelta(days=between(s.rng, 3, 80))
    return f"{d.month}月{d.day}日"


def _past_month(s: Slots) -> str:
    return f"{(s.day.month - between(s.rng, 1, 7) - 1) % 12 + 1}月份"


def _other_party(s: Slots) -> str:
    first = s["party"]
    return pick(s.rng, [p for p in s.vocab.get("party", P.PARTIES) if p != first] or P.PARTIES)


def _price(s: Slots) -> str:
    return f"{between(s.rng, 8, 30) / 10:.1f}"


def _price2(s: Slots) -> str:
    return f"{float(s['price']) + between(s.rng, 3, 15) / 10:.1f}"


def _gazetteer(attr: str, fallback: str) -> Callable[[Slots], str]:
    def make(s: Slots) -> str:
        names = getattr(s.district, attr)
        return pick(s.rng, names) if names else f"{s.district.name}{fallback}"
    return make


COMPUTED: dict[str, Callable[[Slots], str]] = {
    "district": lambda s: s.district.name,
    "street": _gazetteer("streets", "城区街道"), "road": _gazetteer("roads", "主干道"),
    "estate": _gazetteer("estates", "新村小区"),
    "community": lambda s: pick(s.rng, s.district.communities) if s.district.communities else s["street"],
    "city": lambda s: s.city,
    "other_district": lambda s: pick(s.rng, s.neighbours) if s.neighbours else s.district.name,
    "no": lambda s: str(between(s.rng, 1, 36)), "unit": lambda s: str(between(s.rng, 1, 6)),
    "floor": lambda s: str(between(s.rng, 2, 32)), "room": lambda s: f"{s['floor']}0{between(s.rng, 1, 6)}",
    "years": lambda s: str(between(s.rng, 2, 25)), "count": lambda s: str(between(s.rng, 3, 80)),
    "households": lambda s: str(between(s.rng, 3, 90) * 10), "fee": lambda s: str(between(s.rng, 3, 60) * 10),
    "amount": lambda s: str(between(s.rng, 12, 980) * 100), "wan": lambda s: str(between(s.rng, 2, 90)),
    "price": _price, "price2": _price2,
    "days": lambda s: str(between(s.rng, 2, 20)), "hours": lambda s: str(between(s.rng, 1, 12)),
    "months": lambda s: str(between(s.rng, 2, 11)),
    "date": _past_date, "month": _past_month,
    "year": lambda s: f"{s.day.year}年", "lastyear": lambda s: f"{s.day.year - 1}年",
    "I": lambda s: "来电人" if s.operator else "我", "age": lambda s: str(between(s.rng, 22, 68)),
    "surname": lambda s: pick(s.rng, P.SURNAMES), "clock": lambda s: str(between(s.rng, 2, 11)),
    "estate2": lambda s: pick(s.rng, [e for e in s.district.estates if e != s["estate"]] or [s["estate"]]),
    "party2": _other_party,
}
VOCAB: dict[str, tuple[str, ...]] = {
    "duration": P.DURATIONS, "times": P.TIMES, "night": P.NIGHT, "party": P.PARTIES, "response": P.RESPONSES,
    "law": P.LAWS, "actor": P.NARRATIVE_ACTORS, "event": P.NARRATIVE_EVENTS, "other_city": P.OTHER_CITIES,
    "work": P.WORKS, "kids": P.KIDS, "grade": P.GRADES, "relative": P.RELATIVES, "firm_kind": P.FIRM_KINDS,
    "ending": P.QUESTION_ENDINGS,
}
FRESH = frozenset({"date", "month", "party", "party2", "actor", "event", "response", "times", "law", "count",
                   "subject", "ending"})


class Slots(dict):
    """One record's slot values, made on first use and kept, so one work order names one 小区."""

    def __init__(self, rng: random.Random, district: District, city: str, day: date, operator: bool,
                 vocab: Mapping[str, tuple[str, ...]] | None = None, neighbours: Sequence[str] = ()) -> None:
        super().__init__()
        self.rng, self.district, self.city, self.day, self.operator = rng, district, city, day, operator
        self.vocab = vocab or {}
        self.neighbours = neighbours

    def __missing__(self, key: str) -> str:
        value = self.make(key)
        self[key] = value
        return value

    def make(self, key: str, into: Mapping[str, str] | None = None) -> str:
        """A new value for ``key``; slots inside a vocabulary entry are filled from ``into``."""
        maker = COMPUTED.get(key)
        if maker is not None:
            return maker(self)
        choices = self.vocab.get(key) or VOCAB.get(key)
        if not choices:
            raise KeyError(key)
        value = pick(self.rng, choices)
        return value.format_map(into if into is not None else self) if "{" in value else value

    def sibling(self, vocab: Mapping[str, tuple[str, ...]]) -> SiblingSlots:
        """The same place, people and numbers with another topic's vocabulary (its own {obj})."""
        return SiblingSlots(self, vocab)

    def fresh(self) -> FreshSlots:
        """A view that draws new dates, parties and episodes (a second episode is not the first)."""
        return FreshSlots(self)


class SiblingSlots(dict):
    """Another topic's words over one record's slots: its vocabulary first, the record's for the rest."""

    def __init__(self, parent: Slots, vocab: Mapping[str, tuple[str, ...]]) -> None:
        super().__init__()
        self.parent, self.vocab = parent, vocab

    def __missing__(self, key: str) -> str:
        choices = self.vocab.get(key)
        if choices is None:
            return self.parent[key]
        value = pick(self.parent.rng, choices)
        if "{" in value:
            value = value.format_map(self)
        self[key] = value
        return value


class FreshSlots(dict):
    def __init__(self, parent: Slots) -> None:
        super().__init__()
        self.parent = parent

    def __missing__(self, key: str) -> str:
        if key not in FRESH:
            return self.parent[key]
        value = self.parent.make(key, self) if key != "party2" else pick(self.parent.rng, self.parent.vocab.get(
            "party", P.PARTIES))
        self[key] = value
        return value


def sentence(text: str) -> str:
    """The text as a whole sentence: a trailing comma or semicolon becomes 。 (？ for a question)."""
    if not text or text[-1] in END_MARKS:
        return text
    body = text[:-1] if text[-1] in "；;，,、：:" else text
    return body + ("？" if body[-1] in "吗呢么" or body.startswith("请问") else "。")


def fill(template: str, slots: Mapping[str, str]) -> str:
    return template.format_map(slots) if "{" in template else template
