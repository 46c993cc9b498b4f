"""Keeping topic ids stable across refits, and when to refit: matching a new fit's topics to the
known ones by keyword overlap, and the emerging-theme policy."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from suqiu.model import OUTLIER

def keyword_overlap(a: Sequence[str], b: Sequence[str]) -> float:
    """Jaccard overlap of two keyword lists."""
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


@dataclass(frozen=True)
class TopicMatch:
    mapping: dict[int, int]       # model topic index -> stable topic id
    new_ids: list[int]            # stable ids created by this fit (emerging topics)
    retired_ids: list[int]        # known ids no new topic matched
    overlaps: dict[int, float]    # stable id -> overlap with its previous keywords (matched only)


def match_topics(known: dict[int, Sequence[str]], new_topics: Sequence[Sequence[str]],
                 min_overlap: float = 0.2, next_id: int | None = None) -> TopicMatch:
    """Give each newly fitted topic the stable id of the known topic it overlaps most.

    One-to-one assignment maximising total keyword overlap (Hungarian); pairs below ``min_overlap``
    are not the same theme, so the new topic gets a fresh id (``next_id`` onward, by default one past
    the largest known id). Fresh ids are handed out in the new topics' index order, so equal input
    gives equal ids.
    """
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    known_ids = sorted(known)
    mapping: dict[int, int] = {}
    overlaps: dict[int, float] = {}
    if known_ids and new_topics:
        score = np.array([[keyword_overlap(new, known[k]) for k in known_ids] for new in new_topics])
        rows, cols = linear_sum_assignment(-score)
        for r, c in zip(rows, cols):
            if score[r, c] >= min_overlap:
                mapping[int(r)] = known_ids[c]
                overlaps[known_ids[c]] = round(float(score[r, c]), 4)
    start = next_id if next_id is not None else (max(known_ids) + 1 if known_ids else 0)
    new_ids = []
    for index in range(len(new_topics)):
        if index not in mapping:
            mapping[index] = start
            new_ids.append(start)
            start += 1
    used = set(mapping.values())
    retired = [k for k in known_ids if k not in used]
    return TopicMatch(mapping=mapping, new_ids=new_ids, retired_ids=retired, overlaps=overlaps)


# ------------------------------------------------------------------------------------------ emerging
@dataclass(frozen=True)
class EmergingPolicy:
    """When demands assigned since the last fit are outliers much more often than at fit time,
    something new is being asked about: refit so the new theme gets its own topic."""

    min_outliers: int = 20        # unassigned demands since the last fit, at least
    share_margin: float = 0.15    # outlier share above the fit-time share by this much
    growth_ratio: float = 1.0     # or: the corpus grew by this share of its fit-time size

    def should_refit(self, fit_docs: int, fit_outlier_share: float, new_docs: int, new_outliers: int) -> bool:
        if new_docs <= 0:
            return False
        if fit_docs > 0 and new_docs >= self.growth_ratio * fit_docs and new_docs >= self.min_outliers:
            return True
        share = new_outliers / new_docs
        return new_outliers >= self.min_outliers and share >= fit_outlier_share + self.share_margin


def topic_mix(topic_ids: Iterable[int | None]) -> Counter[int]:
    """Counts per topic id, outliers and unassigned left out."""
    return Counter(t for t in topic_ids if t is not None and t != OUTLIER)
