"""Writing one work order from real sentences: a department's subject pool recombined.

A record takes two or more body sentences from one subject pool, so it reads as one subject,
framed by the grammar's own lead and who-and-where sentence and a real or grammar demand and
closing. No single real sentence may fill more than about half of a short record: two records
drawing the same long sentence would otherwise be near-duplicates of each other by accident.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from crawlers.corpus import phrases as P
from crawlers.corpus.catalog import Entry
from crawlers.corpus.grammar import Slots, Topic, fill, sentence
from crawlers.corpus.teddy import CITY_MARK, DISTRICT_MARK, OTHER_MARK, SentenceBank
from crawlers.corpus.weights import pick


class RealComposer:
    """Titles and contents recombined from a SentenceBank (grammar titles where it has none)."""

    def __init__(self, bank: SentenceBank, topics: Mapping[str, Sequence[Topic]]) -> None:
        self.bank = bank
        self.topics = {d: [t for t in ts if not t.season] or list(ts) for d, ts in topics.items()}

    def compose(self, rng: random.Random, entry: Entry, slots: Slots, target: int) -> tuple[str, str]:
        department, key = entry.pool or (entry.department, "")
        marks = {ord(CITY_MARK): slots.city, ord(DISTRICT_MARK): slots["district"],
                 ord(OTHER_MARK): pick(rng, P.OTHER_CITIES)}
        head = self.head(rng, slots, target)
        tail = self.tail(rng, department, slots)
        body = self.body(rng, self.bank.pools[department][key], target - len(head) - len(tail), target)
        return self.title(rng, department, slots).translate(marks), (head + body + tail).translate(marks)

    def title(self, rng: random.Random, department: str, slots: Slots) -> str:
        titles = self.bank.titles.get(department)
        if titles and rng.random() < 0.8:
            return pick(rng, titles)
        topic = pick(rng, self.topics[department])
        return fill(pick(rng, topic.titles), Slots(rng, slots.district, slots.city, slots.day, slots.operator,
                                                    topic.slots, slots.neighbours))

    def head(self, rng: random.Random, slots: Slots, target: int) -> str:
        """The grammar's lead and who-and-where: what makes short records differ from each other."""
        own = target < 150 or rng.random() < 0.55
        if slots.operator:
            lead = pick(rng, P.OPERATOR_LEADS)
            return lead + fill(pick(rng, P.SELF_OPERATOR), slots) + "，" if own else lead
        opener = pick(rng, self.bank.openers) if self.bank.openers and rng.random() < 0.35 else ""
        return opener + (fill(pick(rng, P.SELF_CITIZEN), slots) + "，" if own else "")

    def tail(self, rng: random.Random, department: str, slots: Slots) -> str:
        roll = rng.random()
        demands = self.bank.demands.get(department)
        if demands and roll < 0.45:
            demand = sentence(pick(rng, demands))
        elif roll < 0.8:
            demand = sentence(fill(pick(rng, P.OPERATOR_DEMANDS if slots.operator else P.DEMANDS), slots))
        else:
            demand = ""
        if slots.operator or not self.bank.closers or rng.random() > 0.35:
            return demand
        return demand + sentence(pick(rng, self.bank.closers))

    def body(self, rng: random.Random, pool: Sequence[str], budget: int, target: int) -> str:
        """Runs of one to three neighbouring sentences (mostly of one message, so they read on),
        at least two sentences in all, no run longer than about half the record."""
        cap = max(24, int(0.45 * target))
        parts: list[str] = []
        used: set[int] = set()
        size = tries = 0
        while (size < budget or len(parts) < 2) and tries < 400:
            tries += 1
            start = int(rng.random() * len(pool))
            run = 0
            for i in range(start, min(len(pool), start + 1 + int(rng.random() * 3))):
                text = pool[i]
                if i in used or run + len(text) > cap:
                    break
                used.add(i)
                parts.append(sentence(text))
                run += len(text)
                size += len(text)
                if size >= budget and len(parts) >= 2:
                    break
        return "".join(parts)
