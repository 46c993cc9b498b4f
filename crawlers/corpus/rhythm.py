"""When work orders arrive: a yearly and a weekly rhythm, holidays, and seasonal topics.

Volume per day is a month factor (summer storms and heat bring the most calls) times a weekday
factor (Monday the most, weekends about 30% fewer) times a holiday factor (Spring Festival week
about half, National Day week two thirds). Topics carry a season whose monthly multipliers have
mean 1, so a topic keeps its share over a year and moves within it: 汛期 (flooding) and heat in
summer, heating in winter, school places at enrolment and term start, unpaid wages before the
Spring Festival.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from crawlers.corpus.weights import WeightedTable

MONTH_FACTORS = (0.92, 0.80, 0.96, 0.97, 1.00, 1.08, 1.20, 1.22, 1.10, 0.92, 0.94, 0.96)
WEEKDAY_FACTORS = (1.12, 1.06, 1.03, 1.02, 0.98, 0.74, 0.70)   # Monday … Sunday
# 春节 (first day of the lunar year); years outside the table fall back to 5 February
SPRING_FESTIVAL: dict[int, date] = {
    2020: date(2020, 1, 25), 2021: date(2021, 2, 12), 2022: date(2022, 2, 1), 2023: date(2023, 1, 22),
    2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6),
    2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3), 2031: date(2031, 1, 23),
    2032: date(2032, 2, 11),
}


def _mean_one(values: tuple[float, ...]) -> tuple[float, ...]:
    mean = sum(values) / len(values)
    return tuple(v / mean for v in values)


SEASONS: dict[str, tuple[float, ...]] = {
    "": (1.0,) * 12,
    "flood": _mean_one((0.2, 0.2, 0.4, 0.8, 1.4, 2.2, 2.0, 2.0, 1.5, 0.6, 0.3, 0.2)),
    "heat": _mean_one((0.1, 0.1, 0.2, 0.4, 0.9, 1.8, 3.0, 3.0, 1.6, 0.5, 0.2, 0.1)),
    "heating": _mean_one((3.0, 2.4, 0.9, 0.2, 0.05, 0.05, 0.05, 0.05, 0.1, 0.4, 1.6, 3.0)),
    "school": _mean_one((0.5, 1.2, 1.4, 0.6, 0.6, 1.1, 1.3, 2.2, 2.4, 0.5, 0.3, 0.3)),
    "summer": _mean_one((0.3, 0.3, 0.5, 0.8, 1.2, 1.6, 1.9, 1.9, 1.4, 0.8, 0.6, 0.4)),
}
FESTIVAL_SEASON = "festival"

PHONE_HOURS = (0.15, 0.08, 0.05, 0.04, 0.04, 0.06, 0.2, 0.55, 1.3, 1.9, 2.0, 1.7,
               1.0, 1.1, 1.6, 1.7, 1.6, 1.3, 1.0, 1.1, 1.1, 0.9, 0.55, 0.3)
ONLINE_HOURS = (0.35, 0.2, 0.12, 0.08, 0.06, 0.08, 0.2, 0.45, 0.8, 1.1, 1.2, 1.1,
                1.0, 1.0, 1.1, 1.1, 1.1, 1.0, 1.0, 1.2, 1.4, 1.5, 1.3, 0.8)


def spring_festival(year: int) -> date:
    return SPRING_FESTIVAL.get(year, date(year, 2, 5))


def _nearest_festival(day: date) -> date:
    """The Spring Festival this day leads up to (within 45 days) or follows."""
    this = spring_festival(day.year)
    return spring_festival(day.year + 1) if day > this + timedelta(days=30) else this


def holiday_factor(day: date) -> float:
    offset = (day - _nearest_festival(day)).days
    if -1 <= offset <= 6:
        return 0.45 if 0 <= offset <= 3 else 0.62
    if day.month == 10 and day.day <= 7:
        return 0.65
    if day.month == 5 and day.day <= 5:
        return 0.8
    return 1.0


def day_weight(day: date) -> float:
    """Relative volume of one day."""
    return MONTH_FACTORS[day.month - 1] * WEEKDAY_FACTORS[day.weekday()] * holiday_factor(day)


def season_factor(season: str, day: date) -> float:
    """A topic's multiplier on one day (mean about 1 over a year)."""
    if season == FESTIVAL_SEASON:
        before = (_nearest_festival(day) - day).days
        if 0 <= before <= 45:
            return 1.0 + 3.0 * (1 - before / 45)
        return 0.6 if -20 <= before < 0 else 0.8
    return SEASONS[season][day.month - 1]


def daily_targets(n: int, start: date, days: int) -> Iterator[tuple[date, int]]:
    """Each day and the cumulative number of records due by its end (the last day reaches ``n``)."""
    weights = [day_weight(start + timedelta(days=i)) for i in range(days)]
    total = sum(weights)
    running = 0.0
    for i, w in enumerate(weights):
        running += w
        yield start + timedelta(days=i), n if i == days - 1 else round(n * running / total)


def hour_tables() -> dict[str, WeightedTable[int]]:
    """Hours of the day for calls (office hours) and for online channels (evenings too)."""
    return {"phone": WeightedTable(enumerate(PHONE_HOURS)), "online": WeightedTable(enumerate(ONLINE_HOURS))}


def seconds_in_day(rng: random.Random, hours: WeightedTable[int]) -> int:
    return hours.pick(rng) * 3600 + int(rng.random() * 3600)
