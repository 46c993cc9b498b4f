"""The streaming corpus: hotline work orders day by day, resubmissions scheduled days later.

Days are walked in order; each day gets its share of ``n`` from the rhythm (season × weekday ×
holiday). A day's work orders are its resubmissions that fall due plus fresh ones to fill the
quota, sorted by time and numbered (GD20240105000123). A fresh work order starts a
near-duplicate group with a small probability, chosen so that ``dup_share`` of all records are
resubmissions; the group's resubmissions wait in a heap keyed by their day. Nothing else is
kept: memory holds one day and the waiting resubmissions, whatever ``n``.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from operator import attrgetter
from typing import Any, NamedTuple

from crawlers.corpus import fields as F
from crawlers.corpus.catalog import Catalog, Entry, build_entries, grammar_topics
from crawlers.corpus.compose import GrammarComposer
from crawlers.corpus.grammar import Slots
from crawlers.corpus.options import CorpusOptions, department_weights, district_weights
from crawlers.corpus.recombine import RealComposer
from crawlers.corpus.replies import outcome
from crawlers.corpus.resubmit import resubmission
from crawlers.corpus.rhythm import daily_targets, hour_tables, seconds_in_day
from crawlers.corpus.teddy import SentenceBank
from crawlers.corpus.weights import WeightedTable, between
from suqiu.config import Config, default_config_text, parse_config
from suqiu.model import SHANGHAI

# resubmissions per group: mostly one, a tail of hot complaints re-filed by many
COPY_COUNTS: WeightedTable[tuple[int, int]] = WeightedTable(
    (((1, 1), 0.62), ((2, 2), 0.20), ((3, 3), 0.08), ((4, 4), 0.04), ((5, 9), 0.05), ((10, 25), 0.01)))
MEAN_COPIES = sum((lo + hi) / 2 * (c - p) for (lo, hi), c, p in
                  zip(COPY_COUNTS.values, COPY_COUNTS.cum, [0.0, *COPY_COUNTS.cum[:-1]])) / COPY_COUNTS.total
SAME_PERSON_SHARE = 0.6
RECORD_FIELDS = ("source", "source_id", "channel", "received_at", "title", "content", "district", "address",
                 "requester_type", "requester", "category_given", "department_given", "status", "reply_text",
                 "replied_at", "replied_by", "satisfaction")


class Truth(NamedTuple):
    """What the generator knows about a record: its near-duplicate group and where it came from."""

    group: str | None      # source_id of the group's first work order; None: a demand made once
    is_copy: bool          # a resubmission of an earlier work order
    topic: str
    department: str
    real: bool             # recombined from real sentences (else written by the grammar)


@dataclass
class Draft:
    """A work order before its id and outcome: what a day's sorting needs, and its resubmission plan."""

    at: datetime
    entry: Entry
    slots: Slots
    fields: dict[str, Any]
    gaps: list[int] = field(default_factory=list)       # days until each planned resubmission
    origin: tuple[dict[str, Any], Truth] | None = None  # for a resubmission: the first work order


def shipped_config() -> Config:
    """The demo city's configuration (``suqiu/default_config.toml``): districts, departments, profiles."""
    return parse_config(tomllib.loads(default_config_text()))


class Corpus:
    """Tables and composers built once from the configuration; ``fresh``/``resubmit``/``finish`` per record."""

    def __init__(self, config: Config, options: CorpusOptions, bank: SentenceBank | None = None) -> None:
        if not config.districts or not config.departments:
            raise ValueError("the configuration needs districts and departments to place and route work orders")
        self.config, self.options = config, options
        weights = department_weights(config, options)
        self.catalog = Catalog(build_entries(config, weights, bank, min_real=options.min_real_sentences))
        topics = grammar_topics(config)
        self.grammar = GrammarComposer(topics)
        self.real = RealComposer(bank, topics) if bank is not None else None
        dw = district_weights(config)
        self.districts = WeightedTable((d, dw[d.name]) for d in config.districts)
        self.neighbours = [d.name for d in config.districts]
        self.channels = WeightedTable(options.channels)
        self.requester_types = WeightedTable(options.requester_types)
        self.hours = hour_tables()
        self.departments = {d.name: d for d in config.departments}
        self.p_origin = options.dup_share / (MEAN_COPIES * (1 - options.dup_share))
        self.as_of = datetime.combine(options.end, time(0), tzinfo=SHANGHAI)
        self.mu = math.log(options.length_median)

    def moment(self, rng: random.Random, day: date, channel: str) -> datetime:
        hours = self.hours["phone" if channel == "电话" else "online"]
        midnight = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
        return midnight + timedelta(seconds=seconds_in_day(rng, hours))

    def length(self, rng: random.Random) -> int:
        target = int(rng.lognormvariate(self.mu, self.options.length_sigma))
        return min(self.options.max_length, max(self.options.min_length, target))

    def write(self, rng: random.Random, entry: Entry, slots: Slots) -> tuple[str, str]:
        target = self.length(rng)
        if entry.pool is not None and self.real is not None:
            return self.real.compose(rng, entry, slots, target)
        assert entry.topic is not None
        return self.grammar.compose(rng, entry.topic, slots, target)

    def fresh(self, rng: random.Random, day: date) -> Draft:
        entry = self.catalog.table(day).pick(rng)
        channel = self.channels.pick(rng)
        operator = channel == "电话"
        district = self.districts.pick(rng)
        slots = Slots(rng, district, self.config.city.name, day, operator,
                      entry.topic.slots if entry.topic else {}, self.neighbours)
        title, content = self.write(rng, entry, slots)
        if rng.random() < self.options.phone_share:
            content += F.phone_sentence(rng, operator)
        kind = self.requester_types.pick(rng)
        values = {"source": "hotline", "channel": channel, "title": title, "content": content,
                  "district": district.name if rng.random() > 0.03 else None,
                  "address": F.address(rng, slots, self.options), "requester_type": kind,
                  "requester": F.requester(rng, kind),
                  "category_given": F.category_given(rng, entry.category, entry.kind, self.options)}
        draft = Draft(self.moment(rng, day, channel), entry, slots, values)
        if rng.random() < self.p_origin:
            lo, hi = COPY_COUNTS.pick(rng)
            draft.gaps = [self.gap(rng) for _ in range(between(rng, lo, hi))]
        return draft

    def gap(self, rng: random.Random) -> int:
        return 1 + min(self.options.max_gap_days - 1, int(rng.expovariate(1 / 6)))

    def resubmit(self, rng: random.Random, origin: tuple[dict[str, Any], Truth], draft: Draft, day: date) -> Draft:
        """A resubmission of ``origin`` on ``day``, by the same person or another one."""
        record = origin[0]
        title, content = resubmission(rng, record["title"], record["content"])
        values = dict(draft.fields, title=title, content=content)
        if rng.random() > SAME_PERSON_SHARE:
            kind = self.requester_types.pick(rng)
            values.update(content=F.new_phones(rng, content), requester_type=kind, requester=F.requester(rng, kind))
        if rng.random() < 0.3:
            values["channel"] = self.channels.pick(rng)
        return Draft(self.moment(rng, day, values["channel"]), draft.entry, draft.slots, values, origin=origin)

    def finish(self, rng: random.Random, draft: Draft, day: date, seq: int) -> tuple[dict[str, Any], Truth]:
        """The record with its id and what became of it by the export date."""
        source_id = f"{self.options.id_prefix}{day:%Y%m%d}{seq:06d}"
        entry = draft.entry
        first = draft.origin[0]["source_id"] if draft.origin else None
        result = outcome(rng, draft.at, self.as_of, self.departments[entry.department], entry.kind,
                         draft.fields["title"], draft.slots, self.options, duplicate_of=first)
        values = {**draft.fields, "source_id": source_id, "received_at": draft.at, **result}
        record = {k: values.get(k) for k in RECORD_FIELDS}
        if draft.origin:
            group = draft.origin[1].group
        else:
            group = source_id if draft.gaps else None
        return record, Truth(group, draft.origin is not None, entry.key, entry.department, entry.pool is not None)


def iter_corpus(n: int, seed: int, *, config: Config | None = None, sentences: SentenceBank | None = None,
                options: CorpusOptions | None = None) -> Iterator[tuple[dict[str, Any], Truth]]:
    """(record, truth) pairs, streamed in time order; exactly ``n`` of them, the same for the same seed."""
    opts = options or CorpusOptions()
    corpus = Corpus(config or shipped_config(), opts, sentences)
    rng = random.Random(seed)
    waiting: list[tuple[int, int, tuple[dict[str, Any], Truth], Draft]] = []
    order = itertools.count()
    emitted = 0
    for day, target in daily_targets(n, opts.start, opts.days):
        due = []
        while waiting and waiting[0][0] <= day.toordinal():
            due.append(heapq.heappop(waiting))
        drafts = [corpus.fresh(rng, day) for _ in range(max(0, target - emitted - len(due)))]
        drafts += [corpus.resubmit(rng, origin, draft, day) for _, _, origin, draft in due]
        drafts.sort(key=attrgetter("at"))
        for seq, draft in enumerate(drafts, 1):
            if emitted >= n:
                return
            pair = corpus.finish(rng, draft, day, seq)
            for gap in draft.gaps:
                heapq.heappush(waiting, (day.toordinal() + gap, next(order), pair, draft))
            emitted += 1
            yield pair


def generate_corpus(n: int, seed: int, *, config: Config | None = None, sentences: SentenceBank | None = None,
                    options: CorpusOptions | None = None) -> Iterator[dict[str, Any]]:
    """Work orders as plain dicts with the fields of ``suqiu.model.Demand``, streamed (see ``iter_corpus``)."""
    for record, _ in iter_corpus(n, seed, config=config, sentences=sentences, options=options):
        yield record
