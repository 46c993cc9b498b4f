"""Short Chinese names for topics: two to four key phrases a clerk can read (井盖·缺失·人行道).

A topic model's top words by probability are often generic (小区, 问题) and its most specific
words are often accidents of a few letters (还来, 好觉). A name is built instead from the demands a
topic holds: a phrase names the topic when many of its demands use it (*share*) and it is much more
common in them than in the rest of the corpus (*lift*); its score is
``share² × log2(1 + lift) × kind × 1.5 if the model ranks it among the topic's top keywords``
(share squared: a phrase of one template letter is rare everywhere, so lift alone would pick
it), where *kind* prefers things and actions to qualities and
amounts: nouns and unknown terms (the city's own 噪音扰民, 维修基金) 1, verbs 0.6, and
adjectives, adverbs, times, numbers and pronouns (耐心, 突然, 上周, 五六次, 哪些) 0.2, read from
jieba's part-of-speech dictionary. Candidates are the topic's top keywords and every word its
demands share; phrases are the segmenter's words, so a name never glues two words a text did not
(joining neighbours in the stop-word-filtered tokens would). Single characters never count, and
a phrase inside another is one candidate.

Pure apart from ``pos_weight``, which loads jieba's dictionary once per call: token lists in,
phrases out. ``nlp.topics`` names every topic of a fit; ``nlp.profiles`` names a department's
topics from that department's own demands.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

SEPARATOR = "·"
WordWeight = Callable[[str], float]

# jieba part-of-speech tags: things and named activities name a theme; qualities and amounts do not
_NOUNISH = frozenset({"n", "nz", "ng", "nr", "nrt", "nt", "ns", "vn", "an", "l", "i", "j", "eng"})
_VERBS = frozenset({"v", "vd", "vg", "vi", "vq"})
# words jieba does not know that are amounts (几百户, 三十多块): as weak as its own numerals
_AMOUNT = re.compile(r"^[0-9零一二两三四五六七八九十百千万几半多好每]+[个次块元天年月周日号楼户层岁分秒钟点趟遍回件名位辆栋间套]")


@dataclass(frozen=True)
class NamingSettings:
    max_phrases: int = 4
    min_phrases: int = 2
    max_chars: int = 14          # a name longer than this stops growing (after min_phrases)
    min_share: float = 0.08      # a phrase used by fewer of the topic's demands does not name it
    min_docs: int = 2            # … and by at least this many of them
    keep_ratio: float = 0.3      # after min_phrases, a phrase scoring below this × the best one stops the name
    pool: int = 40               # candidates per topic, best first
    share_power: float = 2.0     # share counts more than lift: a word of one template letter is rare elsewhere too
    keyword_bonus: float = 1.5   # the model's own top words for the topic


def pos_weight() -> WordWeight:
    """How well a word can name a theme, by its part of speech in jieba's dictionary."""
    import jieba.posseg
    jieba.posseg.dt.initialize()
    tags: Mapping[str, str] = jieba.posseg.dt.word_tag_tab

    def weight(word: str) -> float:
        tag = tags.get(word)
        if tag is None:
            return 0.2 if _AMOUNT.match(word) else 1.0
        if tag in _NOUNISH:
            return 1.0
        return 0.6 if tag in _VERBS else 0.2
    return weight


def _even(word: str) -> float:
    return 1.0


def join_name(phrases: Sequence[str]) -> str:
    return SEPARATOR.join(phrases)


def doc_freq(docs: Iterable[Sequence[str]]) -> Counter[str]:
    """In how many documents each token occurs."""
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(set(doc))
    return df


def _score(inside: int, n_in: int, overall: int, n_all: int, power: float) -> float:
    share = inside / n_in
    outside = (max(overall - inside, 0) + 1) / (max(n_all - n_in, 0) + 1)
    return share ** power * math.log2(1 + share / outside)


def phrase_candidates(members: Sequence[Sequence[str]], keywords: Sequence[str], df: Mapping[str, int],
                      n_all: int, weight: WordWeight = _even,
                      settings: NamingSettings | None = None) -> list[tuple[float, str, float]]:
    """(score, phrase, share) for every phrase that may name these demands, best first.

    ``df``/``n_all``: document frequencies over the whole corpus the lift compares against."""
    s = settings or NamingSettings()
    n_in = len(members)
    if not n_in:
        return []
    inside = doc_freq(members)
    floor = max(s.min_docs, math.ceil(s.min_share * n_in))
    words = {w for w, n in inside.items() if n >= floor} | {w for w in keywords if inside[w] >= floor}
    top = set(keywords)
    out = [(_score(inside[w], n_in, df.get(w, inside[w]), n_all, s.share_power) * weight(w)
            * (s.keyword_bonus if w in top else 1.0), w, inside[w] / n_in) for w in words if len(w) >= 2]
    out.sort(key=lambda c: (-c[0], -len(c[1]), c[1]))
    return out[: s.pool]


def choose_phrases(candidates: Sequence[tuple[float, str, float]], s: NamingSettings,
                   fallback: Sequence[str] = ()) -> list[str]:
    """Two to four phrases, best first, none inside another; ``fallback`` fills a name left short."""
    chosen: list[tuple[str, float]] = []
    best = candidates[0][0] if candidates else 0.0
    for score, phrase, share in candidates:
        if len(chosen) >= s.max_phrases:
            break
        if len(chosen) >= s.min_phrases and (score < s.keep_ratio * best or
                                             sum(len(p) for p, _ in chosen) + len(phrase) > s.max_chars):
            break
        inside = [i for i, (p, _) in enumerate(chosen) if p in phrase]
        if any(phrase in p for p, _ in chosen):
            continue
        if inside:  # a longer phrase holding a chosen word: it replaces the word when nearly as common
            if all(share >= 0.6 * chosen[i][1] for i in inside):
                keep = [c for i, c in enumerate(chosen) if i not in inside]
                chosen = keep[: inside[0]] + [(phrase, share)] + keep[inside[0]:]
            continue
        chosen.append((phrase, share))
    names = [p for p, _ in chosen]
    for word in fallback:
        if len(names) >= s.min_phrases:
            break
        if len(word) >= 2 and not any(word in p or p in word for p in names):
            names.append(word)
    return names


def name_groups(docs: Sequence[Sequence[str]], group_of: Sequence[object], keywords: Mapping[object, Sequence[str]],
                settings: NamingSettings | None = None, weight: WordWeight = _even) -> dict[object, list[str]]:
    """Phrases naming each group (a topic) of ``docs``; ``group_of[i]`` is doc i's group (None: none).

    Lift is measured against all of ``docs``; ``keywords`` (the model's top words) are candidates
    too and fill a name its demands leave short."""
    s = settings or NamingSettings()
    if len(docs) != len(group_of):
        raise ValueError(f"group_of: {len(group_of)} entries for {len(docs)} documents")
    members: dict[object, list[Sequence[str]]] = {}
    for doc, g in zip(docs, group_of):
        if g is not None:
            members.setdefault(g, []).append(doc)
    df = doc_freq(docs)
    out: dict[object, list[str]] = {}
    for g in keywords.keys() | members.keys():
        kw = sorted(keywords.get(g, ()), key=lambda w: -weight(w))  # stable: model order within a kind
        cands = phrase_candidates(members.get(g, []), kw, df, len(docs), weight, s)
        out[g] = choose_phrases(cands, s, fallback=kw)
    return out
