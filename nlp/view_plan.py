"""Which weeks a views build redoes, and which demands it reads to redo them.

The first build, and any build after the topics' names or the views' settings changed, reads the
whole history. Afterwards a build redoes only what the changed demands touch (a record, its
analysis or its route changed since the last build), so a day's new demands cost a few weeks, not
the history:

- profiles of a changed week, and of the week after it (its ``change`` compares with this one);
- warnings of a changed week and of the ``baseline_weeks`` after it (their baselines hold it);
- hotspots always, from the ``window_days`` before the latest demand (``nlp.hotspots``).

It reads those weeks, the weeks their profiles and baselines look back on, and the hotspots'
window, each whole. A build that would redo more than ``MAX_CHANGED`` demands, or whose last full
build is older than ``FULL_EVERY``, is a full build again: one resubmission whose original lies
outside the weeks read counts in its own week until then.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from suqiu.model import SHANGHAI
from suqiu.weeks import iso_week, shift_week, week_start

MAX_CHANGED = 200_000
FULL_EVERY = timedelta(days=7)


@dataclass(frozen=True)
class ViewPlan:
    """A full build (``spans`` None) or the weeks an incremental one reads and redoes."""

    reason: str
    spans: list[tuple[datetime, datetime]] | None = None
    read_weeks: frozenset[str] = frozenset()
    profile_weeks: frozenset[str] = frozenset()
    warning_weeks: frozenset[str] = frozenset()

    @property
    def full(self) -> bool:
        return self.spans is None


def fingerprint(*parts: str) -> str:
    """What a build depends on besides the demands (topic names, settings): a change means a full build."""
    return hashlib.sha1("\x1e".join(parts).encode("utf-8")).hexdigest()


def incremental_plan(changed: Iterable[datetime], latest: datetime, baseline_weeks: int,
                     window_days: int) -> ViewPlan:
    """The weeks to redo and read after the demands received at ``changed`` changed; ``latest`` is
    the newest plausible demand (the hotspots' window ends there)."""
    touched = {iso_week(t) for t in changed}
    last_week = iso_week(latest)
    profile_weeks = touched | {shift_week(w, 1) for w in touched}
    warning_weeks = touched | {shift_week(w, i) for w in touched for i in range(1, baseline_weeks + 1)}
    profile_weeks = {w for w in profile_weeks if w <= last_week}
    warning_weeks = {w for w in warning_weeks if w <= last_week}
    read = ({shift_week(w, -1) for w in profile_weeks} | profile_weeks | warning_weeks
            | {shift_week(w, -i) for w in warning_weeks for i in range(1, baseline_weeks + 1)})
    first_hot = iso_week(latest - timedelta(days=window_days)) if window_days else None
    week = first_hot
    while week is not None and week <= last_week:
        read.add(week)
        week = shift_week(week, 1)
    return ViewPlan(f"{len(touched)} 周有变化", spans(read), frozenset(read), frozenset(profile_weeks),
                    frozenset(warning_weeks))


def spans(weeks: Iterable[str]) -> list[tuple[datetime, datetime]]:
    """Consecutive ISO weeks merged into [start, end) moments (Asia/Shanghai)."""
    out: list[tuple[datetime, datetime]] = []
    for week in sorted(weeks):
        start = datetime.combine(week_start(week), time(), SHANGHAI)
        end = start + timedelta(days=7)
        if out and out[-1][1] == start:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out
