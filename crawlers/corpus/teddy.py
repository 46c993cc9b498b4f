"""Sentences of real citizen messages (Teddy Cup 2020 C), cleaned and sorted by department.

Read from ``../shared/datasets/teddy2020c`` where present and never copied into the project.
The contest anonymised places as A市 / A3区 / K7县 and the province as 西地省; those become
marks that the composer fills with the configured city and districts (other cities with other
city names). Phone placeholders (0000-00000000) are cut out with their label; sentences that
still hold an anonymised user or number are dropped.

The labelled file gives each message's first-level class, mapped to the configured department
naming it (name, alias or category). Messages of the other files go to the department whose
keywords they mention clearly most (at least two hits and twice the runner-up), else nowhere.
Within a department, sentences are pooled by the department keyword their message mentions
most, so a work order recombines sentences about one subject (物业, 拆迁, 工资 …).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from suqiu.config import Config

CITY_MARK, OTHER_MARK, DISTRICT_MARK = "\ue000", "\ue001", "\ue002"
MARKS = CITY_MARK + OTHER_MARK + DISTRICT_MARK
MIN_POOL = 150                 # sentences; smaller subject pools join the department's general pool
MIN_BODY = 8                   # characters: shorter fragments say nothing on their own
GENERAL = "综合"
FILES = ("messages_labeled.csv", "messages_unlabeled.csv", "messages_with_votes.csv", "messages_with_replies.csv")

_SPACE = re.compile(r"\s+")
_PHONE = re.compile(r"(?:(?:联系)?(?:电话|手机号码|手机号|手机|热线|方式|号码)[:：为是]?)?(?<!\d)(?:\d{3,4}[-－])?"
                    r"0000[-－]?0{4,8}(?:[-－/]0+)*(?!\d)")
_A_DISTRICT = re.compile(r"A\d{1,2}[区县市]")
_OTHER_PLACE = re.compile(r"(?<![A-Za-z])[B-Z]\d{0,2}[市县区州]")
_LEFTOVER = re.compile(r"[A-Z]\d{3,}|(?<!\d)0000|https?:|www\.|[A-Z]\d{1,2}(?:镇|乡|街道|社区|村)")
_SPLIT = re.compile(r"(?<=[。！？!?；;])")
_ENUM = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|\d{1,2}[、.．)）]|[（(]\d{1,2}[)）])")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_OPENER = re.compile(r"^(?:尊敬的|您好|你好|领导|各位领导|.{0,8}(?:书记|市长|局长|主任)(?:您好|好|：|:))")
_CLOSER = re.compile(r"(?:谢谢|感谢|盼复|此致|敬礼|万分感激|期待回复)[^，,]{0,6}[。！!]*$")
_DEMAND = re.compile(r"希望|恳请|请求|强烈要求|建议|望.{0,6}(?:解决|处理|重视|关注)")


def mark_places(text: str) -> str:
    """The contest's anonymised places as marks; the province as 本省."""
    text = text.replace("西地省", "本省").replace("A市", CITY_MARK)
    text = _A_DISTRICT.sub(DISTRICT_MARK, text)
    return _OTHER_PLACE.sub(OTHER_MARK, text)


def clean_text(text: str) -> str:
    """Whitespace and phone placeholders out, places marked."""
    return mark_places(_PHONE.sub("", _SPACE.sub("", text)))


def split_sentences(text: str, shortest: int = 4) -> list[str]:
    """Sentences worth recombining: ``shortest``–240 characters, mostly Han, no anonymised leftovers."""
    out = []
    for raw in _SPLIT.split(text):
        s = _ENUM.sub("", raw.strip().lstrip("，,、：: "))
        if shortest <= len(s) <= 240 and len(_HAN.findall(s)) >= 0.6 * len(s) and not _LEFTOVER.search(s):
            out.append(s)
    return out


def role(sentence: str) -> str:
    if len(sentence) <= 30 and _OPENER.search(sentence):
        return "opener"
    if len(sentence) <= 30 and _CLOSER.search(sentence):
        return "closer"
    return "demand" if _DEMAND.search(sentence) else "body"


@dataclass
class SentenceBank:
    """Cleaned real sentences: body sentences by department and subject pool, and the rest."""

    pools: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    titles: dict[str, list[str]] = field(default_factory=dict)
    demands: dict[str, list[str]] = field(default_factory=dict)
    openers: list[str] = field(default_factory=list)
    closers: list[str] = field(default_factory=list)
    categories: dict[str, str] = field(default_factory=dict)

    def pools_for(self, department: str) -> dict[str, int]:
        return {k: len(v) for k, v in self.pools.get(department, {}).items()}

    def category_of(self, department: str) -> str:
        return self.categories.get(department, department)

    @property
    def size(self) -> int:
        return sum(len(v) for pools in self.pools.values() for v in pools.values())


def _read(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def label_department(config: Config, label: str) -> str | None:
    for d in config.departments:
        if label == d.name or label in d.aliases or label in d.categories:
            return d.name
    return None


def vote_department(config: Config, text: str) -> str | None:
    """The department whose keywords the text mentions clearly most, or None."""
    scores = sorted(((sum(text.count(k) for k in d.keywords), d.name) for d in config.departments), reverse=True)
    if not scores or scores[0][0] < 2 or (len(scores) > 1 and scores[0][0] < 2 * scores[1][0]):
        return None
    return scores[0][1]


def subject(config: Config, department: str, text: str) -> str:
    dept = config.department(department)
    counts = [(text.count(k), k) for k in (dept.keywords if dept else [])]
    best = max(counts, default=(0, GENERAL))
    return best[1] if best[0] > 0 else GENERAL


@dataclass(frozen=True)
class Message:
    department: str | None
    label: str
    title: str
    text: str
    title_glued: bool       # the labelled file glues the subject to the first sentence


def messages(directory: Path, config: Config) -> Iterator[Message]:
    """Every message of the contest files present, with the department it belongs to (or None)."""
    labelled = directory / FILES[0]
    if labelled.exists():
        for row in _read(labelled):
            label = (row.get("label") or "").strip()
            yield Message(label_department(config, label), label, "", row.get("text") or "", True)
    for name in FILES[1:]:
        path = directory / name
        if not path.exists():
            continue
        for row in _read(path):
            title, detail = (row.get("留言主题") or "").strip(), row.get("留言详情") or ""
            label = (row.get("一级分类") or "").strip()
            dept = label_department(config, label) if label else vote_department(config, title + detail)
            yield Message(dept, label, title, detail, False)


def _merge_small(pools: dict[str, list[str]]) -> dict[str, list[str]]:
    """Subject pools under MIN_POOL sentences join the general pool (itself joining the largest)."""
    out: dict[str, list[str]] = {}
    general = list(pools.get(GENERAL, []))
    for key, sents in pools.items():
        if key != GENERAL:
            (out.setdefault(key, []) if len(sents) >= MIN_POOL else general).extend(sents)
    if len(general) >= MIN_POOL or not out:
        out[GENERAL] = general
    else:
        max(out.values(), key=len).extend(general)
    return {k: v for k, v in out.items() if v}


def _add(bank: SentenceBank, config: Config, msg: Message, seen: set[str],
         raw: dict[str, dict[str, list[str]]]) -> None:
    sents = split_sentences(clean_text(msg.text))
    if msg.title_glued and len(sents) > 1:
        sents = sents[1:]
    dept = msg.department
    key = subject(config, dept, msg.title + msg.text) if dept else GENERAL
    for s in sents:
        if s in seen:
            continue
        seen.add(s)
        kind = role(s)
        if kind not in ("opener", "closer") and len(s) < MIN_BODY:
            continue
        if kind == "opener":
            bank.openers.append(s)
        elif kind == "closer":
            bank.closers.append(s)
        elif dept and kind == "demand":
            bank.demands.setdefault(dept, []).append(s)
        elif dept:
            raw.setdefault(dept, {}).setdefault(key, []).append(s)
    title = clean_text(msg.title)
    if dept and 4 <= len(title) <= 50 and not _LEFTOVER.search(title) and title not in seen:
        seen.add(title)
        bank.titles.setdefault(dept, []).append(title)


def load_sentences(directory: Path | str, config: Config) -> SentenceBank:
    """The bank from the contest files in ``directory``; FileNotFoundError when none is there."""
    directory = Path(directory)
    if not any((directory / f).exists() for f in FILES):
        raise FileNotFoundError(f"no Teddy Cup 2020 C message file in {directory}")
    bank = SentenceBank()
    raw: dict[str, dict[str, list[str]]] = {}
    labels: dict[str, Counter[str]] = {}
    seen: set[str] = set()
    for msg in messages(directory, config):
        _add(bank, config, msg, seen, raw)
        if msg.department and msg.label:
            labels.setdefault(msg.department, Counter())[msg.label] += 1
    bank.pools = {dept: _merge_small(pools) for dept, pools in raw.items()}
    for d in config.departments:
        found = labels.get(d.name)
        bank.categories[d.name] = found.most_common(1)[0][0] if found else (d.categories or [d.name])[0]
    return bank


def sentences_in(bank: SentenceBank) -> Iterable[str]:
    """Every sentence the bank holds (tests check none leaks a placeholder)."""
    for pools in bank.pools.values():
        for sents in pools.values():
            yield from sents
    for group in (bank.titles, bank.demands):
        for sents in group.values():
            yield from sents
    yield from bank.openers
    yield from bank.closers
