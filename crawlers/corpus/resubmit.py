"""Resubmissions: the same demand again, days later, with the small edits people make.

A resubmission adds or changes the opening (再次反映：…), adds a line on how long it has been,
drops or swaps a sentence, swaps a few words, or retitles. It is kept only when its character
3-gram Jaccard similarity with the original stays at or above ``MIN_SIMILARITY`` (the project's
near-duplicate threshold is 0.6 on a MinHash estimate, which scatters by about ±0.06), else it
falls back to the lightest edit; an identical text gets a closing line so it is never an exact copy.
"""

from __future__ import annotations

import random
import re

from crawlers.corpus import phrases as P
from crawlers.corpus.grammar import fill
from crawlers.corpus.weights import between, pick

MIN_SIMILARITY = 0.74
_NOT_CORE = re.compile(r"[^0-9a-z\u4e00-\u9fff]+")
_SENTENCES = re.compile(r"(?<=[。！？!?])")


def shingle_set(text: str, k: int = 3) -> set[str]:
    """Character k-grams of the letters, digits and Han characters (what near-duplicate search compares)."""
    core = _NOT_CORE.sub("", text.lower())
    return {core[i:i + k] for i in range(len(core) - k + 1)}


def jaccard(a: str, b: str) -> float:
    sa, sb = shingle_set(a), shingle_set(b)
    return len(sa & sb) / len(sa | sb) if sa or sb else 1.0


def _numbers(rng: random.Random) -> dict[str, str]:
    return {"times": pick(rng, ("二", "三", "四")), "days": str(between(rng, 3, 30))}


def _reword(rng: random.Random, text: str) -> str:
    """A few word swaps a person makes when telling it again."""
    present = [pair for pair in P.SYNONYMS if pair[0] in text]
    for old, new in rng.sample(present, min(len(present), between(rng, 1, 3))):
        text = text.replace(old, new, 1)
    return text


def _restructure(rng: random.Random, text: str) -> str:
    """Drop one sentence or swap two neighbours (only when there are enough to keep the gist)."""
    parts = [p for p in _SENTENCES.split(text) if p]
    if len(parts) < 4:
        return text
    i = rng.randrange(1, len(parts) - 1)
    if rng.random() < 0.5:
        del parts[i]
    else:
        parts[i], parts[i + 1] = parts[i + 1], parts[i]
    return "".join(parts)


def edit_content(rng: random.Random, content: str) -> str:
    text = content
    if rng.random() < 0.55:
        text = fill(pick(rng, P.RESUBMIT_PREFIXES), _numbers(rng)) + text
    if rng.random() < 0.45:
        text = _restructure(rng, text)
    if rng.random() < 0.5:
        text = _reword(rng, text)
    if rng.random() < 0.45:
        text += fill(pick(rng, P.RESUBMIT_SUFFIXES), _numbers(rng))
    return text


def edit_title(rng: random.Random, title: str) -> str:
    roll = rng.random()
    if roll < 0.3:
        return pick(rng, P.RESUBMIT_TITLE_PREFIXES) + title
    if roll < 0.45:
        return _reword(rng, title)
    return title


def resubmission(rng: random.Random, title: str, content: str) -> tuple[str, str]:
    """(title, content) of a resubmission, similar enough to the original to be found again."""
    new_title, new_content = edit_title(rng, title), edit_content(rng, content)
    original = f"{title}\n{content}"
    if jaccard(original, f"{new_title}\n{new_content}") < MIN_SIMILARITY:
        new_title, new_content = title, content + fill(pick(rng, P.RESUBMIT_SUFFIXES), _numbers(rng))
    if new_content == content and new_title == title:
        new_content = content + pick(rng, P.CLOSERS)
    return new_title, new_content
