"""Weighted choice by one bisect over cumulative weights: the generator's inner loop picks many
times per record, and ``random.choices`` builds a list for every single pick."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Iterable, Sequence
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


class WeightedTable(Generic[T]):
    """Values with non-negative weights; ``pick`` draws one with probability proportional to its weight."""

    __slots__ = ("cum", "total", "values")

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        kept = [(v, float(w)) for v, w in pairs if w > 0]
        if not kept:
            raise ValueError("a weighted table needs at least one positive weight")
        self.values: list[T] = [v for v, _ in kept]
        self.cum: list[float] = list(accumulate(w for _, w in kept))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> T:
        i = bisect(self.cum, rng.random() * self.total)
        return self.values[i if i < len(self.values) else -1]

    def share(self, value: T) -> float:
        """The probability of ``value`` (0 when absent), for tests and reports."""
        total, prev = 0.0, 0.0
        for v, c in zip(self.values, self.cum):
            if v == value:
                total += c - prev
            prev = c
        return total / self.total


def split(text: str) -> tuple[str, ...]:
    """``"a|b|c"`` → ``("a", "b", "c")``: vocabularies are written as one string per slot."""
    return tuple(p for p in (s.strip() for s in text.split("|")) if p)


def table(values: Sequence[T], weights: Sequence[float] | None = None) -> WeightedTable[T]:
    return WeightedTable(zip(values, weights if weights is not None else [1.0] * len(values)))


def pick(rng: random.Random, seq: Sequence[T]) -> T:
    """``rng.choice`` without its Python-level rejection loop (the generator's hottest call)."""
    return seq[int(rng.random() * len(seq))]


def between(rng: random.Random, lo: int, hi: int) -> int:
    """An integer in [lo, hi], like ``rng.randint`` but cheaper."""
    return lo + int(rng.random() * (hi - lo + 1))


def shuffle(rng: random.Random, items: list[T]) -> list[T]:
    """Fisher–Yates in place on ``rng.random`` (``rng.shuffle`` costs a rejection loop per element)."""
    for i in range(len(items) - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        items[i], items[j] = items[j], items[i]
    return items
