"""Writing one work order from a grammar topic: lead, core problem, as much middle as the drawn
length needs, demand and closing (see ``grammar``)."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence

from crawlers.corpus import phrases as P
from crawlers.corpus.grammar import COMPUTED, VOCAB, Slots, Topic, fill, sentence
from crawlers.corpus.weights import pick, shuffle

COMPLAINING = frozenset({"complaint", "help", "report"})
OPERATOR_LEADS = {"question": P.OPERATOR_QUESTION_LEADS, "praise": P.OPERATOR_PRAISE_LEADS,
                  "suggestion": P.OPERATOR_SUGGESTION_LEADS}
DATED = ("date", "month")
EXPANDED_SEED = 20240601     # the expansions are the same in every corpus; records pick among them


class _Expander(dict):
    """Fills a template from the vocabularies, leaving the dates for the record to fill."""

    def __init__(self, rng: random.Random, vocab: Mapping[str, Sequence[str]]) -> None:
        super().__init__()
        self.rng, self.vocab = rng, vocab

    def __missing__(self, key: str) -> str:
        if key in DATED:
            return "{" + key + "}"
        parties = self.vocab.get("party", P.PARTIES)
        if key == "party2":
            value = pick(self.rng, [p for p in parties if p != self.get("party")] or parties)
        else:
            value = pick(self.rng, parties if key == "party" else VOCAB[key])
            if "{" in value:
                value = value.format_map(_Expander(self.rng, self.vocab))
        self[key] = value
        return value


class _Dates(dict):
    """A fresh date for each dated sentence of one record (an episode is not the previous one)."""

    def __init__(self, slots: Slots) -> None:
        super().__init__()
        self.slots = slots

    def __missing__(self, key: str) -> str:
        return COMPUTED[key](self.slots) if key in DATED else self.slots[key]


def expand(templates: Sequence[str], count: int, vocab: Mapping[str, Sequence[str]] | None = None,
           seed: int = EXPANDED_SEED) -> tuple[str, ...]:
    """``count`` sentences from ``templates`` with every slot but the dates filled (done once)."""
    rng = random.Random(seed)
    return tuple(sentence(pick(rng, templates).format_map(_Expander(rng, vocab or {}))) for _ in range(count))


def dated(rng: random.Random, expanded: Sequence[str], slots: Slots) -> str:
    text = pick(rng, expanded)
    return text.format_map(_Dates(slots)) if "{" in text else text


def _draw(rng: random.Random, choices: Sequence[str], slots: Slots | dict) -> str:
    return sentence(fill(pick(rng, choices), slots))


class GrammarComposer:
    """Titles and contents from the grammar's topics and sentence banks."""

    def __init__(self, topics: Mapping[str, Sequence[Topic]] | None = None) -> None:
        # episodes and earlier attempts are the long tail's bulk: expanded once per department
        # (its offices), dated per record
        self.narratives: dict[str, tuple[str, ...]] = {"": expand(P.NARRATIVES, 1024)}
        self.priors: dict[str, tuple[str, ...]] = {"": expand(P.PRIORS, 512)}
        self.impacts: dict[str, tuple[str, ...]] = {}
        # a long letter raises further problems of the same department: its sibling topics
        self.others: dict[tuple[str, str], list[Topic]] = {}
        for dept, ts in (topics or {}).items():
            vocab = {"party": P.PARTIES_BY_DEPARTMENT.get(dept, P.PARTIES)}
            self.narratives[dept] = expand(P.NARRATIVES, 1024, vocab)
            self.priors[dept] = expand(P.PRIORS, 512, vocab)
            for t in ts:
                # seasonal problems stay in their season: a January letter does not go on about heat
                self.others[(dept, t.key)] = [o for o in ts if o.kind in COMPLAINING and not o.season
                                              and o.key != t.key]

    def _impacts(self, department: str) -> tuple[str, ...]:
        if department not in self.impacts:
            own = P.DEPARTMENT_IMPACTS.get(department, P.NEIGHBOURHOOD_IMPACTS)
            self.impacts[department] = P.IMPACTS + own
        return self.impacts[department]

    def title(self, rng: random.Random, topic: Topic, slots: Slots) -> str:
        return fill(pick(rng, topic.titles), slots)

    def compose(self, rng: random.Random, topic: Topic, slots: Slots, target: int) -> tuple[str, str]:
        """(title, content) with content close to ``target`` characters (never much shorter)."""
        if topic.kind not in COMPLAINING:
            target = min(target, 400)  # questions and thanks are short even when people write long
        head = self.head(rng, topic, slots, short=target < 150)
        if topic.kind == "question" and "subject" in topic.slots and rng.random() < 0.5:
            core = _draw(rng, P.QUESTION_FORMS, slots)
        else:
            core = _draw(rng, topic.problems, slots)
        tail = self.tail(rng, topic, slots)
        parts = [head, core]
        size = len(head) + len(core) + len(tail)
        if size < target:
            for text in self.middle(rng, topic, slots, short=target < 150):
                parts.append(text)
                size += len(text)
                if size >= target:
                    break
        parts.append(tail)
        return self.title(rng, topic, slots), restyle(rng, "".join(parts))

    def head(self, rng: random.Random, topic: Topic, slots: Slots, short: bool = False) -> str:
        """An operator's lead (telephone) or a citizen's greeting, then who and where, or nothing."""
        own = short or rng.random() < 0.45   # who and where: what short work orders differ by
        if slots.operator:
            lead = pick(rng, OPERATOR_LEADS.get(topic.kind, P.OPERATOR_LEADS))
            return lead + fill(pick(rng, P.SELF_OPERATOR), slots) + "，" if own else lead
        opener = fill(pick(rng, P.CITIZEN_OPENERS), slots) if rng.random() < 0.6 else ""
        if own:
            return opener + fill(pick(rng, P.SELF_CITIZEN), slots) + "，"
        return opener

    def tail(self, rng: random.Random, topic: Topic, slots: Slots) -> str:
        kind = topic.kind
        if kind == "question":
            ask = _draw(rng, P.QUESTIONS, slots) if rng.random() < 0.5 else ""
            return ask + (pick(rng, P.CLOSERS) if not slots.operator and rng.random() < 0.5 else "")
        if kind in ("suggestion", "praise"):
            tails = P.SUGGESTION_TAILS if kind == "suggestion" else P.PRAISE_TAILS
            return _draw(rng, tails, slots) + (pick(rng, P.CLOSERS) if rng.random() < 0.3 else "")
        demand = ""
        if rng.random() < 0.9:
            own = topic.demands and rng.random() < 0.6
            demands = topic.demands if own else (P.OPERATOR_DEMANDS if slots.operator else P.DEMANDS)
            demand = _draw(rng, demands, slots)
        closer = pick(rng, P.CLOSERS) if not slots.operator and rng.random() < 0.45 else ""
        return demand + closer

    def middle(self, rng: random.Random, topic: Topic, slots: Slots, short: bool = False) -> Iterator[str]:
        """Sentences in reading order, as many as the caller takes (unbounded for complaints).

        A short work order opens with how long it has lasted: that sentence's own slots (a
        duration, a month, a date) keep two short complaints on one topic apart.
        """
        details = list(topic.details)
        shuffle(rng, details)
        if topic.kind not in COMPLAINING:
            yield from self.asides(rng, topic, slots, details)
            return
        time_first = short or rng.random() < 0.5
        if time_first:
            yield _draw(rng, P.TIME_SENTENCES, slots)
        for d in details[:2]:
            yield sentence(fill(d, slots))
        if not time_first:
            yield _draw(rng, P.TIME_SENTENCES, slots)
        if len(details) > 2:
            yield sentence(fill(details[2], slots))
        impacts = _rotated(rng, self._impacts(topic.department))
        yield sentence(fill(impacts[0], slots))
        yield dated(rng, self.priors.get(topic.department) or self.priors[""], slots)
        for d in details[3:3 + int(rng.random() * 3)]:
            yield sentence(fill(d, slots))
        narratives = self.narratives.get(topic.department) or self.narratives[""]
        yield from self.further(rng, topic, slots, impacts[1:5], narratives)
        yield from self.episodes(rng, slots, impacts[5:], narratives)

    def asides(self, rng: random.Random, topic: Topic, slots: Slots, details: list[str]) -> Iterator[str]:
        """For questions, suggestions and thanks: a detail or two among the asker's circumstances."""
        context = {"question": P.QUESTION_CONTEXT, "praise": P.PRAISE_CONTEXT}.get(topic.kind, P.SUGGESTION_CONTEXT)
        mixed = details[:1 + int(rng.random() * 2)] + list(_rotated(rng, context)[:1 + int(rng.random() * 3)])
        shuffle(rng, mixed)
        yield from (sentence(fill(d, slots)) for d in mixed)
        if topic.kind != "question":
            return
        if "subject" in topic.slots:   # one to three questions about the topic's own subjects
            yield from (_draw(rng, P.QUESTION_FORMS, slots.fresh()) for _ in range(1 + int(rng.random() * 3)))
        else:
            yield from (sentence(fill(q, slots)) for q in _rotated(rng, P.QUESTIONS)[:2])

    def further(self, rng: random.Random, topic: Topic, slots: Slots, impacts: Sequence[str],
                narratives: Sequence[str]) -> Iterator[str]:
        """Long letters go on to the department's other problems, with an episode or argument between.

        Each further problem brings its own sentences, so two long letters on one topic stay apart;
        only sentences common to every topic (arguments, consequences) would make them converge.
        """
        others = self.others.get((topic.department, topic.key), ())
        reasons = _rotated(rng, P.REASONS)[:3]
        for i, other in enumerate(_rotated(rng, others) if others else ()):
            child = slots.sibling(other.slots)
            yield pick(rng, P.CONNECTORS) + sentence(fill(pick(rng, other.problems), child))
            start = int(rng.random() * len(other.details))
            for d in (other.details[start:] + other.details[:start])[:1 + int(rng.random() * 2)]:
                yield sentence(fill(d, child))
            if rng.random() < 0.5:
                yield dated(rng, narratives, slots)
            if i < len(reasons) and rng.random() < 0.5:
                yield sentence(fill(reasons[i], slots.fresh()))
            if i < len(impacts) and rng.random() < 0.4:
                yield sentence(fill(impacts[i], slots))

    def episodes(self, rng: random.Random, slots: Slots, impacts: Sequence[str],
                 narratives: Sequence[str]) -> Iterator[str]:
        """Dated attempts, arguments and consequences, for the rare letters longer still."""
        reasons = _rotated(rng, P.REASONS)
        i = 0
        while True:
            yield dated(rng, narratives, slots)
            if i < len(reasons):
                yield sentence(fill(reasons[i], slots.fresh()))
            if i % 2 and i // 2 < len(impacts):
                yield sentence(fill(impacts[i // 2], slots))
            i += 1


def restyle(rng: random.Random, text: str) -> str:
    """One writer's word choices: each pair of STYLE_SWAPS present goes one way or the other."""
    for plain, other in P.STYLE_SWAPS:
        if plain in text and rng.random() < 0.5:
            text = text.replace(plain, other)
    return text


def _rotated(rng: random.Random, items: Sequence[str]) -> Sequence[str]:
    """The items from a random start, in a random direction: no repeats, cheaper than a shuffle."""
    start = int(rng.random() * len(items))
    turned = items[start:] + items[:start]
    return turned[::-1] if rng.random() < 0.5 else turned
